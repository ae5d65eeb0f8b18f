"""The vectorised building blocks equal scipy/numpy, one group at a time, on random data.

Data have many ties (values on a coarse grid), zeros, and groups of size 1, 2 and 3, so every
branch of scipy's method selection is reached. Tolerance: 1e-9 relative.
"""

from __future__ import annotations

import statistics
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from survey.stats import (
    average_ranks,
    holm,
    icc1,
    kruskal,
    mean_sd,
    median,
    one_vs_rest,
    quantile,
    sort_by_segment,
    theil_decomposition,
    wilcoxon,
)
from survey.stats.dist import chi2_sf, norm_sf, t_ppf
from survey.stats.exact import _divide_python, exact_mean
from survey.stats.grouped import _ranks_by_sorting

RTOL = 1e-9


def segmented(
    rng: np.random.Generator, n_seg: int, sizes: tuple[int, int], grid: float | None
) -> tuple[np.ndarray, np.ndarray]:
    counts = rng.integers(*sizes, size=n_seg)
    seg = np.repeat(np.arange(n_seg), counts)
    values = rng.normal(3, 1, seg.size)
    if grid:
        values = np.round(values / grid) * grid
    order = rng.permutation(seg.size)  # input order must not matter
    return seg[order], values[order]


@pytest.mark.parametrize("grid", [None, 0.5, 0.25])
def test_ranks_equal_rankdata(grid: float | None) -> None:
    rng = np.random.default_rng(11)
    seg, values = segmented(rng, 40, (1, 30), grid)
    for ranks in (average_ranks(seg, values, 40), _ranks_by_sorting(seg, values, 40, None)):
        for s in range(40):
            x = values[seg == s]
            np.testing.assert_array_equal(ranks.ranks[seg == s], stats.rankdata(x))
            _, t = np.unique(x, return_counts=True)
            assert ranks.tie_term[s] == float((t**3 - t).sum())


@pytest.mark.parametrize("grid", [None, 0.5, 1.0])
def test_kruskal_equals_scipy(grid: float | None) -> None:
    rng = np.random.default_rng(12)
    n_seg = 30
    seg, values = segmented(rng, n_seg, (2, 40), grid)
    label = seg * 4 + rng.integers(0, 4, seg.size)  # up to 4 groups per segment
    result = kruskal(seg, label, values, n_seg, n_seg * 4)
    for s in range(n_seg):
        samples = [values[label == lab] for lab in range(s * 4, s * 4 + 4)]
        samples = [x for x in samples if x.size]
        if len(samples) < 2 or np.unique(values[seg == s]).size < 2:
            assert np.isnan(result.h[s]) and np.isnan(result.p[s])
            continue
        want = stats.kruskal(*samples)
        assert result.h[s] == pytest.approx(want.statistic, rel=RTOL)
        assert result.p[s] == pytest.approx(want.pvalue, rel=RTOL)


@pytest.mark.parametrize(("grid", "sizes"), [(None, (1, 12)), (0.5, (1, 30)), (None, (5, 40))])
def test_one_vs_rest_equals_mannwhitneyu(grid: float | None, sizes: tuple[int, int]) -> None:
    rng = np.random.default_rng(13)
    n_seg = 12
    seg, values = segmented(rng, n_seg, (6, 60), grid)
    # labels of random sizes within each segment (tiny ones too)
    label = seg * 6 + np.minimum(rng.integers(0, 6, seg.size), rng.integers(*sizes, seg.size) % 6)
    u, p, delta, n = one_vs_rest(seg, label, values, n_seg, n_seg * 6)
    checked = 0
    for lab in np.unique(label):
        x = values[label == lab]
        rest = values[(seg == seg[label == lab][0]) & (label != lab)]
        if rest.size == 0:
            assert np.isnan(p[lab])
            continue
        want = stats.mannwhitneyu(x, rest, alternative="two-sided")
        assert u[lab] == pytest.approx(want.statistic, rel=RTOL)
        assert p[lab] == pytest.approx(want.pvalue, rel=RTOL)
        greater = (x[:, None] > rest[None, :]).sum()
        less = (x[:, None] < rest[None, :]).sum()
        assert delta[lab] == pytest.approx((greater - less) / (x.size * rest.size), rel=RTOL)
        assert n[lab] == x.size
        checked += 1
    assert checked > 50


