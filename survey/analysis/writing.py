"""Write an :class:`survey.stats.Analysis` as JSON, CSV (one file per section) or XLSX.

Floats are written unrounded (shortest text that reads back to the same double), missing
values as JSON ``null`` / empty cells. List fields of ``groups`` and ``comparisons`` (flagged,
outliers, trend, values) are JSON text inside CSV and XLSX cells. Every file is written to a
temporary name first and renamed at the end, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pyarrow.csv as pacsv

from survey.analysis.jsonout import units_table, write_json
from survey.stats import COMPARISON_ROW_FIELDS, GROUP_ROW_FIELDS, UNIT_FIELDS, Analysis

SECTIONS = ("units", "groups", "comparisons")


def csv_paths(output: Path) -> dict[str, Path]:
    """``out.csv`` -> ``out_units.csv``, ``out_groups.csv``, ``out_comparisons.csv``."""
    base = output.with_suffix("") if output.suffix.lower() == ".csv" else output
    return {s: base.with_name(f"{base.name}_{s}.csv") for s in SECTIONS}


@contextmanager
def atomic(paths: list[Path]) -> Iterator[list[Path]]:
    temps = [p.with_name(f".{p.name}.{os.getpid()}.tmp") for p in paths]
    try:
        yield temps
        for temp, path in zip(temps, paths, strict=True):
            os.replace(temp, path)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, allow_nan=False)
    return value


ROW_FIELDS = {"groups": GROUP_ROW_FIELDS, "comparisons": COMPARISON_ROW_FIELDS}


def _write_dict_csv(rows: list[dict[str, Any]], fields: tuple[str, ...], out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow(["" if row[f] is None else _text_cell(row[f]) for f in fields])


def _text_cell(value: Any) -> str:
    value = _cell(value)
    return repr(value) if isinstance(value, float) else str(value)


def write_csv(analysis: Analysis, output: Path) -> list[Path]:
    paths = csv_paths(output)
    targets = [paths[s] for s in SECTIONS]
    with atomic(targets) as temps:
        pacsv.write_csv(units_table(analysis), temps[0])
        for temp, name in zip(temps[1:], ("groups", "comparisons"), strict=True):
            with temp.open("w", encoding="utf-8", newline="") as handle:
                _write_dict_csv(getattr(analysis, name), ROW_FIELDS[name], handle)
    return targets


def write_xlsx(
    analysis: Analysis, output: Path, progress: Callable[[str], None] | None = None
) -> list[Path]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    info = book.create_sheet("questionnaire")
    info.append(["key", "version"])
    info.append([analysis.questionnaire["key"], analysis.questionnaire["version"]])
    units = book.create_sheet("units")
    units.append(list(UNIT_FIELDS))
    columns = [analysis.unit_column(name) for name in UNIT_FIELDS]
    for row in zip(*columns, strict=True):
        units.append(list(row))
    if progress:
        progress("units sheet")
    for name, rows in (("groups", analysis.groups), ("comparisons", analysis.comparisons)):
        sheet = book.create_sheet(name)
        fields = ROW_FIELDS[name]
        sheet.append(list(fields))
        for record in rows:
            sheet.append([_cell(record[f]) for f in fields])
    with atomic([output]) as temps:
        book.save(temps[0])
    return [output]


def write(
    analysis: Analysis,
    fmt: str,
    output: Path | None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write in ``fmt`` (json, csv, xlsx); JSON without ``output`` goes to stdout."""
    if fmt == "json":
        fields = (GROUP_ROW_FIELDS, COMPARISON_ROW_FIELDS)
        if output is None:
            write_json(analysis, sys.stdout.buffer, *fields)
            sys.stdout.flush()
            return []
        with atomic([output]) as temps, temps[0].open("wb") as handle:
            write_json(analysis, handle, *fields)
        return [output]
    if output is None:
        raise ValueError(f"--output is required for --format {fmt}")
    if fmt == "csv":
        return write_csv(analysis, output)
    return write_xlsx(analysis, output, progress)
