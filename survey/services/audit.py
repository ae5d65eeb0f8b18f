"""The audit log: who did what to which object, and when."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from survey.models import AuditLog


def record(
    session: Session,
    *,
    action: str,
    object_type: str,
    object_id: int | None = None,
    user_id: int | None = None,
    unit_id: int | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditLog:
    row = AuditLog(
        action=action,
        object_type=object_type,
        object_id=object_id,
        user_id=user_id,
        unit_id=unit_id,
        detail=detail or {},
        ip=ip,
    )
    session.add(row)
    return row
