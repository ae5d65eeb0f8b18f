"""The audit log: who did what to which object, and when."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from survey.models import Assessment, AuditLog


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


def record_assessment(
    session: Session,
    action: str,
    *,
    assessment: Assessment,
    user_id: int | None,
    ip: str | None,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """An audit entry about an assessment (and so its unit)."""
    return record(
        session,
        action=action,
        object_type="assessment",
        object_id=assessment.id,
        unit_id=assessment.unit_id,
        user_id=user_id,
        detail=detail,
        ip=ip,
    )
