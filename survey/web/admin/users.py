"""People in the browser: users with their role grants in the actor's part of the tree, changing
or revoking a grant, deactivating a user. Administrators see everyone, strategists the people
of their organiser; anything else is 404."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from survey.errors import DomainError, InvalidInput, NotFound
from survey.services.access import Actor
from survey.services.accounts.admin import (
    UserView,
    change_grant,
    get_user_for,
    grantable_roles,
    list_users,
    revoke_grant,
    set_user_active,
)
from survey.services.accounts.users import find_unit
from survey.web.admin.present import DONE, error_lines
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import FormDep, Id, SessionDep, get_lang
from survey.web.i18n import translate
from survey.web.rendering import render

router = APIRouter(prefix="/admin/users", dependencies=[CsrfProtected], include_in_schema=False)


@router.get("", name="admin_users")
def users_page(request: Request, session: SessionDep, actor: CurrentActor, q: str = "") -> Response:
    views, total = list_users(session, actor=actor, q=q)
    return render(
        request,
        "admin_users.html",
        {"views": views, "total": total, "q": q[:100]},
    )


def _user_page(
    request: Request,
    actor: Actor,
    view: UserView,
    *,
    errors: list[str] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "view": view,
        "grantable": grantable_roles(actor),
        "errors": errors or [],
        "done": translate(DONE[done], get_lang(request)) if done in DONE else None,
        "is_self": view.user.id == actor.id,
    }
    return render(request, "admin_user.html", context, status_code=status_code)


@router.get("/{user_id}", name="admin_user")
def user_page(
    request: Request, session: SessionDep, actor: CurrentActor, user_id: Id, done: str = ""
) -> Response:
    view = get_user_for(session, actor=actor, user_id=user_id)
    return _user_page(request, actor, view, done=done)


def _refused(
    request: Request, session: SessionDep, actor: Actor, user_id: int, exc: DomainError
) -> Response:
    if isinstance(exc, NotFound) and not exc.key.startswith("err.grant"):
        raise exc
    session.rollback()
    view = get_user_for(session, actor=actor, user_id=user_id)
    errors = error_lines(exc, get_lang(request))
    return _user_page(request, actor, view, errors=errors, status_code=exc.status_code)


def _back(request: Request, user_id: int, done: str) -> Response:
    url = request.app.state.path_for("admin_user", user_id=str(user_id))
    return RedirectResponse(f"{url}?done={done}", status_code=303)


@router.post("/{user_id}/grants/{grant_id}", name="admin_grant_change")
def grant_change(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    user_id: Id,
    grant_id: Id,
    form: FormDep,
) -> Response:
    view = get_user_for(session, actor=actor, user_id=user_id)
    role = str(form.get("role") or "")
    ref = str(form.get("unit") or "").strip()[:64]
    try:
        if not ref:
            raise InvalidInput("err.field.empty", field="unit")
        try:
            unit_id = find_unit(session, ref=ref).id
        except NotFound:
            raise InvalidInput("err.field.unknown", field="unit", value=ref) from None
        change_grant(
            session, actor=actor, view=view, grant_id=grant_id, role=role, unit_id=unit_id,
            ip=client_ip(request),
        )  # fmt: skip
    except DomainError as exc:
        return _refused(request, session, actor, user_id, exc)
    return _back(request, user_id, "grant_changed")


@router.post("/{user_id}/grants/{grant_id}/revoke", name="admin_grant_revoke")
def grant_revoke(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    user_id: Id,
    grant_id: Id,
    form: FormDep,
) -> Response:
    view = get_user_for(session, actor=actor, user_id=user_id)
    try:
        if form.get("confirm") != "1":
            raise InvalidInput("err.users.confirm")
        revoke_grant(session, actor=actor, view=view, grant_id=grant_id, ip=client_ip(request))
    except DomainError as exc:
        return _refused(request, session, actor, user_id, exc)
    return _back(request, user_id, "grant_revoked")


@router.post("/{user_id}/active", name="admin_user_active")
def user_active(
    request: Request, session: SessionDep, actor: CurrentActor, user_id: Id, form: FormDep
) -> Response:
    view = get_user_for(session, actor=actor, user_id=user_id)
    value = str(form.get("active") or "")
    try:
        if value not in ("0", "1"):
            raise InvalidInput("err.field.not_one_of", field="active", value=value, allowed="0, 1")
        set_user_active(session, actor=actor, view=view, active=value == "1", ip=client_ip(request))
    except DomainError as exc:
        return _refused(request, session, actor, user_id, exc)
    return _back(request, user_id, "user_reactivated" if value == "1" else "user_deactivated")
