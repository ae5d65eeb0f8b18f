"""One plan for every unit import: rows read from a file (CSV or the school unit register) are
compared with the tree, checked against the actor's part of it, previewed, then applied.

A reader (``csvfile``, ``register``) turns a file into :class:`Row` s and the problems it found
while reading; :func:`plan_import` adds what only the tree can tell (parents, kinds, scope,
cycles) and the changes each row makes; :func:`apply_plan` writes them. Nothing is written
while a plan has problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from survey.errors import Message, msg
from survey.models import SCHOOL_FORMS, Unit, UnitSchoolForm
from survey.services.access import in_scope
from survey.services.units import PARENT_KINDS, add_unit, move_subtree, set_school_forms

# The columns an import may set on a unit (besides kind, name, parent, forms, active).
ATTRIBUTES = (
    "school_unit_code",
    "municipality_code",
    "county_code",
    "organisation_number",
    "organiser_type",
    "contact_email",
    "external_id",
)


@dataclass
class Row:
    """One unit as a file describes it."""

    where: str  # "units.csv:5", "register.json[3]"
    key: str  # unique within the file
    kind: str
    name: str
    parent_key: str | None = None  # another row of the file …
    parent_id: int | None = None  # … or a unit of the tree
    attributes: dict[str, str | None] = field(default_factory=dict)
    forms: list[str] | None = None  # None: leave as they are
    active: bool | None = None  # None: leave as it is (new units are active)
    unit_id: int | None = None  # the unit of the tree this row updates


@dataclass
class Change:
    """What a row does to the tree, for the preview."""

    where: str
    name: str
    kind: str
    action: str  # create | update | unchanged
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field → (old, new)
    active: bool = True  # after the import
    deactivates: bool = False
    reactivates: bool = False


@dataclass
class Plan:
    rows: list[Row]
    changes: list[Change] = field(default_factory=list)
    problems: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)

    def count(self, what: str) -> int:
        if what in ("deactivated", "reactivated"):
            flag = "deactivates" if what == "deactivated" else "reactivates"
            return sum(1 for c in self.changes if getattr(c, flag))
        action = {"created": "create", "updated": "update", "unchanged": "unchanged"}[what]
        return sum(1 for c in self.changes if c.action == action)

    def counts(self) -> dict[str, int]:
        names = ("created", "updated", "unchanged", "deactivated", "reactivated")
        return {name: self.count(name) for name in names}


def forms_of(session: Session, unit_ids: list[int]) -> dict[int, list[str]]:
    forms: dict[int, list[str]] = {}
    if unit_ids:
        rows = session.exec(
            select(UnitSchoolForm.unit_id, UnitSchoolForm.school_form).where(
                col(UnitSchoolForm.unit_id).in_(unit_ids)
            )
        )
        for unit_id, form in rows:
            forms.setdefault(unit_id, []).append(form)
    return {u: sorted(f, key=SCHOOL_FORMS.index) for u, f in forms.items()}


def plan_import(
    session: Session,
    *,
    rows: list[Row],
    scope: list[str] | None,
    problems: list[Message] | None = None,
    warnings: list[Message] | None = None,
) -> Plan:
    """Check ``rows`` against the tree and work out what each one changes (writes nothing).

    ``scope``: the paths of the actor's part of the tree (None: the whole tree). A row may
    update units in it and create units under units in it; moving a unit needs a new parent
    in it and is refused for the top of the actor's part itself.
    """
    plan = Plan(rows=rows, problems=list(problems or ()), warnings=list(warnings or ()))
    by_key = {r.key: r for r in rows}
    wanted = {r.unit_id for r in rows if r.unit_id} | {r.parent_id for r in rows if r.parent_id}
    units = (
        {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(wanted)))}
        if wanted
        else {}
    )
    forms = forms_of(session, [r.unit_id for r in rows if r.unit_id])
    old_parents = {u.parent_id for u in units.values() if u.parent_id} - set(units)
    names = {u.id: u.name for u in units.values()}
    if old_parents:
        found = session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(old_parents)))
        names.update(dict(found.all()))

    def parent_unit(row: Row) -> Unit | None:
        if row.parent_key is not None:
            parent_row = by_key.get(row.parent_key)
            return units.get(parent_row.unit_id) if parent_row and parent_row.unit_id else None
        return units.get(row.parent_id) if row.parent_id else None

    def row_in_scope(row: Row, trail: tuple[str, ...] = ()) -> bool:
        if scope is None:
            return True
        if row.unit_id is not None:
            return in_scope(units[row.unit_id].path, scope)
        if row.parent_key is not None and row.parent_key in by_key and row.key not in trail:
            return row_in_scope(by_key[row.parent_key], (*trail, row.key))
        parent = parent_unit(row)
        return parent is not None and in_scope(parent.path, scope)

    roots = set(scope or ())
    for row in rows:
        _check_parent(plan, row, by_key, parent_unit(row), units)
        unit = units.get(row.unit_id) if row.unit_id else None
        if not row_in_scope(row):
            plan.problems.append(msg("err.units.outside", row.where, name=row.name))
            continue
        if unit is not None:
            parent = parent_unit(row)
            new_parent_id = parent.id if parent else row.parent_id
            moved = (row.parent_key is not None or row.parent_id is not None) and (
                new_parent_id != unit.parent_id
            )
            if moved and unit.path in roots:
                plan.problems.append(msg("err.units.move_root", row.where, name=unit.name))
            elif moved and parent is not None and not in_scope(parent.path, scope):
                plan.problems.append(msg("err.units.outside", row.where, name=parent.name))
            elif moved and parent is not None and parent.path.startswith(unit.path):
                plan.problems.append(msg("err.units.cycle", row.where, name=unit.name))
        old_forms = forms.get(row.unit_id or 0, [])
        plan.changes.append(_change(row, unit, old_forms, parent_unit(row), names))
    _check_file_cycles(plan, by_key)
    return plan


def _check_parent(
    plan: Plan, row: Row, by_key: dict[str, Row], parent: Unit | None, units: dict[Any, Unit]
) -> None:
    if row.kind not in PARENT_KINDS:
        return
    if row.parent_key is not None:
        parent_row = by_key.get(row.parent_key)
        parent_kind = parent_row.kind if parent_row else None
    elif row.parent_id is not None:
        parent_kind = parent.kind if parent else None
    elif row.unit_id is not None:
        return  # the parent stays as it is
    else:
        parent_kind = None
    if parent_kind not in PARENT_KINDS[row.kind]:
        allowed = " | ".join(k or "–" for k in PARENT_KINDS[row.kind])
        plan.problems.append(
            msg("err.import.wrong_parent", row.where, kind=row.kind, allowed=allowed,
                actual=parent_kind or "–")
        )  # fmt: skip


def _check_file_cycles(plan: Plan, by_key: dict[str, Row]) -> None:
    for row in by_key.values():
        seen = {row.key}
        current = row
        while current.parent_key is not None and current.parent_key in by_key:
            if current.parent_key in seen:
                plan.problems.append(msg("err.units.cycle", row.where, name=row.name))
                break
            seen.add(current.parent_key)
            current = by_key[current.parent_key]


def _change(
    row: Row, unit: Unit | None, forms: list[str], parent: Unit | None, names: dict[Any, str]
) -> Change:
    if unit is None:
        active = row.active is not False
        return Change(row.where, row.name, row.kind, "create", active=active)
    fields: dict[str, tuple[Any, Any]] = {}
    if row.name != unit.name:
        fields["name"] = (unit.name, row.name)
    if row.kind != unit.kind:
        fields["kind"] = (unit.kind, row.kind)
    for column, value in row.attributes.items():
        if (getattr(unit, column) or None) != (value or None):
            fields[column] = (getattr(unit, column), value)
    if row.forms is not None and sorted(row.forms) != sorted(forms):
        fields["school_forms"] = (", ".join(forms), ", ".join(row.forms))
    if parent is not None and parent.id != unit.parent_id:
        fields["parent"] = (names.get(unit.parent_id, ""), parent.name)
    active = unit.active if row.active is None else row.active
    change = Change(row.where, row.name, row.kind, "update" if fields else "unchanged")
    change.fields, change.active = fields, active
    change.deactivates = unit.active and not active
    change.reactivates = not unit.active and active
    if change.deactivates or change.reactivates:
        change.action = "update"
    return change


def apply_plan(session: Session, *, plan: Plan) -> dict[str, int]:
    """Write a plan without problems: parents before children. Returns the counts."""
    assert not plan.problems, "a plan with problems is never applied"
    by_key = {r.key: r for r in plan.rows}

    def depth(row: Row, trail: tuple[str, ...] = ()) -> int:
        parent = by_key.get(row.parent_key) if row.parent_key else None
        if parent is None or parent.key in trail:
            return 0
        return 1 + depth(parent, (*trail, row.key))

    made: dict[str, Unit] = {}
    for row in sorted(plan.rows, key=depth):
        parent: Unit | None = None
        if row.parent_key is not None:
            parent = made[row.parent_key]
        elif row.parent_id is not None:
            parent = session.get(Unit, row.parent_id)
        if row.unit_id is None:
            made[row.key] = add_unit(
                session,
                kind=row.kind,
                name=row.name,
                parent=parent,
                school_forms=row.forms or (),
                active=row.active is not False,
                **row.attributes,
            )
            continue
        unit = session.get(Unit, row.unit_id)
        assert unit is not None
        unit.kind, unit.name = row.kind, row.name
        for column, value in row.attributes.items():
            setattr(unit, column, value)
        if row.active is not None:
            unit.active = row.active
        if parent is not None and unit.parent_id != parent.id:
            unit.parent_id = parent.id
            move_subtree(session, old=unit.path, new=f"{parent.path}{unit.id}/")
        if row.forms is not None:
            set_school_forms(session, unit=unit, forms=row.forms)
        made[row.key] = unit
    session.flush()
    return plan.counts()
