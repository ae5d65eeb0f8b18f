"""All database tables (SQLModel). Migrations in ``survey/migrations`` must match these."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from survey.clock import utcnow

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


class Unit(SQLModel, table=True):
    """A node of the tree nation → region → organiser → school unit."""

    __table_args__ = (
        CheckConstraint(_in("kind", UNIT_KINDS), name="kind"),
        CheckConstraint(
            "organiser_type IS NULL OR " + _in("organiser_type", ORGANISER_TYPES),
            name="organiser_type",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    kind: str = Field(max_length=20)
    name: str = Field(max_length=200)
    # Materialised path of ids, e.g. "/1/4/17/": scope checks are a prefix match.
    path: str = Field(default="/", max_length=400, index=True)
    school_unit_code: str | None = Field(default=None, max_length=8, unique=True)
    municipality_code: str | None = Field(default=None, max_length=4, index=True)
    county_code: str | None = Field(default=None, max_length=2, index=True)
    organisation_number: str | None = Field(default=None, max_length=11)
    organiser_type: str | None = Field(default=None, max_length=20)
    external_id: str | None = Field(default=None, max_length=64, unique=True)
    contact_email: str | None = Field(default=None, max_length=254)
    created_at: datetime = _ts(nullable=False, default=utcnow)
    # An inactive unit (closed or dormant) keeps its history but receives no new rounds.
    active: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})


class UnitSchoolForm(SQLModel, table=True):
    __tablename__ = "unit_school_form"
    __table_args__ = (CheckConstraint(_in("school_form", SCHOOL_FORMS), name="school_form"),)

    unit_id: int = Field(foreign_key="unit.id", primary_key=True, ondelete="CASCADE")
    school_form: str = Field(primary_key=True, max_length=30)


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=200)
    is_active: bool = True
    language: str = Field(default="sv", max_length=2)
    created_at: datetime = _ts(nullable=False, default=utcnow)


class RoleGrant(SQLModel, table=True):
    """A role held on a unit and everything below it."""

    __tablename__ = "role_grant"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        UniqueConstraint("user_id", "unit_id", "role", name="uq_role_grant_user_unit_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: str = Field(max_length=20)
    granted_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _ts(nullable=False, default=utcnow)


class UserSession(SQLModel, table=True):
    """A server-side sign-in session; the cookie holds a random token, the table its hash."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _ts(nullable=False, default=utcnow)
    expires_at: datetime = _ts(nullable=False)
    revoked_at: datetime | None = _ts(nullable=True)
    ip: str | None = Field(default=None, max_length=64)


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    ip: str = Field(max_length=64)
    success: bool
    at: datetime = _ts(nullable=False, default=utcnow, index=True)


class QuestionnaireVersion(SQLModel, table=True):
    """A loaded questionnaire version, stored immutably with its source and checksum."""

    __tablename__ = "questionnaire"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_questionnaire_key_version"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64)
    version: str = Field(max_length=32)
    checksum: str = Field(max_length=64)
    respondent: str = Field(max_length=20)
    title_sv: str = Field(max_length=300)
    title_en: str = Field(max_length=300)
    source: str = Field(sa_column=Column(Text, nullable=False))
    loaded_at: datetime = _ts(nullable=False, default=utcnow)


