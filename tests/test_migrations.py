"""`db upgrade` on an empty database gives exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from survey.db import make_engine
from survey.models import metadata


def test_upgrade_matches_models(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert diff == [], f"migrations and models differ: {diff}"
    assert set(metadata.tables) <= tables
    assert "alembic_version" in tables


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from survey.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'wal.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_cli_db_upgrade_on_empty_database(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from survey.cli import main
    from survey.config import get_settings

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv("SURVEY_DATABASE_URL", url)
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["db", "upgrade"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    engine = make_engine(url)
    assert "assessment" in inspect(engine).get_table_names()
    engine.dispose()
