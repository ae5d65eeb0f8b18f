"""The equity panel of a round: per scope and group, the engine's distribution, dispersion,
decomposition, flagged units (individual questionnaires) and outliers (unit-level ones).

Only the engine's numbers are used (see :mod:`survey.services.comparison.heatmap`); scores
are shown on the index scale through the engine's ``index_of``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from survey.errors import InvalidInput, msg
from survey.questionnaire import Questionnaire
from survey.services.access import Actor
from survey.services.comparison.heatmap import (
    COMPARE_BY,
    Results,
    ScopeColumn,
    load_results,
    scope_columns,
    summary_link,
    unit_names,
)
from survey.services.rounds.access import RoundScope
from survey.services.rounds.results import RoundUnit

# Points on the index scale drawn as a box: (name, group row field)
BOX_FIELDS = (("min", "min"), ("q1", "q1"), ("median", "median"), ("q3", "q3"), ("max", "max"))


@dataclass
class Point:
    """One unit in the panel: its engine row and how it stands out, if it does."""

    ru: RoundUnit
    row: dict[str, Any]
    mark: str | None  # below | above (flagged), outlier, or None
    summary_id: int | None


@dataclass
class Note:
    """A flagged unit or an outlier, with the numbers its sentence needs."""

    kind: str  # below | above | outlier
    ru: RoundUnit
    summary_id: int | None
    values: dict[str, Any]


@dataclass
class Split:
    """The engine's comparison of all units by one attribute (Theil decomposition, Kruskal)."""

    by: str
    row: dict[str, Any]
    values: list[dict[str, Any]]  # value, n, median (score) and median_index


@dataclass
class Panel:
    column: ScopeColumn
    group: str
    group_name: str
    organiser_type: str | None
    stats: dict[str, Any]  # the engine's group row
    box: dict[str, float | None]  # min, q1, median, q3, max on the index scale
    points: list[Point]
    notes: list[Note]
    splits: list[Split]
    unit_word: str  # school | preschool | unit: what the group's units are called

    @property
    def n_units(self) -> int:
        return int(self.stats.get("n_units") or 0)


@dataclass
class Equity:
    results: Results
    columns: list[ScopeColumn]
    groups: list[tuple[str, str]]  # (label, name)
    group: str | None
    panels: dict[str, Panel] = field(default_factory=dict)  # column key → panel

    @property
    def individual(self) -> bool:
        return self.results.q.is_individual


def parse_scope(value: str | None, columns: list[ScopeColumn]) -> ScopeColumn:
    """``subgoal:FO2.1``, ``area:ledning`` or ``total`` (default: the total)."""
    value = value or "total"
    for column in columns:
        if value in (f"{column.scope_type}:{column.scope_id}", column.scope_id):
            return column
    allowed = ", ".join(f"{c.scope_type}:{c.scope_id}" for c in columns)
    problems = [msg("err.field.not_one_of", field="scope", value=value, allowed=allowed)]
    raise InvalidInput("err.cmp.scope", problems=problems)


def _unit_word(units: list[RoundUnit]) -> str:
    kinds = {ru.unit.kind for ru in units}
    if kinds == {"school"}:
        return "school"
    if kinds == {"preschool"}:
        return "preschool"
    return "unit"


def _panel(results: Results, actor: Actor, column: ScopeColumn, group: str) -> Panel:
    stats = results.group_row(group, column)
    by_id = unit_names(results)
    members = [ru for ru in results.raw.included if ru.organiser and str(ru.organiser.id) == group]
    marks: dict[str, str] = {}
    notes = []
    median_index = results.index(stats.get("median"))
    for flag in stats.get("flagged") or []:
        ru = by_id[flag["unit_id"]]
        row = results.unit_row(ru.unit_id, column)
        marks[flag["unit_id"]] = flag["direction"]
        values = {
            "delta": flag["cliffs_delta"],
            "p_adj": flag["p_adj"],
            "n": row.get("n_respondents"),
            "index": row.get("index"),
        }
        notes.append(Note(flag["direction"], ru, summary_link(actor, ru), values))
    for out in stats.get("outliers") or []:
        ru = by_id[out["unit_id"]]
        row = results.unit_row(ru.unit_id, column)
        marks[out["unit_id"]] = "outlier"
        values = {
            "index": row.get("index"),
            "level": out["level"],
            "robust_z": out["robust_z"],
            "level_gap": out["level_gap"],
            "median_index": median_index,
        }
        notes.append(Note("outlier", ru, summary_link(actor, ru), values))
    notes.sort(key=lambda n: (n.kind == "above", n.values.get("index") or 0))
    points = []
    for ru in members:
        row = results.unit_row(ru.unit_id, column)
        if row.get("index") is not None:
            uid = str(ru.unit.id)
            points.append(Point(ru, row, marks.get(uid), summary_link(actor, ru)))
    points.sort(key=lambda p: p.row["index"])
    splits = []
    for by in COMPARE_BY:
        split = results.comparisons.get((results.rid, by, column.scope_type, column.scope_id))
        if split is None or (by != "school_form" and len(split["values"]) < 2):
            continue
        groups = [{**v, "median_index": results.index(v["median"])} for v in split["values"]]
        splits.append(Split(by, split, groups))
    box = {name: results.index(stats.get(key)) for name, key in BOX_FIELDS}
    return Panel(
        column,
        group,
        results.group_names.get(group, group),
        results.group_types.get(group),
        stats,
        box,
        points,
        notes,
        splits,
        _unit_word(members),
    )


def equity(
    session: Session,
    *,
    scope: RoundScope,
    q: Questionnaire,
    actor: Actor,
    k: int,
    k_detail: int,
    group: str | None = None,
    tag: str | None = None,
) -> Equity:
    """Panels for every scope of one group (default: the owner, else the first by name)."""
    results = load_results(
        session, scope=scope, q=q, k=k, tag=tag, compare_by=COMPARE_BY, k_detail=k_detail
    )
    columns = scope_columns(results.q)
    labels = results.groups()
    if group is not None and group not in labels:
        problems = [msg("err.field.unknown", field="group", value=group)]
        raise InvalidInput("err.cmp.group", problems=problems)
    chosen = group or (labels[0] if labels else None)
    out = Equity(results, columns, [(g, results.group_names.get(g, g)) for g in labels], chosen)
    if chosen is not None:
        for column in columns:
            out.panels[column.key] = _panel(results, actor, column, chosen)
    return out
