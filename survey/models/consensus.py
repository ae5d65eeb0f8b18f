"""Tables of team consensus (README "Team consensus"): the members a principal invited to rate a
unit-level assessment, and each member's own ratings. Members' ratings live here only, never as
a ``Respondent``: every answer query (scores, exports, organiser and national views) reads
respondents, so a member's rating cannot reach them. The agreed value is the unit's answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from survey.clock import utcnow
from survey.models.base import ANSWER_KINDS, _in, _ts


class AssessmentMember(SQLModel, table=True):
    """A member of the team rating one assessment (no role grant: access to their own rating
    page of this assessment only)."""

    __tablename__ = "assessment_member"
    __table_args__ = (
        UniqueConstraint("assessment_id", "user_id", name="uq_assessment_member_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    invited_by: int | None = Field(default=None, foreign_key="user_account.id")
    invited_at: datetime = _ts(nullable=False, default=utcnow)
    joined_at: datetime | None = _ts(nullable=True)  # first saved a rating
    submitted_at: datetime | None = _ts(nullable=True)  # handed in their view


class MemberRating(SQLModel, table=True):
    """One member's rating of one item (the same kinds as an answer)."""

    __tablename__ = "member_rating"
    __table_args__ = (
        CheckConstraint(_in("kind", ANSWER_KINDS), name="kind"),
        CheckConstraint(
            "(kind = 'level' AND value IS NOT NULL) OR (kind <> 'level' AND value IS NULL)",
            name="value_matches_kind",
        ),
        UniqueConstraint("member_id", "item_id", name="uq_member_rating_item"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="assessment_member.id", index=True, ondelete="CASCADE")
    item_id: str = Field(max_length=64)
    kind: str = Field(default="level", max_length=10)
    value: int | None = None
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: datetime = _ts(nullable=False, default=utcnow)
