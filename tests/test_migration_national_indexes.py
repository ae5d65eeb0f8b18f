"""Migration 0002: the partial indexes over submitted rows that the national publication's
freshness check reads (issue 8), on SQLite and PostgreSQL, and its downgrade."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from survey.db import make_engine
from survey.migrate import downgrade, upgrade
from survey.models import metadata

INDEXES = {
    "assessment": ("ix_assessment_round_submitted", ["round_id", "updated_at"]),
    "respondent": ("ix_respondent_submitted", ["submitted_at", "assessment_id"]),
}


def _indexes(url: str) -> dict[str, dict[str, object]]:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = {
            ix["name"]: ix for table in INDEXES for ix in inspect(connection).get_indexes(table)
        }
    engine.dispose()
    return found  # type: ignore[return-value]


def test_partial_indexes_over_submitted_rows(db_url: str) -> None:
    found = _indexes(db_url)
    dialect = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    for name, columns in INDEXES.values():
        assert found[name]["column_names"] == columns
        where = found[name]["dialect_options"][f"{dialect}_where"]  # type: ignore[index]
        assert "submitted" in str(where), where


def test_downgrade_removes_them_and_upgrade_matches_the_models(db_url: str) -> None:
    downgrade(db_url, "0001")
    assert not {name for name, _ in INDEXES.values()} & set(_indexes(db_url))
    upgrade(db_url)
    engine = make_engine(db_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert diff == []
