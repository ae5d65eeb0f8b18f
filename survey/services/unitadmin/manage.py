"""Editing units in the browser: list and search the actor's part of the tree, change a unit's
name, code and school forms, move it, deactivate or reactivate it. Every change is audited;
the checks are the import's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from survey.errors import Conflict, InvalidInput, Message, NotFound, msg
from survey.models import SCHOOL_FORMS, Unit
from survey.services.access import Actor, admin_scope, in_scope
from survey.services.audit import record
from survey.services.unitadmin.plan import forms_of
from survey.services.units import CODE_PATTERNS, PARENT_KINDS, move_subtree, set_school_forms

PAGE_SIZE = 100


@dataclass(frozen=True)
class UnitListing:
    units: list[Unit]
    forms: dict[int, list[str]]
    total: int


def _scoped(scope: list[str] | None) -> SelectOfScalar[Unit]:
    if scope is None:
        return select(Unit)
    return select(Unit).where(or_(*(col(Unit.path).startswith(p) for p in scope)))


def list_units(
    session: Session, *, actor: Actor, q: str = "", include_inactive: bool = True
) -> UnitListing:
    """Units in the actor's part of the tree whose name or codes contain ``q``, by path."""
    query = _scoped(admin_scope(actor))
    text = q.strip()[:100]
    if text:
        like = f"%{text.lower()}%"
        query = query.where(
            or_(
                func.lower(Unit.name).like(like),
                col(Unit.school_unit_code).like(like),
                func.lower(Unit.external_id).like(like),
            )
        )
    if not include_inactive:
        query = query.where(col(Unit.active).is_(True))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    units = list(session.exec(query.order_by(col(Unit.path)).limit(PAGE_SIZE)))
    return UnitListing(units, forms_of(session, [u.id for u in units if u.id]), total)


def get_unit_for(session: Session, *, actor: Actor, unit_id: int) -> Unit:
    """The unit if it is in the actor's part of the tree, else NotFound."""
    unit = session.get(Unit, unit_id)
    if unit is None or not in_scope(unit.path, admin_scope(actor)):
        raise NotFound("err.unit.not_found", ref=unit_id)
    return unit


def unit_forms(session: Session, *, unit: Unit) -> list[str]:
    return forms_of(session, [unit.id]).get(unit.id, []) if unit.id else []


def parent_choices(session: Session, *, actor: Actor, unit: Unit) -> list[Unit]:
    """Units the actor may move ``unit`` under: of a kind allowed above it, in the actor's part
    of the tree, not the unit itself or below it."""
    kinds = [k for k in PARENT_KINDS.get(unit.kind, ()) if k]
    if not kinds:
        return []
    query = _scoped(admin_scope(actor)).where(col(Unit.kind).in_(kinds))
    found = session.exec(query.order_by(col(Unit.name)))
    return [u for u in found if not u.path.startswith(unit.path)]


def update_unit(
    session: Session,
    *,
    actor: Actor,
    unit: Unit,
    name: str,
    school_unit_code: str,
    forms: list[str],
    ip: str | None = None,
) -> dict[str, tuple[object, object]]:
    """Change a unit's name, school unit code and school forms; InvalidInput naming every bad
    field (nothing changed). Returns the changed fields."""
    name, code = name.strip(), school_unit_code.strip()
    problems: list[Message] = []
    if not name:
        problems.append(msg("err.field.empty", field="name"))
    elif len(name) > 200:
        problems.append(msg("err.field.too_long", field="name", max=200))
    pattern, shape = CODE_PATTERNS["school_unit_code"]
    if code and not pattern.match(code):
        problems.append(
            msg("err.field.not_shape", field="school_unit_code", value=code, shape=shape)
        )
    elif code:
        other = session.exec(
            select(Unit).where(Unit.school_unit_code == code, Unit.id != unit.id)
        ).first()
        if other is not None:
            problems.append(msg("err.units.code_taken", value=code, name=other.name))
    for form in forms:
        if form not in SCHOOL_FORMS:
            problems.append(
                msg("err.field.not_one_of", field="school_forms", value=form,
                    allowed=", ".join(SCHOOL_FORMS))
            )  # fmt: skip
    if problems:
        raise InvalidInput("err.units.invalid", problems=problems, n=len(problems))
    old_forms = unit_forms(session, unit=unit)
    changes: dict[str, tuple[object, object]] = {}
    if name != unit.name:
        changes["name"] = (unit.name, name)
    if (code or None) != unit.school_unit_code:
        changes["school_unit_code"] = (unit.school_unit_code, code or None)
    new_forms = sorted(dict.fromkeys(forms), key=SCHOOL_FORMS.index)
    if new_forms != old_forms:
        changes["school_forms"] = (old_forms, new_forms)
    if not changes:
        return changes
    unit.name, unit.school_unit_code = name, code or None
    set_school_forms(session, unit=unit, forms=new_forms)
    session.flush()
    detail = {k: [v[0], v[1]] for k, v in changes.items()}
    _audit(session, actor, unit, "unit.update", detail, ip)
    return changes


def move_unit(
    session: Session, *, actor: Actor, unit: Unit, parent_id: int | None, ip: str | None = None
) -> None:
    """Move ``unit`` (and everything below it) under another unit of the actor's part of the
    tree; never under itself or a unit below it, never the top of the actor's part."""
    scope = admin_scope(actor)
    if parent_id is None:
        raise InvalidInput("err.field.empty", field="parent")
    if scope is not None and unit.path in scope:
        raise Conflict("err.units.move_root", name=unit.name)
    parent = session.get(Unit, parent_id)
    if parent is None or not in_scope(parent.path, scope):
        raise InvalidInput("err.field.unknown", field="parent", value=parent_id)
    if parent.path.startswith(unit.path):
        raise InvalidInput("err.units.cycle", name=unit.name)
    if parent.kind not in PARENT_KINDS.get(unit.kind, ()):
        allowed = " | ".join(k or "–" for k in PARENT_KINDS[unit.kind])
        raise InvalidInput(
            "err.import.wrong_parent", kind=unit.kind, allowed=allowed, actual=parent.kind
        )
    if parent.id == unit.parent_id:
        return
    old_parent = unit.parent_id
    unit.parent_id = parent.id
    move_subtree(session, old=unit.path, new=f"{parent.path}{unit.id}/")
    session.flush()
    _audit(session, actor, unit, "unit.move", {"from": old_parent, "to": parent.id}, ip)


def set_unit_active(
    session: Session, *, actor: Actor, unit: Unit, active: bool, ip: str | None = None
) -> bool:
    """Deactivate or reactivate ``unit``; an inactive unit and everything below it receive no
    new rounds, and keep their history. The top of the actor's part stays as it is. Returns
    whether anything changed."""
    scope = admin_scope(actor)
    if scope is not None and unit.path in scope:
        raise Conflict("err.units.deactivate_root", name=unit.name)
    if unit.active == active:
        return False
    unit.active = active
    session.flush()
    _audit(session, actor, unit, "unit.reactivate" if active else "unit.deactivate", {}, ip)
    return True


def _audit(
    session: Session, actor: Actor, unit: Unit, action: str, detail: dict, ip: str | None
) -> None:
    record(
        session,
        action=action,
        object_type="unit",
        object_id=unit.id,
        unit_id=unit.id,
        user_id=actor.id,
        detail=detail,
        ip=ip,
    )
