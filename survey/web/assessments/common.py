"""The assessment of the path, authorised for what the route does, and its questionnaire — as
dependencies, so a route receives them ready (404 when the actor may not, with the reason)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from survey.questionnaire import Framework, Questionnaire
from survey.services.access import AssessmentContext, get_assessment_for
from survey.services.questionnaires import questionnaire_for
from survey.web.auth import CurrentActor
from survey.web.deps import FrameworkDep, Id, SessionDep


def assessment_questionnaire(
    session: Session, ctx: AssessmentContext, framework: Framework
) -> Questionnaire:
    return questionnaire_for(
        session, questionnaire_id=ctx.round.questionnaire_id, framework=framework
    )


def _assessment(purpose: str) -> Callable[..., AssessmentContext]:
    def dependency(
        session: SessionDep, actor: CurrentActor, assessment_id: Id
    ) -> AssessmentContext:
        return get_assessment_for(
            session, actor=actor, assessment_id=assessment_id, purpose=purpose
        )

    dependency.__name__ = f"assessment_to_{purpose}"
    return dependency


_to_answer = _assessment("answer")
_to_view = _assessment("view")

# The assessment the actor may answer (the unit's own people), view (also the organiser's
# strategists once it is shared) or reopen.
AnswerableAssessment = Annotated[AssessmentContext, Depends(_to_answer)]
ViewableAssessment = Annotated[AssessmentContext, Depends(_to_view)]
ReopenableAssessment = Annotated[AssessmentContext, Depends(_assessment("reopen"))]


def _answered_questionnaire(
    session: SessionDep, ctx: AnswerableAssessment, framework: FrameworkDep
) -> Questionnaire:
    return assessment_questionnaire(session, ctx, framework)


def _viewed_questionnaire(
    session: SessionDep, ctx: ViewableAssessment, framework: FrameworkDep
) -> Questionnaire:
    return assessment_questionnaire(session, ctx, framework)


# The questionnaire of the assessment above (the same dependency, so it is loaded once).
AnsweredQuestionnaire = Annotated[Questionnaire, Depends(_answered_questionnaire)]
ViewedQuestionnaire = Annotated[Questionnaire, Depends(_viewed_questionnaire)]
