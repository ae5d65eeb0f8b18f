"""Wilcoxon signed-rank test on paired differences, per segment, as ``scipy.stats.wilcoxon(d)``.

scipy's defaults: zero differences are dropped ("wilcox"), no continuity correction, two-sided,
method "auto": with more than 50 differences the normal approximation (tie-corrected); else the
exact distribution when there are no ties and no zeros; else, with at most 13 differences, the
exhaustive sign-flip permutation test; else the normal approximation. The statistic is
min(T+, T-).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from survey.stats.dist import norm_sf, signed_rank_exact_p, signed_rank_permutation_p
from survey.stats.grouped import average_ranks
from survey.stats.types import FloatArray, IntArray

EXACT_MAX_N = 50
PERMUTATION_MAX_N = 13


@dataclass(frozen=True)
class Wilcoxon:
    n_pairs: IntArray  # per segment
    improved: IntArray  # d > 0
    unchanged: IntArray  # d == 0
    declined: IntArray  # d < 0
    statistic: FloatArray  # NaN when n_pairs < 2 or every difference is 0
    p: FloatArray


def wilcoxon(seg: IntArray, d: FloatArray, n_segments: int) -> Wilcoxon:
    seg = np.asarray(seg, dtype=np.int64)
    d = np.asarray(d, dtype=np.float64)
    n = np.bincount(seg, minlength=n_segments).astype(np.int64)
    improved = np.bincount(seg, weights=d > 0, minlength=n_segments).astype(np.int64)
    declined = np.bincount(seg, weights=d < 0, minlength=n_segments).astype(np.int64)
    unchanged = n - improved - declined
    nonzero = d != 0
    s_nz, d_nz = seg[nonzero], d[nonzero]
    r = average_ranks(s_nz, np.abs(d_nz), n_segments)
    r_plus = np.bincount(s_nz, weights=r.ranks * (d_nz > 0), minlength=n_segments)
    r_minus = np.bincount(s_nz, weights=r.ranks * (d_nz < 0), minlength=n_segments)
    m = r.n.astype(np.float64)  # non-zero differences
    valid = (n >= 2) & (r.n >= 1)

    statistic = np.where(valid, np.minimum(r_plus, r_minus), np.nan)
    p = np.full(n_segments, np.nan)
    has_zero = unchanged > 0
    exact = valid & (n <= EXACT_MAX_N) & ~r.has_ties & ~has_zero
    permutation = valid & (n <= EXACT_MAX_N) & ~exact & (n <= PERMUTATION_MAX_N)
    asymptotic = valid & ~exact & ~permutation

    with np.errstate(invalid="ignore", divide="ignore"):
        mean = m * (m + 1.0) * 0.25
        se = m * (m + 1.0) * (2.0 * m + 1.0)
        se = np.sqrt((se - r.tie_term / 2) / 24)
        z = (r_plus - mean) / se
    p[asymptotic] = 2 * norm_sf(np.abs(z[asymptotic]))
    for i in np.flatnonzero(exact):
        p[i] = signed_rank_exact_p(float(r_plus[i]), int(r.n[i]))
    if permutation.any():
        order = np.argsort(s_nz, kind="stable")
        bounds = np.searchsorted(s_nz[order], np.arange(n_segments + 1))
        for i in np.flatnonzero(permutation):
            ranks = r.ranks[order[bounds[i] : bounds[i + 1]]]
            doubled = np.rint(2 * ranks).astype(np.int64)
            p[i] = signed_rank_permutation_p(doubled, float(r_plus[i]))
    return Wilcoxon(n, improved, unchanged, declined, statistic, p)
