"""Release batches of anonymous respondents (individual questionnaires).

A unit's teacher answers leave the respondents only as whole batches: when the unit's collection
ends (the principal closes it, or the round closes) the submitted respondents not yet released
become batch 1, 2, … — but only when there are at least k of them; otherwise they wait for the
next end of collection. Every result that is read outside a respondent's own answers (the
principal's summary, the organiser's pages and exports, national releases) reads released
respondents only, so two readings differ by whole batches of at least k respondents, never by
one teacher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from survey.clock import utcnow
from survey.errors import Conflict
from survey.models import Assessment, Respondent, Round, id_of
from survey.services.access import Actor, AssessmentContext
from survey.services.audit import record_assessment
from survey.services.questionnaires import is_individual_version


@dataclass(frozen=True)
class Collection:
    """Where a unit's anonymous collection stands."""

    submitted: int
    released: int
    batches: int

    @property
    def waiting(self) -> int:
        """Submitted but not released (fewer than k when the collection last ended)."""
        return self.submitted - self.released


def collection(session: Session, *, assessment_id: int) -> Collection:
    submitted, released, batches = session.exec(
        select(
            func.count(),
            func.count(col(Respondent.release_batch)),
            func.max(Respondent.release_batch),
        ).where(
            Respondent.assessment_id == assessment_id,
            col(Respondent.token_hash).is_not(None),
            Respondent.state == "submitted",
        )
    ).one()
    return Collection(int(submitted), int(released), int(batches or 0))


def released_counts(session: Session, *, assessment_ids: Sequence[int]) -> dict[int, int]:
    """Per assessment: anonymous respondents released (0 where none)."""
    if not assessment_ids:
        return {}
    rows = session.exec(
        select(Respondent.assessment_id, func.count())
        .where(
            col(Respondent.assessment_id).in_(assessment_ids),
            col(Respondent.release_batch).is_not(None),
        )
        .group_by(col(Respondent.assessment_id))
    ).all()
    return {aid: int(n) for aid, n in rows}


def release_batch(session: Session, *, assessment_id: int, k: int) -> int | None:
    """Release the submitted, unreleased respondents as the next batch when there are at least
    ``k``; the batch number, or None when too few are waiting."""
    waiting = session.exec(
        select(Respondent.id).where(
            Respondent.assessment_id == assessment_id,
            col(Respondent.token_hash).is_not(None),
            Respondent.state == "submitted",
            col(Respondent.release_batch).is_(None),
        )
    ).all()
    if len(waiting) < k:
        return None
    batch = collection(session, assessment_id=assessment_id).batches + 1
    session.execute(
        update(Respondent).where(col(Respondent.id).in_(waiting)).values(release_batch=batch)
    )
    return batch


def end_collection(
    session: Session,
    *,
    assessment: Assessment,
    round_: Round,
    k: int,
    actor_id: int | None,
    ip: str | None = None,
    reason: str = "closed",
    at: datetime | None = None,
) -> int | None:
    """End the unit's collection: links take no more answers, and a batch is released when at
    least ``k`` respondents are waiting. Returns the batch number (None: nothing released)."""
    changed = assessment.state != "submitted"
    if changed:
        assessment.state = "submitted"
        assessment.submitted_at = at or utcnow()
        assessment.updated_at = assessment.submitted_at
        assessment.submitted_by = actor_id
        if round_.kind == "national" or round_.sharing_mandatory:
            assessment.shared = True
        session.add(assessment)
    batch = release_batch(session, assessment_id=id_of(assessment), k=k)
    if not changed and batch is None:
        return None
    state = collection(session, assessment_id=id_of(assessment))
    record_assessment(
        session,
        "collection.end",
        assessment=assessment,
        user_id=actor_id,
        detail={
            "reason": reason,
            "batch": batch,
            "released": state.released,
            "waiting": state.waiting,
        },  # fmt: skip
        ip=ip,
    )
    session.flush()
    return batch


def close_collection(
    session: Session, *, ctx: AssessmentContext, k: int, actor: Actor, ip: str | None
) -> int | None:
    """The principal ends the unit's teacher collection (see :func:`end_collection`)."""
    if ctx.assessment.state == "submitted":
        raise Conflict("err.collection.already_closed")
    if ctx.round.state == "closed":
        raise Conflict("err.round.closed")
    return end_collection(
        session, assessment=ctx.assessment, round_=ctx.round, k=k, actor_id=actor.id, ip=ip
    )


def reopen_collection(
    session: Session, *, ctx: AssessmentContext, actor: Actor, ip: str | None
) -> None:
    """The principal lets the links take answers again (while the round is open). Those who
    answer now are released only at the next end of collection, and only with k of them."""
    if ctx.assessment.state != "submitted":
        raise Conflict("err.collection.not_closed")
    if ctx.round.state == "closed":
        raise Conflict("err.round.closed")
    ctx.assessment.state = "reopened"
    session.add(ctx.assessment)
    record_assessment(
        session,
        "collection.reopen",
        assessment=ctx.assessment,
        user_id=actor.id,
        ip=ip,
    )
    session.flush()


def end_round_collections(
    session: Session, *, round_: Round, k: int, actor_id: int | None, ip: str | None = None
) -> int:
    """The round closes: every unit's collection ends (individual questionnaires). Returns the
    number of batches released."""
    if not is_individual_version(session, round_.questionnaire_id):
        return 0
    released = 0
    for assessment in session.exec(select(Assessment).where(Assessment.round_id == round_.id)):
        if end_collection(
            session, assessment=assessment, round_=round_, k=k, actor_id=actor_id, ip=ip,
            reason="round_closed",
        ) is not None:  # fmt: skip
            released += 1
    return released


def reopen_round_collections(session: Session, *, round_: Round) -> None:
    """The round opens again: the links of its individual questionnaire take answers again
    (released at the next end of collection, in batches of at least k)."""
    if not is_individual_version(session, round_.questionnaire_id):
        return
    session.execute(
        update(Assessment)
        .where(col(Assessment.round_id) == round_.id, col(Assessment.state) == "submitted")
        .values(state="reopened")
    )
