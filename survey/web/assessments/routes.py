"""A unit's assessment: the answering form, submit, share, reopen, respondent links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from survey.errors import Conflict, InvalidInput, NotFound
from survey.models import Respondent
from survey.questionnaire import Questionnaire
from survey.services.access import (
    Actor,
    AssessmentContext,
    can_answer,
    can_reopen,
    get_answer_target,
    get_assessment_for,
)
from survey.services.assessments.answers import check_submit, reopen, set_shared, submit
from survey.services.assessments.batches import close_collection, collection, reopen_collection
from survey.services.assessments.respondents import create_links, respondent_counts
from survey.services.assessments.summary import build_summary
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.store import unit_respondent
from survey.web.assessments.forms import (
    FormTarget,
    render_form,
    save_area_response,
    save_item_response,
)
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import FormDep, Id, SessionDep, get_lang
from survey.web.errors import error_text
from survey.web.rendering import render

router = APIRouter(prefix="/assessments", dependencies=[CsrfProtected], include_in_schema=False)


def _target(
    request: Request,
    session: SessionDep,
    ctx: AssessmentContext,
    actor_id: int,
    respondent: Respondent | None = None,
) -> FormTarget:
    q = questionnaire_for(
        session, questionnaire_id=ctx.round.questionnaire_id, framework=request.app.state.framework
    )
    if q.is_individual:
        raise InvalidInput("err.assessment.individual")
    respondent = respondent or unit_respondent(session, assessment=ctx.assessment)
    return FormTarget(
        base=f"/assessments/{ctx.assessment.id}",
        ctx=ctx,
        q=q,
        respondent=respondent,
        user_id=actor_id,
        anonymous=False,
    )


@router.get("/{assessment_id}")
def assessment_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    assessment_id: Id,
    area: str | None = None,
) -> Response:
    ctx = get_assessment_for(session, actor=actor, assessment_id=assessment_id, purpose="answer")
    q = questionnaire_for(
        session, questionnaire_id=ctx.round.questionnaire_id, framework=request.app.state.framework
    )
    if q.is_individual:
        return _individual_page(request, session, ctx, q, None)
    message = None
    if request.query_params.get("saved"):
        message = "saved"
    return render_form(
        request, session, _target(request, session, ctx, actor.id), area, message=message
    )


@router.post("/{assessment_id}/items/{item_id}")
def save_item(
    request: Request,
    session: SessionDep,
    form: FormDep,
    actor: CurrentActor,
    assessment_id: Id,
    item_id: str,
) -> Response:
    ctx, respondent = get_answer_target(session, actor=actor, assessment_id=assessment_id)
    return save_item_response(
        request, session, _target(request, session, ctx, actor.id, respondent), item_id, form
    )


@router.post("/{assessment_id}/areas/{area}")
def save_area(
    request: Request,
    session: SessionDep,
    form: FormDep,
    actor: CurrentActor,
    assessment_id: Id,
    area: str,
) -> Response:
    ctx = get_assessment_for(session, actor=actor, assessment_id=assessment_id, purpose="answer")
    target = _target(request, session, ctx, actor.id)
    if area not in target.q.area_ids:
        raise InvalidInput("err.answer.unknown_area", area=area)
    return save_area_response(request, session, target, area, form)


@router.get("/{assessment_id}/submit")
def submit_page(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id
) -> Response:
    ctx = get_assessment_for(session, actor=actor, assessment_id=assessment_id, purpose="answer")
    target = _target(request, session, ctx, actor.id)
    check = check_submit(session, ctx=ctx, q=target.q, respondent=target.respondent)
    return render(
        request,
        "submit.html",
        {"target": target, "ctx": ctx, "q": target.q, "check": check, "error": None},
    )


@router.post("/{assessment_id}/submit")
def submit_assessment(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id
) -> Response:
    ctx = get_assessment_for(session, actor=actor, assessment_id=assessment_id, purpose="answer")
    target = _target(request, session, ctx, actor.id)
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
    return RedirectResponse(f"/assessments/{assessment_id}/summary", status_code=303)


@router.post("/{assessment_id}/share")
def share(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    assessment_id: Id,
    shared: Annotated[str, Form()] = "1",
) -> Response:
    ctx = get_assessment_for(session, actor=actor, assessment_id=assessment_id, purpose="answer")
    set_shared(session, ctx=ctx, shared=shared == "1", actor=actor, ip=client_ip(request))
    return RedirectResponse(f"/assessments/{assessment_id}/summary", status_code=303)


@router.post("/{assessment_id}/reopen")
def reopen_assessment(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id
) -> Response:
    ctx = get_assessment_for(session, actor=actor, assessment_id=assessment_id, purpose="reopen")
    reopen(session, ctx=ctx, actor=actor, ip=client_ip(request))
    return RedirectResponse(f"/assessments/{assessment_id}/summary", status_code=303)


@router.post("/{assessment_id}/links")
def make_links(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    assessment_id: Id,
    count: Annotated[int, Form(ge=1, le=500)] = 20,
) -> Response:
    """Single-use anonymous links for an individual questionnaire (shown once; only hashes kept)."""
    ctx = get_assessment_for(session, actor=actor, assessment_id=assessment_id, purpose="answer")
    q = questionnaire_for(
        session, questionnaire_id=ctx.round.questionnaire_id, framework=request.app.state.framework
    )
    if not q.is_individual:
        raise InvalidInput("err.links.not_individual")
    if ctx.assessment.state == "submitted":
        raise Conflict("err.links.collection_closed")
    tokens = create_links(session, ctx=ctx, count=count, actor=actor, ip=client_ip(request))
    base = str(request.base_url).rstrip("/")
    links = [f"{base}/r/{token}" for token in tokens]
    return _individual_page(request, session, ctx, q, links)


def _individual_page(
    request: Request,
    session: SessionDep,
    ctx: AssessmentContext,
    q: Questionnaire,
    links: list[str] | None,
) -> Response:
    counts = respondent_counts(session, assessment_ids=[ctx.assessment.id])  # type: ignore[list-item]
    return render(
        request,
        "individual_round.html",
        {
            "ctx": ctx,
            "q": q,
            "counts": counts.get(ctx.assessment.id, (0, 0)),  # type: ignore[arg-type]
            "collection": collection(session, assessment_id=ctx.assessment.id),  # type: ignore[arg-type]
            "k": request.app.state.settings.min_group_size,
            "links": links,
        },
    )


def _individual_context(
    request: Request, session: SessionDep, actor: Actor, assessment_id: Id
) -> AssessmentContext:
    ctx = get_assessment_for(session, actor=actor, assessment_id=assessment_id, purpose="answer")
    q = questionnaire_for(
        session, questionnaire_id=ctx.round.questionnaire_id, framework=request.app.state.framework
    )
    if not q.is_individual:
        raise NotFound("err.page_not_found")
    return ctx


@router.post("/{assessment_id}/collection/close", name="close_collection")
def close_collection_action(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id
) -> Response:
    """End the unit's teacher collection; release a batch when at least k are waiting."""
    ctx = _individual_context(request, session, actor, assessment_id)
    close_collection(
        session,
        ctx=ctx,
        k=request.app.state.settings.min_group_size,
        actor=actor,
        ip=client_ip(request),
    )
    return RedirectResponse(f"/assessments/{assessment_id}", status_code=303)


@router.post("/{assessment_id}/collection/reopen", name="reopen_collection")
def reopen_collection_action(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id
) -> Response:
    """Let the links take answers again (released later, in a batch of at least k)."""
    ctx = _individual_context(request, session, actor, assessment_id)
    reopen_collection(session, ctx=ctx, actor=actor, ip=client_ip(request))
    return RedirectResponse(f"/assessments/{assessment_id}", status_code=303)


@router.get("/{assessment_id}/summary")
def summary_page(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id
) -> Response:
    ctx = get_assessment_for(session, actor=actor, assessment_id=assessment_id, purpose="view")
    state = request.app.state
    q = questionnaire_for(
        session, questionnaire_id=ctx.round.questionnaire_id, framework=state.framework
    )
    summary = build_summary(
        session,
        ctx=ctx,
        q=q,
        min_group_size=state.settings.min_group_size,
    )
    return render(
        request,
        "summary.html",
        {
            "ctx": ctx,
            "q": q,
            "summary": summary,
            "k": state.settings.min_group_size,
            "can_answer": can_answer(actor, ctx.unit),
            "can_reopen": can_reopen(actor, ctx.unit),
        },
    )
