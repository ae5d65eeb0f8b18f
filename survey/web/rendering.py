"""Rendering pages and htmx fragments with one common context, and sending files.

``render`` is the only way a route produces HTML: a whole template, or with ``block=`` one named
block of it (jinja2-fragments) for an htmx response, always with the same context — language,
CSRF token, signed-in actor, framework and ``path_for``. ``download`` is the only way a route
sends a file."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2_fragments import render_block
from starlette.responses import HTMLResponse, RedirectResponse, Response

from survey.sheets import Sheet, csv_bytes, xlsx_bytes
from survey.web.auth import csrf_token_for, set_csrf_cookie
from survey.web.deps import get_lang
from survey.web.i18n import LANGUAGES


def url_to(
    request: Request, name: str, *, query: dict[str, str] | None = None, anchor: str = "",
    **path_params: object,
) -> str:  # fmt: skip
    """The path of the route ``name`` (ids as path parameters), with a query and an anchor."""
    url = request.app.state.path_for(name, **path_params)
    return url + (f"?{urlencode(query)}" if query else "") + (f"#{anchor}" if anchor else "")


def redirect_to(
    request: Request, name: str, *, query: dict[str, str] | None = None, anchor: str = "",
    **path_params: object,
) -> RedirectResponse:  # fmt: skip
    """Post/Redirect/Get: 303 to the route ``name``."""
    return RedirectResponse(
        url_to(request, name, query=query, anchor=anchor, **path_params), status_code=303
    )


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def context_for(request: Request, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The context every template gets, with the route's own values on top."""
    found = getattr(request.state, "auth", None)
    return {
        "request": request,
        "lang": get_lang(request),
        "csrf_token": csrf_token_for(request),
        "actor": found.actor if found else None,
        "framework": request.app.state.framework,
        "path_for": request.app.state.path_for,
        **(context or {}),
    }


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render a page, or one block of it (``block=``) for htmx, with the common context."""
    templates: Jinja2Templates = request.app.state.templates
    ctx = context_for(request, context)
    response: Response
    if block is None:
        response = templates.TemplateResponse(
            request, template, ctx, status_code=status_code, headers=headers
        )
    else:
        html = render_block(templates.env, template, block, ctx)
        response = HTMLResponse(html, status_code=status_code, headers=headers)
    set_csrf_cookie(request, response)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            "lang",
            ctx["lang"],
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.cookie_secure,
        )
    response.headers["Vary"] = "HX-Request, Cookie"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


class FileFormat(StrEnum):
    """The formats a table can be downloaded in (the last part of an export's path)."""

    csv = "csv"
    xlsx = "xlsx"
    parquet = "parquet"


class SheetFormat(StrEnum):
    """Formats for sheets of text and numbers (no Parquet)."""

    csv = "csv"
    xlsx = "xlsx"


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "zip": "application/zip",
    "json": "application/json",
}


def download(content: bytes, filename: str) -> Response:
    """A file to save: the media type from the extension, never cached. File names come from
    :func:`survey.sheets.file_stem` (ASCII letters, digits and dashes), so they need no quoting."""
    return Response(
        content,
        media_type=MEDIA_TYPES[filename.rsplit(".", 1)[-1]],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def sheets_file(sheets: list[Sheet], stem: str, fmt: str) -> Response:
    """Sheets as a CSV (one ``section`` column) or an XLSX (one sheet each) download."""
    content = xlsx_bytes(sheets) if fmt == "xlsx" else csv_bytes(sheets)
    return download(content, f"{stem}.{fmt}")


class RoutePaths:
    """``path_for(name, **params)``: the path of a named route, fast.

    Starlette finds a route by name by asking every router in turn (each miss raises
    NoMatchFound), which made the links of a heat map cost more than its numbers. The routes
    never change after start-up, so each (name, parameter names) is looked up once, with markers
    in place of the values, and later calls put the values in."""

    def __init__(self, app: Any):
        self._app = app
        self._templates: dict[tuple[str, tuple[str, ...]], str] = {}

    def __call__(self, name: str, /, **params: object) -> str:
        key = (name, tuple(sorted(params)))
        template = self._templates.get(key)
        if template is None:
            marked = {k: f"\x00{k}\x00" for k in params}
            template = str(self._app.url_path_for(name, **marked))
            self._templates[key] = template
        for k, value in params.items():
            template = template.replace(f"\x00{k}\x00", str(value))
        return template
