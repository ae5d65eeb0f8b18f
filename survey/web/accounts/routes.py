"""Sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from survey.services.accounts.sessions import TooManyAttempts, sign_in, sign_out
from survey.web.auth import (
    SESSION_COOKIE,
    CsrfProtected,
    client_ip,
    current_session_id,
)
from survey.web.deps import SessionDep, get_app_settings, get_lang
from survey.web.errors import error_text
from survey.web.rendering import render

router = APIRouter(dependencies=[CsrfProtected], include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a user to another host after sign-in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, next: str = "", done: str = "") -> Response:  # noqa: A002
    context = {"email": "", "next": safe_next(next), "done": done}
    return render(request, "login.html", context)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",  # noqa: A002
) -> Response:
    settings = get_app_settings(request)
    try:
        signed_in = sign_in(
            session,
            email=email,
            password=password,
            ip=client_ip(request),
            hours=settings.session_hours,
        )
    except TooManyAttempts as exc:
        return render(
            request,
            "login.html",
            {"email": email, "next": safe_next(next), "error": error_text(exc, get_lang(request))},
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if signed_in is None:
        return render(
            request,
            "login.html",
            {"email": email, "next": safe_next(next), "failed": True},
            status_code=401,
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed_in.token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return response


@router.post("/logout")
def logout(
    request: Request,
    session: SessionDep,
    session_id: Annotated[int, Depends(current_session_id)],
) -> Response:
    sign_out(session, session_id=session_id, ip=client_ip(request))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
