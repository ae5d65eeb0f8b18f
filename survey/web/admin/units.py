"""Units in the browser: the list with search, one unit's page (edit, move, deactivate) and the
import (upload → preview → accept). Administrators see the whole tree, strategists their
organiser's part; anything else is 404."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile
from starlette.responses import Response

from survey.errors import DomainError, InvalidInput, NotFound
from survey.models import SCHOOL_FORMS, Unit, id_of
from survey.parsing import ascii_int
from survey.services.access import Actor, admin_scope
from survey.services.unitadmin.imports import MAX_BYTES, accept_import, preview_import
from survey.services.unitadmin.manage import (
    get_unit_for,
    list_units,
    move_unit,
    parent_choices,
    set_unit_active,
    unit_forms,
    update_unit,
)
from survey.web.admin.present import DONE, change_rows, error_lines, forms_text
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import FormDep, Id, SessionDep, get_lang
from survey.web.errors import say
from survey.web.i18n import translate
from survey.web.rendering import render

router = APIRouter(prefix="/admin/units", dependencies=[CsrfProtected], include_in_schema=False)

EXAMPLE_FILE = "survey/demo/examples/skolenhetsregistret-example.json"


@router.get("", name="admin_units")
def units_page(request: Request, session: SessionDep, actor: CurrentActor, q: str = "") -> Response:
    listing = list_units(session, actor=actor, q=q)
    lang = get_lang(request)
    rows = [
        {"unit": u, "forms": forms_text(listing.forms.get(id_of(u), []), lang)}
        for u in listing.units
    ]
    return render(
        request,
        "admin_units.html",
        {"rows": rows, "total": listing.total, "q": q[:100], "shown": len(rows)},
    )


# ------------------------------------------------------------------------------ import


def _import_page(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    base = {"fmt": "csv", "example_file": EXAMPLE_FILE, "max_mb": MAX_BYTES // 1_000_000}
    return render(request, "admin_units_import.html", {**base, **context}, status_code=status_code)


@router.get("/import", name="admin_units_import")
def import_page(request: Request, actor: CurrentActor) -> Response:
    admin_scope(actor)  # 404 for everyone else
    return _import_page(request, {})


def _upload(form: Any) -> tuple[bytes, str] | None:
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return None
    content = upload.file.read(MAX_BYTES + 1)
    return content, (upload.filename or "units")[-100:]


@router.post("/import", name="admin_units_preview")
def preview(request: Request, session: SessionDep, actor: CurrentActor, form: FormDep) -> Response:
    """Read the uploaded file and show what importing it would do (nothing is written)."""
    admin_scope(actor)
    fmt = str(form.get("format") or "csv")
    uploaded = _upload(form)
    lang = get_lang(request)
    if uploaded is None or not uploaded[0]:
        error = translate("admin.import.no_file", lang)
        return _import_page(request, {"fmt": fmt, "errors": [error]}, status_code=422)
    content, label = uploaded
    try:
        plan = preview_import(session, actor=actor, fmt=fmt, content=content, label=label)
    except InvalidInput as exc:
        return _import_page(request, {"fmt": fmt, "errors": error_lines(exc, lang)}, 422)
    return _import_page(
        request,
        {
            "fmt": fmt,
            "label": label,
            "counts": plan.counts(),
            "changes": change_rows(plan, lang),
            "problems": [say(p, lang) for p in plan.problems],
            "warnings": [say(w, lang) for w in plan.warnings],
            "content": base64.b64encode(content).decode("ascii"),
        },
        status_code=422 if plan.problems else 200,
    )


@router.post("/import/accept", name="admin_units_accept")
def accept(request: Request, session: SessionDep, actor: CurrentActor, form: FormDep) -> Response:
    """Import the previewed file: read and checked again, never taken from the preview."""
    admin_scope(actor)
    fmt = str(form.get("format") or "")
    label = str(form.get("label") or "units")[-100:]
    lang = get_lang(request)
    try:
        content = base64.b64decode(str(form.get("content") or ""), validate=True)
    except (binascii.Error, ValueError):
        content = b""
    if not content:
        error = translate("admin.import.no_file", lang)
        return _import_page(request, {"fmt": fmt or "csv", "errors": [error]}, 422)
    try:
        plan = accept_import(
            session, actor=actor, fmt=fmt, content=content, label=label, ip=client_ip(request)
        )
    except InvalidInput as exc:
        session.rollback()
        return _import_page(request, {"fmt": fmt, "errors": error_lines(exc, lang)}, 422)
    return _import_page(
        request, {"fmt": fmt, "label": label, "done": plan.counts(), "warnings": []}
    )


# ------------------------------------------------------------------------------ one unit


def _unit_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    unit: Unit,
    *,
    errors: list[str] | None = None,
    done: str | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Response:
    forms = unit_forms(session, unit=unit)
    parent = session.get(Unit, unit.parent_id) if unit.parent_id else None
    scope = admin_scope(actor)
    return render(
        request,
        "admin_unit.html",
        {
            "unit": unit,
            "parent": parent,
            "forms": (values or {}).get("forms", forms),
            "name": (values or {}).get("name", unit.name),
            "code": (values or {}).get("code", unit.school_unit_code or ""),
            "all_forms": SCHOOL_FORMS,
            "parents": parent_choices(session, actor=actor, unit=unit),
            "is_root": scope is not None and unit.path in scope,
            "errors": errors or [],
            "done": translate(DONE[done], get_lang(request)) if done in DONE else None,
        },
        status_code=status_code,
    )


@router.get("/{unit_id}", name="admin_unit")
def unit_page(
    request: Request, session: SessionDep, actor: CurrentActor, unit_id: Id, done: str = ""
) -> Response:
    unit = get_unit_for(session, actor=actor, unit_id=unit_id)
    return _unit_page(request, session, actor, unit, done=done)


def _back(request: Request, unit_id: int, done: str) -> Response:
    url = request.app.state.path_for("admin_unit", unit_id=str(unit_id))
    return RedirectResponse(f"{url}?done={done}", status_code=303)


@router.post("/{unit_id}", name="admin_unit_save")
def save_unit(
    request: Request, session: SessionDep, actor: CurrentActor, unit_id: Id, form: FormDep
) -> Response:
    unit = get_unit_for(session, actor=actor, unit_id=unit_id)
    name = str(form.get("name") or "")
    code = str(form.get("school_unit_code") or "")
    forms = [str(f) for f in form.getlist("school_forms")]
    try:
        update_unit(
            session, actor=actor, unit=unit, name=name, school_unit_code=code, forms=forms,
            ip=client_ip(request),
        )  # fmt: skip
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        session.rollback()
        unit = get_unit_for(session, actor=actor, unit_id=unit_id)
        return _unit_page(
            request, session, actor, unit, errors=error_lines(exc, get_lang(request)),
            status_code=exc.status_code, values={"name": name, "code": code, "forms": forms},
        )  # fmt: skip
    return _back(request, unit_id, "saved")


@router.post("/{unit_id}/move", name="admin_unit_move")
def move(
    request: Request, session: SessionDep, actor: CurrentActor, unit_id: Id, form: FormDep
) -> Response:
    unit = get_unit_for(session, actor=actor, unit_id=unit_id)
    try:
        move_unit(
            session, actor=actor, unit=unit, parent_id=ascii_int(str(form.get("parent") or "")),
            ip=client_ip(request),
        )  # fmt: skip
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        session.rollback()
        unit = get_unit_for(session, actor=actor, unit_id=unit_id)
        errors = error_lines(exc, get_lang(request))
        return _unit_page(request, session, actor, unit, errors=errors, status_code=exc.status_code)
    return _back(request, unit_id, "moved")


@router.post("/{unit_id}/active", name="admin_unit_active")
def set_active(
    request: Request, session: SessionDep, actor: CurrentActor, unit_id: Id, form: FormDep
) -> Response:
    unit = get_unit_for(session, actor=actor, unit_id=unit_id)
    value = str(form.get("active") or "")
    try:
        if value not in ("0", "1"):
            raise InvalidInput("err.field.not_one_of", field="active", value=value, allowed="0, 1")
        set_unit_active(session, actor=actor, unit=unit, active=value == "1", ip=client_ip(request))
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        session.rollback()
        unit = get_unit_for(session, actor=actor, unit_id=unit_id)
        errors = error_lines(exc, get_lang(request))
        return _unit_page(request, session, actor, unit, errors=errors, status_code=exc.status_code)
    return _back(request, unit_id, "reactivated" if value == "1" else "deactivated")
