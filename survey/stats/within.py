"""Individual questionnaires: tests over respondent scores within each group, scope by scope.

Only units with >= 2 respondent scores take part, and a group needs >= 2 such units; otherwise
the group's statistics are null and nobody is flagged. Per group: ICC(1), Kruskal-Wallis H, p
and epsilon2 = H / (N - 1); per unit against the rest of its group: Mann-Whitney U and p,
Cliff's delta, Holm-adjusted p. Flagged: p_adj < 0.05 and |delta| >= 0.33.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from survey.stats import grouped as gr
from survey.stats.anova import icc1
from survey.stats.grouped import FloatArray, IntArray
from survey.stats.prepare import Prepared
from survey.stats.ranktests import holm, kruskal, one_vs_rest

FLAG_P = 0.05
FLAG_DELTA = 0.33
SEGMENT_FIELDS = ("icc1", "kruskal_h", "kruskal_p", "epsilon2", "n_test_units",
                  "n_test_respondents")  # fmt: skip
UNIT_FIELDS = ("u", "p", "cliffs_delta", "p_adj")


def py(value: float) -> float | None:
    return None if math.isnan(value) else value


@dataclass
class Within:
    segment: dict[str, FloatArray]  # per (round, scope, group) segment
    unit: dict[str, FloatArray]  # per (scope, unit-round), flattened scope-major
    flagged: dict[int, list[dict[str, Any]]]  # segment -> flagged units


def respondent_tests(p: Prepared, ur_group: IntArray, n_groups: int, unit_ids: list[str]) -> Within:
    assert p.resp_score is not None and p.set_ur is not None
    n_scopes = len(p.scopes)
    n_local = p.n_rounds * n_groups  # segments of one scope: round * n_groups + group
    n_seg = n_local * n_scopes
    out = Within(
        {name: np.full(n_seg, np.nan) for name in SEGMENT_FIELDS},
        {name: np.full(n_scopes * p.n_ur, np.nan) for name in UNIT_FIELDS},
        {},
    )
    set_group = ur_group[p.set_ur]
    set_local = p.ur_round[p.set_ur] * n_groups + set_group
    local = np.arange(n_local)
    for s in range(n_scopes):
        x = p.resp_score[s]
        ok = ~np.isnan(x) & (set_group >= 0) & (p.unit.n_respondents[s][p.set_ur] >= 2)
        ur, seg, x = p.set_ur[ok], set_local[ok], x[ok]
        unit_seg = np.full(p.n_ur, -1, dtype=np.int64)
        unit_seg[ur] = seg
        k = np.bincount(unit_seg[unit_seg >= 0], minlength=n_local)
        glob = (local // n_groups * n_scopes + s) * n_groups + local % n_groups
        out.segment["n_test_units"][glob] = k
        out.segment["n_test_respondents"][glob] = np.bincount(seg, minlength=n_local)
        keep = k[seg] >= 2
        ur, seg, x = ur[keep], seg[keep], x[keep]
        unit_seg[k[np.maximum(unit_seg, 0)] < 2] = -1
        _scope_tests(out, s, p.n_ur, n_local, glob, seg, ur, x, unit_seg)
        _flag(out, s, p, unit_ids, glob, unit_seg)
    return out


def _scope_tests(
    out: Within,
    s: int,
    n_ur: int,
    n_local: int,
    glob: IntArray,
    seg: IntArray,
    ur: IntArray,
    x: FloatArray,
    unit_seg: IntArray,
) -> None:
    ranks = gr.average_ranks(seg, x, n_local)
    kw = kruskal(seg, ur, x, n_local, n_ur, ranks)
    u, pval, delta, _ = one_vs_rest(seg, ur, x, n_local, n_ur, ranks)
    p_adj = holm(np.maximum(unit_seg, 0), pval, n_local)
    taking_part = kw.k >= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        epsilon2 = kw.h / (kw.n - 1)
    values = {
        "icc1": icc1(seg, ur, x, n_local, n_ur), "kruskal_h": kw.h, "kruskal_p": kw.p,
        "epsilon2": epsilon2,
    }  # fmt: skip
    for name, array in values.items():
        out.segment[name][glob[taking_part]] = array[taking_part]
    part = slice(s * n_ur, (s + 1) * n_ur)
    for name, array in zip(UNIT_FIELDS, (u, pval, delta, p_adj), strict=True):
        out.unit[name][part] = array


def _flag(
    out: Within, s: int, p: Prepared, unit_ids: list[str], glob: IntArray, unit_seg: IntArray
) -> None:
    part = slice(s * p.n_ur, (s + 1) * p.n_ur)
    u, pval, delta, p_adj = (out.unit[name][part] for name in UNIT_FIELDS)
    with np.errstate(invalid="ignore"):
        flag = np.flatnonzero((p_adj < FLAG_P) & (np.abs(delta) >= FLAG_DELTA))
    if flag.size == 0:
        return
    segs = glob[unit_seg[flag]].tolist()
    units = [unit_ids[i] for i in p.ur_unit[flag].tolist()]
    columns = (u[flag].tolist(), pval[flag].tolist(), delta[flag].tolist(), p_adj[flag].tolist())
    for seg, unit, u_i, p_i, d_i, adj_i in zip(segs, units, *columns, strict=True):
        out.flagged.setdefault(seg, []).append({
            "unit_id": unit, "direction": "below" if d_i < 0 else "above",
            "u": u_i, "p": p_i, "cliffs_delta": d_i, "p_adj": adj_i,
        })  # fmt: skip
