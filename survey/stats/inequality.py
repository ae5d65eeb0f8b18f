"""Gini coefficient and Theil T index per segment, and Theil's between/within decomposition."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from survey.stats.grouped import Sorted, segment_sum
from survey.stats.types import FloatArray, IntArray


def gini(s: Sorted) -> FloatArray:
    """Gini = sum_i sum_j |x_i - x_j| / (2 n^2 mean), without the n/(n-1) correction.

    On sorted values the double sum is 2 * sum_k gap_k * k * (n - k) (gap_k = x_(k+1) - x_(k)):
    only non-negative terms, so equal values give exactly 0 and there is no cancellation.
    """
    n_seg = s.count.size
    size = s.values.size
    out = np.full(n_seg, np.nan)
    if size == 0:
        return out
    pos = np.arange(size) - s.start[s.seg]  # 0-based position within the segment
    same = np.zeros(size, dtype=bool)
    same[1:] = s.seg[1:] == s.seg[:-1]
    gaps = np.where(same, s.values - np.roll(s.values, 1), 0.0)
    n_of = s.count[s.seg]
    # gap between positions k-1 and k (1-based k = pos) splits the segment into k and n-k values
    pair_sum = segment_sum(s.seg, gaps * pos * (n_of - pos), n_seg)
    total = segment_sum(s.seg, s.values, n_seg)
    n = s.count.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        out = 2 * pair_sum / (2 * n * n * mean)
    out[s.count == 0] = np.nan
    return np.asarray(out, dtype=np.float64)


def theil(seg: IntArray, values: FloatArray, n_segments: int) -> FloatArray:
    """Theil T = (1/n) * sum (x/mean) * ln(x/mean) per segment (values must be positive)."""
    n = np.bincount(seg, minlength=n_segments).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = segment_sum(seg, values, n_segments) / n
        ratio = values / mean[seg]
        out = segment_sum(seg, ratio * np.log(ratio), n_segments) / n
    return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True)
class TheilSplit:
    """Theil T of each segment split by a grouping of its observations (one entry per segment)."""

    total: FloatArray
    between: FloatArray  # sum_g s_g ln(mu_g / mu), s_g = n_g mu_g / (n mu)
    within: FloatArray  # sum_g s_g T_g
    between_share: FloatArray  # between / total (NaN when total is 0)
    group_n: IntArray  # per (segment, group) cell
    group_mean: FloatArray  # per cell
    group_theil: FloatArray  # per cell


def theil_decomposition(
    seg: IntArray, group: IntArray, values: FloatArray, n_segments: int, n_groups: int
) -> TheilSplit:
    """Decompose each segment's Theil T by ``group`` (codes 0..n_groups-1)."""
    cell = seg * n_groups + group
    n_cells = n_segments * n_groups
    total = theil(seg, values, n_segments)
    cell_t = theil(cell, values, n_cells)
    cell_n = np.bincount(cell, minlength=n_cells)
    seg_n = np.bincount(seg, minlength=n_segments).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = segment_sum(seg, values, n_segments) / seg_n
        cell_mu = segment_sum(cell, values, n_cells) / cell_n
        cell_seg = np.repeat(np.arange(n_segments), n_groups)
        share = cell_n * cell_mu / (seg_n[cell_seg] * mu[cell_seg])
        present = cell_n > 0
        between_terms = np.where(present, share * np.log(cell_mu / mu[cell_seg]), 0.0)
        within_terms = np.where(present, share * cell_t, 0.0)
        between = segment_sum(cell_seg, between_terms, n_segments)
        within = segment_sum(cell_seg, within_terms, n_segments)
        between_share = np.where(total != 0, between / total, np.nan)
    empty = seg_n == 0
    for arr in (between, within, between_share):
        arr[empty] = np.nan
    return TheilSplit(
        total, between, within, between_share, cell_n.astype(np.int64), cell_mu, cell_t
    )
