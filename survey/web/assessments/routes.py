"""A unit's assessment: the answering form, submit, share, reopen, respondent links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlmodel import Session
from starlette.responses import Response

from survey.errors import Conflict, InvalidInput, NotFound
from survey.models import Respondent
from survey.parsing import ascii_int
from survey.questionnaire import Questionnaire
from survey.services.access import (
    AssessmentContext,
    can_answer,
    can_reopen,
    get_answer_target,
)
from survey.services.assessments.answers import check_submit, reopen, set_shared, submit
from survey.services.assessments.batches import close_collection, collection, reopen_collection
from survey.services.assessments.class_sessions import pupil_state, sessions_of
from survey.services.assessments.consensus import disagreed, team_spread
from survey.services.assessments.respondents import create_links, respondent_counts
from survey.services.assessments.summary import build_summary
from survey.services.rounds.store import unit_respondent
from survey.web.assessments.common import (
    AnswerableAssessment,
    AnsweredQuestionnaire,
    ReopenableAssessment,
    ViewableAssessment,
    ViewedQuestionnaire,
    assessment_questionnaire,
)
from survey.web.assessments.forms import (
    FormTarget,
    render_form,
    save_area_response,
    save_item_response,
)
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import (
    FormDep,
    FrameworkDep,
    Id,
    SessionDep,
    SettingsDep,
    get_app_settings,
    get_lang,
)
from survey.web.errors import error_text
from survey.web.rendering import redirect_to, render

router = APIRouter(prefix="/assessments", dependencies=[CsrfProtected], include_in_schema=False)


def _target(
    session: Session,
    ctx: AssessmentContext,
    q: Questionnaire,
    actor_id: int,
    respondent: Respondent | None = None,
) -> FormTarget:
    if q.is_individual:
        raise InvalidInput("err.assessment.individual")
    respondent = respondent or unit_respondent(session, assessment=ctx.assessment)
    return FormTarget(
        base=f"/assessments/{ctx.assessment.id}",  # the form posts to base + "/items/…"
        ctx=ctx,
        q=q,
        respondent=respondent,
        user_id=actor_id,
        anonymous=False,
    )


@router.get("/{assessment_id}", name="assessment_page")
def assessment_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: AnswerableAssessment,
    q: AnsweredQuestionnaire,
    area: str | None = None,
) -> Response:
    if q.is_individual:
        return individual_page(request, session, ctx, q, None)
    message = None
    if request.query_params.get("saved"):
        message = "saved"
    return render_form(request, session, _target(session, ctx, q, actor.id), area, message=message)


@router.post("/{assessment_id}/items/{item_id}")
def save_item(
    request: Request,
    session: SessionDep,
    form: FormDep,
    actor: CurrentActor,
    assessment_id: Id,
    item_id: str,
    framework: FrameworkDep,
) -> Response:
    # The autosave path: one statement finds the assessment, round and respondent.
    ctx, respondent = get_answer_target(session, actor=actor, assessment_id=assessment_id)
    q = assessment_questionnaire(session, ctx, framework)
    target = _target(session, ctx, q, actor.id, respondent)
    return save_item_response(request, session, target, item_id, form)


@router.post("/{assessment_id}/areas/{area}")
def save_area(
    request: Request,
    session: SessionDep,
    form: FormDep,
    actor: CurrentActor,
    ctx: AnswerableAssessment,
    q: AnsweredQuestionnaire,
    area: str,
) -> Response:
    target = _target(session, ctx, q, actor.id)
    if area not in target.q.area_ids:
        raise InvalidInput("err.answer.unknown_area", area=area)
    return save_area_response(request, session, target, area, form)


@router.get("/{assessment_id}/submit")
def submit_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: AnswerableAssessment,
    q: AnsweredQuestionnaire,
) -> Response:
    target = _target(session, ctx, q, actor.id)
    check = check_submit(session, ctx=ctx, q=target.q, respondent=target.respondent)
    return render(
        request,
        "submit.html",
        {"target": target, "ctx": ctx, "q": target.q, "check": check, "error": None},
    )


@router.post("/{assessment_id}/submit")
def submit_assessment(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: AnswerableAssessment,
    q: AnsweredQuestionnaire,
) -> Response:
    target = _target(session, ctx, q, actor.id)
    try:
        submit(
            session,
            ctx=ctx,
            q=target.q,
            respondent=target.respondent,
            actor=actor,
            ip=client_ip(request),
        )
    except InvalidInput as exc:
        check = check_submit(session, ctx=ctx, q=target.q, respondent=target.respondent)
        return render(
            request,
            "submit.html",
            {
                "target": target,
                "ctx": ctx,
                "q": target.q,
                "check": check,
                "error": error_text(exc, get_lang(request)),
            },
            status_code=422,
        )
    return redirect_to(request, "summary_page", assessment_id=ctx.assessment.id)


@router.post("/{assessment_id}/share")
def share(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: AnswerableAssessment,
    shared: Annotated[str, Form()] = "1",
) -> Response:
    set_shared(session, ctx=ctx, shared=shared == "1", actor=actor, ip=client_ip(request))
    return redirect_to(request, "summary_page", assessment_id=ctx.assessment.id)


@router.post("/{assessment_id}/reopen")
def reopen_assessment(
    request: Request, session: SessionDep, actor: CurrentActor, ctx: ReopenableAssessment
) -> Response:
    reopen(session, ctx=ctx, actor=actor, ip=client_ip(request))
    return redirect_to(request, "summary_page", assessment_id=ctx.assessment.id)


@router.post("/{assessment_id}/links")
def make_links(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: AnswerableAssessment,
    q: AnsweredQuestionnaire,
    count: Annotated[int, Form(ge=1, le=500)] = 20,
) -> Response:
    """Single-use anonymous links for an individual questionnaire (shown once; only hashes kept)."""
    if not q.is_individual:
        raise InvalidInput("err.links.not_individual")
    if ctx.assessment.state == "submitted":
        raise Conflict("err.links.collection_closed")
    tokens = create_links(session, ctx=ctx, count=count, actor=actor, ip=client_ip(request))
    base = str(request.base_url).rstrip("/")
    links = [f"{base}/r/{token}" for token in tokens]
    return individual_page(request, session, ctx, q, links)


def individual_page(
    request: Request,
    session: Session,
    ctx: AssessmentContext,
    q: Questionnaire,
    links: list[str] | None,
    *,
    emails: str = "",
    email_problems: list[str] | None = None,
    class_form: dict[str, str] | None = None,
    class_error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The principal's page of a teacher round; ``emails`` and ``email_problems``: the address
    list sent back with what is wrong in it (survey/web/assessments/link_mail.py)."""
    counts = respondent_counts(session, assessment_ids=[ctx.assessment.id])  # type: ignore[list-item]
    return render(
        request,
        "individual_round.html",
        {
            "ctx": ctx,
            "q": q,
            "counts": counts.get(ctx.assessment.id, (0, 0)),  # type: ignore[arg-type]
            "collection": collection(session, assessment_id=ctx.assessment.id),  # type: ignore[arg-type]
            "k": get_app_settings(request).min_group_size,
            "links": links,
            "emails": emails,
            "email_problems": email_problems or [],
            "mailed": ascii_int(request.query_params.get("mailed", "")),
            "class_sessions": [
                (row, pupil_state(row, ctx))
                for row in sessions_of(session, assessment_id=ctx.assessment.id)  # type: ignore[arg-type]
            ],
            "class_form": class_form or {"label": "", "minutes": "60", "pupils": "30"},
            "class_error": class_error,
        },
        status_code=status_code,
    )


