"""All database tables (SQLModel). Migrations in ``survey/migrations`` must match these. The
shared value sets and column helpers are in :mod:`survey.models.base`, the onboarding tables
(tokens, mail, invitations, reminders) in :mod:`survey.models.onboarding`; everything is
importable from here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    LargeBinary,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from survey.clock import utcnow
from survey.models.base import (
    ACTION_STATUSES,
    ANSWER_KINDS,
    ASSESSMENT_STATES,
    ORGANISER_TYPES,
    RELEASE_KINDS,
    ROLES,
    ROUND_KINDS,
    ROUND_STATES,
    SCHOOL_FORMS,
    UNIT_KINDS,
    UTCDateTime,
    _in,
    _submitted_index,
    _ts,
    id_of,
    metadata,
)

__all__ = [
    "UNIT_KINDS",
    "ORGANISER_TYPES",
    "SCHOOL_FORMS",
    "ROLES",
    "ASSESSMENT_STATES",
    "ROUND_KINDS",
    "ROUND_STATES",
    "ANSWER_KINDS",
    "ACTION_STATUSES",
    "RELEASE_KINDS",
    "id_of",
    "UTCDateTime",
    "metadata",
    "MAIL_STATUSES",
    "TOKEN_SCOPES",
    "ApiToken",
    "ClassPupil",
    "ClassSession",
    "Invitation",
    "OutboxMessage",
    "PasswordReset",
    "RoundReminder",
    # the tables
    "Unit",
    "UnitSchoolForm",
    "User",
    "RoleGrant",
    "UserSession",
    "LoginAttempt",
    "QuestionnaireVersion",
    "Round",
    "Assessment",
    "Respondent",
    "Answer",
    "ActionPlanRow",
    "AuditLog",
    "RoundRelease",
    "AssessmentMember",
    "MemberRating",
]


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


# The onboarding tables: their own module, imported here so that every table is on
# SQLModel.metadata and importable from survey.models.
from survey.models.class_sessions import ClassPupil, ClassSession  # noqa: E402

# Team consensus (README "Team consensus"): members of an assessment and their own ratings.
from survey.models.consensus import AssessmentMember, MemberRating  # noqa: E402
from survey.models.onboarding import (  # noqa: E402
    MAIL_STATUSES,
    TOKEN_SCOPES,
    ApiToken,
    Invitation,
    OutboxMessage,
    PasswordReset,
    RoundReminder,
)
