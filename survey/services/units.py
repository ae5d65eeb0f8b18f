"""Units: the tree nation → region → organiser → school unit, and its CSV import."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from survey.errors import InvalidInput, Message, msg
from survey.models import ORGANISER_TYPES, SCHOOL_FORMS, UNIT_KINDS, Unit, UnitSchoolForm, id_of

# Which kinds may sit directly under which.
PARENT_KINDS: dict[str, tuple[str | None, ...]] = {
    "nation": (None,),
    "region": ("nation",),
    "organiser": ("region", "nation"),
    "school": ("organiser",),
    "preschool": ("organiser",),
    "adult_education": ("organiser",),
}
CODE_PATTERNS = {
    "school_unit_code": (re.compile(r"^\d{8}$"), "8 digits"),
    "municipality_code": (re.compile(r"^\d{4}$"), "4 digits"),
    "county_code": (re.compile(r"^\d{2}$"), "2 digits"),
    "organisation_number": (re.compile(r"^\d{6}-?\d{4}$"), "NNNNNN-NNNN"),
}
REQUIRED_COLUMNS = ("unit_id", "name", "kind", "parent_id")
OPTIONAL_COLUMNS = (
    "school_unit_code",
    "municipality_code",
    "county_code",
    "organisation_number",
    "organiser_type",
    "school_forms",
    "contact_email",
)


def add_unit(
    session: Session,
    *,
    kind: str,
    name: str,
    parent: Unit | None = None,
    school_forms: Iterable[str] = (),
    **attributes: str | None,
) -> Unit:
    """Create a unit under ``parent`` and set its materialised path."""
    unit = Unit(kind=kind, name=name, parent_id=parent.id if parent else None)
    for column, value in attributes.items():
        setattr(unit, column, value)
    session.add(unit)
    session.flush()
    unit_id = id_of(unit)
    unit.path = f"{parent.path if parent else '/'}{unit_id}/"
    for form in school_forms:
        session.add(UnitSchoolForm(unit_id=unit_id, school_form=form))
    return unit


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    forms: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    created: int
    updated: int


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _check_row(row: _Row, label: str) -> list[Message]:
    errors = []
    v = row.values
    where = f"{label}:{row.line}"
    if not v["unit_id"]:
        errors.append(msg("err.field.empty", where, field="unit_id"))
    if not v["name"]:
        errors.append(msg("err.field.empty", where, field="name"))
    if v["kind"] not in UNIT_KINDS:
        errors.append(
            msg("err.field.not_one_of", where, field="kind", value=v["kind"],
                allowed=", ".join(UNIT_KINDS))
        )  # fmt: skip
    for column, (pattern, shape) in CODE_PATTERNS.items():
        value = v.get(column, "")
        if value and not pattern.match(value):
            errors.append(msg("err.field.not_shape", where, field=column, value=value, shape=shape))
    org_type = v.get("organiser_type", "")
    if org_type and org_type not in ORGANISER_TYPES:
        errors.append(
            msg("err.field.not_one_of", where, field="organiser_type", value=org_type,
                allowed=", ".join(ORGANISER_TYPES))
        )  # fmt: skip
    for form in row.forms:
        if form not in SCHOOL_FORMS:
            errors.append(
                msg("err.field.not_one_of", where, field="school_forms", value=form,
                    allowed=", ".join(SCHOOL_FORMS))
            )  # fmt: skip
    return errors


def import_units_csv(
    session: Session,
    *,
    text: str,
    label: str = "units.csv",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Create or update units from CSV; any bad row raises InvalidInput naming its line.

    Columns: unit_id, name, kind, parent_id (another unit_id in the file or an existing
    unit's external id) and optionally the codes, organiser_type, school_forms (``;``-separated)
    and contact_email. Rows may come in any order. Nothing is written unless every row is good.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InvalidInput(
            "err.import.missing_columns", where=f"{label}:1", columns=", ".join(missing)
        )
    rows: list[_Row] = []
    errors: list[Message] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        values = {c.strip(): _clean(raw.get(c)) for c in raw if c is not None}
        for column in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
            values.setdefault(column, "")
        row = _Row(
            line, values, [f.strip() for f in values["school_forms"].split(";") if f.strip()]
        )
        errors.extend(_check_row(row, label))
        key = values["unit_id"]
        if key in seen:
            errors.append(msg("err.import.duplicate", f"{label}:{line}", value=key, line=seen[key]))
        seen.setdefault(values["unit_id"], line)
        rows.append(row)
    if not rows and not errors:
        errors.append(msg("err.import.no_rows", label))

    existing = {
        u.external_id: u
        for u in session.exec(select(Unit).where(col(Unit.external_id).is_not(None)))
        if u.external_id is not None
    }
    by_id = {r.values["unit_id"]: r for r in rows}
    kinds = {key: r.values["kind"] for key, r in by_id.items()}
    kinds.update({key: u.kind for key, u in existing.items() if key not in kinds})
    for row in rows:
        parent = row.values["parent_id"]
        kind = row.values["kind"]
        if kind not in PARENT_KINDS:
            continue
        if parent and parent not in kinds:
            errors.append(msg("err.import.unknown_parent", f"{label}:{row.line}", value=parent))
            continue
        parent_kind = kinds.get(parent) if parent else None
        if parent_kind not in PARENT_KINDS[kind]:
            allowed = " | ".join(k or "–" for k in PARENT_KINDS[kind])
            errors.append(
                msg("err.import.wrong_parent", f"{label}:{row.line}", kind=kind, allowed=allowed,
                    actual=parent_kind or "–")
            )  # fmt: skip
    if errors:
        raise InvalidInput("err.import.problems", problems=errors, n=len(errors), file=label)

    # Parents first: depth in the file's own tree decides the order.
    def depth(key: str, trail: tuple[str, ...] = ()) -> int:
        parent = by_id[key].values["parent_id"]
        if not parent or parent not in by_id or parent in trail:
            return 0
        return 1 + depth(parent, (*trail, key))

    ordered = sorted(rows, key=lambda r: depth(r.values["unit_id"]))
    created = updated = 0
    units = dict(existing)
    for index, row in enumerate(ordered):
        v = row.values
        attributes = {c: (v[c] or None) for c in OPTIONAL_COLUMNS if c != "school_forms"}
        parent_unit = units.get(v["parent_id"]) if v["parent_id"] else None
        unit = units.get(v["unit_id"])
        if unit is None:
            unit = add_unit(
                session,
                kind=v["kind"],
                name=v["name"],
                parent=parent_unit,
                school_forms=row.forms,
                external_id=v["unit_id"],
                **attributes,
            )
            units[v["unit_id"]] = unit
            created += 1
        else:
            unit.kind, unit.name = v["kind"], v["name"]
            for column, value in attributes.items():
                setattr(unit, column, value)
            unit_id = id_of(unit)
            if parent_unit is not None and unit.parent_id != parent_unit.id:
                unit.parent_id = parent_unit.id
                _move_subtree(session, old=unit.path, new=f"{parent_unit.path}{unit_id}/")
            for old_form in session.exec(
                select(UnitSchoolForm).where(UnitSchoolForm.unit_id == unit_id)
            ):
                session.delete(old_form)
            session.flush()
            for form in row.forms:
                session.add(UnitSchoolForm(unit_id=unit_id, school_form=form))
            updated += 1
        if progress:
            progress(index + 1, len(ordered))
    session.flush()
    return ImportResult(created=created, updated=updated)


def _move_subtree(session: Session, *, old: str, new: str) -> None:
    for node in session.exec(select(Unit).where(col(Unit.path).startswith(old))):
        node.path = new + node.path[len(old) :]


def subtree_filter(unit: Unit) -> ColumnElement[bool]:
    """SQL condition: units at or below ``unit``."""
    return col(Unit.path).startswith(unit.path)
