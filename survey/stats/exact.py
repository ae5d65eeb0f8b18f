"""Correctly rounded means per segment, so that equal means in exact arithmetic are equal doubles.

Unit scores of individual questionnaires are means of respondent scores, and the trend test
counts zero differences and ties between them: a mean that depends on the order of addition
would turn a real tie into a difference of 1e-16. Here every double is an integer multiple of
2**(e_min - 53); the integers are summed exactly (in 32-bit halves, so the float64 bincount sums
stay below 2**53) and each sum is divided by n with correct rounding, as ``statistics.mean``.
"""

from __future__ import annotations

import operator
import statistics
from itertools import repeat

import numpy as np

from survey.stats.types import FloatArray, IntArray

_MASK = 0xFFFFFFFF


def exact_mean(seg: IntArray, values: FloatArray, n_segments: int) -> FloatArray:
    out = np.full(n_segments, np.nan)
    if values.size == 0:
        return out
    mantissa, exponent = np.frexp(values)
    e_min = int(exponent.min())
    if int(exponent.max()) - e_min > 8:  # values of very different sizes: not scores
        return _statistics_mean(seg, values, n_segments)
    scaled = (mantissa * 2.0**53).astype(np.int64) << (exponent - e_min).astype(np.int64)
    hi = np.bincount(seg, weights=scaled >> 32, minlength=n_segments).astype(np.int64)
    lo = np.bincount(seg, weights=scaled & _MASK, minlength=n_segments).astype(np.int64)
    n = np.bincount(seg, minlength=n_segments)
    ok = np.flatnonzero(n > 0)
    hi, lo, n = hi[ok], lo[ok], n[ok].astype(np.int64)
    hi += lo >> 32  # carry, so that 0 <= lo < 2**32
    lo &= _MASK
    if bool((values > 0).all()):
        out[ok] = _divide(hi, lo, n, e_min)
    else:
        out[ok] = _divide_python(hi, lo, n, e_min)
    return out


def _statistics_mean(seg: IntArray, values: FloatArray, n_segments: int) -> FloatArray:
    out = np.full(n_segments, np.nan)
    order = np.argsort(seg, kind="stable")
    bounds = np.searchsorted(seg[order], np.arange(n_segments + 1))
    ordered = values[order].tolist()
    for s in np.flatnonzero(np.diff(bounds)).tolist():
        out[s] = statistics.mean(ordered[bounds[s] : bounds[s + 1]])
    return out


def _divide(hi: IntArray, lo: IntArray, n: IntArray, e_min: int) -> FloatArray:
    """round(T / n) * 2**(e_min - 53) for T = hi * 2**32 + lo > 0, vectorised.

    Start from the float quotient (within 2 ulp), then move by one ulp while the exact integer
    remainder says the true quotient lies more than half an ulp away (ties to even).
    """
    scale = 2.0 ** (e_min - 53)
    q = (hi * 2.0**32 + lo) / n * scale
    for _ in range(4):
        c = (q / scale).astype(np.int64)  # q in units of 2**(e_min-53): an exact integer
        remainder = (hi - (c >> 32) * n) * 2.0**32 + (lo - (c & _MASK) * n)  # T - c*n, exact
        ulp = (np.spacing(q) / scale).astype(np.int64)
        half = n * ulp / 2.0
        odd = (c // ulp) % 2 == 1
        up = (remainder > half) | ((remainder == half) & odd)
        down = (remainder < -half) | ((remainder == -half) & odd)
        if not (up.any() or down.any()):
            break
        q = np.where(up, np.nextafter(q, np.inf), np.where(down, np.nextafter(q, -np.inf), q))
    return q


def _divide_python(hi: IntArray, lo: IntArray, n: IntArray, e_min: int) -> list[float]:
    """The same with Python integers (any sign): int / int is correctly rounded."""
    shift = 53 - e_min
    sums = map(operator.add, map(operator.lshift, hi.tolist(), repeat(32)), lo.tolist())
    if shift >= 0:
        return list(map(operator.truediv, sums, map(operator.lshift, n.tolist(), repeat(shift))))
    sums = map(operator.lshift, sums, repeat(-shift))
    return list(map(operator.truediv, sums, n.tolist()))
