"""Rank tests over many segments at once, with the exact semantics of ``scipy.stats``.

- :func:`kruskal`: Kruskal-Wallis H (tie-corrected) and p across the labels within each segment.
- :func:`one_vs_rest`: Mann-Whitney U of every label against the rest of its segment
  (two-sided, continuity-corrected, scipy's default choice of exact vs asymptotic p), Cliff's delta.
- :func:`holm`: Holm step-down adjusted p-values within each segment.
- :func:`wilcoxon` (in :mod:`survey.stats.signedrank`): the paired signed-rank test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from survey.stats.dist import chi2_sf, norm_sf
from survey.stats.grouped import Ranks, average_ranks, segment_cummax
from survey.stats.types import FloatArray, IntArray


@dataclass(frozen=True)
class Kruskal:
    h: FloatArray  # per segment; NaN with < 2 labels or when all values are equal
    p: FloatArray
    n: IntArray  # observations per segment
    k: IntArray  # labels (groups) with observations per segment


@dataclass(frozen=True)
class LabelSums:
    """Per label: its observations, their rank sum, and its segment (0 without observations).
    :func:`kruskal`, :func:`one_vs_rest` and :func:`survey.stats.anova.icc1` all start with
    these; :func:`label_sums` makes them once for all three."""

    n: IntArray
    rank_sum: FloatArray
    seg: IntArray


def label_sums(seg: IntArray, label: IntArray, n_labels: int, ranks: Ranks) -> LabelSums:
    n = np.bincount(label, minlength=n_labels)
    rank_sum = np.bincount(label, weights=ranks.ranks, minlength=n_labels).astype(np.float64)
    lab_seg = np.zeros(n_labels, dtype=np.int64)
    lab_seg[label] = seg
    return LabelSums(n, rank_sum, lab_seg)


def kruskal(
    seg: IntArray,
    label: IntArray,
    values: FloatArray,
    n_segments: int,
    n_labels: int,
    ranks: Ranks | None = None,
) -> Kruskal:
    """``scipy.stats.kruskal(*groups)`` for every segment, groups given by ``label``.

    ``label`` codes are global (0..n_labels-1); a label should belong to one segment only.
    """
    r = ranks if ranks is not None else average_ranks(seg, values, n_segments)
    return kruskal_of(r, label_sums(seg, label, n_labels, r), n_segments)


def kruskal_of(r: Ranks, sums: LabelSums, n_segments: int) -> Kruskal:
    """:func:`kruskal` from the segments' ranks and the labels' sums."""
    used = sums.n > 0
    lab_seg = sums.seg[used]
    ssbn = np.bincount(lab_seg, weights=sums.rank_sum[used] ** 2 / sums.n[used],
                       minlength=n_segments)  # fmt: skip
    k = np.bincount(lab_seg, minlength=n_segments).astype(np.int64)
    total = r.n.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ties = 1 - r.tie_term / (total**3 - total)
        h = 12.0 / (total * (total + 1)) * ssbn - 3 * (total + 1)
        h = h / ties
    h = np.where((k >= 2) & (ties > 0) & np.isfinite(h), h, np.nan)
    p = np.full(n_segments, np.nan)
    ok = ~np.isnan(h)
    p[ok] = chi2_sf(h[ok], (k[ok] - 1).astype(np.float64))
    return Kruskal(h, p, r.n, k)


def one_vs_rest(
    seg: IntArray,
    label: IntArray,
    values: FloatArray,
    n_segments: int,
    n_labels: int,
    ranks: Ranks | None = None,
    method: str = "auto",
) -> tuple[FloatArray, FloatArray, FloatArray, IntArray]:
    """U, two-sided p, Cliff's delta and n of each label against the rest of its segment.

    Equals ``scipy.stats.mannwhitneyu(x, rest, alternative="two-sided")`` (default method
    "auto": asymptotic with continuity and tie correction, exact when a sample has <= 8 values
    and there are no ties). The ranks of the pooled sample are the segment's ranks, so one
    ranking serves every label. Labels without values, or alone in their segment, get NaN.
    ``method="asymptotic"`` skips the exact p (as scipy's ``method="asymptotic"``).
    """
    r = ranks if ranks is not None else average_ranks(seg, values, n_segments)
    return one_vs_rest_of(seg, label, values, r, label_sums(seg, label, n_labels, r), method)


def one_vs_rest_of(
    seg: IntArray,
    label: IntArray,
    values: FloatArray,
    r: Ranks,
    sums: LabelSums,
    method: str = "auto",
) -> tuple[FloatArray, FloatArray, FloatArray, IntArray]:
    """:func:`one_vs_rest` from the segments' ranks and the labels' sums."""
    n1 = sums.n.astype(np.float64)
    rank_sum = sums.rank_sum
    lab_seg = sums.seg
    n = r.n[lab_seg].astype(np.float64)
    n2 = n - n1
    ok = (n1 > 0) & (n2 > 0)
    u1 = rank_sum - n1 * (n1 + 1) / 2
    u2 = n1 * n2 - u1
    u = np.maximum(u1, u2)
    tie_term = r.tie_term[lab_seg]
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
        z = (u - n1 * n2 / 2 - 0.5) / s
        delta = (2 * u1 - n1 * n2) / (n1 * n2)
    p = np.full(n1.size, np.nan)
    p[ok] = np.clip(2 * norm_sf(z[ok]), 0.0, 1.0)
    exact = ok & ((n1 <= 8) | (n2 <= 8)) & ~r.has_ties[lab_seg]
    if method == "auto" and exact.any():
        p[exact] = _exact_p(seg, label, values, np.flatnonzero(exact))
    u1 = np.where(ok, u1, np.nan)
    delta = np.where(ok, delta, np.nan)
    return u1, p, delta, n1.astype(np.int64)


def _exact_p(seg: IntArray, label: IntArray, values: FloatArray, labels: IntArray) -> FloatArray:
    """Exact p for the few small, tie-free comparisons: scipy's own exact null distribution."""
    from scipy.stats import mannwhitneyu

    order = np.argsort(label, kind="stable")
    bounds = np.searchsorted(label[order], [labels, labels + 1])
    out = np.empty(labels.size)
    for i, (lo, hi) in enumerate(zip(bounds[0], bounds[1], strict=True)):
        own = order[lo:hi]
        in_seg = seg == seg[own[0]]
        rest = in_seg & (label != labels[i])
        out[i] = mannwhitneyu(values[own], values[rest], method="exact").pvalue
    return out


def holm(seg: IntArray, p: FloatArray, n_segments: int) -> FloatArray:
    """Holm-adjusted p within each segment (NaN p are left out and stay NaN).

    As statsmodels' ``multipletests(method="holm")``: sort ascending, multiply the i-th smallest
    (0-based) by m - i, take the running maximum, cap at 1.
    """
    out = np.full(p.size, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    if ok.size == 0:
        return out
    s, v = seg[ok], p[ok]
    order = np.lexsort((v, s))
    s, v = s[order], v[order]
    m = np.bincount(s, minlength=n_segments)
    start = np.cumsum(m) - m
    rank = np.arange(s.size) - start[s]
    adjusted = segment_cummax(s, v * (m[s] - rank))
    out[ok[order]] = np.minimum(adjusted, 1.0)
    return out
