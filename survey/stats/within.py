"""Individual questionnaires: tests over respondent scores within each group, scope by scope.

Only units with >= 2 respondent scores take part, and a group needs >= 2 such units; otherwise
the group's statistics are null and nobody is flagged. Per group: ICC(1), Kruskal-Wallis H, p
and epsilon2 = H / (N - 1); per unit against the rest of its group: Mann-Whitney U and p,
Cliff's delta, Holm-adjusted p. Flagged: p_adj < 0.05 and |delta| >= 0.33.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from survey.stats import grouped as gr
from survey.stats.anova import icc1_of
from survey.stats.prepare import Prepared
from survey.stats.ranktests import holm, kruskal_of, label_sums, one_vs_rest_of
from survey.stats.result import ObjectLists
from survey.stats.types import FloatArray, IntArray

if TYPE_CHECKING:
    from concurrent.futures import Executor

FLAG_P = 0.05
FLAG_DELTA = 0.33
SEGMENT_FIELDS = ("icc1", "kruskal_h", "kruskal_p", "epsilon2", "n_test_units",
                  "n_test_respondents")  # fmt: skip
UNIT_FIELDS = ("u", "p", "cliffs_delta", "p_adj")


def py(value: float) -> float | None:
    return None if math.isnan(value) else value


@dataclass(frozen=True)
class Flags:
    """The flagged units of one scope: their unit-rounds (ascending) and segments."""

    scope: int
    ur: IntArray
    seg: IntArray


FLAG_KEYS = ("unit_id", "direction", *UNIT_FIELDS)


@dataclass
class Within:
    segment: dict[str, FloatArray]  # per (round, scope, group) segment
    unit: dict[str, FloatArray]  # per (scope, unit-round), flattened scope-major
    flags: list[Flags]  # per scope with flagged units, in any order
    n_ur: int
    unit_of_ur: list[str]  # the unit id of each unit-round

    def flagged_lists(self, segs: IntArray) -> ObjectLists:
        """The flagged units of the segments ``segs`` (ascending) as columns, each segment's in
        unit-round order: ``unit_id``, ``direction`` (below/above), ``u``, ``p``,
        ``cliffs_delta``, ``p_adj``."""
        flags = sorted(self.flags, key=lambda f: f.scope)
        if not flags:
            empty: dict[str, Any] = {key: [] for key in FLAG_KEYS}
            return ObjectLists(np.zeros(segs.size + 1, dtype=np.int64), empty)
        seg = np.concatenate([f.seg for f in flags])
        at = np.concatenate([f.scope * self.n_ur + f.ur for f in flags])
        order = np.argsort(seg, kind="stable")  # by segment, each in unit-round order
        order = order[np.isin(seg[order], segs)]
        seg, at = seg[order], at[order]
        offsets = np.zeros(segs.size + 1, dtype=np.int64)
        np.cumsum(np.searchsorted(seg, segs, side="right") - np.searchsorted(seg, segs),
                  out=offsets[1:])  # fmt: skip
        u, pval, delta, p_adj = (self.unit[name][at] for name in UNIT_FIELDS)
        ur = at % self.n_ur
        columns: dict[str, Any] = {
            "unit_id": [self.unit_of_ur[i] for i in ur.tolist()],
            "direction": ["below" if d < 0 else "above" for d in delta.tolist()],
            "u": u, "p": pval, "cliffs_delta": delta, "p_adj": p_adj,
        }  # fmt: skip
        return ObjectLists(offsets, columns)


def respondent_tests(
    p: Prepared,
    ur_group: IntArray,
    n_groups: int,
    unit_ids: list[str],
    pool: Executor | None = None,
) -> Within:
    """The tests of every scope; with ``pool``, the scopes run as tasks of that executor (each
    scope writes its own part of the result, so the result is the same)."""
    return start_respondent_tests(p, ur_group, n_groups, unit_ids, pool)()


def start_respondent_tests(
    p: Prepared,
    ur_group: IntArray,
    n_groups: int,
    unit_ids: list[str],
    pool: Executor | None = None,
) -> Callable[[], Within]:
    """:func:`respondent_tests`, started: with ``pool`` the scopes are its tasks from now on;
    the function returned waits for them and returns the result."""
    assert p.resp_score is not None and p.set_ur is not None
    n_scopes = len(p.scopes)
    n_local = p.n_rounds * n_groups  # segments of one scope: round * n_groups + group
    n_seg = n_local * n_scopes
    out = Within(
        {name: np.full(n_seg, np.nan) for name in SEGMENT_FIELDS},
        {name: np.full(n_scopes * p.n_ur, np.nan) for name in UNIT_FIELDS},
        [],
        p.n_ur,
        [unit_ids[i] for i in p.ur_unit.tolist()],
    )
    in_group = ur_group >= 0
    ur_local = np.where(in_group, p.ur_round * n_groups + ur_group, 0)  # per unit-round
    local = np.arange(n_local)

    def scope_tests(s: int) -> None:
        assert p.resp_score is not None and p.set_ur is not None
        # Decided per unit-round, then applied to its answer sets: units in a group with >= 2
        # respondent scores (n_respondents counts the non-null ones), in segments with >= 2
        # such units.
        n_resp = p.unit.n_respondents[s]
        tested = in_group & (n_resp >= 2)
        k = np.bincount(ur_local[tested], minlength=n_local)
        glob = (local // n_groups * n_scopes + s) * n_groups + local % n_groups
        out.segment["n_test_units"][glob] = k
        out.segment["n_test_respondents"][glob] = np.bincount(
            ur_local[tested], weights=n_resp[tested], minlength=n_local
        )
        tested &= k[ur_local] >= 2
        unit_seg = np.where(tested, ur_local, -1)
        x = p.resp_score[s]
        keep = tested[p.set_ur] & ~np.isnan(x)
        ur, x = p.set_ur[keep], x[keep]
        seg = unit_seg[ur]
        _scope_tests(out, s, p.n_ur, n_local, glob, seg, ur, x, unit_seg)
        _flag(out, s, p, glob, unit_seg)

    if pool is None:
        for s in range(n_scopes):
            scope_tests(s)
        return lambda: out
    tasks = [pool.submit(scope_tests, s) for s in range(n_scopes)]

    def finish() -> Within:
        for task in tasks:
            task.result()
        return out

    return finish


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
    sums = label_sums(seg, ur, n_ur, ranks)  # shared by the three tests
    kw = kruskal_of(ranks, sums, n_local)
    u, pval, delta, _ = one_vs_rest_of(seg, ur, x, ranks, sums)
    p_adj = holm(np.maximum(unit_seg, 0), pval, n_local)
    taking_part = kw.k >= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        epsilon2 = kw.h / (kw.n - 1)
    values = {
        "icc1": icc1_of(seg, ur, x, ranks.n, sums.n, sums.seg), "kruskal_h": kw.h,
        "kruskal_p": kw.p, "epsilon2": epsilon2,
    }  # fmt: skip
    for name, array in values.items():
        out.segment[name][glob[taking_part]] = array[taking_part]
    part = slice(s * n_ur, (s + 1) * n_ur)
    for name, array in zip(UNIT_FIELDS, (u, pval, delta, p_adj), strict=True):
        out.unit[name][part] = array


def _flag(out: Within, s: int, p: Prepared, glob: IntArray, unit_seg: IntArray) -> None:
    part = slice(s * p.n_ur, (s + 1) * p.n_ur)
    delta, p_adj = out.unit["cliffs_delta"][part], out.unit["p_adj"][part]
    with np.errstate(invalid="ignore"):
        flag = np.flatnonzero((p_adj < FLAG_P) & (np.abs(delta) >= FLAG_DELTA))
    if flag.size:
        out.flags.append(Flags(s, flag, glob[unit_seg[flag]]))
