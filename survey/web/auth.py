"""Request authentication and CSRF protection.

- The session cookie holds a random token; the server keeps its hash (revocable sessions).
- Every state-changing request must carry a CSRF token (form field ``csrf_token`` or header
  ``X-CSRF-Token``, which htmx sends from the page's meta tag). Signed-in users' token is bound to
  their session; anonymous forms (sign-in, respondent links) use a per-browser cookie token.
  Cross-site requests are also refused by ``Sec-Fetch-Site`` / ``Origin``.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.responses import Response

from survey.errors import DomainError
from survey.models import UserSession
from survey.services.access import Actor, load_actor
from survey.services.auth import session_for_token
from survey.web.deps import SessionDep

SESSION_COOKIE = "survey_session"
CSRF_COOKIE = "survey_csrf"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class SignInRequired(DomainError):
    status_code = 401


class CsrfFailed(DomainError):
    status_code = 403


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _load(request: Request, session: SessionDep) -> tuple[Actor, UserSession] | None:
    if hasattr(request.state, "auth"):
        return request.state.auth  # type: ignore[no-any-return]
    found = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        live = session_for_token(session, token=token)
        if live is not None:
            user, user_session = live
            found = (load_actor(session, user=user), user_session)
            # Plain values for rendering, even after the request's session is gone.
            request.state.csrf = user_session.csrf_token
    request.state.auth = found
    return found


def optional_actor(request: Request, session: SessionDep) -> Actor | None:
    found = _load(request, session)
    return found[0] if found else None


def current_actor(request: Request, session: SessionDep) -> Actor:
    found = _load(request, session)
    if found is None:
        raise SignInRequired("Logga in för att fortsätta.")
    return found[0]


def current_user_session(request: Request, session: SessionDep) -> UserSession:
    found = _load(request, session)
    if found is None:
        raise SignInRequired("Logga in för att fortsätta.")
    return found[1]


OptionalActor = Annotated[Actor | None, Depends(optional_actor)]
CurrentActor = Annotated[Actor, Depends(current_actor)]


def csrf_token_for(request: Request) -> str:
    """The token a form on this page must send back."""
    if getattr(request.state, "auth", None):
        return request.state.csrf  # type: ignore[no-any-return]
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Give an anonymous browser its CSRF cookie when a page created one."""
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            path="/",
            secure=request.app.state.settings.cookie_secure,
        )


async def _submitted_token(request: Request) -> str | None:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def _expected_csrf(request: Request, session: SessionDep) -> str | None:
    if request.method not in UNSAFE:
        return None
    found = _load(request, session)
    return request.state.csrf if found else request.cookies.get(CSRF_COOKIE)


async def csrf_protect(
    request: Request, expected: Annotated[str | None, Depends(_expected_csrf)]
) -> None:
    """Router dependency: refuse unsafe requests without a valid token or from another site."""
    if request.method not in UNSAFE:
        return
    site = request.headers.get("sec-fetch-site")
    if site and site not in ("same-origin", "none"):
        raise CsrfFailed("Begäran kom från en annan webbplats och avvisades.")
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if urlsplit(origin).netloc != host:
            raise CsrfFailed("Begäran kom från en annan webbplats och avvisades.")
    submitted = await _submitted_token(request)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise CsrfFailed(
            "Formuläret kunde inte skickas (säkerhetskontroll). Ladda om sidan och försök igen."
        )


CsrfProtected = Depends(csrf_protect)
