"""The start page after sign-in: the actor's units and their assessments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from survey.models import (
    Answer,
    Assessment,
    QuestionnaireVersion,
    Respondent,
    Round,
    Unit,
    id_of,
)
from survey.services.access import Actor
from survey.services.assessments.respondents import respondent_counts


@dataclass(frozen=True)
class AssessmentRow:
    assessment: Assessment
    round: Round
    unit: Unit
    questionnaire: QuestionnaireVersion
    answered: int
    respondents: tuple[int, int] | None  # individual: (submitted, links)

    @property
    def is_open(self) -> bool:
        return self.round.state == "open" and self.assessment.state != "submitted"


def assessments_to_answer(session: Session, *, actor: Actor, today: date) -> list[AssessmentRow]:
    """Assessments of the units the actor is principal for, newest rounds first."""
    paths = [g.path for g in actor.grants if g.role == "principal"]
    if not paths:
        return []
    rows = session.exec(
        select(Assessment, Round, Unit, QuestionnaireVersion)
        .join(Round, col(Round.id) == Assessment.round_id)
        .join(Unit, col(Unit.id) == Assessment.unit_id)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Round.questionnaire_id)
        .where(or_(*(col(Unit.path).startswith(p) for p in paths)))
        .order_by(col(Round.closes).desc(), Unit.name)
    ).all()
    ids = [id_of(a) for a, *_ in rows]
    answered = dict(
        session.exec(
            select(Respondent.assessment_id, func.count())
            .join(Answer, col(Answer.respondent_id) == Respondent.id)
            .where(
                col(Respondent.assessment_id).in_(ids),
                col(Respondent.token_hash).is_(None),
                Answer.kind != "none",
            )
            .group_by(col(Respondent.assessment_id))
        ).all()
    )
    counts = respondent_counts(session, assessment_ids=ids)
    return [
        AssessmentRow(
            assessment=a,
            round=r,
            unit=u,
            questionnaire=qv,
            answered=int(answered.get(id_of(a), 0)),
            respondents=counts.get(id_of(a), (0, 0)) if qv.respondent == "individual" else None,
        )
        for a, r, u, qv in rows
    ]
