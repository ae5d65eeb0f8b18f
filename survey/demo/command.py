"""The ``survey demo`` command: reset the database and build the small or the national data set."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlmodel import Session

from survey.config import get_settings
from survey.db import make_engine
from survey.demo.build import build_demo
from survey.demo.data import DEMO_PASSWORD
from survey.demo.world import DemoScale
from survey.migrate import upgrade
from survey.models import metadata

ACCOUNTS = {
    "principal@example.org": "rektor för Kvarnbackaskolan (Uppsala kommun)",
    "strategist@example.org": "it-strateg, Uppsala kommun",
    "national@example.org": "nationell uppföljning",
    "admin@example.org": "administratör",
}


def reset_database(url: str) -> None:
    """Remove every table (or the SQLite file) and migrate to the latest schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
    else:
        engine = make_engine(url)
        with engine.begin() as connection:
            metadata.drop_all(connection)
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        engine.dispose()
    upgrade(url)


@click.command()
@click.option(
    "--reset/--no-reset",
    default=True,
    show_default=True,
    help="Drop everything in the database first.",
)
@click.option(
    "--national",
    is_flag=True,
    help="Build a national-scale data set instead: 21 regions, 290 organisers, 5,000 school "
    "units, national rounds with about 100,000 teacher respondents (a few minutes).",
)
def demo(reset: bool, national: bool) -> None:
    """Create (or reset) a demo database at SURVEY_DATABASE_URL with demo accounts."""
    settings = get_settings()
    url = settings.database_url
    if national and not reset:
        raise click.UsageError("--national builds a whole database: it cannot use --no-reset")
    if reset:
        reset_database(url)
    else:
        upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        if national:
            from survey.demo.national import build_national

            summary = build_national(session)
        else:
            summary = build_demo(session, scale=DemoScale())
        session.commit()
    engine.dispose()
    port = settings.port
    click.echo(f"demo database ready: {make_url(url).render_as_string(hide_password=True)}")
    click.echo(
        f"  {summary['units']} school units, {summary['organisers']} organisers, "
        f"{summary['regions']} regions"
    )
    if national:
        click.echo(
            f"  {summary['respondents']:,} teacher respondents, {summary['answers']:,} answers; "
            f"{summary['rows']:,} rows loaded in {summary['seconds']:.0f} s"
        )
        releases = summary["releases"]
        assert isinstance(releases, list)
        for made in releases:
            click.echo(
                f"  {made['round']}: release {made['number']} ({made['kind']}), "
                f"{made['units']:,} units, built and audited in {made['seconds']:.1f} s"
            )
    click.echo(f"  open http://127.0.0.1:{port}/ and sign in with password '{DEMO_PASSWORD}':")
    for email, role in ACCOUNTS.items():
        click.echo(f"    {email:<26} {role}")
    click.echo(
        f"  import units: http://127.0.0.1:{port}/admin/units/import as admin@example.org, with "
        "the example file survey/demo/examples/skolenhetsregistret-example.json "
        "(format: Skolenhetsregistret)"
    )
    if "teacher_link" in summary:
        click.echo(
            f"  teacher link for Kvarnbackaskolan: http://127.0.0.1:{port}{summary['teacher_link']}"
        )
