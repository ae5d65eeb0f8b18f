"""Rendering pages and htmx fragments with the common context."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from survey.web.auth import csrf_token_for, set_csrf_cookie
from survey.web.deps import get_lang
from survey.web.i18n import LANGUAGES


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render a page with the language, translations, CSRF token and signed-in actor."""
    lang = get_lang(request)
    templates: Jinja2Templates = request.app.state.templates
    found = getattr(request.state, "auth", None)
    ctx = {
        "lang": lang,
        "csrf_token": csrf_token_for(request),
        "actor": found.actor if found else None,
        "framework": request.app.state.framework,
        "path_for": request.app.url_path_for,
        **(context or {}),
    }
    response = templates.TemplateResponse(
        request, template, ctx, status_code=status_code, headers=headers
    )
    set_csrf_cookie(request, response)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            "lang",
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.cookie_secure,
        )
    response.headers["Vary"] = "HX-Request, Cookie"
    response.headers.setdefault("Cache-Control", "no-store")
    return response
