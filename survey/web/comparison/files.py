"""Exports of the heat map and the equity tables: XLSX sheets, CSV and Parquet.

Column keys are stable (``FO2.1_index``, ``share_below_floor``); XLSX and CSV show them as
translated headers, Parquet keeps the keys. Missing or suppressed values are empty / null.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from survey.services.comparison.equity import Equity
from survey.services.comparison.heatmap import HeatMap
from survey.sheets import Cell, Sheet
from survey.web.comparison.present import note_sentence
from survey.web.i18n import N_
from survey.web.scopes import ScopeNames

Tr = Callable[..., str]

# The names of the columns and parts of the exports, by their keys.
COLUMNS = {
    "row_type": N_("cmp.col.row_type"),
    "unit_id": N_("cmp.col.unit_id"),
    "unit": N_("cmp.col.unit"),
    "school_form": N_("cmp.col.school_form"),
    "kind": N_("cmp.col.kind"),
    "n_respondents": N_("cmp.col.n_respondents"),
    "reason": N_("cmp.col.reason"),
    "group": N_("cmp.col.group"),
    "scope_type": N_("cmp.col.scope_type"),
    "scope_id": N_("cmp.col.scope_id"),
    "scope": N_("cmp.col.scope"),
    "n_units": N_("cmp.col.n_units"),
    "mean": N_("cmp.col.mean"),
    "median": N_("cmp.col.median"),
    "q1": N_("cmp.col.q1"),
    "q3": N_("cmp.col.q3"),
    "min": N_("cmp.col.min"),
    "max": N_("cmp.col.max"),
    "sd": N_("cmp.col.sd"),
    "share_below_floor": N_("cmp.col.share_below_floor"),
    "gini": N_("cmp.col.gini"),
    "theil": N_("cmp.col.theil"),
    "icc1": N_("cmp.col.icc1"),
    "kruskal_h": N_("cmp.col.kruskal_h"),
    "kruskal_p": N_("cmp.col.kruskal_p"),
    "epsilon2": N_("cmp.col.epsilon2"),
    "n_test_units": N_("cmp.col.n_test_units"),
    "n_test_respondents": N_("cmp.col.n_test_respondents"),
    "median_index": N_("cmp.col.median_index"),
    "level": N_("cmp.col.level"),
    "index": N_("cmp.col.index"),
    "score": N_("cmp.col.score"),
    "cliffs_delta": N_("cmp.col.cliffs_delta"),
    "p_adj": N_("cmp.col.p_adj"),
    "mark": N_("cmp.col.mark"),
    "by": N_("cmp.col.by"),
    "n": N_("cmp.col.n"),
    "h": N_("cmp.col.h"),
    "p": N_("cmp.col.p"),
    "theil_total": N_("cmp.col.theil_total"),
    "theil_between": N_("cmp.col.theil_between"),
    "theil_within": N_("cmp.col.theil_within"),
    "between_share": N_("cmp.col.between_share"),
    "robust_z": N_("cmp.col.robust_z"),
    "level_gap": N_("cmp.col.level_gap"),
    "sentence": N_("cmp.col.sentence"),
}
SHEETS = {
    "spread": N_("cmp.sheet.spread"),
    "units": N_("cmp.sheet.units"),
    "splits": N_("cmp.sheet.splits"),
    "notes": N_("cmp.sheet.notes"),
}


@dataclass(frozen=True)
class Table:
    """An export part: stable column keys (Parquet) and translated labels (XLSX, CSV)."""

    key: str
    title: str
    keys: list[str]
    labels: list[str]
    rows: list[list[Cell]]

    def sheet(self) -> Sheet:
        return Sheet(self.key, self.title, self.labels, self.rows)


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def heat_map_table(hm: HeatMap, *, tr: Tr, names: ScopeNames) -> Table:
    """The table as shown (view, filters, sort), the organiser's median rows first."""
    individual = hm.results.q.is_individual
    keys = ["row_type", "unit_id", "unit", "school_form", "kind"]
    labels = [tr(COLUMNS[k]) for k in keys]
    if individual:
        keys.append("n_respondents")
        labels.append(tr("cmp.col.n_respondents"))
    keys.append("reason")
    labels.append(tr("cmp.col.reason"))
    for column in hm.columns:
        keys += [f"{column.key}_level", f"{column.key}_index"]
        labels += [
            tr("cmp.col.scope_level", scope=names.label(column)),
            tr("cmp.col.scope_index", scope=names.label(column)),
        ]
    rows: list[list[Cell]] = []
    for median in hm.medians:
        row: list[Cell] = ["median", None, tr("cmp.median_of", name=median.name), None, None]
        row += [None] * individual + [None]
        for column in hm.columns:
            row += [None, _r(median.cells[column.key], 1)]
        rows.append(row)
    for line in hm.rows:
        row = ["unit", line.unit.id, line.unit.name, line.form, line.unit.kind]
        if individual:
            row.append(line.n_respondents)
        row.append(line.reason)
        for column in hm.columns:
            cell = line.cells[column.key]
            row += [cell.level, _r(cell.index, 1)]
        rows.append(row)
    return Table("heatmap", tr("cmp.sheet.heatmap"), keys, labels, rows)


