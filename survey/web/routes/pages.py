"""Public pages: start page, sign-in form, health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.responses import Response

from survey.web.deps import SessionDep, render

router = APIRouter()


@router.get("/", include_in_schema=False)
def index(request: Request) -> Response:
    state = request.app.state
    questionnaires = sorted(state.questionnaires.values(), key=lambda q: (q.key, q.version))
    return render(
        request,
        "index.html",
        {"framework": state.framework, "questionnaires": questionnaires},
    )


@router.get("/login", include_in_schema=False)
def login_form(request: Request) -> Response:
    return render(request, "login.html", {"email": ""})


@router.get("/healthz", tags=["system"])
def healthz(session: SessionDep) -> JSONResponse:
    """Liveness and database check: 200 with ``{"status": "ok"}`` when the database answers."""
    session.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})