@pytest.mark.parametrize("grid", [None, 0.5, 1.0])
def test_wilcoxon_equals_scipy(grid: float | None) -> None:
    """Sizes 1..70 reach exact (<= 50, no ties/zeros), permutation (<= 13) and normal p."""
    rng = np.random.default_rng(14)
    # 13 is the largest size scipy tests by permutation (2**13 sign patterns, slow in scipy)
    small = [1, 2, 3, 4, 5, 6, 7, 9, 11, 14, 16, 20] + ([13] if grid == 0.5 else [])
    n_seg = len(small) + 16
    counts = np.concatenate([small, rng.integers(20, 71, n_seg - len(small))])
    seg = np.repeat(np.arange(n_seg), counts)
    d = rng.normal(0.3, 1, seg.size)
    if grid:
        d = np.round(d / grid) * grid
    result = wilcoxon(seg, d, n_seg)
    for s in range(n_seg):
        x = d[seg == s]
        assert result.n_pairs[s] == x.size
        assert (result.improved[s], result.declined[s]) == ((x > 0).sum(), (x < 0).sum())
        if x.size < 2 or (x == 0).all():
            assert np.isnan(result.statistic[s]) and np.isnan(result.p[s])
            continue
        want = stats.wilcoxon(x)
        assert result.statistic[s] == pytest.approx(want.statistic, rel=RTOL)
        assert result.p[s] == pytest.approx(want.pvalue, rel=RTOL)


def test_order_statistics_equal_numpy() -> None:
    rng = np.random.default_rng(15)
    seg, values = segmented(rng, 50, (1, 25), 0.25)
    s = sort_by_segment(seg, values, 51)  # segment 50 stays empty
    n, mean, sd = mean_sd(seg, values, 51)
    q1, q3, med = quantile(s, 0.25), quantile(s, 0.75), median(s)
    for k in range(50):
        x = values[seg == k]
        assert n[k] == x.size
        assert mean[k] == statistics.mean(x.tolist())  # exactly rounded
        assert mean[k] == pytest.approx(np.mean(x), rel=1e-15)
        assert q1[k] == np.percentile(x, 25) and q3[k] == np.percentile(x, 75)
        assert med[k] == np.median(x)
        if x.size >= 2:
            assert sd[k] == pytest.approx(np.std(x, ddof=1), rel=RTOL, abs=1e-15)
        else:
            assert np.isnan(sd[k])
    assert n[50] == 0 and np.isnan(mean[50]) and np.isnan(q1[50]) and np.isnan(med[50])


def test_exact_mean_is_order_free() -> None:
    x = np.array([7 / 3, 8 / 3, 0.1, 0.2, 0.3, 1e-3])
    seg = np.zeros(x.size, dtype=np.int64)
    forward = exact_mean(seg, x, 1)[0]
    backward = exact_mean(seg, x[::-1].copy(), 1)[0]
    assert forward == backward == statistics.mean(x.tolist())


@pytest.mark.parametrize("kind", ["fractions", "quarters", "constant", "signed"])
def test_exact_mean_equals_statistics_mean(kind: str) -> None:
    """Correctly rounded like statistics.mean (exact fractions), vectorised or not."""
    rng = np.random.default_rng(19)
    seg = rng.integers(0, 400, 20_000)
    x = 1 + rng.integers(1, 40, seg.size) / rng.integers(1, 40, seg.size)
    if kind == "quarters":
        x = np.round(x * 4) / 4
    elif kind == "constant":
        x = np.full(seg.size, 7 / 3)
    elif kind == "signed":
        x = x - 2.5
    got = exact_mean(seg, x, 401)
    for s in range(400):
        assert got[s] == statistics.mean(x[seg == s].tolist())
    assert np.isnan(got[400])


