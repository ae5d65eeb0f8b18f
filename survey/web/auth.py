"""Request authentication and CSRF protection.

- The session cookie holds a random token; the server keeps its hash (revocable sessions).
- Every state-changing request must carry a CSRF token (form field ``csrf_token`` or header
  ``X-CSRF-Token``, which htmx sends from the page's meta tag). Signed-in users' token is bound to
  their session; anonymous forms (sign-in, respondent links) use a per-browser cookie token.
  Cross-site requests are also refused by ``Sec-Fetch-Site`` / ``Origin``.
- On ``/api/`` only, ``Authorization: Bearer svy_…`` (a personal API token,
  ``survey.services.accounts.tokens``) authenticates instead of the cookie, which is then
  ignored; such a request needs no CSRF token (a browser never adds that header by itself, and
  no CORS is allowed). A read-only token may only use safe methods (403 otherwise). HTML pages
  never accept a token.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import Depends, Request
from starlette.responses import Response

from survey.clock import utcnow
from survey.errors import DomainError
from survey.services.access import Actor
from survey.services.accounts.sessions import LiveSession, live_session
from survey.services.accounts.tokens import (
    LiveToken,
    TokenReadOnly,
    TokenRejected,
    live_token,
    needs_touch,
    touch,
)

SESSION_COOKIE = "survey_session"
CSRF_COOKIE = "survey_csrf"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class SignInRequired(DomainError):
    status_code = 401


class CsrfFailed(DomainError):
    status_code = 403


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _live(request: Request, token: str) -> LiveSession | None:
    # Outside the request's transaction, on a connection of its own in autocommit: one round
    # trip, and no connection is held while the request waits for its next thread.
    with request.app.state.auth_engine.connect() as connection:
        return live_session(connection, token=token)


def _bearer(request: Request) -> str | None:
    """The API token of an ``/api/`` request (``Authorization: Bearer …``), if it sends one."""
    header = request.headers.get("authorization")
    if not header or not request.url.path.startswith("/api/"):
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _live_token(request: Request, token: str) -> LiveToken:
    # Like _live: on a connection of its own. Noting the use (at most once a minute per token)
    # is a short write transaction of its own, so it counts even if the request then fails.
    with request.app.state.auth_engine.connect() as connection:
        found = live_token(connection, token=token)
    now = utcnow()
    if needs_touch(found, now):
        with request.app.state.write_engine.begin() as connection:
            touch(connection, token_id=found.token_id, now=now)
    return found


async def _token_state(request: Request, token: str) -> LiveToken:
    try:
        found = await anyio.to_thread.run_sync(_live_token, request, token)
    except TokenRejected:
        request.state.auth = None
        raise
    request.state.auth = found
    request.state.csrf = ""  # never rendered: token requests get JSON
    if found.read_only and request.method in UNSAFE:
        raise TokenReadOnly("err.token.read_only")
    return found


async def auth_state(request: Request) -> LiveSession | LiveToken | None:
    """Who is signed in (once per request; no thread and no query without a session cookie or,
    on /api/, an Authorization header)."""
    if hasattr(request.state, "auth"):
        return request.state.auth  # type: ignore[no-any-return]
    bearer = _bearer(request)
    if bearer is not None:
        return await _token_state(request, bearer)
    token = request.cookies.get(SESSION_COOKIE)
    found = await anyio.to_thread.run_sync(_live, request, token) if token else None
    request.state.auth = found
    if found is not None:
        request.state.csrf = found.csrf_token  # for rendering, after the request's session
    return found


AuthState = Annotated[LiveSession | LiveToken | None, Depends(auth_state)]


async def optional_actor(found: AuthState) -> Actor | None:
    return found.actor if found else None


async def current_actor(found: AuthState) -> Actor:
    if found is None:
        raise SignInRequired("auth.required")
    return found.actor


async def current_session_id(found: AuthState) -> int:
    if not isinstance(found, LiveSession):
        raise SignInRequired("auth.required")
    return found.session_id


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


async def csrf_protect(request: Request, found: AuthState) -> None:
    """Router dependency: refuse unsafe requests without a valid token or from another site
    (requests authenticated by an API token are exempt: see the module's docstring)."""
    if request.method not in UNSAFE or isinstance(found, LiveToken):
        return
    expected = found.csrf_token if found else request.cookies.get(CSRF_COOKIE)
    site = request.headers.get("sec-fetch-site")
    if site and site not in ("same-origin", "none"):
        raise CsrfFailed("err.csrf.origin")
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if urlsplit(origin).netloc != host:
            raise CsrfFailed("err.csrf.origin")
    submitted = await _submitted_token(request)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise CsrfFailed("err.csrf.token")


CsrfProtected = Depends(csrf_protect)
