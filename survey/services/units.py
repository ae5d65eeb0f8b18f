"""Units: the tree nation → region → organiser → school unit (adding, moving, scope filters).
Importing and editing units is in :mod:`survey.services.unitadmin`."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from survey.models import Unit, UnitSchoolForm, id_of

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


def add_unit(
    session: Session,
    *,
    kind: str,
    name: str,
    parent: Unit | None = None,
    school_forms: Iterable[str] = (),
    **attributes: str | bool | None,
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


def move_subtree(session: Session, *, old: str, new: str) -> None:
    """Rewrite the materialised paths of ``old``'s subtree to start with ``new``."""
    for node in session.exec(select(Unit).where(col(Unit.path).startswith(old))):
        node.path = new + node.path[len(old) :]


def set_school_forms(session: Session, *, unit: Unit, forms: Iterable[str]) -> None:
    for row in session.exec(select(UnitSchoolForm).where(UnitSchoolForm.unit_id == unit.id)):
        session.delete(row)
    session.flush()
    for form in dict.fromkeys(forms):
        session.add(UnitSchoolForm(unit_id=id_of(unit), school_form=form))


def subtree_filter(unit: Unit) -> ColumnElement[bool]:
    """SQL condition: units at or below ``unit``."""
    return col(Unit.path).startswith(unit.path)


def inactive_paths(session: Session, *, under: str) -> list[str]:
    """The paths of the inactive units at or below ``under`` (few: closed units)."""
    return list(
        session.exec(
            select(Unit.path).where(col(Unit.path).startswith(under), col(Unit.active).is_(False))
        )
    )


def without_inactive(units: Iterable[Unit], paths: list[str]) -> list[Unit]:
    """``units`` without the inactive ones and those below an inactive unit: a deactivated
    unit (and everything under it) receives no new rounds."""
    return [u for u in units if not any(u.path.startswith(p) for p in paths)]
