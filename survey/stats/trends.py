"""Change between consecutive rounds: the same units paired, Wilcoxon signed-rank per group.

Rounds in order; for each consecutive pair the group row of the later round gets an entry over
the group's units with a score in both rounds: n_pairs, improved / unchanged / declined, and
``scipy.stats.wilcoxon(later - earlier)`` (null when n_pairs < 2 or every difference is 0).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from survey.stats.prepare import Prepared
from survey.stats.signedrank import wilcoxon
from survey.stats.types import IntArray


def trend_entries(
    p: Prepared, ur_group: IntArray, n_groups: int
) -> dict[int, list[dict[str, Any]]]:
    """Segment ``(round * n_scopes + scope) * n_groups + group`` -> its trend list."""
    n_scopes = len(p.scopes)
    rounds = np.unique(p.ur_round)
    if rounds.size < 2:
        return {}
    n_units = int(p.ur_unit.max()) + 1
    ur_of = np.full((p.n_rounds, n_units), -1, dtype=np.int64)
    ur_of[p.ur_round, p.ur_unit] = np.arange(p.n_ur)
    unit_group = np.full(n_units, -1, dtype=np.int64)
    unit_group[p.ur_unit] = ur_group
    segs, diffs = [], []
    score = p.unit.score
    pairs = list(zip(rounds[:-1].tolist(), rounds[1:].tolist(), strict=True))
    for a, b in pairs:
        units = np.flatnonzero((ur_of[a] >= 0) & (ur_of[b] >= 0) & (unit_group >= 0))
        for s in range(n_scopes):
            d = score[s, ur_of[b, units]] - score[s, ur_of[a, units]]
            keep = ~np.isnan(d)
            segs.append((b * n_scopes + s) * n_groups + unit_group[units[keep]])
            diffs.append(d[keep])
    n_seg = p.n_rounds * n_scopes * n_groups
    w = wilcoxon(np.concatenate(segs), np.concatenate(diffs), n_seg)
    columns = {
        "n_pairs": w.n_pairs.tolist(), "improved": w.improved.tolist(),
        "unchanged": w.unchanged.tolist(), "declined": w.declined.tolist(),
        "wilcoxon_statistic": w.statistic.tolist(), "wilcoxon_p": w.p.tolist(),
    }  # fmt: skip
    out: dict[int, list[dict[str, Any]]] = {}
    block = n_scopes * n_groups
    for a, b in pairs:
        for seg in range(b * block, (b + 1) * block):
            entry: dict[str, Any] = {"from_round": p.round_labels[a], "to_round": p.round_labels[b]}
            for name, values in columns.items():
                value = values[seg]
                entry[name] = None if isinstance(value, float) and math.isnan(value) else value
            out[seg] = [entry]
    return out
