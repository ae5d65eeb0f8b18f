"""Sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from survey.config import Settings
from survey.services.accounts.sessions import (
    PasswordSignInOff,
    TooManyAttempts,
    sign_in,
    sign_out,
)
from survey.web.auth import (
    SESSION_COOKIE,
    CsrfProtected,
    client_ip,
    current_session_id,
)
from survey.web.deps import SessionDep, get_app_settings, get_lang
from survey.web.errors import error_text
from survey.web.i18n import translate
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


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """The signed-in browser's session cookie (password and provider sign-in alike)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


def _page(request: Request, **context: object) -> dict[str, object]:
    """The sign-in page's context: the form's values and a button per configured provider."""
    providers = [{"name": p.name, "label": p.label} for p in get_app_settings(request).oidc()]
    return {"email": "", "next": "/", "providers": providers, **context}


@router.get("/login")
def login_form(request: Request, next: str = "", done: str = "") -> Response:  # noqa: A002
    return render(request, "login.html", _page(request, next=safe_next(next), done=done))


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",  # noqa: A002
) -> Response:
    settings = get_app_settings(request)
    providers = settings.oidc()
    try:
        signed_in = sign_in(
            session,
            email=email,
            password=password,
            ip=client_ip(request),
            hours=settings.session_hours,
            password_off=[
                p.organiser_id
                for p in providers
                if not p.password_sign_in and p.organiser_id is not None
            ],
        )
    except TooManyAttempts as exc:
        return render(
            request,
            "login.html",
            _page(
                request, email=email, next=safe_next(next), error=error_text(exc, get_lang(request))
            ),
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    except PasswordSignInOff as exc:
        label = ", ".join(p.label for p in providers if p.organiser_id == exc.organiser_id)
        text = translate("login.password_off", get_lang(request), provider=label)
        return render(
            request,
            "login.html",
            _page(request, email=email, next=safe_next(next), error=text),
            status_code=403,
        )
    if signed_in is None:
        return render(
            request,
            "login.html",
            _page(request, email=email, next=safe_next(next), failed=True),
            status_code=401,
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, signed_in.token, settings)
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