SPREAD = (
    "n_units", "mean", "median", "q1", "q3", "min", "max", "sd", "share_below_floor", "gini",
    "theil", "icc1", "kruskal_h", "kruskal_p", "epsilon2", "n_test_units", "n_test_respondents",
)  # fmt: skip
SPLIT = ("n", "h", "p", "epsilon2", "theil_total", "theil_between", "theil_within", "between_share")


def equity_tables(eq: Equity, *, tr: Tr, names: ScopeNames) -> list[Table]:
    """Spread per scope, every unit's result, the decompositions and the flagged units."""
    scope_keys = ["group", "scope_type", "scope_id", "scope"]
    spread: list[list[Cell]] = []
    units: list[list[Cell]] = []
    splits: list[list[Cell]] = []
    notes: list[list[Cell]] = []
    for panel in eq.panels.values():
        column = panel.column
        where: list[Cell] = [
            panel.group_name, column.scope_type, column.scope_id, names.full(column)
        ]  # fmt: skip
        stats = panel.stats
        spread.append([*where, *(stats.get(k) for k in SPREAD), _r(panel.box["median"], 2)])
        for point in panel.points:
            r = point.row
            units.append([
                *where, point.ru.unit.id, point.ru.unit.name, point.ru.school_form, r["level"],
                _r(r["index"], 2), r["score"], r["n_respondents"], r["cliffs_delta"], r["p_adj"],
                point.mark,
            ])  # fmt: skip
        for split in panel.splits:
            splits.append([*where, split.by, *(split.row.get(k) for k in SPLIT)])
        for note in panel.notes:
            v = note.values
            notes.append([
                *where, note.ru.unit.id, note.ru.unit.name, note.kind, v.get("delta"),
                v.get("p_adj"), v.get("robust_z"), v.get("level_gap"), v.get("n"),
                note_sentence(note, panel, tr, names),
            ])  # fmt: skip
    parts = (
        ("spread", [*scope_keys, *SPREAD, "median_index"], spread),
        ("units", [*scope_keys, "unit_id", "unit", "school_form", "level", "index", "score",
                   "n_respondents", "cliffs_delta", "p_adj", "mark"], units),
        ("splits", [*scope_keys, "by", *SPLIT], splits),
        ("notes", [*scope_keys, "unit_id", "unit", "kind", "cliffs_delta", "p_adj", "robust_z",
                   "level_gap", "n_respondents", "sentence"], notes),
    )  # fmt: skip
    return [
        Table(key, tr(SHEETS[key]), cols, [tr(COLUMNS[c]) for c in cols], rows)
        for key, cols, rows in parts
    ]


def parquet_bytes(tables: list[Table]) -> bytes:
    """One Parquet file; several parts become one table with a ``section`` column first and the
    union of the parts' columns (null where a part has no such column)."""
    keys: list[str] = list(dict.fromkeys(k for t in tables for k in t.keys))
    columns: dict[str, list[Cell]] = {k: [] for k in keys}
    sections: list[str] = []
    for table in tables:
        where = {k: i for i, k in enumerate(table.keys)}
        for row in table.rows:
            sections.append(table.key)
            for k in keys:
                columns[k].append(row[where[k]] if k in where else None)
    arrays = {k: _array(v) for k, v in columns.items()}
    if len(tables) > 1:
        arrays = {"section": pa.array(sections, pa.string()), **arrays}
    buffer = io.BytesIO()
    pq.write_table(pa.table(arrays), buffer)
    return buffer.getvalue()


def _array(values: list[Cell]) -> pa.Array:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.array(values, pa.int64())
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pa.array([None if v is None else float(v) for v in values], pa.float64())  # type: ignore[arg-type]
    return pa.array([None if v is None else str(v) for v in values], pa.string())
