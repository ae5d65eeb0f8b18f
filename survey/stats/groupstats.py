"""The ``groups`` section: per round, scope and group (units sharing the ``group_by`` value).

Segment code of a (round, scope, group) cell: ``(round * n_scopes + scope) * n_groups + group``.
Units with a null score are left out; a row exists for every group with a unit in that round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from survey.stats import grouped as gr
from survey.stats.anova import robust_z
from survey.stats.grouped import FloatArray, IntArray
from survey.stats.inequality import gini, theil
from survey.stats.prepare import Prepared
from survey.stats.result import column_values
from survey.stats.trends import trend_entries
from survey.stats.within import SEGMENT_FIELDS, py, respondent_tests

OUTLIER_Z = -2.0

GROUP_FIELDS = (
    "n_units", "mean", "median", "q1", "q3", "min", "max", "sd", "share_below_floor", "gini",
    "theil", *SEGMENT_FIELDS,
)  # fmt: skip
GROUP_ROW_FIELDS = (
    "round", "group", "scope_type", "scope_id", *GROUP_FIELDS, "flagged", "outliers", "trend",
)  # fmt: skip


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
) -> GroupResult:
    """``tests=False`` leaves out what is about single units inside each group (respondent
    tests, flagged units, outliers, trends): their fields are null or empty lists. The national
    publication needs only the distribution of each group, for hundreds of groups."""
    n_groups = max(len(group_labels), 1)
    n_scopes = len(p.scopes)
    n_seg = p.n_rounds * n_scopes * n_groups
    ur_group = group_codes[p.ur_unit] if p.n_ur else np.zeros(0, dtype=np.int64)
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
    result = GroupResult([])
    if not tests:
        for name in SEGMENT_FIELDS:
            stats[name] = np.full(n_seg, np.nan)
    elif p.q.is_individual:
        within = respondent_tests(p, ur_group, n_groups, unit_ids)
        stats.update(within.segment)
        lists["flagged"] = within.flagged
        result.unit_tests = within.unit
    else:
        for name in SEGMENT_FIELDS:
            stats[name] = np.full(n_seg, np.nan)
        lists["outliers"] = _outliers(p, seg, x, lv, ur[obs], srt, unit_ids)
    lists["trend"] = trend_entries(p, ur_group, n_groups) if tests else {}
    result.rows = _assemble(p, present, n_groups, group_labels, stats, lists)
    return result


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


def _assemble(
    p: Prepared,
    present: Any,
    n_groups: int,
    group_labels: list[str],
    stats: dict[str, Any],
    lists: dict[str, dict[int, list[dict[str, Any]]]],
) -> list[dict[str, Any]]:
    segs = np.flatnonzero(present)
    r, rest = np.divmod(segs, len(p.scopes) * n_groups)
    s, g = np.divmod(rest, n_groups)
    columns = [
        [p.round_labels[i] for i in r.tolist()],
        [group_labels[i] for i in g.tolist()],
        [p.scopes.types[i] for i in s.tolist()],
        [p.scopes.ids[i] for i in s.tolist()],
    ]
    columns += [
        column_values(np.asarray(stats[name])[segs], integer=name.startswith("n_"))
        for name in GROUP_FIELDS
    ]
    seg_list = segs.tolist()
    for name in ("flagged", "outliers", "trend"):
        found = lists[name]
        columns.append([found.get(seg) or [] for seg in seg_list])
    rows = zip(*columns, strict=True)
    return [dict(zip(GROUP_ROW_FIELDS, values, strict=True)) for values in rows]
