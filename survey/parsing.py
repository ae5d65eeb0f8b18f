"""Whole numbers and text from what people type, clients send and files hold."""

from __future__ import annotations

from pathlib import Path

MAX_INT4 = 2_147_483_647


def ascii_int(raw: str | None, *, maximum: int = MAX_INT4) -> int | None:
    """``raw`` as a non-negative whole number written in ASCII digits (surrounding spaces
    allowed), at most ``maximum``; None for anything else — "²" and "١٢" pass ``str.isdigit``
    but are not numbers a form sends, and a 5,000-digit number is not an id."""
    if raw is None:
        return None
    text = raw.strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None


def encoding_problem(path: Path) -> tuple[int | None, str]:
    """Where a file that should be UTF-8 is not: (line, message), the line of the first byte
    that does not decode (None when none is found)."""
    with path.open("rb") as handle:
        if handle.read(2) in (b"\xff\xfe", b"\xfe\xff"):
            return 1, "the file is UTF-16; save it as UTF-8 (CSV UTF-8 in Excel)"
        handle.seek(0)
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, (
                    f"not UTF-8 text (byte 0x{line[exc.start]:02x} at column {exc.start + 1}); "
                    "save the file as UTF-8"
                )
    return None, "not UTF-8 text; save the file as UTF-8"
