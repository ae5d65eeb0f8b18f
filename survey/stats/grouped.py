"""Segmented ("grouped") array primitives: many small groups at once, no Python loop per group.

A *segment* is one group of observations, identified by an integer code ``0..n_segments-1``.
Every function takes the segment code of each observation and returns one value per segment
(NaN where the segment has too few observations), so thousands of groups cost a few array passes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from survey.stats.exact import exact_mean
from survey.stats.types import FloatArray, IntArray

BoolArray = npt.NDArray[np.bool_]

# Counting ranks through a (segment x distinct value) table is used while the table stays this
# small relative to the data; otherwise ranks come from a sort.
_MAX_TABLE_CELLS = 1 << 24


@dataclass(frozen=True)
class Sorted:
    """Observations sorted by (segment, value), with each segment's slice ``start:start+count``."""

    order: IntArray  # positions in the input, in sorted order
    values: FloatArray  # the sorted values
    seg: IntArray  # the segment of each sorted value
    start: IntArray  # per segment
    count: IntArray  # per segment (0 for empty segments)


def sort_by_segment(seg: IntArray, values: FloatArray, n_segments: int) -> Sorted:
    """Sort by segment, then by value (stable: equal values keep their input order)."""
    seg = np.asarray(seg, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    if n_segments <= np.iinfo(np.uint16).max:
        by_seg = np.argsort(seg[order].astype(np.uint16), kind="stable")  # radix sort
    else:
        by_seg = np.argsort(seg[order], kind="stable")
    order = order[by_seg]
    count = np.bincount(seg, minlength=n_segments).astype(np.int64)
    start = np.zeros(n_segments, dtype=np.int64)
    np.cumsum(count[:-1], out=start[1:])
    return Sorted(order.astype(np.int64), values[order], seg[order], start, count)


def segment_sum(seg: IntArray, values: FloatArray, n_segments: int) -> FloatArray:
    """Sum per segment, added in input order."""
    return np.bincount(seg, weights=values, minlength=n_segments).astype(np.float64)


def mean_sd(
    seg: IntArray, values: FloatArray, n_segments: int
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Count, mean and sample SD (ddof 1) per segment; NaN mean for n = 0, NaN SD for n < 2."""
    n = np.bincount(seg, minlength=n_segments).astype(np.int64)
    mean = exact_mean(seg, values, n_segments)
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = values - mean[seg]
        var = segment_sum(seg, dev * dev, n_segments) / (n - 1)
        sd = np.sqrt(np.where(n >= 2, var, np.nan))
    return n, mean, sd


def quantile(s: Sorted, q: float) -> FloatArray:
    """numpy's default ("linear") quantile per segment, with numpy's interpolation formula."""
    out = np.full(s.count.size, np.nan)
    ok = s.count > 0
    n = s.count[ok]
    virtual = (n - 1) * q
    prev = np.floor(virtual).astype(np.int64)
    nxt = np.minimum(prev + 1, n - 1)
    gamma = virtual - prev
    a = s.values[s.start[ok] + prev]
    b = s.values[s.start[ok] + nxt]
    diff = b - a
    # numpy._lerp: a + diff*t, but b - diff*(1-t) where t >= 0.5 (keeps results monotone)
    out[ok] = np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
    return out


def median(s: Sorted) -> FloatArray:
    """np.median per segment: the middle value, or the mean of the two middle values."""
    out = np.full(s.count.size, np.nan)
    ok = s.count > 0
    n = s.count[ok]
    lo = s.values[s.start[ok] + (n - 1) // 2]
    hi = s.values[s.start[ok] + n // 2]
    out[ok] = np.where(n % 2 == 1, lo, (lo + hi) / 2)
    return out


def minimum(s: Sorted) -> FloatArray:
    out = np.full(s.count.size, np.nan)
    ok = s.count > 0
    out[ok] = s.values[s.start[ok]]
    return out


def maximum(s: Sorted) -> FloatArray:
    out = np.full(s.count.size, np.nan)
    ok = s.count > 0
    out[ok] = s.values[s.start[ok] + s.count[ok] - 1]
    return out


@dataclass(frozen=True)
class Ranks:
    """Average ranks (1-based, ties share their mean rank) within each segment."""

    ranks: FloatArray  # per observation, in input order
    n: IntArray  # per segment
    tie_term: FloatArray  # per segment: sum over tie groups of t**3 - t
    has_ties: BoolArray  # per segment


def average_ranks(seg: IntArray, values: FloatArray, n_segments: int) -> Ranks:
    """Rank values within segments like ``scipy.stats.rankdata(method="average")``."""
    seg = np.asarray(seg, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    n = np.bincount(seg, minlength=n_segments).astype(np.int64)
    distinct = np.unique(values)
    cells = n_segments * distinct.size
    exact = n.size == 0 or int(n.max()) < _EXACT_CUBES
    if cells <= 4 * values.size or (cells <= _MAX_TABLE_CELLS and not exact):
        return _ranks_by_counting(seg, values, n_segments, n, distinct)
    # A table much bigger than the data (many distinct values) costs more than sorting. Both
    # give the very same numbers while every tie term and its sums stay below 2**53.
    return _ranks_by_sorting(seg, values, n_segments, n)


def _ranks_by_counting(
    seg: IntArray, values: FloatArray, n_segments: int, n: IntArray, distinct: FloatArray
) -> Ranks:
    width = max(distinct.size, 1)
    key = seg * width + value_codes(values, distinct)
    flat = np.bincount(key, minlength=n_segments * width)
    table = flat.reshape(n_segments, width)
    below = (np.cumsum(table, axis=1) - table).ravel()
    ranks = below[key] + (flat[key] + 1) / 2.0  # the mean rank of the value's ties
    if n.size == 0 or int(n.max()) < _EXACT_CUBES:
        # Only cells with ties add to t**3 - t; every term and sum is a whole number below
        # 2**53, so adding just those (in any order) gives exactly the row sums.
        tied = np.flatnonzero(flat > 1)
        row = tied // width
        t = flat[tied].astype(np.float64)
        tie_term = np.bincount(row, weights=t * t * t - t, minlength=n_segments)
        has_ties = np.bincount(row, minlength=n_segments) > 0
        return Ranks(ranks, n, tie_term.astype(np.float64), has_ties)
    t = table.astype(np.float64)
    tie_term = (t**3 - t).sum(axis=1)
    return Ranks(ranks, n, tie_term, np.asarray((table > 1).any(axis=1)))


_EXACT_CUBES = 208_063  # n**3 < 2**53 below this


def value_codes(values: FloatArray, distinct: FloatArray) -> IntArray:
    """``np.searchsorted(distinct, values)`` for values that all occur in ``distinct`` (sorted,
    without repeats), e.g. ``np.unique(values)``.

    Scores take few distinct values with clear gaps between them: then a value's bucket of width
    half the smallest gap, found by one multiplication, names it (no binary search per value).
    Many distinct values: the inverse of ``np.unique``, cheaper than searching.
    """
    if distinct.size >= 2 and bool(np.isfinite(distinct[[0, -1]]).all()):
        gap = float(np.diff(distinct).min())
        span = float(distinct[-1] - distinct[0])
        if gap > 0 and span / gap < max(values.size, 1 << 16):
            low, scale = distinct[0], 2.0 / gap
            bucket = np.floor((distinct - low) * scale).astype(np.int64)
            if bool(np.all(np.diff(bucket) > 0)):
                lookup = np.zeros(int(bucket[-1]) + 1, dtype=np.int64)
                lookup[bucket] = np.arange(distinct.size)
                codes: IntArray = lookup[np.floor((values - low) * scale).astype(np.int64)]
                return codes
    if distinct.size > 4096:
        return np.unique(values, return_inverse=True)[1].reshape(-1).astype(np.int64)
    return np.searchsorted(distinct, values)


def _ranks_by_sorting(seg: IntArray, values: FloatArray, n_segments: int, n: IntArray) -> Ranks:
    s = sort_by_segment(seg, values, n_segments)
    size = s.values.size
    new_run = np.ones(size, dtype=bool)
    new_run[1:] = (s.values[1:] != s.values[:-1]) | (s.seg[1:] != s.seg[:-1])
    run_start = np.flatnonzero(new_run)
    run_len = np.diff(np.append(run_start, size))
    run_seg = s.seg[run_start]
    first_pos = run_start - s.start[run_seg]  # 0-based position within the segment
    run_rank = first_pos + (run_len + 1) / 2.0
    ranks = np.empty(size, dtype=np.float64)
    ranks[s.order] = np.repeat(run_rank, run_len)
    t = run_len.astype(np.float64)
    tie_term = np.bincount(run_seg, weights=t**3 - t, minlength=n_segments)
    has_ties = np.bincount(run_seg, weights=run_len > 1, minlength=n_segments) > 0
    return Ranks(ranks, n, tie_term.astype(np.float64), has_ties)


def segment_cummax(seg_sorted: IntArray, values: FloatArray) -> FloatArray:
    """Running maximum that restarts at every segment; input already ordered by segment.

    Works on exact integer ranks of the values, so no precision is lost to an offset trick.
    """
    if values.size == 0:
        return values.copy()
    distinct, code = np.unique(values, return_inverse=True)
    key = seg_sorted.astype(np.int64) * distinct.size + code
    running = np.maximum.accumulate(key)
    return np.asarray(distinct[running - seg_sorted * distinct.size], dtype=np.float64)


def dense_codes(*keys: IntArray) -> tuple[IntArray, int, list[IntArray]]:
    """Dense codes for combined integer keys (lexicographic order) and each key's value per code."""
    if keys[0].size == 0:
        return np.zeros(0, dtype=np.int64), 0, [np.zeros(0, dtype=np.int64) for _ in keys]
    stacked = np.stack([np.asarray(k, dtype=np.int64) for k in keys])
    unique, inverse = np.unique(stacked, axis=1, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), unique.shape[1], list(unique)
