"""Importing units in the browser: a preview that writes nothing, then accepting it, which reads
and checks the same file again (the preview is never trusted) and writes it, audited."""

from __future__ import annotations

import hashlib

from sqlmodel import Session

from survey.errors import InvalidInput
from survey.services.access import Actor, admin_scope
from survey.services.audit import record
from survey.services.unitadmin.csvfile import plan_units_csv
from survey.services.unitadmin.plan import Plan, apply_plan
from survey.services.unitadmin.register import plan_register

FORMATS = ("csv", "register")
MAX_BYTES = 5_000_000  # a whole register export is about this size


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def decode(content: bytes, *, label: str) -> str:
    if len(content) > MAX_BYTES:
        raise InvalidInput("err.units.file_too_big", file=label, mb=MAX_BYTES // 1_000_000)
    if not content.strip():
        raise InvalidInput("err.units.file_empty", file=label)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise InvalidInput("err.units.not_utf8", where=f"{label}:{line}") from exc


def preview_import(session: Session, *, actor: Actor, fmt: str, content: bytes, label: str) -> Plan:
    """What importing the file would do, with every problem; writes nothing."""
    scope = admin_scope(actor)
    if fmt not in FORMATS:
        raise InvalidInput(
            "err.field.not_one_of", field="format", value=fmt, allowed=", ".join(FORMATS)
        )
    text = decode(content, label=label)
    planner = plan_units_csv if fmt == "csv" else plan_register
    return planner(session, text=text, label=label, scope=scope)


def accept_import(
    session: Session,
    *,
    actor: Actor,
    fmt: str,
    content: bytes,
    label: str,
    ip: str | None = None,
) -> Plan:
    """Check the file again as the preview did and write it; one audit entry with the counts
    and the file's checksum. Raises InvalidInput (nothing written) when it has problems."""
    plan = preview_import(session, actor=actor, fmt=fmt, content=content, label=label)
    if plan.problems:
        raise InvalidInput(
            "err.import.problems", problems=plan.problems, n=len(plan.problems), file=label
        )
    counts = apply_plan(session, plan=plan)
    record(
        session,
        action="units.import",
        object_type="unit",
        user_id=actor.id,
        detail={
            "format": fmt,
            "file": label[:200],
            "sha256": checksum(content),
            "warnings": len(plan.warnings),
            **counts,
        },
        ip=ip,
    )
    session.flush()
    return plan
