"""The signed-in user's personal API tokens: list, create (the token is shown once), revoke.

Creating redirects to the list, which shows the new token once: the token travels in a cookie
scoped to this page that lives two minutes and is deleted by the page that shows it."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from survey.clock import LOCAL_TZ, local_today, utcnow
from survey.models import ApiToken
from survey.security import token_digest
from survey.services.accounts.tokens import (
    MAX_DAYS,
    MAX_NAME,
    TokenInputError,
    TokenIssue,
    create_token,
    default_expiry,
    last_day,
    revoke_token,
    user_tokens,
)
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import FormDep, Id, SessionDep, get_app_settings, get_lang
from survey.web.i18n import N_, translate
from survey.web.rendering import render

COOKIE_PATH = "/account/tokens"
NEW_TOKEN_COOKIE = "survey_new_token"  # the new token, for the one page after creating it
SHOW_FOR = timedelta(minutes=2)

router = APIRouter(prefix="/account/tokens", dependencies=[CsrfProtected], include_in_schema=False)

FIELDS = {
    "name": N_("tokens.field.name"),
    "expires": N_("tokens.field.expires"),
    "scope": N_("tokens.field.scope"),
}
ISSUES = {
    "name_missing": N_("tokens.err.name_missing"),
    "name_long": N_("tokens.err.name_long"),
    "expires_invalid": N_("tokens.err.expires_invalid"),
    "expires_past": N_("tokens.err.expires_past"),
    "expires_far": N_("tokens.err.expires_far"),
    "scope": N_("tokens.err.scope"),
}
SCOPES = {"read": N_("tokens.scope.read"), "write": N_("tokens.scope.write")}
STATES = {
    "active": N_("tokens.state.active"),
    "expired": N_("tokens.state.expired"),
    "revoked": N_("tokens.state.revoked"),
}


def _row(token: ApiToken, lang: str) -> dict[str, Any]:
    state = (
        "revoked" if token.revoked_at else "expired" if token.expires_at <= utcnow() else "active"
    )
    return {
        "id": token.id,
        "name": token.name,
        "hint": token.hint,
        "scope": translate(SCOPES[token.scope], lang),
        "state": state,
        "state_text": translate(STATES[state], lang),
        "created": token.created_at.astimezone(LOCAL_TZ),
        "last_day": last_day(token),
        "last_used": token.last_used_at.astimezone(LOCAL_TZ) if token.last_used_at else None,
    }


def _issue_texts(issues: list[TokenIssue], lang: str) -> list[dict[str, str]]:
    return [
        {
            "field": i.field,
            "label": translate(FIELDS[i.field], lang),
            "text": translate(ISSUES[i.key], lang, **i.values),
        }
        for i in issues
    ]


def _just_created(request: Request, tokens: list[ApiToken]) -> dict[str, Any] | None:
    """The token created a moment ago, from the short-lived cookie the creation set (so that the
    page after creating is a GET: reloading it creates nothing and no longer shows the token)."""
    secret = request.cookies.get(NEW_TOKEN_COOKIE)
    if not secret:
        return None
    digest = token_digest(secret)
    for token in tokens:
        fresh = token.created_at > utcnow() - SHOW_FOR and token.revoked_at is None
        if fresh and hmac.compare_digest(token.token_hash, digest):
            return {"secret": secret, **_row(token, get_lang(request))}
    return None


def _page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    *,
    values: dict[str, str] | None = None,
    issues: Sequence[TokenIssue] = (),
    status_code: int = 200,
) -> Response:
    today = local_today()
    lang = get_lang(request)
    shown = values or {"name": "", "expires": default_expiry(today).isoformat(), "scope": "read"}
    tokens = user_tokens(session, user_id=actor.id)
    created = _just_created(request, tokens) if not issues else None
    response = render(
        request,
        "account_tokens.html",
        {
            "tokens": [_row(t, lang) for t in tokens],
            "values": shown,
            "issues": _issue_texts(list(issues), lang),
            "invalid": {i.field for i in issues},
            "created": created,
            "min_date": today.isoformat(),
            "max_date": (today + timedelta(days=MAX_DAYS)).isoformat(),
            "max_days": MAX_DAYS,
            "max_name": MAX_NAME,
        },
        status_code=status_code,
    )
    if NEW_TOKEN_COOKIE in request.cookies:
        response.delete_cookie(NEW_TOKEN_COOKIE, path=COOKIE_PATH)  # shown once
    return response


@router.get("", name="tokens_page")
def tokens_page(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    return _page(request, session, actor)


@router.post("", name="create_token")
def create(request: Request, session: SessionDep, actor: CurrentActor, form: FormDep) -> Response:
    values = {k: str(form.get(k, "")) for k in ("name", "expires", "scope")}
    try:
        made = create_token(
            session,
            user_id=actor.id,
            name=values["name"],
            expires=values["expires"],
            scope=values["scope"],
            today=local_today(),
            ip=client_ip(request),
        )
    except TokenInputError as exc:
        return _page(request, session, actor, values=values, issues=exc.issues, status_code=422)
    response = RedirectResponse(request.app.state.path_for("tokens_page"), status_code=303)
    response.set_cookie(
        NEW_TOKEN_COOKIE,
        made.secret,
        max_age=int(SHOW_FOR.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=get_app_settings(request).cookie_secure,
        path=COOKIE_PATH,
    )
    return response


@router.post("/{token_id}/revoke", name="revoke_token")
def revoke(request: Request, session: SessionDep, actor: CurrentActor, token_id: Id) -> Response:
    revoke_token(session, user_id=actor.id, token_id=token_id, ip=client_ip(request))
    return RedirectResponse(request.app.state.path_for("tokens_page"), status_code=303)
