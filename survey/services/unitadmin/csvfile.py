"""The units CSV: reading it into import rows (``survey import-units`` and the browser import)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from survey.errors import InvalidInput, Message, message_key, msg
from survey.models import ORGANISER_TYPES, SCHOOL_FORMS, UNIT_KINDS, Unit
from survey.services.unitadmin.plan import Plan, Row, apply_plan, plan_import
from survey.services.units import CODE_PATTERNS

REQUIRED_COLUMNS = ("unit_id", "name", "kind", "parent_id")
OPTIONAL_COLUMNS = (
    "school_unit_code",
    "municipality_code",
    "county_code",
    "organisation_number",
    "organiser_type",
    "school_forms",
    "contact_email",
    "active",
)
TRUE = ("1", "yes", "ja", "true", "y", "j")
FALSE = ("0", "no", "nej", "false", "n")


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0
    deactivated: int = 0


def _check(values: dict[str, str], forms: list[str], where: str) -> list[Message]:
    errors = []
    v = values
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
    for form in forms:
        if form not in SCHOOL_FORMS:
            errors.append(
                msg("err.field.not_one_of", where, field="school_forms", value=form,
                    allowed=", ".join(SCHOOL_FORMS))
            )  # fmt: skip
    active = v.get("active", "").lower()
    if active and active not in TRUE + FALSE:
        errors.append(
            msg("err.field.not_one_of", where, field="active", value=v["active"],
                allowed="1, 0, ja, nej, yes, no")
        )  # fmt: skip
    return errors


def read_units_csv(
    session: Session, *, text: str, label: str = "units.csv"
) -> tuple[list[Row], list[Message]]:
    """The rows of a units CSV and every problem found reading it, each naming its line.

    Columns: unit_id, name, kind, parent_id (another unit_id in the file or an existing
    unit's external id) and optionally the codes, organiser_type, school_forms (``;``-separated),
    contact_email and active (1/0, ja/nej; empty keeps the unit's state). Rows may come in any
    order.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        params: dict[str, object] = {"where": f"{label}:1", "columns": ", ".join(missing)}
        return [], [Message(message_key("err.import.missing_columns"), params)]
    rows: list[Row] = []
    errors: list[Message] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        where = f"{label}:{line}"
        values = {c.strip(): (raw.get(c) or "").strip() for c in raw if c is not None}
        for column in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
            values.setdefault(column, "")
        forms = [f.strip() for f in values["school_forms"].split(";") if f.strip()]
        errors.extend(_check(values, forms, where))
        key = values["unit_id"]
        if key in seen:
            errors.append(msg("err.import.duplicate", where, value=key, line=seen[key]))
        seen.setdefault(key, line)
        active = values["active"].lower()
        attributes = {
            c: (values[c] or None) for c in OPTIONAL_COLUMNS if c not in ("school_forms", "active")
        }
        attributes["external_id"] = key
        rows.append(
            Row(
                where=where,
                key=key,
                kind=values["kind"],
                name=values["name"],
                parent_key=values["parent_id"] or None,
                attributes=attributes,
                forms=forms,
                active=True if active in TRUE else False if active in FALSE else None,
            )
        )
    if not rows and not errors:
        errors.append(msg("err.import.no_rows", label))
    _resolve(session, rows, errors)
    return rows, errors


def _resolve(session: Session, rows: list[Row], errors: list[Message]) -> None:
    """Existing units by external id: the unit a row updates, a parent outside the file."""
    keys = {r.key for r in rows} | {r.parent_key for r in rows if r.parent_key}
    existing = {
        u.external_id: u
        for u in session.exec(select(Unit).where(col(Unit.external_id).in_(keys)))
        if u.external_id
    }
    in_file = {r.key for r in rows}
    for row in rows:
        found = existing.get(row.key)
        row.unit_id = found.id if found else None
        parent = row.parent_key
        if parent is None or parent in in_file:
            continue
        if parent in existing:
            row.parent_key, row.parent_id = None, existing[parent].id
        else:
            errors.append(msg("err.import.unknown_parent", row.where, value=parent))
            row.parent_key = None


def plan_units_csv(
    session: Session, *, text: str, label: str, scope: list[str] | None = None
) -> Plan:
    rows, problems = read_units_csv(session, text=text, label=label)
    return plan_import(session, rows=rows, scope=scope, problems=problems)


def import_units_csv(
    session: Session,
    *,
    text: str,
    label: str = "units.csv",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Create or update units from CSV (the whole tree); any bad row raises InvalidInput naming
    its line. Nothing is written unless every row is good."""
    plan = plan_units_csv(session, text=text, label=label)
    if plan.problems:
        raise InvalidInput(
            "err.import.problems", problems=plan.problems, n=len(plan.problems), file=label
        )
    counts = apply_plan(session, plan=plan)
    if progress:
        progress(len(plan.rows), len(plan.rows))
    return ImportResult(
        created=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        deactivated=counts["deactivated"],
    )
