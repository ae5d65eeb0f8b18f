"""What every table module shares: the naming convention, the stored value sets, the UTC moment
type and small column helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    MetaData,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

# Stable constraint names, so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

UNIT_KINDS = ("nation", "region", "organiser", "school", "preschool", "adult_education")
ORGANISER_TYPES = ("municipal", "independent", "state")
SCHOOL_FORMS = (
    "forskola",
    "forskoleklass",
    "grundskola",
    "anpassad_grundskola",
    "gymnasieskola",
    "anpassad_gymnasieskola",
    "vuxenutbildning",
    "fritidshem",
)
ROLES = ("principal", "strategist", "national", "admin")
ASSESSMENT_STATES = ("draft", "submitted", "reopened")
ROUND_KINDS = ("organiser", "national")
ROUND_STATES = ("planned", "open", "closed")
# "none": a comment was left but no answer chosen yet.
ANSWER_KINDS = ("level", "na", "dk", "none")
ACTION_STATUSES = ("not_started", "in_progress", "done")
# preliminary: at most one, before the round closes; final: the first after it closes;
# revision: any later one (late answers, a reopened assessment).
RELEASE_KINDS = ("preliminary", "final", "revision")


class _Stored(Protocol):
    id: int | None


def id_of(row: _Stored) -> int:
    """The primary key of a row that is in the database (loaded, or added and flushed)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: add and flush it first")
    return row.id


class UTCDateTime(TypeDecorator[datetime]):
    """A moment stored in UTC that always comes back aware in UTC (SQLite keeps no zone;
    PostgreSQL answers in the connection's zone). A naive moment is refused: nothing may be
    stored without knowing its zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be stored: {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def _ts(**kw: Any) -> Any:
    return Field(sa_column=Column(UTCDateTime(), **kw))


def _submitted_index(name: str, *columns: str) -> Index:
    """A partial index over submitted rows only: the national publication's cheap check
    whether a round's submitted data changed reads it without touching the table."""
    where = text("state = 'submitted'")
    return Index(name, *columns, postgresql_where=where, sqlite_where=where)
