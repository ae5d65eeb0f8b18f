"""Request dependencies: the database session (owns the transaction), the language, templates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlmodel import Session
from starlette.responses import Response

from survey.web.i18n import LANGUAGES, translate


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commit when the route returns, roll back on any error."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_session)]


def get_lang(request: Request) -> str:
    """``?lang=`` wins, then the ``lang`` cookie, then the configured default (Swedish)."""
    lang = request.query_params.get("lang") or request.cookies.get("lang")
    if lang in LANGUAGES:
        return lang  # type: ignore[return-value]
    return request.app.state.settings.default_language


LangDep = Annotated[str, Depends(get_lang)]


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """Render a page with the language, translation function and settings in its context."""
    lang = get_lang(request)
    templates: Jinja2Templates = request.app.state.templates
    ctx = {"lang": lang, "_": lambda key: translate(key, lang), **(context or {})}
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
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
    return response
