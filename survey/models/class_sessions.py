"""Class sessions (issue 18): pupils answer an individual questionnaire without accounts. A
session has a short code shown on the board; each pupil gets an anonymous respondent (as a
teacher's single-use link does) bound to the browser by a random cookie (README "Class
sessions"). Nothing here names a pupil: no name, no e-mail, no IP address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from survey.clock import utcnow
from survey.models.base import _ts

# ----------------------------------------------------------------------------- class sessions


class ClassSession(SQLModel, table=True):
    """A time-limited session on an individual questionnaire's assessment; ``code`` (6 characters
    of an unambiguous alphabet) is unique across all sessions, so a code never comes back."""

    __tablename__ = "class_session"
    __table_args__ = (
        CheckConstraint("max_pupils BETWEEN 1 AND 40", name="max_pupils"),
        CheckConstraint("used >= 0 AND used <= max_pupils", name="used"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=6, unique=True)
    label: str = Field(max_length=40)
    max_pupils: int
    used: int = 0
    created_at: datetime = _ts(nullable=False, default=utcnow)
    expires_at: datetime = _ts(nullable=False)
    closed_at: datetime | None = _ts(nullable=True)
    created_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")


class ClassPupil(SQLModel, table=True):
    """Which session an anonymous respondent joined through (the respondent's token hash is the
    hash of the pupil's browser cookie)."""

    __tablename__ = "class_pupil"

    respondent_id: int = Field(foreign_key="respondent.id", primary_key=True, ondelete="CASCADE")
    class_session_id: int = Field(foreign_key="class_session.id", index=True, ondelete="CASCADE")
