"""People in the browser: users and their role grants within the actor's part of the tree;
changing or revoking a grant, deactivating a user. Every change is audited; no change may leave
the service without an active administrator."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from survey.errors import Conflict, InvalidInput, NotFound
from survey.models import ROLES, RoleGrant, Unit, User, id_of
from survey.services.access import Actor, admin_scope, in_scope
from survey.services.audit import record

PAGE_SIZE = 100
# Strategists hand out the roles of their own organisation only.
STRATEGIST_ROLES = ("principal", "strategist")


@dataclass(frozen=True)
class GrantView:
    grant: RoleGrant
    unit: Unit


@dataclass(frozen=True)
class UserView:
    user: User
    grants: list[GrantView]  # those in the actor's part of the tree
    hidden_grants: int  # grants elsewhere, not shown to this actor


def grantable_roles(actor: Actor) -> tuple[str, ...]:
    return ROLES if actor.is_admin else STRATEGIST_ROLES


def _grants(session: Session, user_ids: list[int]) -> dict[int, list[GrantView]]:
    found: dict[int, list[GrantView]] = {}
    if user_ids:
        rows = session.exec(
            select(RoleGrant, Unit)
            .join(Unit, col(Unit.id) == RoleGrant.unit_id)
            .where(col(RoleGrant.user_id).in_(user_ids))
            .order_by(col(RoleGrant.id))
        )
        for grant, unit in rows:
            found.setdefault(grant.user_id, []).append(GrantView(grant, unit))
    return found


def _view(user: User, grants: list[GrantView], scope: list[str] | None) -> UserView:
    shown = [g for g in grants if in_scope(g.unit.path, scope)]
    return UserView(user, shown, len(grants) - len(shown))


def list_users(session: Session, *, actor: Actor, q: str = "") -> tuple[list[UserView], int]:
    """Users with a role in the actor's part of the tree (every user for administrators) whose
    email or name contains ``q``; the first PAGE_SIZE by email, and how many there are."""
    scope = admin_scope(actor)
    query = select(User)
    if scope is not None:
        in_part = (
            select(RoleGrant.user_id)
            .join(Unit, col(Unit.id) == RoleGrant.unit_id)
            .where(or_(*(col(Unit.path).startswith(p) for p in scope)))
        )
        query = query.where(col(User.id).in_(in_part))
    text = q.strip()[:100].lower()
    if text:
        like = f"%{text}%"
        query = query.where(
            or_(func.lower(User.email).like(like), func.lower(User.name).like(like))
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    users = list(session.exec(query.order_by(col(User.email)).limit(PAGE_SIZE)))
    grants = _grants(session, [u.id for u in users if u.id])
    return [_view(u, grants.get(u.id, []), scope) for u in users if u.id], total


def get_user_for(session: Session, *, actor: Actor, user_id: int) -> UserView:
    """The user with the grants the actor may see; NotFound when the user has no role in the
    actor's part of the tree (administrators see everyone)."""
    scope = admin_scope(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("err.user.not_found")
    view = _view(user, _grants(session, [user_id]).get(user_id, []), scope)
    if scope is not None and not view.grants:
        raise NotFound("err.user.not_found")
    return view


def _active_admins(session: Session, *, without_grant: int = 0, without_user: int = 0) -> int:
    query = (
        select(func.count(func.distinct(RoleGrant.user_id)))
        .join(User, col(User.id) == RoleGrant.user_id)
        .where(RoleGrant.role == "admin", col(User.is_active).is_(True))
        .where(RoleGrant.id != without_grant, User.id != without_user)
    )
    return session.exec(query).one()


def _grant_of(view: UserView, grant_id: int) -> RoleGrant:
    for item in view.grants:
        if item.grant.id == grant_id:
            return item.grant
    raise NotFound("err.grant.not_found")


def change_grant(
    session: Session,
    *,
    actor: Actor,
    view: UserView,
    grant_id: int,
    role: str,
    unit_id: int | None,
    ip: str | None = None,
) -> RoleGrant:
    """Give a grant another role or unit (both in the actor's reach)."""
    scope = admin_scope(actor)
    grant = _grant_of(view, grant_id)
    roles = grantable_roles(actor)
    if role not in roles:
        raise InvalidInput("err.field.not_one_of", field="role", value=role,
                           allowed=", ".join(roles))  # fmt: skip
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or not in_scope(unit.path, scope):
        raise InvalidInput("err.field.unknown", field="unit", value=unit_id or "")
    if (role, unit.id) == (grant.role, grant.unit_id):
        return grant
    if (
        grant.role == "admin"
        and role != "admin"
        and not _active_admins(session, without_grant=grant_id)
    ):
        raise Conflict("err.users.last_admin")
    duplicate = session.exec(
        select(RoleGrant).where(
            RoleGrant.user_id == grant.user_id, RoleGrant.unit_id == unit.id, RoleGrant.role == role
        )
    ).first()
    if duplicate is not None:
        raise Conflict("err.users.grant_exists", role=role, unit=unit.name)
    before = {"role": grant.role, "unit_id": grant.unit_id}
    grant.role, grant.unit_id, grant.granted_by = role, id_of(unit), actor.id
    session.flush()
    record(
        session,
        action="role.change",
        object_type="user",
        object_id=grant.user_id,
        unit_id=unit.id,
        user_id=actor.id,
        detail={"grant": grant_id, "before": before, "after": {"role": role, "unit_id": unit.id}},
        ip=ip,
    )
    return grant


def revoke_grant(
    session: Session, *, actor: Actor, view: UserView, grant_id: int, ip: str | None = None
) -> None:
    grant = _grant_of(view, grant_id)
    if grant.role == "admin" and not _active_admins(session, without_grant=grant_id):
        raise Conflict("err.users.last_admin")
    record(
        session,
        action="role.revoke",
        object_type="user",
        object_id=grant.user_id,
        unit_id=grant.unit_id,
        user_id=actor.id,
        detail={"grant": grant_id, "role": grant.role},
        ip=ip,
    )
    session.delete(grant)
    session.flush()


def set_user_active(
    session: Session, *, actor: Actor, view: UserView, active: bool, ip: str | None = None
) -> bool:
    """Deactivate (no sign-in, sessions end) or reactivate a user. A strategist may do this
    only for users whose every role is in their part of the tree. Returns whether it changed."""
    user = view.user
    if view.hidden_grants:
        raise Conflict("err.users.roles_elsewhere")
    if user.is_active == active:
        return False
    is_admin = any(g.grant.role == "admin" for g in view.grants)
    if not active and is_admin and not _active_admins(session, without_user=user.id or 0):
        raise Conflict("err.users.last_admin")
    user.is_active = active
    session.flush()
    record(
        session,
        action="user.reactivate" if active else "user.deactivate",
        object_type="user",
        object_id=user.id,
        user_id=actor.id,
        ip=ip,
    )
    return True
