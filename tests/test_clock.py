"""Moments: stored in UTC, read back aware in UTC on both databases, written to spreadsheets as
Swedish local time (issue 15: one column type instead of fix-ups after every read)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy.exc import StatementError
from sqlmodel import Session, select

from survey.models import AuditLog
from survey.sheets import Sheet, csv_bytes, xlsx_bytes


@pytest.mark.parametrize("zone", [UTC, timezone(timedelta(hours=-5))])
def test_a_moment_comes_back_aware_in_utc(engine, zone: timezone) -> None:  # type: ignore[no-untyped-def]
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC).astimezone(zone)
    with Session(engine) as session:
        session.add(AuditLog(action="test", object_type="test", object_id=1, at=moment))
        session.commit()
    with Session(engine) as session:
        stored = session.exec(select(AuditLog.at).where(AuditLog.action == "test")).one()
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == moment


def test_a_naive_moment_is_refused(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        session.add(AuditLog(action="test", object_type="test", object_id=1,
                             at=datetime(2026, 1, 1, 12)))  # fmt: skip
        with pytest.raises(StatementError, match="naive datetime"):
            session.commit()


def test_spreadsheets_show_swedish_local_time() -> None:
    # 2026-03-29 01:30 UTC is 03:30 in Stockholm (summer time began at 01:00 UTC that day);
    # 2026-01-15 12:00 UTC is 13:00 (winter time).
    summer = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    winter = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    sheet = Sheet("t", "T", ["at"], [[summer], [winter]])
    text = csv_bytes([sheet]).decode("utf-8-sig")
    assert text.splitlines()[1:] == ["2026-03-29 03:30:00", "2026-01-15 13:00:00"]
    book = load_workbook(io.BytesIO(xlsx_bytes([sheet])))
    cells = [row[0].value for row in book.active.iter_rows(min_row=2)]
    assert cells == [datetime(2026, 3, 29, 3, 30), datetime(2026, 1, 15, 13, 0)]
