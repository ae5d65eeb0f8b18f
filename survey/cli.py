"""The ``survey`` command line."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from survey.errors import DomainError


def _fail(error: DomainError) -> None:
    """A domain error on stderr, in English (the command line's language), and exit 1."""
    from survey.web.errors import error_text, problem_texts

    click.echo(f"error: {error_text(error, 'en')}", err=True)
    for problem in problem_texts(error, "en"):
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


class LazyGroup(click.Group):
    """Commands that live with their feature module are imported only when run, so that e.g.
    ``survey analyze`` does not pay for the web and database layers."""

    lazy = {
        "analyze": "survey.analysis.cli:analyze",
        "demo": "survey.demo:demo",
        "send-mail": "survey.mail_command:send_mail",
        "questionnaire": "survey.questionnaire.cli:questionnaire",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _, attr = self.lazy[cmd_name].partition(":")
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="survey")
def main() -> None:
    """Self-assessment survey engine for school digitalisation (LIKA / SELFIE style)."""


FAST_EXIT = frozenset({"analyze"})  # one-shot commands that need no interpreter teardown


def entry() -> None:
    """The ``survey`` console script: :func:`main`, and for ``survey analyze`` the process ends
    as soon as the output is written (:mod:`survey.process`). A setting that cannot be read
    (SURVEY_…) is one line and exit status 2, not a traceback."""
    if sys.argv[1:2] and sys.argv[1] in FAST_EXIT:
        from survey.process import run_and_exit

        run_and_exit(main, prog_name="survey")
    try:
        main(prog_name="survey", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:
        from pydantic import ValidationError
        from sqlalchemy.exc import ArgumentError, OperationalError

        if isinstance(exc, ValidationError):
            problems = "; ".join(
                f"SURVEY_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
                for e in exc.errors()
            )
            click.echo(f"error: a setting cannot be used: {problems}", err=True)
            sys.exit(2)
        if isinstance(exc, ArgumentError):
            click.echo(f"error: SURVEY_DATABASE_URL is not a database URL: {exc}", err=True)
            sys.exit(2)
        if isinstance(exc, OperationalError):
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            click.echo(f"error: the database cannot be reached: {reason}", err=True)
            sys.exit(1)
        raise


@main.command()
@click.option(
    "--host", default=None, help="Interface to listen on (SURVEY_HOST, default 127.0.0.1)."
)
@click.option("--port", type=int, default=None, help="Port (SURVEY_PORT or PORT, default 8000).")
@click.option("--workers", type=int, default=1, show_default=True)
@click.option(
    "--wait",
    type=click.IntRange(0, 3600),
    default=30,
    show_default=True,
    help="Seconds to keep trying a database that cannot be reached before giving up.",
)
def serve(host: str | None, port: int | None, workers: int, wait: int) -> None:
    """Serve the web app (once the database answers and is migrated)."""
    import uvicorn

    from survey.config import get_settings

    settings = get_settings()
    _wait_for_database(settings.database_url, wait)
    trusted = settings.trusted_proxies.strip()
    uvicorn.run(
        "survey.web.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        # X-Forwarded-For names the client only when it comes from a proxy the operator
        # trusts (SURVEY_TRUSTED_PROXIES); otherwise anyone could pick the address that sign-in
        # throttling and the audit log see. uvicorn's own default trusts 127.0.0.1.
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or "",
    )


def _wait_for_database(url: str, wait: int, pause: int = 5) -> None:
    """Serve only a database that answers and is migrated: an unreachable one is tried again
    with a visible countdown (a database container may start after the app's), an unmigrated
    one stops with what to run."""
    import time

    from survey.db import make_engine
    from survey.operations import OperationError, check_url, database_status

    try:
        check_url(url)
    except OperationError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    engine = make_engine(url, pool_size=1)
    deadline = time.monotonic() + wait
    try:
        while True:
            status = database_status(engine)
            if status.ok:
                return
            left = int(deadline - time.monotonic())
            if "cannot be reached" not in status.reason or left <= 0:
                click.echo(f"error: {status.reason}", err=True)
                sys.exit(1)
            click.echo(f"{status.reason}; trying again for {left} s more", err=True)
            time.sleep(min(pause, left))
    finally:
        engine.dispose()


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check questionnaire files (default: the questionnaire folder) against the schema and rules.

    Prints one line per problem (file:line: item: message); exit status 1 on any problem.
    """
    from survey.config import get_settings
    from survey.questionnaire import QuestionnaireError, load_framework, validate_paths
    from survey.questionnaire.crosswalk import FOLDER, check_crosswalk, check_folder

    settings = get_settings()
    targets = list(paths) or [settings.questionnaire_dir]
    try:
        framework = load_framework(settings.questionnaire_dir / "framework.yaml")
    except QuestionnaireError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    missing = [p for p in targets if not p.exists()]
    for path in missing:
        click.echo(f"{path}: no such file or folder", err=True)
    # crosswalk files (in a crosswalks/ folder) are checked against the questionnaires beside it
    walks = [p for p in targets if p.is_file() and p.parent.name == FOLDER]
    found = [p for p in targets if p.exists() and p not in walks]
    loaded, problems = validate_paths(found, framework)
    checked = [c for p in found if p.is_dir() for c in check_folder(p, loaded)]
    if walks:
        extra, _ = validate_paths({p.parent.parent for p in walks}, framework)
        versions = {(q.key, q.version): q for q in [*extra, *loaded]}
        checked += [check_crosswalk(p, versions) for p in walks]
    for check in checked:
        problems.extend(check.problems)
    for problem in problems:
        click.echo(str(problem), err=True)
    for check in checked:
        for warning in check.warnings:
            click.echo(f"warning: {warning}", err=True)
    for questionnaire in loaded:
        click.echo(
            f"ok  {questionnaire.path}: {questionnaire.key} {questionnaire.version} "
            f"({len(questionnaire.items)} items, {questionnaire.scale.size} levels)"
        )
    for check in checked:
        if check.crosswalk is not None:
            walk = check.crosswalk
            click.echo(
                f"ok  {walk.path}: {walk.key} {walk.old_version} → {walk.new_version} "
                f"({len(walk.entries)} entries)"
            )
    if problems or missing:
        click.echo(f"{len(problems) + len(missing)} problem(s)", err=True)
        sys.exit(1)


@main.group()
def db() -> None:
    """Database migrations, backups and restores."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Migrate the database at SURVEY_DATABASE_URL to the latest schema (on PostgreSQL under an
    advisory lock: two upgrades at the same time run one after the other)."""
    from survey.config import get_settings
    from survey.migrate import upgrade
    from survey.operations import OperationError, check_url

    url = get_settings().database_url
    try:
        check_url(url)
    except OperationError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    upgrade(url, revision)
    click.echo(f"database at {revision}")


@db.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(target: Path) -> None:
    """Write a consistent copy of the database to TARGET (SQLite: online backup, the app may
    run; PostgreSQL: pg_dump, custom format)."""
    from survey.config import get_settings
    from survey.operations import OperationError, backup

    try:
        backup(get_settings().database_url, target)
    except OperationError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"backup written to {target} ({target.stat().st_size:,} bytes)")


@db.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def db_restore(source: Path, yes: bool) -> None:
    """Replace the database with the copy in SOURCE (made by `survey db backup`). Stop the app
    first."""
    from survey.config import get_settings
    from survey.operations import OperationError, restore

    url = get_settings().database_url
    if not yes:
        click.confirm(f"Replace everything in the database with {source}?", abort=True)
    try:
        restore(url, source)
    except OperationError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"database restored from {source}")


@main.command("import-units")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_units(csv_file: Path) -> None:
    """Import units from CSV in one transaction (a bad row names its line; nothing is imported)."""
    from survey.db import session_scope
    from survey.services.unitadmin.csvfile import import_units_csv

    try:
        text = csv_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        from survey.parsing import encoding_problem

        line, message = encoding_problem(csv_file)
        click.echo(f"error: {csv_file}{f':{line}' if line else ''}: {message}", err=True)
        sys.exit(1)
    with click.progressbar(length=1, label="importing units", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            with session_scope() as session:
                result = import_units_csv(
                    session, text=text, label=str(csv_file), progress=progress
                )
        except DomainError as exc:
            _fail(exc)
    click.echo(
        f"{result.created} unit(s) created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.deactivated} deactivated"
    )


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="ROLE:UNIT",
    help="Grant a role on a unit (external id, school unit code or id), e.g. principal:10000001.",
)
def create_user(email: str, name: str, password: str, roles: tuple[str, ...]) -> None:
    """Create a user account, optionally with role grants."""
    from survey.db import session_scope
    from survey.services.accounts.users import create_user as create
    from survey.services.accounts.users import find_unit, grant_role

    try:
        with session_scope() as session:
            user = create(session, email=email, password=password, name=name)
            for spec in roles:
                role, _, unit_ref = spec.partition(":")
                unit = find_unit(session, ref=unit_ref)
                grant_role(session, user=user, unit=unit, role=role)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"user {user.email} created")


@main.command("release")
@click.argument("round_id", type=int)
def release(round_id: int) -> None:
    """Publish the next release of a national round (preliminary while it is open, at most
    once; final once it is closed; revisions after that), with progress."""
    from survey.config import get_settings
    from survey.db import session_scope
    from survey.models import Round
    from survey.questionnaire.loader import load_framework
    from survey.services.national.publishing import create_release
    from survey.services.questionnaires import questionnaire_for

    settings = get_settings()
    framework = load_framework(settings.questionnaire_dir / "framework.yaml")
    try:
        with session_scope() as session:
            round_ = session.get(Round, round_id)
            if round_ is None or round_.kind != "national":
                raise DomainError("err.round.not_national", round_id=round_id)
            q = questionnaire_for(
                session, questionnaire_id=round_.questionnaire_id, framework=framework
            )
            with click.progressbar(length=len(q.subgoal_ids) + len(q.area_ids) + 1,
                                   label="protecting scopes", file=sys.stderr) as bar:  # fmt: skip

                def progress(message: str) -> None:
                    if message.startswith("scope "):
                        bar.update(1)
                    else:
                        bar.label = message

                made = create_release(
                    session,
                    round_=round_,
                    q=q,
                    k=settings.min_group_size,
                    k_detail=settings.detail_group_size,
                    actor_id=None,
                    progress=progress,
                )
            summary = dict(made.summary)
    except DomainError as exc:
        _fail(exc)
    click.echo(
        f"release {made.number} ({made.kind}) of round {round_id}: {made.n_units} units, "
        f"{summary['hidden_cells']} of {summary['cells']} cells hidden, "
        f"{summary['seconds']} s"
    )
