"""Every statistic against an independent published worked example.

Sources are cited per test; the numbers are those printed by the source. Values that no
source prints, worked out by hand from a source's data, are used only as cross-checks and say
so.
"""

from __future__ import annotations

import numpy as np
import pytest

from survey.stats import (
    gini,
    holm,
    icc1,
    kruskal,
    one_vs_rest,
    robust_z,
    sort_by_segment,
    theil,
    theil_decomposition,
    wilcoxon,
)


def groups(*samples: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One segment holding the samples; label i = sample i."""
    values = np.array([v for s in samples for v in s], dtype=float)
    label = np.repeat(np.arange(len(samples)), [len(s) for s in samples])
    return np.zeros(values.size, dtype=np.int64), label, values


# B.1 Kruskal-Wallis H, tie-corrected: scipy.stats.kruskal docstring examples
# (https://docs.scipy.org/doc/scipy/reference/generated/scipy.stats.kruskal.html) and the
# battery-life example of scipy.stats.mstats.kruskal's docs (scipy 1.13).
@pytest.mark.parametrize(
    ("samples", "h", "p"),
    [
        (([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]), 0.2727272727272734, 0.6015081344405895),
        (([1, 1, 1], [2, 2, 2], [2, 2]), 7.0, 0.0301973834223185),
        (
            ([6.3, 5.4, 5.7, 5.2, 5.0], [6.9, 7.0, 6.1, 7.9], [7.2, 6.9, 6.1, 6.5]),
            7.113812154696133,
            0.028526948491942164,
        ),
    ],
)
def test_kruskal_scipy_docs(samples: tuple[list[float], ...], h: float, p: float) -> None:
    seg, label, values = groups(*samples)
    result = kruskal(seg, label, values, 1, len(samples))
    assert result.h[0] == pytest.approx(h, rel=1e-9)
    assert result.p[0] == pytest.approx(p, rel=1e-9)


# B.2 Mann-Whitney U: scipy.stats.mannwhitneyu docstring, data of Shier (2004).
MALES = [19, 22, 16, 29, 24]
FEMALES = [20, 11, 17, 12]


def test_mann_whitney_exact_shier() -> None:
    seg, label, values = groups(MALES, FEMALES)
    u, p, _, n = one_vs_rest(seg, label, values, 1, 2)
    assert (u[0], u[1]) == (17.0, 3.0)  # U1 = 17, U2 = nx*ny - U1 = 3
    assert p[0] == pytest.approx(0.1111111111111111, rel=1e-9)
    assert list(n) == [5, 4]


def test_mann_whitney_asymptotic_shier() -> None:
    seg, label, values = groups(MALES, FEMALES)
    _, p, _, _ = one_vs_rest(seg, label, values, 1, 2, method="asymptotic")
    assert p[0] == pytest.approx(0.11134688653314041, rel=1e-9)  # continuity-corrected


# B.3 Cliff's delta: R effsize::cliff.delta, example data from Hogarty and Kromrey (1999) and
# the package's tests (testCliff.R).
def test_cliffs_delta_effsize() -> None:
    treatment = [10, 10, 20, 20, 20, 30, 30, 30, 40, 50]
    control = [10, 20, 30, 40, 40, 50]
    seg, label, values = groups(treatment, control)
    _, _, delta, _ = one_vs_rest(seg, label, values, 1, 2)
    assert delta[0] == pytest.approx(-0.25, rel=1e-12)
    assert delta[1] == pytest.approx(0.25, rel=1e-12)  # the other way round
    x1 = [10, 20, 20, 20, 30, 30, 30, 40, 50, 100]
    seg, label, values = groups(x1, control)
    _, _, delta, _ = one_vs_rest(seg, label, values, 1, 2)
    assert delta[0] == pytest.approx(-0.06666, abs=1e-5)  # "negligible"
    seg, label, values = groups(control, [v + 110 for v in control])
    _, _, delta, _ = one_vs_rest(seg, label, values, 1, 2)
    assert abs(delta[0]) == 1.0  # disjoint samples: "large"


# B.4 ICC(1): Shrout & Fleiss (1979), 6 targets rated by 4 judges (psych::ICC example);
# published ICC1 = 0.17. 0.1657418 is the reference file's own computation (cross-check only).
SF_JUDGES = [[9, 6, 8, 7, 10, 6], [2, 1, 4, 1, 5, 2], [5, 3, 6, 2, 6, 4], [8, 2, 8, 6, 9, 7]]


def test_icc1_shrout_fleiss() -> None:
    ratings = np.array(SF_JUDGES, dtype=float).T  # one row per target
    label = np.repeat(np.arange(6), 4)
    seg = np.zeros(24, dtype=np.int64)
    value = icc1(seg, label, ratings.ravel(), 1, 6)[0]
    assert round(value, 2) == 0.17
    assert value == pytest.approx(0.1657, abs=1e-4)


# B.5 Gini (without the n/(n-1) correction, as R ineq::ineq; captured output 0.462091130267624,
# also asserted in mgoeminne/scalar-ineq's IneqTest) and Theil T (Inequality.jl docstring).
def test_gini_ineq_docs() -> None:
    x = np.array([541, 1463, 2445, 3438, 4437, 5401, 6392, 8304, 11904, 22261], dtype=float)
    seg = np.zeros(x.size, dtype=np.int64)
    assert gini(sort_by_segment(seg, x, 1))[0] == pytest.approx(0.462091130267624, rel=1e-12)
    y = np.array([2] * 5 + [18] * 5, dtype=float)
    # ineq:::Gini(y, corr=TRUE) = 0.4444...; uncorrected = 0.4444 * (n-1)/n = 0.4
    assert gini(sort_by_segment(seg, y, 1))[0] == pytest.approx(0.444444444444444 * 9 / 10)


def test_theil_inequality_jl() -> None:
    x = np.array([8, 5, 1, 3, 5, 6, 7, 6, 3], dtype=float)
    seg = np.zeros(x.size, dtype=np.int64)
    assert theil(seg, x, 1)[0] == pytest.approx(0.10494562214323544, rel=1e-12)
    # Decomposition identity T = sum s_k T_k + sum s_k ln(mu_k/mu) (Theil index page); the split
    # A=[8,5,1,3], B=[5,6,7,6,3] is the reference file's own worked case (cross-check).
    group = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1])
    split = theil_decomposition(seg, group, x, 1, 2)
    assert split.total[0] == pytest.approx(0.10494562214323544, rel=1e-12)
    assert split.within[0] == pytest.approx(0.0980381, abs=1e-7)
    assert split.between[0] == pytest.approx(0.0069075, abs=1e-7)
    assert split.between[0] + split.within[0] == pytest.approx(split.total[0], rel=1e-12)
    assert split.between_share[0] == pytest.approx(0.0658, abs=1e-4)


# B.6 Holm: statsmodels' test_multi.py against R multtest (res_multtest3, Holm column), and the
# Wikipedia Holm-Bonferroni example (reject H1 and H4 only at alpha 0.05).
def test_holm_multtest() -> None:
    raw = np.array([0.001, 0.002, 0.003, 0.004, 0.005, 0.05, 0.06, 0.07, 0.08, 0.09])
    want = [0.01, 0.018, 0.024, 0.028, 0.03, 0.25, 0.25, 0.25, 0.25, 0.25]
    got = holm(np.zeros(raw.size, dtype=np.int64), raw, 1)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_holm_wikipedia() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005])
    adjusted = holm(np.zeros(4, dtype=np.int64), p, 1)
    assert list(adjusted < 0.05) == [True, False, False, True]
    np.testing.assert_allclose(adjusted, [0.03, 0.06, 0.06, 0.02], rtol=1e-12)


# B.7 Wilcoxon signed rank: scipy.stats.wilcoxon docstring, Wilcoxon (1945) corn data;
# exact two-sided p (current scipy; older docs printed the normal approximation 0.0409).
def test_wilcoxon_corn() -> None:
    d = np.array([6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75], dtype=float)
    result = wilcoxon(np.zeros(d.size, dtype=np.int64), d, 1)
    assert result.statistic[0] == 24.0
    assert result.p[0] == pytest.approx(0.041259765625, rel=1e-12)
    assert (result.improved[0], result.declined[0], result.unchanged[0]) == (13, 2, 0)


# B.8 Robust z with MAD: R's mad() with constant 1.4826 (mad(1:9, constant=1) == 2), and the
# Iglewicz-Hoaglin case where over half the values tie, so MAD = 0.
def test_robust_z_mad() -> None:
    x = np.arange(1, 10, dtype=float)
    z, med, mad = robust_z(np.zeros(9, dtype=np.int64), x, 1)
    assert (med[0], mad[0]) == (5.0, 2.0)
    assert z[0] == pytest.approx((1 - 5) / 2.9652, rel=1e-12)
    tied = np.array([10, 10, 10, 10, 10, 10, 10, 100], dtype=float)
    z, _, mad = robust_z(np.zeros(8, dtype=np.int64), tied, 1)
    assert mad[0] == 0.0
    assert np.isnan(z).all()
