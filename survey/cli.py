"""The ``survey`` command line."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from survey.errors import DomainError


def _fail(error: DomainError) -> None:
    click.echo(f"error: {error.message}", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


class LazyGroup(click.Group):
    """Commands that live with their feature module are imported only when run, so that e.g.
    ``survey analyze`` does not pay for the web and database layers."""

    lazy = {
        "analyze": "survey.analysis.cli:analyze",
        "demo": "survey.demo:demo",
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
    as soon as the output is written (:mod:`survey.process`)."""
    if sys.argv[1:2] and sys.argv[1] in FAST_EXIT:
        from survey.process import run_and_exit

        run_and_exit(main, prog_name="survey")
    main(prog_name="survey")


@main.command()
@click.option(
    "--host", default=None, help="Interface to listen on (SURVEY_HOST, default 127.0.0.1)."
)
@click.option("--port", type=int, default=None, help="Port (SURVEY_PORT or PORT, default 8000).")
@click.option("--workers", type=int, default=1, show_default=True)
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the web app."""
    import uvicorn

    from survey.config import get_settings

    settings = get_settings()
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


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check questionnaire files (default: the questionnaire folder) against the schema and rules.

    Prints one line per problem (file:line: item: message); exit status 1 on any problem.
    """
    from survey.config import get_settings
    from survey.questionnaire import QuestionnaireError, load_framework, validate_paths

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
    loaded, problems = validate_paths([p for p in targets if p.exists()], framework)
    for problem in problems:
        click.echo(str(problem), err=True)
    for questionnaire in loaded:
        click.echo(
            f"ok  {questionnaire.path}: {questionnaire.key} {questionnaire.version} "
            f"({len(questionnaire.items)} items, {questionnaire.scale.size} levels)"
        )
    if problems or missing:
        click.echo(f"{len(problems) + len(missing)} problem(s)", err=True)
        sys.exit(1)


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Migrate the database at SURVEY_DATABASE_URL to the latest schema."""
    from survey.config import get_settings
    from survey.migrate import upgrade

    upgrade(get_settings().database_url, revision)
    click.echo(f"database at {revision}")


@main.command("import-units")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_units(csv_file: Path) -> None:
    """Import units from CSV in one transaction (a bad row names its line; nothing is imported)."""
    from survey.db import session_scope
    from survey.services.units import import_units_csv

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
    click.echo(f"{result.created} unit(s) created, {result.updated} updated")


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
    from survey.services.users import create_user as create
    from survey.services.users import find_unit, grant_role

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
    from survey.services.questionnaires import questionnaire_for
    from survey.services.releases import create_release

    settings = get_settings()
    framework = load_framework(settings.questionnaire_dir / "framework.yaml")
    try:
        with session_scope() as session:
            round_ = session.get(Round, round_id)
            if round_ is None or round_.kind != "national":
                raise DomainError(f"round {round_id}: no national round with that id")
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
