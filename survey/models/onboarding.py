"""Tables of onboarding: personal API tokens, the mail outbox, invitations, password resets and
the reminders sent from a round's participation page (README "API tokens", "E-mail")."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Index, Text
from sqlmodel import Field, SQLModel

from survey.clock import utcnow
from survey.models.base import ROLES, _in, _ts

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
