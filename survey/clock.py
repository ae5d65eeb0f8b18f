"""Time: every stored moment is UTC; dates people see and type are Swedish local time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    LOCAL_TZ: Any = ZoneInfo("Europe/Stockholm")
except ZoneInfoNotFoundError:  # a system without time zone data: UTC
    LOCAL_TZ = UTC


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    """Today in Sweden (a round's dates are Swedish dates)."""
    return datetime.now(LOCAL_TZ).date()


def local_naive(moment: datetime) -> datetime:
    """A moment as Swedish local time without a zone (spreadsheets have no time zones)."""
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None)
