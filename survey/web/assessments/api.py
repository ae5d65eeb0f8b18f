"""JSON API for what the assessment pages show: /api/v1/me, /api/v1/assessments/…

Same session, scope and CSRF checks as the pages (send the token in ``X-CSRF-Token``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from survey.models import id_of
from survey.services.assessments.answers import answers_of, progress_of, save_answer, submit
from survey.services.assessments.dashboard import assessments_to_answer
from survey.services.assessments.summary import build_summary
from survey.services.rounds.store import unit_respondent
from survey.web.assessments.common import (
    AnswerableAssessment,
    AnsweredQuestionnaire,
    ViewableAssessment,
    ViewedQuestionnaire,
)
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import FrameworkDep, LangDep, SessionDep, SettingsDep
from survey.web.openapi import API_ERRORS, error_responses
from survey.web.scopes import ScopeNames

router = APIRouter(
    prefix="/api/v1", dependencies=[CsrfProtected], tags=["assessments"], responses=API_ERRORS
)


class Me(BaseModel):
    id: int
    email: str
    name: str
    roles: list[dict[str, Any]]


class AssessmentItem(BaseModel):
    id: int
    unit_id: int
    unit_name: str
    round_id: int
    round_title: str
    round_kind: str
    questionnaire: dict[str, str]
    closes: date
    state: str
    answered: int | None
    respondents_submitted: int | None


class AnswerIn(BaseModel):
    choice: str | None = Field(
        default=None, description="A level ('1'…'L'), 'na', 'dk', or null/'' to clear."
    )
    comment: str | None = Field(default=None, max_length=4000)


class AnswerOut(BaseModel):
    item_id: str
    kind: Literal["level", "na", "dk", "none"] | None
    value: int | None
    comment: str | None


@router.get("/me", response_model=Me)
def me(actor: CurrentActor) -> Me:
    """The signed-in user and their role grants."""
    return Me(
        id=actor.id,
        email=actor.user.email,
        name=actor.user.name,
        roles=[{"role": g.role, "unit_id": g.unit_id} for g in actor.grants],
    )


@router.get("/assessments", response_model=list[AssessmentItem])
def list_assessments(session: SessionDep, actor: CurrentActor) -> list[AssessmentItem]:
    """Assessments of the units the caller is principal for (the start page)."""
    return [
        AssessmentItem(
            id=id_of(r.assessment),
            unit_id=id_of(r.unit),
            unit_name=r.unit.name,
            round_id=id_of(r.round),
            round_title=r.round.title,
            round_kind=r.round.kind,
            questionnaire={"key": r.questionnaire.key, "version": r.questionnaire.version},
            closes=r.round.closes,
            state=r.assessment.state,
            answered=None if r.respondents is not None else r.answered,
            respondents_submitted=r.respondents[0] if r.respondents is not None else None,
        )
        for r in assessments_to_answer(session, actor=actor, today=date.today())
    ]


@router.get("/assessments/{assessment_id}")
def get_assessment(
    session: SessionDep, ctx: AnswerableAssessment, q: AnsweredQuestionnaire
) -> dict[str, Any]:
    """State, progress per area and every answer of a unit-level assessment."""
    respondent = unit_respondent(session, assessment=ctx.assessment)
    answers = answers_of(session, respondent_id=respondent.id)  # type: ignore[arg-type]
    progress = progress_of(q, answers)
    return {
        "id": ctx.assessment.id,
        "unit_id": ctx.unit.id,
        "round_id": ctx.round.id,
        "state": ctx.assessment.state,
        "version": ctx.assessment.version,
        "shared": ctx.assessment.shared,
        "questionnaire": {"key": q.key, "version": q.version},
        "progress": {
            "answered": progress.answered,
            "total": progress.total,
            "per_area": {a: {"answered": d, "total": t} for a, (d, t) in progress.per_area.items()},
        },
        "answers": [
            AnswerOut(item_id=a.item_id, kind=a.kind, value=a.value, comment=a.comment).model_dump()  # type: ignore[arg-type]
            for a in answers.values()
        ],
    }


@router.put(
    "/assessments/{assessment_id}/answers/{item_id}",
    response_model=AnswerOut,
    responses=error_responses(400, 409),
)
def put_answer(
    session: SessionDep,
    actor: CurrentActor,
    ctx: AnswerableAssessment,
    q: AnsweredQuestionnaire,
    item_id: str,
    body: AnswerIn,
) -> AnswerOut:
    """Save one answer (the later save of the same item wins)."""
    respondent = unit_respondent(session, assessment=ctx.assessment)
    saved = save_answer(
        session,
        ctx=ctx,
        q=q,
        respondent=respondent,
        item_id=item_id,
        choice_raw=body.choice,
        comment=body.comment,
        user_id=actor.id,
    )
    if saved is None:
        return AnswerOut(item_id=item_id, kind=None, value=None, comment=None)
    return AnswerOut(item_id=item_id, kind=saved.kind, value=saved.value, comment=saved.comment)  # type: ignore[arg-type]


@router.post("/assessments/{assessment_id}/submit", responses=error_responses(400, 409))
def submit_assessment(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: AnswerableAssessment,
    q: AnsweredQuestionnaire,
) -> dict[str, Any]:
    """Submit (422 with the sub-goals lacking data when the coverage rules give no score)."""
    submit(
        session,
        ctx=ctx,
        q=q,
        respondent=unit_respondent(session, assessment=ctx.assessment),
        actor=actor,
        ip=client_ip(request),
    )
    return {"id": ctx.assessment.id, "state": ctx.assessment.state}


@router.get("/assessments/{assessment_id}/summary")
def get_summary(
    session: SessionDep,
    ctx: ViewableAssessment,
    q: ViewedQuestionnaire,
    settings: SettingsDep,
    framework: FrameworkDep,
    lang: LangDep,
) -> dict[str, Any]:
    """The summary's numbers: one row per area, sub-goal and total (fields of `survey analyze`)."""
    summary = build_summary(session, ctx=ctx, q=q, min_group_size=settings.min_group_size)
    names = ScopeNames(framework, lang)
    scopes = [*summary.areas, *summary.subgoals, *([summary.total] if summary.total else [])]
    return {
        "assessment_id": ctx.assessment.id,
        "questionnaire": {"key": q.key, "version": q.version},
        "suppressed": summary.suppressed,
        "n_respondents": summary.n_respondents,
        "preliminary": summary.preliminary,
        "previous_version": summary.previous_version,
        "results": []
        if summary.suppressed
        else [
            {
                **s.row,
                "label": names.full(s),
                "previous_index": s.previous.get("index") if s.previous else None,
                # across questionnaire versions: the change on the comparable items only, and
                # how many of the scope's items those are
                "change": s.change,
                "comparable_items": list(s.comparable) if s.comparable else None,
            }
            for s in scopes
        ],
        "distribution": dict(summary.distribution),
    }