def test_python_division_agrees() -> None:
    hi, lo, n = np.array([5, 0, 123]), np.array([7, 3, 2**32 - 1]), np.array([3, 7, 11])
    for e_min in (-3, 1, 60):
        got = _divide_python(hi, lo, n, e_min)
        pairs = zip(hi.tolist(), lo.tolist(), n.tolist(), strict=True)
        for g, (h, low, count) in zip(got, pairs, strict=True):
            exact = Fraction((h << 32) + low, count) * Fraction(2) ** (e_min - 53)
            assert g == float(exact)


def test_icc1_equals_one_way_anova() -> None:
    """ICC(1) = (F - 1) / (F + k0 - 1) with F from scipy.stats.f_oneway."""
    rng = np.random.default_rng(16)
    n_seg, per_seg = 10, 5
    label = np.repeat(np.arange(n_seg * per_seg), rng.integers(2, 9, n_seg * per_seg))
    seg = label // per_seg
    values = np.round(rng.normal(3, 1, label.size) + (label % 3) * 0.4, 1)
    got = icc1(seg, label, values, n_seg, n_seg * per_seg)
    for s in range(n_seg):
        samples = [values[label == lab] for lab in range(s * per_seg, (s + 1) * per_seg)]
        f = stats.f_oneway(*samples).statistic
        big_n, g = sum(x.size for x in samples), len(samples)
        k0 = (big_n - sum(x.size**2 for x in samples) / big_n) / (g - 1)
        assert got[s] == pytest.approx((f - 1) / (f + k0 - 1), rel=RTOL)


def test_theil_decomposition_identity() -> None:
    rng = np.random.default_rng(17)
    seg, values = segmented(rng, 8, (3, 40), None)
    values = np.abs(values) + 0.5
    group = rng.integers(0, 3, seg.size)
    split = theil_decomposition(seg, group, values, 8, 3)
    np.testing.assert_allclose(split.between + split.within, split.total, rtol=1e-12)
    assert (split.between >= 0).all()


def test_holm_per_segment_equals_loop() -> None:
    rng = np.random.default_rng(18)
    seg = rng.integers(0, 7, 200)
    p = rng.random(200) ** 3
    p[::17] = np.nan
    got = holm(seg, p, 7)
    for s in range(7):
        idx = np.flatnonzero((seg == s) & ~np.isnan(p))
        order = idx[np.argsort(p[idx], kind="stable")]
        running = 0.0
        for rank, i in enumerate(order):
            running = max(running, (idx.size - rank) * p[i])
            assert got[i] == pytest.approx(min(1.0, running), rel=1e-15)
    assert np.isnan(got[::17]).all()


def test_norm_sf_equals_scipy() -> None:
    z = np.concatenate([np.linspace(-10, 40, 5001), [0.0, 0.7071067811865476, 37.6, 37.7, 39]])
    want = stats.norm.sf(z)
    got = norm_sf(z)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


def test_chi2_sf_equals_scipy() -> None:
    """Degrees of freedom as in Kruskal-Wallis (groups - 1), statistics from 0 to deep tails."""
    df = np.concatenate([np.arange(1, 61), [80, 100, 150, 200, 300, 500, 1000, 2000]])
    x = np.concatenate([np.geomspace(1e-6, 1e4, 300), np.linspace(0.5, 3000, 200)])
    d, h = (a.ravel().astype(float) for a in np.meshgrid(df, x))
    want = stats.chi2.sf(h, d)
    got = chi2_sf(h, d)
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=0)
    assert chi2_sf(np.array([0.0]), np.array([3.0]))[0] == 1.0


def test_t_ppf_equals_scipy() -> None:
    df = np.concatenate([np.arange(1, 200), [250, 500, 1000, 3000]]).astype(float)
    for q in (0.975, 0.025, 0.999, 0.6):
        np.testing.assert_allclose(t_ppf(q, df), stats.t.ppf(q, df), rtol=1e-12)
    assert np.isnan(t_ppf(0.975, np.array([0.0]))[0])
