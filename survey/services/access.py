"""Who may do what (README "Security"; docs/architecture.md). Checks return the object or
raise NotFound (never 403 for another unit's data: its existence is not revealed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from survey.errors import NotFound
from survey.models import (
    Assessment,
    AssessmentMember,
    Respondent,
    RoleGrant,
    Round,
    Unit,
    User,
    id_of,
)


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    path: str


@dataclass(frozen=True)
class UserInfo:
    """What pages need of the signed-in user, detached from any database session."""

    id: int
    email: str
    name: str


@dataclass(frozen=True)
class Actor:
    """A signed-in user with their role grants (each on a unit and its subtree)."""

    user: UserInfo
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def id(self) -> int:
        return self.user.id

    def has(self, role: str, unit: Unit | None = None) -> bool:
        """Holds ``role`` on ``unit`` or an ancestor (any unit when ``unit`` is None)."""
        return any(
            g.role == role and (unit is None or unit.path.startswith(g.path)) for g in self.grants
        )

    @property
    def is_admin(self) -> bool:
        return self.has("admin")

    def roles(self) -> set[str]:
        return {g.role for g in self.grants}


def load_actor(session: Session, *, user: User) -> Actor:
    rows = session.exec(
        select(RoleGrant.role, RoleGrant.unit_id, Unit.path)
        .join(Unit, col(Unit.id) == RoleGrant.unit_id)
        .where(RoleGrant.user_id == user.id)
    ).all()
    info = UserInfo(id=id_of(user), email=user.email, name=user.name)
    return Actor(user=info, grants=tuple(Grant(r, u, p) for r, u, p in rows))


def admin_scope(actor: Actor) -> list[str] | None:
    """The paths of the part of the tree ``actor`` administers (units, people): None (all of
    it) for administrators, their organisers' subtrees for strategists; NotFound for others."""
    if actor.is_admin:
        return None
    paths = [g.path for g in actor.grants if g.role == "strategist"]
    if not paths:
        raise NotFound("err.page_not_found")
    return paths


def in_scope(path: str, scope: list[str] | None) -> bool:
    """Whether a unit at ``path`` is in a part of the tree (None: the whole tree)."""
    return scope is None or any(path.startswith(p) for p in scope)


def can_answer(actor: Actor, unit: Unit) -> bool:
    """Principals of the unit (or above it) answer; admins manage everything."""
    return actor.has("principal", unit) or actor.is_admin


def can_view_results(actor: Actor, unit: Unit, assessment: Assessment) -> bool:
    """The unit's own principals always; the organiser's strategists once it is submitted and
    shared; national staff never see a single unit."""
    if can_answer(actor, unit):
        return True
    return actor.has("strategist", unit) and assessment.state == "submitted" and assessment.shared


def can_reopen(actor: Actor, unit: Unit) -> bool:
    """A strategist of an organiser above the unit (not of the unit itself), or an admin."""
    return actor.is_admin or any(
        g.role == "strategist" and unit.path.startswith(g.path) and unit.id != g.unit_id
        for g in actor.grants
    )


@dataclass(frozen=True)
class AssessmentContext:
    assessment: Assessment
    round: Round
    unit: Unit


def load_assessment(session: Session, *, assessment_id: int) -> AssessmentContext:
    row = session.exec(
        select(Assessment, Round, Unit)
        .join(Round, col(Round.id) == Assessment.round_id)
        .join(Unit, col(Unit.id) == Assessment.unit_id)
        .where(Assessment.id == assessment_id)
    ).first()
    if row is None:
        raise NotFound("err.assessment.not_found")
    return AssessmentContext(*row)


# Built once: every autosave runs it.
_ANSWER_TARGET = (
    select(Assessment, Round, Unit, Respondent)
    .join(Round, col(Round.id) == Assessment.round_id)
    .join(Unit, col(Unit.id) == Assessment.unit_id)
    .outerjoin(
        Respondent,
        (col(Respondent.assessment_id) == Assessment.id) & col(Respondent.token_hash).is_(None),
    )
    .where(col(Assessment.id) == bindparam("assessment"))
)


def get_answer_target(
    session: Session, *, actor: Actor, assessment_id: int
) -> tuple[AssessmentContext, Respondent | None]:
    """For answering: the assessment (404 unless the actor may answer it) and its unit-level
    answer set, in one query (None for an individual questionnaire, which has none)."""
    row = session.execute(_ANSWER_TARGET, {"assessment": assessment_id}).first()
    if row is None or not can_answer(actor, row[2]):
        raise NotFound("err.assessment.not_found")
    return AssessmentContext(row[0], row[1], row[2]), row[3]


def get_assessment_for(
    session: Session, *, actor: Actor, assessment_id: int, purpose: str
) -> AssessmentContext:
    """The assessment if ``actor`` may use it for ``purpose`` (answer | view | reopen | rate),
    else 404. ``rate``: a member of the assessment's team (README "Team consensus"), whatever
    their roles: membership admits to their own rating page of this assessment only."""
    ctx = load_assessment(session, assessment_id=assessment_id)
    if purpose == "rate":
        if not is_member(session, assessment_id=assessment_id, user_id=actor.id):
            raise NotFound("err.assessment.not_found")
        return ctx
    allowed = {
        "answer": can_answer,
        "view": lambda a, u: can_view_results(a, u, ctx.assessment),
        "reopen": can_reopen,
    }[purpose](actor, ctx.unit)
    if not allowed:
        raise NotFound("err.assessment.not_found")
    return ctx


def is_member(session: Session, *, assessment_id: int, user_id: int) -> bool:
    """Whether the user is on the team rating the assessment."""
    return (
        session.exec(
            select(AssessmentMember.id).where(
                AssessmentMember.assessment_id == assessment_id,
                AssessmentMember.user_id == user_id,
            )
        ).first()
        is not None
    )
