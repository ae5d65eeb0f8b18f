"""Distribution functions: normal, chi-squared and t (see :mod:`.special`), and exact
signed-rank counts for the Wilcoxon test."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from survey.stats.special import chi2_sf, norm_sf, t_ppf
from survey.stats.types import IntArray

__all__ = ["chi2_sf", "norm_sf", "signed_rank_counts", "signed_rank_exact_p",
           "signed_rank_permutation_p", "t_ppf"]  # fmt: skip


@lru_cache(maxsize=64)
def signed_rank_counts(n: int) -> tuple[int, ...]:
    """How many of the 2**n sign patterns give each rank sum T+ = 0..n(n+1)/2 (ranks 1..n)."""
    counts = np.zeros(n * (n + 1) // 2 + 1, dtype=np.int64)
    counts[0] = 1
    for rank in range(1, n + 1):
        counts[rank:] = counts[rank:] + counts[:-rank].copy()
    return tuple(int(c) for c in counts)


def signed_rank_exact_p(r_plus: float, n: int) -> float:
    """Two-sided exact p of ``scipy.stats.wilcoxon`` without ties or zeros.

    p = 2 min(P(T <= t), P(T >= t)), capped at 1.
    """
    counts = signed_rank_counts(n)
    total = 2**n
    k_low, k_high = int(np.ceil(r_plus)), int(np.floor(r_plus))
    at_most = sum(counts[: k_low + 1])
    at_least = sum(counts[k_high:])
    return float(min(2 * min(at_most, at_least) / total, 1.0))


def signed_rank_permutation_p(doubled_ranks: IntArray, r_plus: float) -> float:
    """Two-sided p of the exhaustive sign-flip test scipy runs for small samples with ties/zeros.

    ``doubled_ranks`` are 2 x the (average) ranks of the non-zero differences, so all integers;
    zero differences add nothing whatever their sign, so they leave the proportions unchanged.
    """
    total_doubled = int(doubled_ranks.sum())
    counts = np.zeros(total_doubled + 1, dtype=np.int64)
    counts[0] = 1
    for r in doubled_ranks.tolist():
        if r:
            counts[r:] = counts[r:] + counts[:-r].copy()
        else:
            counts = counts * 2
    observed = int(round(2 * r_plus))
    total = int(counts.sum())
    at_most = int(counts[: observed + 1].sum())
    at_least = int(counts[observed:].sum())
    return min(2 * min(at_most, at_least) / total, 1.0)
