"""The ``groups`` section: per round, scope and group (units sharing the ``group_by`` value).

Segment code of a (round, scope, group) cell: ``(round * n_scopes + scope) * n_groups + group``.
Units with a null score are left out; a row exists for every group with a unit in that round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from survey.stats import grouped as gr
from survey.stats.anova import robust_z
from survey.stats.inequality import gini, theil
from survey.stats.prepare import Prepared
from survey.stats.result import Coded, ObjectLists, column_values
from survey.stats.trends import trend_entries
from survey.stats.types import FloatArray, IntArray
from survey.stats.within import (
    SEGMENT_FIELDS,
    Within,
    py,
    respondent_tests,
    start_respondent_tests,
)

if TYPE_CHECKING:
    from concurrent.futures import Executor

OUTLIER_Z = -2.0

GROUP_FIELDS = (
    "n_units", "mean", "median", "q1", "q3", "min", "max", "sd", "share_below_floor", "gini",
    "theil", *SEGMENT_FIELDS,
)  # fmt: skip
GROUP_ROW_FIELDS = (
    "round", "group", "scope_type", "scope_id", *GROUP_FIELDS, "flagged", "outliers", "trend",
)  # fmt: skip
LIST_FIELDS = ("flagged", "outliers", "trend")
INTEGER_GROUP_FIELDS = frozenset(name for name in GROUP_FIELDS if name.startswith("n_"))


@dataclass
class GroupResult:
    rows: list[dict[str, Any]]
    # Per (scope, unit-round), the unit's Mann-Whitney test against the rest of its group.
    unit_tests: dict[str, FloatArray] = field(default_factory=dict)


def group_rows(
    p: Prepared,
    group_codes: IntArray,
    group_labels: list[str],
    unit_ids: list[str],
    *,
    tests: bool = True,
    pool: Executor | None = None,
    within: Within | None = None,
) -> GroupResult:
    """``tests=False`` leaves out what is about single units inside each group (respondent
    tests, flagged units, outliers, trends): their fields are null or empty lists. The national
    publication needs only the distribution of each group, for hundreds of groups.

    ``pool`` (optional): an executor for the trends and each scope's respondent tests, which
    then run alongside the rest (the result is the same). ``within``: the respondent tests of
    an individual questionnaire, already made (:func:`start_group_tests`).

    The two halves, :func:`group_distribution` and :func:`finish_group_rows`, can also be
    called apart, e.g. to compute the distribution while the respondent tests run."""
    parts = group_distribution(p, group_codes, group_labels, unit_ids, tests=tests, pool=pool)
    return finish_group_rows(p, parts, group_labels, unit_ids, pool=pool, within=within)


@dataclass
class GroupParts:
    """Everything of the ``groups`` section but the respondent tests (per segment)."""

    tests: bool
    n_groups: int
    ur_group: IntArray
    present: npt.NDArray[np.bool_]
    stats: dict[str, Any]
    lists: dict[str, dict[int, list[dict[str, Any]]]]


def group_distribution(
    p: Prepared,
    group_codes: IntArray,
    group_labels: list[str],
    unit_ids: list[str],
    *,
    tests: bool = True,
    pool: Executor | None = None,
) -> GroupParts:
    """The first half of :func:`group_rows`: each group's distribution, its outliers (unit-level
    questionnaires) and trends."""
    n_groups = max(len(group_labels), 1)
    n_scopes = len(p.scopes)
    n_seg = p.n_rounds * n_scopes * n_groups
    ur_group = group_codes[p.ur_unit] if p.n_ur else np.zeros(0, dtype=np.int64)
    trends = pool.submit(trend_entries, p, ur_group, n_groups) if pool and tests else None
    ur = np.tile(np.arange(p.n_ur), n_scopes)
    scope = np.repeat(np.arange(n_scopes), p.n_ur)
    g = ur_group[ur]
    cell_seg = np.where(g >= 0, (p.ur_round[ur] * n_scopes + scope) * n_groups + g, -1)
    score, level = p.unit.score.ravel(), p.unit.level.ravel()
    present = np.bincount(cell_seg[cell_seg >= 0], minlength=n_seg) > 0
    obs = (cell_seg >= 0) & ~np.isnan(score)
    seg, x, lv = cell_seg[obs], score[obs], level[obs]
    srt = gr.sort_by_segment(seg, x, n_seg)
    n, mean, sd = gr.mean_sd(seg, x, n_seg)
    with np.errstate(invalid="ignore", divide="ignore"):
        below = np.bincount(seg, weights=lv < p.q.scoring.floor_level, minlength=n_seg) / n
    stats: dict[str, Any] = {
        "n_units": n, "mean": mean, "median": gr.median(srt), "q1": gr.quantile(srt, 0.25),
        "q3": gr.quantile(srt, 0.75), "min": gr.minimum(srt), "max": gr.maximum(srt), "sd": sd,
        "share_below_floor": below, "gini": gini(srt), "theil": theil(seg, x, n_seg),
    }  # fmt: skip
    lists: dict[str, dict[int, list[dict[str, Any]]]] = {"flagged": {}, "outliers": {}}
    if not tests or not p.q.is_individual:
        for name in SEGMENT_FIELDS:
            stats[name] = np.full(n_seg, np.nan)
    if tests and not p.q.is_individual:
        lists["outliers"] = _outliers(p, seg, x, lv, ur[obs], srt, unit_ids)
    if trends is not None:
        lists["trend"] = trends.result()
    else:
        lists["trend"] = trend_entries(p, ur_group, n_groups) if tests else {}
    return GroupParts(tests, n_groups, ur_group, present, stats, lists)


def finish_group_rows(
    p: Prepared,
    parts: GroupParts,
    group_labels: list[str],
    unit_ids: list[str],
    *,
    pool: Executor | None = None,
    within: Within | None = None,
) -> GroupResult:
    """The second half of :func:`group_rows`: the respondent tests (individual questionnaires;
    made here unless given as ``within``), then the rows."""
    done = finish_group_columns(p, parts, group_labels, unit_ids, pool=pool, within=within)
    return GroupResult(_rows(done.columns), done.unit_tests)


@dataclass
class GroupColumns:
    """The rows of :func:`group_rows` column by column: labels as :class:`Coded`, numbers as
    arrays (NaN = null; the fields in :data:`INTEGER_GROUP_FIELDS` are whole numbers), list
    fields as one list per row."""

    columns: dict[str, Any]
    n_rows: int
    unit_tests: dict[str, FloatArray]


def finish_group_columns(
    p: Prepared,
    parts: GroupParts,
    group_labels: list[str],
    unit_ids: list[str],
    *,
    pool: Executor | None = None,
    within: Within | None = None,
) -> GroupColumns:
    """:func:`finish_group_rows` without making the rows (dicts) from the columns."""
    unit_tests: dict[str, FloatArray] = {}
    stats, lists = dict(parts.stats), dict(parts.lists)
    if parts.tests and p.q.is_individual:
        if within is None:
            within = respondent_tests(p, parts.ur_group, parts.n_groups, unit_ids, pool)
        stats.update(within.segment)
        unit_tests = within.unit
    segs = np.flatnonzero(parts.present)
    r, rest = np.divmod(segs, len(p.scopes) * parts.n_groups)
    s, g = np.divmod(rest, parts.n_groups)
    columns: dict[str, Any] = {
        "round": Coded(r, p.round_labels), "group": Coded(g, group_labels),
        "scope_type": Coded(s, p.scopes.types), "scope_id": Coded(s, p.scopes.ids),
    }  # fmt: skip
    for name in GROUP_FIELDS:
        columns[name] = np.asarray(stats[name])[segs]
    seg_list = segs.tolist()
    for name in LIST_FIELDS:
        found = lists[name]
        columns[name] = [found.get(seg) or [] for seg in seg_list]
    if within is not None:
        columns["flagged"] = within.flagged_lists(segs)
    return GroupColumns(columns, int(segs.size), unit_tests)


def _rows(columns: dict[str, Any]) -> list[dict[str, Any]]:
    values = [
        _lists(columns[name]) if name in LIST_FIELDS
        else column_values(columns[name], integer=name in INTEGER_GROUP_FIELDS)
        for name in GROUP_ROW_FIELDS
    ]  # fmt: skip
    return [dict(zip(GROUP_ROW_FIELDS, row, strict=True)) for row in zip(*values, strict=True)]


def start_group_tests(
    p: Prepared,
    group_codes: IntArray,
    group_labels: list[str],
    unit_ids: list[str],
    pool: Executor | None = None,
) -> Callable[[], Within] | None:
    """The respondent tests :func:`group_rows` makes for an individual questionnaire, started
    apart (as tasks of ``pool``, if given); None for a unit-level questionnaire."""
    if not p.q.is_individual:
        return None
    ur_group = group_codes[p.ur_unit] if p.n_ur else np.zeros(0, dtype=np.int64)
    return start_respondent_tests(p, ur_group, max(len(group_labels), 1), unit_ids, pool)


def _outliers(
    p: Prepared,
    seg: IntArray,
    x: FloatArray,
    lv: FloatArray,
    ur: IntArray,
    srt: gr.Sorted,
    unit_ids: list[str],
) -> dict[int, list[dict[str, Any]]]:
    """Unit-level questionnaires: robust z <= -2, or level <= the group's median level - 1."""
    n_seg = srt.count.size
    z, _, _ = robust_z(seg, x, n_seg, srt)
    median_level = gr.median(gr.sort_by_segment(seg, lv, n_seg))[seg]
    with np.errstate(invalid="ignore"):
        is_out = (z <= OUTLIER_Z) | (lv <= median_level - 1)
    out: dict[int, list[dict[str, Any]]] = {}
    for i in np.flatnonzero(is_out).tolist():
        out.setdefault(int(seg[i]), []).append({
            "unit_id": unit_ids[p.ur_unit[ur[i]]], "score": float(x[i]), "level": int(lv[i]),
            "robust_z": py(float(z[i])), "level_gap": float(median_level[i] - lv[i]),
        })  # fmt: skip
    return out


def _lists(column: ObjectLists | list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    return column.lists() if isinstance(column, ObjectLists) else column
