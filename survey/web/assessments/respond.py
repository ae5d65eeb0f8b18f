"""Anonymous answering through a single-use link: /r/{token}. No account, no names."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from survey.errors import InvalidInput
from survey.services.assessments.answers import check_submit, submit
from survey.services.assessments.respondents import respondent_by_token
from survey.services.questionnaires import questionnaire_for
from survey.web.assessments.forms import (
    FormTarget,
    render_form,
    save_area_response,
    save_item_response,
)
from survey.web.auth import CsrfProtected
from survey.web.deps import FormDep, SessionDep, get_framework, get_lang
from survey.web.errors import error_text
from survey.web.rendering import render

router = APIRouter(prefix="/r", dependencies=[CsrfProtected], include_in_schema=False)


def _target(request: Request, session: SessionDep, token: str) -> FormTarget:
    respondent, ctx = respondent_by_token(session, token=token)
    q = questionnaire_for(
        session, questionnaire_id=ctx.round.questionnaire_id, framework=get_framework(request)
    )
    return FormTarget(
        base=str(request.app.state.path_for("respond_page", token=token)),
        ctx=ctx,
        q=q,
        respondent=respondent,
        user_id=None,
        anonymous=True,
    )


@router.get("/{token}", name="respond_page")
def respond_page(
    request: Request, session: SessionDep, token: str, area: str | None = None
) -> Response:
    target = _target(request, session, token)
    if target.respondent.state == "submitted":
        return render(request, "respond_done.html", {"q": target.q})
    return render_form(
        request,
        session,
        target,
        area,
        message="saved" if request.query_params.get("saved") else None,
    )


@router.post("/{token}/items/{item_id}")
def respond_item(
    request: Request, session: SessionDep, form: FormDep, token: str, item_id: str
) -> Response:
    return save_item_response(request, session, _target(request, session, token), item_id, form)


@router.post("/{token}/areas/{area}")
def respond_area(
    request: Request, session: SessionDep, form: FormDep, token: str, area: str
) -> Response:
    target = _target(request, session, token)
    if area not in target.q.area_ids:
        raise InvalidInput("err.answer.unknown_area", area=area)
    return save_area_response(request, session, target, area, form)


@router.get("/{token}/submit")
def respond_submit_page(request: Request, session: SessionDep, token: str) -> Response:
    target = _target(request, session, token)
    check = check_submit(session, ctx=target.ctx, q=target.q, respondent=target.respondent)
    return render(
        request,
        "submit.html",
        {"target": target, "ctx": target.ctx, "q": target.q, "check": check, "error": None},
    )


@router.post("/{token}/submit")
def respond_submit(request: Request, session: SessionDep, token: str) -> Response:
    target = _target(request, session, token)
    try:
        submit(session, ctx=target.ctx, q=target.q, respondent=target.respondent, actor=None)
    except InvalidInput as exc:
        check = check_submit(session, ctx=target.ctx, q=target.q, respondent=target.respondent)
        return render(
            request,
            "submit.html",
            {
                "target": target,
                "ctx": target.ctx,
                "q": target.q,
                "check": check,
                "error": error_text(exc, get_lang(request)),
            },
            status_code=422,
        )
    return RedirectResponse(
        request.app.state.path_for("respond_page", token=token), status_code=303
    )
