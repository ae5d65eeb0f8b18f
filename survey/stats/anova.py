"""ICC(1) from a one-way random-effects ANOVA, per segment, and the robust-z outlier rule."""

from __future__ import annotations

import numpy as np

from survey.stats.grouped import Sorted, median, segment_sum, sort_by_segment
from survey.stats.types import FloatArray, IntArray

MAD_SCALE = 1.4826  # makes the MAD a consistent estimator of sigma for normal data (R's mad())


def icc1(
    seg: IntArray, label: IntArray, values: FloatArray, n_segments: int, n_labels: int
) -> FloatArray:
    """ICC(1) = (MSB - MSW) / (MSB + (k0 - 1) MSW) with k0 = (N - sum n_i^2 / N) / (g - 1).

    Labels (the ANOVA's groups, e.g. units) are nested in segments; g labels and N values per
    segment. NaN when g < 2, N = g, or the denominator is 0 (every value equal).
    """
    lab_seg = np.zeros(n_labels, dtype=np.int64)
    lab_seg[label] = seg
    n_label = np.bincount(label, minlength=n_labels)
    return icc1_of(seg, label, values, np.bincount(seg, minlength=n_segments), n_label, lab_seg)


def icc1_of(
    seg: IntArray,
    label: IntArray,
    values: FloatArray,
    n_seg: IntArray,
    n_label: IntArray,
    lab_seg: IntArray,
) -> FloatArray:
    """:func:`icc1` given the count of values of each segment and label, and each label's
    segment (0 for labels without values)."""
    n_segments, n_labels = n_seg.size, n_label.size
    n_i = n_label.astype(np.float64)
    used = n_i > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_i = segment_sum(label, values, n_labels) / n_i
        big_n = n_seg.astype(np.float64)
        g = np.bincount(lab_seg[used], minlength=n_segments).astype(np.float64)
        grand = segment_sum(seg, values, n_segments) / big_n
        between = np.bincount(
            lab_seg[used],
            weights=n_i[used] * (mean_i[used] - grand[lab_seg[used]]) ** 2,
            minlength=n_segments,
        )
        dev = values - mean_i[label]
        within = segment_sum(seg, dev * dev, n_segments)
        sum_n2 = np.bincount(lab_seg[used], weights=n_i[used] ** 2, minlength=n_segments)
        msb = between / (g - 1)
        msw = within / (big_n - g)
        k0 = (big_n - sum_n2 / big_n) / (g - 1)
        denominator = msb + (k0 - 1) * msw
        icc = (msb - msw) / denominator
    ok = (g >= 2) & (big_n > g) & (denominator != 0) & np.isfinite(icc)
    return np.where(ok, icc, np.nan)


def robust_z(
    seg: IntArray, values: FloatArray, n_segments: int, s: Sorted | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Robust z = (x - median) / (1.4826 MAD) per value, and each segment's median and MAD.

    MAD = median(|x - median|) (numpy medians). z is NaN where the segment's MAD is 0.
    """
    s = s if s is not None else sort_by_segment(seg, values, n_segments)
    med = median(s)
    deviation = np.abs(values - med[seg])
    mad = median(sort_by_segment(seg, deviation, n_segments))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (values - med[seg]) / (MAD_SCALE * mad[seg])
    z = np.where(mad[seg] > 0, z, np.nan)
    return z, med, mad
