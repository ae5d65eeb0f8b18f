"""Tabular files: sheets written as XLSX or CSV, safe for spreadsheets (no cell runs as a
formula; moments in Swedish local time, since spreadsheets have no time zones), and ASCII file
names."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from survey.clock import local_naive

Cell = str | int | float | date | datetime | None


@dataclass(frozen=True)
class Sheet:
    """One part of an export: a sheet in XLSX, a ``section`` in the combined CSV."""

    key: str  # about | answers | scores | plan (the CSV ``section`` value)
    title: str
    columns: list[str]
    rows: list[list[Cell]]


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def file_stem(*parts: str, fallback: str = "export") -> str:
    """An ASCII file name without extension from its parts, e.g.
    ``kvarnbackaskolan-sjalvvardering-vt-2026-handlingsplan`` (at most 150 characters)."""
    return "-".join(s for s in (slug(p) for p in parts) if s)[:150].strip("-") or fallback


def _xlsx_cell(sheet: object, value: Cell) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = local_naive(value)
    cell = WriteOnlyCell(
        sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
    )
    if isinstance(value, str):
        cell.data_type = "s"  # user text starting with "=" stays text, never a formula
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    book = Workbook(write_only=True)
    for part in sheets:
        sheet = book.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", part.title)[:31])
        sheet.freeze_panes = "A2"
        for index, name in enumerate(part.columns, start=1):
            width = max([len(name), *(len(str(r[index - 1] or "")) for r in part.rows)])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, width + 2))
        header = []
        for name in part.columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in part.rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(value: str) -> str:
    """Text for a CSV cell: a spreadsheet would run a cell starting like a formula; a leading '
    keeps it text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = local_naive(value) if value.tzinfo is not None else value
        return local.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return csv_text(value)
    return str(value)


def csv_bytes(sheets: list[Sheet]) -> bytes:
    """UTF-8 with BOM (so Excel reads the encoding), comma-separated. Several parts share one
    header: a ``section`` column first, then the union of the parts' columns."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    if len(sheets) == 1:
        writer.writerow(sheets[0].columns)
        writer.writerows([_csv_value(v) for v in row] for row in sheets[0].rows)
    else:
        columns = list(dict.fromkeys(c for part in sheets for c in part.columns))
        writer.writerow(["section", *columns])
        for part in sheets:
            where = [columns.index(c) for c in part.columns]
            for row in part.rows:
                cells = [""] * len(columns)
                for position, value in zip(where, row, strict=True):
                    cells[position] = _csv_value(value)
                writer.writerow([part.key, *cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
