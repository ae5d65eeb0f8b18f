"""The order-statistics attack on small published cells (issue 13, attack 4).

In a cell of exactly five units, numpy's linear quartiles fall on whole positions: q1, the median
and q3 *are* the second, third and fourth scores (numpy.quantile, method "linear": position
(n − 1)·p = 1, 2, 3). The mean gives the sum of the other two and the standard deviation (ddof 1)
their sum of squares, so both follow from a quadratic. The analyst below does exactly that; it
recovers every score from the statistics engine's raw group row, and nothing once the small-cell
rule (``survey.stats.publication.small_cell``) has been applied — as every release does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.stats.publication import DETAIL_FIELDS, small_cell


def reconstruct_five(row: dict[str, Any]) -> list[float] | None:
    """The five scores of a cell from n, mean, sd, q1, median and q3 (None when not published)."""
    needed = ("n_units", "mean", "sd", "q1", "median", "q3")
    if any(row.get(f) is None for f in needed) or row["n_units"] != 5:
        return None
    n, mean, sd = row["n_units"], row["mean"], row["sd"]
    middle = [row["q1"], row["median"], row["q3"]]
    total = n * mean - sum(middle)  # a + b
    squares = (n - 1) * sd**2 + n * mean**2 - sum(m * m for m in middle)  # a² + b²
    product = (total**2 - squares) / 2
    root = math.sqrt(max(total**2 - 4 * product, 0.0))
    return sorted([(total - root) / 2, *middle, (total + root) / 2])


def engine_row(scores: list[float]) -> dict[str, Any]:
    """A group row as the statistics engine makes it (before any publication rule)."""
    x = np.asarray(scores, dtype=float)
    return {
        "n_units": len(x), "mean": float(x.mean()), "sd": float(x.std(ddof=1)),
        "median": float(np.median(x)), "q1": float(np.quantile(x, 0.25)),
        "q3": float(np.quantile(x, 0.75)), "min": float(x.min()), "max": float(x.max()),
        "share_below_floor": float((x < 2).mean()), "gini": 0.1, "theil": 0.01,
    }  # fmt: skip


scores = st.lists(
    st.floats(min_value=1, max_value=4, allow_nan=False).map(lambda v: round(v, 2)),
    min_size=5,
    max_size=5,
)


@settings(max_examples=100, deadline=None)
@given(values=scores)
def test_the_attack_recovers_five_scores_from_the_raw_statistics(values: list[float]) -> None:
    recovered = reconstruct_five(engine_row(values))
    assert recovered == pytest.approx(sorted(values), abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(values=scores, k_detail=st.integers(6, 20))
def test_the_small_cell_rule_leaves_nothing_to_reconstruct(
    values: list[float], k_detail: int
) -> None:
    published = small_cell(engine_row(values), k_detail)
    assert reconstruct_five(published) is None
    assert all(published[f] is None for f in DETAIL_FIELDS)
    assert published["n_units"] == 5 and published["mean"] == pytest.approx(np.mean(values))


def test_cells_at_the_second_threshold_keep_their_detail() -> None:
    row = engine_row([1.0, 2.0, 2.5, 3.0, 3.5, 3.0, 2.0, 1.5, 4.0, 2.0])
    assert small_cell(row, 10) is row
