"""The ``comparisons`` section: units compared across the values of an attribute (``--compare-by``).

Per round and scope, with unit scores as observations: Kruskal-Wallis across the attribute's
values, and Theil's decomposition of all units' scores into between and within the values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from survey.stats import grouped as gr
from survey.stats.inequality import theil_decomposition
from survey.stats.prepare import Prepared
from survey.stats.ranktests import kruskal
from survey.stats.result import clean
from survey.stats.types import IntArray

COMPARISON_FIELDS = (
    "n",
    "h",
    "p",
    "epsilon2",
    "theil_total",
    "theil_between",
    "theil_within",
    "between_share",
)
COMPARISON_ROW_FIELDS = ("round", "by", "scope_type", "scope_id", *COMPARISON_FIELDS, "values")


def comparison_rows(
    p: Prepared, by: str, codes: IntArray, labels: list[str], *, values: bool = True
) -> list[dict[str, Any]]:
    """``values=False`` leaves the per-value counts and medians out (``values`` is empty)."""
    n_scopes = len(p.scopes)
    n_values = max(len(labels), 1)
    n_seg = p.n_rounds * n_scopes
    scope = np.repeat(np.arange(n_scopes), p.n_ur)
    ur = np.tile(np.arange(p.n_ur), n_scopes)
    value = codes[p.ur_unit][ur] if p.n_ur else np.zeros(0, dtype=np.int64)
    score = p.unit.score.ravel()
    ok = (value >= 0) & ~np.isnan(score)
    seg = (p.ur_round[ur] * n_scopes + scope)[ok]
    c, x = value[ok], score[ok]
    cell = seg * n_values + c
    kw = kruskal(seg, cell, x, n_seg, n_seg * n_values)
    split = theil_decomposition(seg, c, x, n_seg, n_values)
    cell_median = gr.median(gr.sort_by_segment(cell, x, n_seg * n_values))
    with np.errstate(invalid="ignore", divide="ignore"):
        epsilon2 = kw.h / (kw.n - 1)
    columns = {
        "n": kw.n, "h": kw.h, "p": kw.p, "epsilon2": epsilon2, "theil_total": split.total,
        "theil_between": split.between, "theil_within": split.within,
        "between_share": split.between_share,
    }  # fmt: skip
    rows = []
    for r in np.unique(p.ur_round).tolist():
        for s in range(n_scopes):
            i = r * n_scopes + s
            row: dict[str, Any] = {
                "round": p.round_labels[r], "by": by,
                "scope_type": p.scopes.types[s], "scope_id": p.scopes.ids[s],
            }  # fmt: skip
            for name in COMPARISON_FIELDS:
                row[name] = columns[name][i]
            row["values"] = (
                [
                    {
                        "value": labels[v],
                        "n": split.group_n[i * n_values + v],
                        "mean": split.group_mean[i * n_values + v],
                        "median": cell_median[i * n_values + v],
                    }
                    for v in range(len(labels))
                    if split.group_n[i * n_values + v] > 0
                ]
                if values
                else []
            )
            rows.append(clean(row))
    return rows