class Round(SQLModel, table=True):
    """A questionnaire version offered to a set of units between two dates."""

    __table_args__ = (
        CheckConstraint(_in("kind", ROUND_KINDS), name="kind"),
        CheckConstraint(_in("state", ROUND_STATES), name="state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: int = Field(foreign_key="questionnaire.id", index=True)
    owner_unit_id: int = Field(foreign_key="unit.id", index=True)
    kind: str = Field(max_length=20)
    title: str = Field(max_length=200)
    opens: date
    closes: date
    state: str = Field(default="planned", max_length=20)
    sharing_mandatory: bool = False
    # Which units it targets: {"kinds": [...], "school_forms": [...]} or {"unit_ids": [...]}.
    targets: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _ts(nullable=False, default=utcnow)


class Assessment(SQLModel, table=True):
    """One unit in one round."""

    __table_args__ = (
        CheckConstraint(_in("state", ASSESSMENT_STATES), name="state"),
        UniqueConstraint("round_id", "unit_id", name="uq_assessment_round_unit"),
        _submitted_index("ix_assessment_round_submitted", "round_id", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    state: str = Field(default="draft", max_length=20)
    # Optimistic lock: bumped on every change; a stale full-form save is refused.
    version: int = 1
    shared: bool = False
    submitted_at: datetime | None = _ts(nullable=True)
    submitted_by: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = _ts(nullable=False, default=utcnow)


class Respondent(SQLModel, table=True):
    """One answer set of an assessment.

    A unit-level assessment has exactly one respondent without token; an individual
    questionnaire has one per anonymous respondent, holding only the hash of its token.
    """

    __table_args__ = (
        CheckConstraint(_in("state", ("open", "submitted")), name="state"),
        _submitted_index("ix_respondent_submitted", "submitted_at", "assessment_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True, ondelete="CASCADE")
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    state: str = Field(default="open", max_length=20)
    created_at: datetime = _ts(nullable=False, default=utcnow)
    submitted_at: datetime | None = _ts(nullable=True)
    # Anonymous respondents' answers leave the unit only in batches of at least k: the batch
    # (1, 2, …) this respondent was released in, None while not released.
    release_batch: int | None = None


class Answer(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_in("kind", ANSWER_KINDS), name="kind"),
        CheckConstraint(
            "(kind = 'level' AND value IS NOT NULL) OR (kind <> 'level' AND value IS NULL)",
            name="value_matches_kind",
        ),
        UniqueConstraint("respondent_id", "item_id", name="uq_answer_respondent_item"),
    )

    id: int | None = Field(default=None, primary_key=True)
    respondent_id: int = Field(foreign_key="respondent.id", index=True, ondelete="CASCADE")
    item_id: str = Field(max_length=64)
    kind: str = Field(default="level", max_length=10)
    value: int | None = None
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    answered_by: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = _ts(nullable=False, default=utcnow)


class ActionPlanRow(SQLModel, table=True):
    __tablename__ = "action_plan_row"
    __table_args__ = (CheckConstraint(_in("status", ACTION_STATUSES), name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True, ondelete="CASCADE")
    item_id: str | None = Field(default=None, max_length=64)
    title: str = Field(max_length=500)
    activity: str = Field(default="", sa_column=Column(Text, nullable=False))
    priority: int = 3
    position: int = 0
    owner: str = Field(default="", max_length=200)
    due_date: date | None = None
    status: str = Field(default="not_started", max_length=20)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = _ts(nullable=False, default=utcnow)
    updated_at: datetime = _ts(nullable=False, default=utcnow)


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(nullable=False, default=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    action: str = Field(max_length=50)
    object_type: str = Field(max_length=30)
    object_id: int | None = None
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ip: str | None = Field(default=None, max_length=64)


class RoundRelease(SQLModel, table=True):
    """A frozen, dated snapshot of a round's submitted data and of everything published from it
    (every table with its suppression decided jointly with the round's earlier releases).
    Immutable once written: pages, API and files of a release always show the same cells."""

    __tablename__ = "round_release"
    __table_args__ = (
        CheckConstraint(_in("kind", RELEASE_KINDS), name="kind"),
        UniqueConstraint("round_id", "number", name="uq_round_release_round_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    number: int
    kind: str = Field(max_length=20)
    created_at: datetime = _ts(nullable=False, default=utcnow)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    k: int
    k_detail: int
    n_units: int = 0
    n_respondents: int = 0
    # What the audit found and how long it took (atoms, iterations, hidden cells, seconds).
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # zlib-compressed JSON: the published rows, comparisons and paired trends.
    publication: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # numpy .npz: the units with their attributes and scores, and the answers behind them.
    snapshot: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


# ----------------------------------------------------------------------------- personal API tokens

TOKEN_SCOPES = ("read", "write")


class ApiToken(SQLModel, table=True):
    """A personal API token (``Authorization: Bearer svy_…`` on ``/api/``): the table keeps the
    SHA-256 of the secret, never the secret; ``hint`` is its first characters, shown so that
    users can tell their tokens apart."""

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint(_in("scope", TOKEN_SCOPES), name="scope"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    scope: str = Field(max_length=10)
    token_hash: str = Field(max_length=64, unique=True)
    hint: str = Field(max_length=16)
    created_at: datetime = _ts(nullable=False, default=utcnow)
    expires_at: datetime = _ts(nullable=False)
    last_used_at: datetime | None = _ts(nullable=True)
    revoked_at: datetime | None = _ts(nullable=True)


# --- Mail: the outbox, invitations, password resets (README "E-mail") -----------------------------

MAIL_STATUSES = ("queued", "sent", "failed")


class OutboxMessage(SQLModel, table=True):
    """A message to send, written in the same transaction as what caused it; a sender delivers
    it over SMTP (survey/services/mail/sender.py), retrying with back-off until it is sent or
    has failed for good. Without SMTP it stays queued and is only shown on /admin/mail."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("status", MAIL_STATUSES), name="status"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254)
    language: str = Field(max_length=2)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    # What caused it ("invitation", "password_reset", …): for the list and for statistics.
    kind: str = Field(max_length=40)
    created_at: datetime = _ts(nullable=False, default=utcnow)
    attempts: int = 0
    next_attempt_at: datetime = _ts(nullable=False, default=utcnow)
    sent_at: datetime | None = _ts(nullable=True)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default="queued", max_length=10)


class Invitation(SQLModel, table=True):
    """An invitation by e-mail to a role on a unit; the link's token is stored as its hash and
    works once, until ``expires_at``. Resending replaces the token (the old link stops working)."""

    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    role: str = Field(max_length=20)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    language: str = Field(default="sv", max_length=2)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = _ts(nullable=False)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _ts(nullable=False, default=utcnow)
    accepted_at: datetime | None = _ts(nullable=True)
    accepted_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    revoked_at: datetime | None = _ts(nullable=True)


class PasswordReset(SQLModel, table=True):
    """A request to reset a password. Every request is kept (also for addresses without an
    account, then without token) so that requests can be limited per address and per IP."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    ip: str = Field(max_length=64, index=True)
    user_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="CASCADE"
    )
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = _ts(nullable=False, default=utcnow, index=True)
    expires_at: datetime | None = _ts(nullable=True)
    used_at: datetime | None = _ts(nullable=True)


# --- Reminders sent from a round's participation page (README "E-mail") ---------------------------


class RoundReminder(SQLModel, table=True):
    """A reminder mailed to a unit's principals in a round: at most one per unit and day (the
    day in Swedish local time), which the primary key enforces."""

    __tablename__ = "round_reminder"

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, ondelete="CASCADE")
    day: date = Field(primary_key=True)
    recipients: int = 0
    sent_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _ts(nullable=False, default=utcnow)
