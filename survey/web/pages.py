"""The start page (public, or the signed-in user's work) and the health check."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from survey.operations import database_status
from survey.services.assessments.consensus import memberships_of
from survey.services.assessments.dashboard import assessments_to_answer
from survey.services.questionnaires import questionnaire_for
from survey.web.auth import OptionalActor
from survey.web.deps import SessionDep
from survey.web.rendering import render

router = APIRouter()


@router.get("/", include_in_schema=False)
def index(request: Request, session: SessionDep, actor: OptionalActor) -> Response:
    state = request.app.state
    if actor is None:
        questionnaires = sorted(state.questionnaires.values(), key=lambda q: (q.key, q.version))
        return render(request, "index.html", {"questionnaires": questionnaires})
    rows = assessments_to_answer(session, actor=actor, today=date.today())
    sizes = {
        row.questionnaire.id: len(
            questionnaire_for(
                session,
                questionnaire_id=row.questionnaire.id,  # type: ignore[arg-type]
                framework=state.framework,
            ).items
        )
        for row in rows
    }
    return render(
        request,
        "dashboard.html",
        {
            "open_rows": [r for r in rows if r.is_open],
            "done_rows": [r for r in rows if not r.is_open],
            "sizes": sizes,
            "k": state.settings.min_group_size,
            "memberships": memberships_of(session, user_id=actor.id),
        },
    )


@router.get(
    "/healthz",
    tags=["system"],
    responses={503: {"description": "The database cannot be reached or is not migrated.",
                     "content": {"application/json": {"example": {
                         "status": "unavailable",
                         "reason": "the database is not migrated: run `survey db upgrade`"}}}}},
)  # fmt: skip
def healthz(request: Request) -> JSONResponse:
    """Liveness and database check: 200 with ``{"status": "ok"}`` when the database answers and
    is at this version's schema; 503 with the reason (and Retry-After) when not."""
    status = database_status(request.app.state.engine)
    if status.ok:
        return JSONResponse({"status": "ok"})
    return JSONResponse(
        {"status": "unavailable", "reason": status.reason},
        status_code=503,
        headers={"Retry-After": "5"},
    )