def _individual(ctx: AnswerableAssessment, q: AnsweredQuestionnaire) -> AssessmentContext:
    """The assessment of an individual (teacher) questionnaire, else 404."""
    if not q.is_individual:
        raise NotFound("err.page_not_found")
    return ctx


IndividualAssessment = Annotated[AssessmentContext, Depends(_individual)]


@router.post("/{assessment_id}/collection/close", name="close_collection")
def close_collection_action(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: IndividualAssessment,
    settings: SettingsDep,
) -> Response:
    """End the unit's teacher collection; release a batch when at least k are waiting."""
    k = settings.min_group_size
    close_collection(session, ctx=ctx, k=k, actor=actor, ip=client_ip(request))
    return redirect_to(request, "assessment_page", assessment_id=ctx.assessment.id)


@router.post("/{assessment_id}/collection/reopen", name="reopen_collection")
def reopen_collection_action(
    request: Request, session: SessionDep, actor: CurrentActor, ctx: IndividualAssessment
) -> Response:
    """Let the links take answers again (released later, in a batch of at least k)."""
    reopen_collection(session, ctx=ctx, actor=actor, ip=client_ip(request))
    return redirect_to(request, "assessment_page", assessment_id=ctx.assessment.id)


@router.get("/{assessment_id}/summary", name="summary_page")
def summary_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: ViewableAssessment,
    q: ViewedQuestionnaire,
    settings: SettingsDep,
) -> Response:
    summary = build_summary(session, ctx=ctx, q=q, min_group_size=settings.min_group_size)
    return render(
        request,
        "summary.html",
        {
            "ctx": ctx,
            "q": q,
            "summary": summary,
            "k": settings.min_group_size,
            "can_answer": can_answer(actor, ctx.unit),
            "can_reopen": can_reopen(actor, ctx.unit),
            # Where the team's views differed: the unit's own people only (README "Team consensus").
            "team_differing": disagreed(team_spread(session, ctx=ctx, q=q)[1])
            if can_answer(actor, ctx.unit) and not q.is_individual
            else [],
        },
    )
