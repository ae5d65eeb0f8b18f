"""Sign-in with the organisation's own account: OpenID Connect, authorization code flow with
PKCE (README "Sign-in with your organisation's account").

``POST /login/oidc/{provider}`` sends the browser to the provider with a fresh ``state``,
``nonce`` and PKCE verifier, which it keeps in a short-lived HttpOnly cookie bound to this browser
(SameSite=Lax: the provider's redirect back is a top-level navigation from another site).
``GET /login/oidc/{provider}/callback`` checks ``state`` against that cookie, exchanges the code,
has Authlib verify the ID token, and signs in the existing account with the verified address.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from survey.config import OidcProvider
from survey.errors import DomainError, Forbidden
from survey.services.accounts.invitations import accept_invitation_verified
from survey.services.accounts.provider_sign_in import sign_in_verified
from survey.web.accounts.oidc_client import Client, Clients
from survey.web.accounts.routes import safe_next, set_session_cookie
from survey.web.auth import CsrfProtected, client_ip
from survey.web.deps import SessionDep, get_app_settings, get_lang
from survey.web.errors import error_text
from survey.web.rendering import render

log = logging.getLogger(__name__)
router = APIRouter(dependencies=[CsrfProtected], include_in_schema=False)
PENDING_COOKIE = "survey_oidc"
PENDING_PATH = "/login/oidc/"
PENDING_SECONDS = 600


@dataclass(frozen=True)
class Pending:
    """One sign-in under way in this browser."""

    provider: str
    state: str
    nonce: str
    verifier: str
    next: str
    invitation: str = ""  # an invitation's link token, when the sign-in accepts it

    def encode(self) -> str:
        return base64.urlsafe_b64encode(json.dumps(asdict(self)).encode()).decode()

    @classmethod
    def decode(cls, value: str | None) -> Pending | None:
        if not value:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(value.encode()))
            return cls(
                **{k: str(data[k]) for k in ("provider", "state", "nonce", "verifier", "next")},
                invitation=str(data.get("invitation", "")),
            )
        except (ValueError, TypeError, KeyError):
            return None


def clients(request: Request) -> Clients:
    """The app's provider clients (made once per app)."""
    state = request.app.state
    if not hasattr(state, "oidc_clients"):
        state.oidc_clients = Clients(get_app_settings(request).oidc())
    found: Clients = state.oidc_clients
    return found


def _client(request: Request, name: str) -> Client:
    client = clients(request).get(name)
    if client is None:
        raise HTTPException(status_code=404)
    return client


def _callback_url(request: Request, name: str) -> str:
    return str(request.url_for("oidc_callback", provider=name))


def _failed(request: Request, exc: DomainError, provider: OidcProvider) -> Response:
    """The clear page of a refused provider sign-in; the pending sign-in is forgotten."""
    response = render(
        request,
        "login_oidc_failed.html",
        {"message": error_text(exc, get_lang(request)), "provider": provider, "key": exc.key},
        status_code=exc.status_code,
    )
    response.delete_cookie(PENDING_COOKIE, path=PENDING_PATH)
    return response


@router.post("/login/oidc/{provider}")
def oidc_start(
    request: Request,
    provider: str,
    next: Annotated[str, Form(max_length=500)] = "/",  # noqa: A002
    invitation: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Off to the provider; with ``invitation`` (from the invitation page) the sign-in also
    accepts that invitation for the provider's verified address."""
    client = _client(request, provider)
    try:
        found = client.authorization(_callback_url(request, provider))
    except DomainError as exc:
        return _failed(request, exc, client.provider)
    pending = Pending(
        provider, found.state, found.nonce, found.code_verifier, safe_next(next), invitation
    )
    response = RedirectResponse(found.url, status_code=303)
    response.set_cookie(
        PENDING_COOKIE,
        pending.encode(),
        max_age=PENDING_SECONDS,
        path=PENDING_PATH,
        httponly=True,
        samesite="lax",
        secure=get_app_settings(request).cookie_secure,
    )
    return response


@router.get("/login/oidc/{provider}/callback", name="oidc_callback")
def oidc_callback(
    request: Request,
    session: SessionDep,
    provider: str,
    state: str = "",
    code: str = "",
    error: str = "",
    iss: str = "",
) -> Response:
    client = _client(request, provider)
    config = client.provider
    pending = Pending.decode(request.cookies.get(PENDING_COOKIE))
    settings = get_app_settings(request)
    try:
        if (
            pending is None
            or pending.provider != provider
            or not state
            or not hmac.compare_digest(state.encode(), pending.state.encode())
        ):
            raise Forbidden("err.oidc.state")
        if error:
            raise Forbidden("err.oidc.provider_error", error=error[:100])
        if iss and iss.rstrip("/") != config.issuer.rstrip("/"):  # RFC 9207: a mixed-up reply
            raise Forbidden("err.oidc.token_invalid")
        if not code:
            raise Forbidden("err.oidc.state")
        redirect_uri = _callback_url(request, provider)
        token = client.exchange(
            code=code, code_verifier=pending.verifier, redirect_uri=redirect_uri
        )
        claims = client.claims(token, nonce=pending.nonce)
        # One savepoint: a refused sign-in leaves an invitation it would have accepted as it was.
        with session.begin_nested():
            if pending.invitation:
                if claims.get("email_verified") is not True or not isinstance(
                    claims.get("email"), str
                ):
                    raise Forbidden("err.oidc.email_unverified")
                accept_invitation_verified(
                    session,
                    token=pending.invitation,
                    email=str(claims["email"]),
                    name=str(claims.get("name") or ""),
                    organiser_id=config.organiser_id,
                    ip=client_ip(request),
                )
            signed_in = sign_in_verified(
                session,
                provider=provider,
                email=claims.get("email"),
                email_verified=claims.get("email_verified"),
                organiser_id=config.organiser_id,
                ip=client_ip(request),
                hours=settings.session_hours,
            )
    except DomainError as exc:
        log.info("provider sign-in via %s refused: %s", provider, exc.key)
        return _failed(request, exc, config)
    response = RedirectResponse(safe_next(pending.next), status_code=303)
    set_session_cookie(response, signed_in.token, settings)
    response.delete_cookie(PENDING_COOKIE, path=PENDING_PATH)
    return response
