"""A principal's class sessions on an individual questionnaire (issue 18): open one (label,
validity, number of pupils), show its code and QR code on the board, close it early."""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request
from markupsafe import Markup
from starlette.responses import Response

from survey.errors import DomainError
from survey.parsing import ascii_int
from survey.services.assessments.class_sessions import (
    close_session,
    open_session,
    pupil_state,
    session_of,
)
from survey.web.assessments.common import AnsweredQuestionnaire
from survey.web.assessments.routes import IndividualAssessment, individual_page
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import Id, SessionDep, get_lang
from survey.web.errors import error_text
from survey.web.i18n import translate
from survey.web.rendering import redirect_to, render

router = APIRouter(prefix="/assessments", dependencies=[CsrfProtected], include_in_schema=False)


@router.post("/{assessment_id}/class-sessions", name="open_class_session")
def open_class_session(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: IndividualAssessment,
    q: AnsweredQuestionnaire,
    label: Annotated[str, Form(max_length=200)] = "",
    minutes: Annotated[str, Form(max_length=10)] = "",
    pupils: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    values = {"label": label, "minutes": minutes, "pupils": pupils}
    try:
        row = open_session(
            session,
            ctx=ctx,
            label=label,
            minutes=ascii_int(minutes) or 0,
            max_pupils=ascii_int(pupils) or 0,
            actor=actor,
            ip=client_ip(request),
        )
    except DomainError as exc:
        return individual_page(
            request,
            session,
            ctx,
            q,
            None,
            class_form=values,
            class_error=error_text(exc, get_lang(request)),
            status_code=exc.status_code,
        )
    return redirect_to(
        request, "class_session_page", assessment_id=ctx.assessment.id, session_id=row.id
    )


@router.get("/{assessment_id}/class-sessions/{session_id}", name="class_session_page")
def class_session_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: IndividualAssessment,
    q: AnsweredQuestionnaire,
    session_id: Id,
) -> Response:
    """The page to show on the board: the code, the QR code and the address beside it."""
    row = session_of(session, ctx=ctx, session_id=session_id)
    state = pupil_state(row, ctx)
    url = str(request.base_url).rstrip("/") + str(
        request.app.state.path_for("pupil_page", code=row.code)
    )
    qr = None
    if state in ("open", "full"):
        title = translate("class.qr_title", get_lang(request))
        svg = segno.make(url, error="m").svg_inline(scale=6, border=2, title=title)
        qr = Markup(svg)  # noqa: S704 - segno's own SVG; the only text in it is our title
    return render(
        request,
        "class_session.html",
        {"ctx": ctx, "q": q, "row": row, "state": state, "url": url, "qr": qr},
    )


@router.post("/{assessment_id}/class-sessions/{session_id}/close", name="close_class_session")
def close_class_session(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: IndividualAssessment,
    session_id: Id,
) -> Response:
    close_session(session, ctx=ctx, session_id=session_id, actor=actor, ip=client_ip(request))
    return redirect_to(request, "assessment_page", assessment_id=ctx.assessment.id)
