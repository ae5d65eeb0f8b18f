"""Anonymous respondents of individual questionnaires: single-use links, counts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from survey.errors import NotFound
from survey.models import Respondent, id_of
from survey.security import new_token, token_digest
from survey.services.access import Actor, AssessmentContext, load_assessment
from survey.services.audit import record_assessment


def create_links(
    session: Session, *, ctx: AssessmentContext, count: int, actor: Actor, ip: str | None
) -> list[str]:
    """Create ``count`` respondents and return their tokens (only the hashes are stored)."""
    tokens = [new_token() for _ in range(count)]
    assessment_id = id_of(ctx.assessment)
    session.add_all(
        Respondent(assessment_id=assessment_id, token_hash=token_digest(t)) for t in tokens
    )
    record_assessment(
        session,
        "respondents.create_links",
        assessment=ctx.assessment,
        user_id=actor.id,
        ip=ip,
        detail={"count": count},
    )
    session.flush()
    return tokens


def respondent_counts(
    session: Session, *, assessment_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """Per assessment: (anonymous respondents submitted, links handed out)."""
    if not assessment_ids:
        return {}
    rows = session.exec(
        select(
            Respondent.assessment_id,
            func.sum(case((col(Respondent.state) == "submitted", 1), else_=0)),
            func.count(),
        )
        .where(
            col(Respondent.assessment_id).in_(assessment_ids),
            col(Respondent.token_hash).is_not(None),
        )
        .group_by(col(Respondent.assessment_id))
    ).all()
    return {aid: (int(done or 0), int(total)) for aid, done, total in rows}


def respondent_by_token(session: Session, *, token: str) -> tuple[Respondent, AssessmentContext]:
    respondent = session.exec(
        select(Respondent).where(Respondent.token_hash == token_digest(token))
    ).first()
    if respondent is None:
        raise NotFound("err.link.invalid")
    return respondent, load_assessment(session, assessment_id=respondent.assessment_id)
