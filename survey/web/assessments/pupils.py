"""Pupils answer in a class session: /elev (enter the code) and /elev/{code}. No account, no
names; each pupil is an anonymous respondent (as with /r/{token}) bound to the browser by a random
cookie limited to the session's path, so the same device resumes. No IP address is stored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from survey.clock import utcnow
from survey.errors import InvalidInput, NotFound
from survey.models import ClassSession
from survey.services.access import AssessmentContext
from survey.services.assessments.answers import check_submit, submit
from survey.services.assessments.class_sessions import (
    Pupil,
    join,
    normalize_code,
    pupil_by_token,
    pupil_state,
    session_by_code,
)
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

router = APIRouter(prefix="/elev", dependencies=[CsrfProtected], include_in_schema=False)

PUPIL_COOKIE = "survey_pupil"


def _session(session: Session, code: str) -> tuple[ClassSession, AssessmentContext, str]:
    canonical = normalize_code(code)
    if canonical is None:
        raise NotFound("err.class.unknown")
    row, ctx = session_by_code(session, code=canonical)
    return row, ctx, canonical


def _page_url(request: Request, code: str) -> str:
    return str(request.app.state.path_for("pupil_page", code=code))


def _gone(request: Request, state: str) -> Response:
    """Expired, closed or full: a clear page, 410."""
    return render(request, "pupil_gone.html", {"state": state}, status_code=410)


def _target(request: Request, session: Session, pupil: Pupil, code: str) -> FormTarget:
    q = questionnaire_for(
        session,
        questionnaire_id=pupil.ctx.round.questionnaire_id,
        framework=get_framework(request),
    )
    return FormTarget(
        base=_page_url(request, code),
        ctx=pupil.ctx,
        q=q,
        respondent=pupil.respondent,
        user_id=None,
        anonymous=True,
    )


def _pupil(request: Request, session: Session, code: str) -> FormTarget | Response:
    """This browser's place in the session, or the page to show instead: 404 for an unknown
    code, 410 when it no longer takes answers, the start page for a browser without a place."""
    row, ctx, canonical = _session(session, code)
    state = pupil_state(row, ctx)
    if state in ("closed", "expired"):
        return _gone(request, state)
    pupil = pupil_by_token(session, row=row, ctx=ctx, token=request.cookies.get(PUPIL_COOKIE))
    if pupil is None:
        if request.method != "GET":
            return RedirectResponse(_page_url(request, canonical), status_code=303)
        if state == "full":
            return _gone(request, state)
        return render(request, "pupil_start.html", {"code": canonical, "label": row.label})
    return _target(request, session, pupil, canonical)


@router.get("", name="pupil_code")
def code_page(request: Request) -> Response:
    return render(request, "pupil_code.html", {"code": "", "error": None})


@router.post("")
def code_form(request: Request, code: Annotated[str, Form(max_length=40)] = "") -> Response:
    canonical = normalize_code(code)
    if canonical is None:
        error = error_text(InvalidInput("err.class.code_format"), get_lang(request))
        return render(request, "pupil_code.html", {"code": code, "error": error}, status_code=422)
    return RedirectResponse(_page_url(request, canonical), status_code=303)


@router.get("/{code}", name="pupil_page")
def pupil_page(
    request: Request, session: SessionDep, code: str, area: str | None = None
) -> Response:
    if normalize_code(code) not in (None, code):  # typed in lower case: the one address
        return RedirectResponse(_page_url(request, normalize_code(code) or code), status_code=303)
    found = _pupil(request, session, code)
    if not isinstance(found, FormTarget):
        return found
    if found.respondent.state == "submitted":
        return render(request, "respond_done.html", {"q": found.q})
    return render_form(
        request,
        session,
        found,
        area,
        message="saved" if request.query_params.get("saved") else None,
    )


@router.post("/{code}/start", name="pupil_start")
def pupil_start(request: Request, session: SessionDep, code: str) -> Response:
    """A new pupil on this browser (or, when it already has a place, back to it)."""
    row, ctx, canonical = _session(session, code)
    if pupil_by_token(session, row=row, ctx=ctx, token=request.cookies.get(PUPIL_COOKIE)):
        return RedirectResponse(_page_url(request, canonical), status_code=303)
    state = pupil_state(row, ctx)
    if state != "open":
        return _gone(request, state)
    _, token = join(session, row=row, ctx=ctx)
    response = RedirectResponse(_page_url(request, canonical), status_code=303)
    left = max(60, int((row.expires_at - utcnow()).total_seconds()))
    response.set_cookie(
        PUPIL_COOKIE,
        token,
        max_age=left,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
        path=_page_url(request, canonical),
    )
    return response


@router.post("/{code}/items/{item_id}")
def pupil_item(
    request: Request, session: SessionDep, form: FormDep, code: str, item_id: str
) -> Response:
    found = _pupil(request, session, code)
    if not isinstance(found, FormTarget):
        return found
    return save_item_response(request, session, found, item_id, form)


@router.post("/{code}/areas/{area}")
def pupil_area(
    request: Request, session: SessionDep, form: FormDep, code: str, area: str
) -> Response:
    found = _pupil(request, session, code)
    if not isinstance(found, FormTarget):
        return found
    if area not in found.q.area_ids:
        raise InvalidInput("err.answer.unknown_area", area=area)
    return save_area_response(request, session, found, area, form)


@router.get("/{code}/submit")
def pupil_submit_page(request: Request, session: SessionDep, code: str) -> Response:
    found = _pupil(request, session, code)
    if not isinstance(found, FormTarget):
        return found
    check = check_submit(session, ctx=found.ctx, q=found.q, respondent=found.respondent)
    return render(
        request,
        "submit.html",
        {"target": found, "ctx": found.ctx, "q": found.q, "check": check, "error": None},
    )


@router.post("/{code}/submit")
def pupil_submit(request: Request, session: SessionDep, code: str) -> Response:
    found = _pupil(request, session, code)
    if not isinstance(found, FormTarget):
        return found
    try:  # no actor and no IP address: the audit entry names nobody
        submit(session, ctx=found.ctx, q=found.q, respondent=found.respondent, actor=None)
    except InvalidInput as exc:
        check = check_submit(session, ctx=found.ctx, q=found.q, respondent=found.respondent)
        return render(
            request,
            "submit.html",
            {
                "target": found,
                "ctx": found.ctx,
                "q": found.q,
                "check": check,
                "error": error_text(exc, get_lang(request)),
            },
            status_code=422,
        )
    return RedirectResponse(found.base, status_code=303)
