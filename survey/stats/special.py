"""The three distribution functions the tests need, without importing scipy (half a second).

- :func:`norm_sf`: upper normal tail, with the branches of cephes' ``ndtr`` (scipy).
- :func:`chi2_sf`: upper chi-squared tail = regularized upper incomplete gamma Q(df/2, x/2), by
  series or continued fraction (Numerical Recipes, "gammq"), vectorised.
- :func:`t_ppf`: Student's t quantile, by Newton steps on the t CDF (regularized incomplete beta
  by continued fraction), for the few distinct degrees of freedom of confidence intervals.

The tests compare each with scipy.special / scipy.stats over wide grids (relative 1e-12).
"""

from __future__ import annotations

import math

import numpy as np

from survey.stats.types import FloatArray

SQRT1_2 = 0.7071067811865476
MAXLOG = 709.782712893384  # cephes: erfc(x) underflows to 0 when x*x > MAXLOG
_EPS = 1e-16
_TINY = 1e-300
_MAX_ITER = 2000

_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)


def norm_sf(z: FloatArray) -> FloatArray:
    """P(Z > z) = ndtr(-z), with ndtr's branches: 0.5 + 0.5 erf(x) near 0, else erfc."""
    x = -np.asarray(z, dtype=np.float64) * SQRT1_2
    out = np.empty(x.shape)
    small = np.abs(x) < SQRT1_2
    out[small] = 0.5 + 0.5 * np.asarray(_erf(x[small]), dtype=np.float64)
    big = np.abs(x[~small])
    tail = np.where(big * big > MAXLOG, 0.0, 0.5 * np.asarray(_erfc(big), dtype=np.float64))
    out[~small] = np.where(x[~small] > 0, 1.0 - tail, tail)
    return out


def gamma_q(a: FloatArray, x: FloatArray) -> FloatArray:
    """Regularized upper incomplete gamma Q(a, x) for a > 0, x >= 0."""
    a, x = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
    out = np.ones(a.shape)
    positive = x > 0
    lgam = np.vectorize(math.lgamma, otypes=[np.float64])
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        series = positive & (x < a + 1)
        if series.any():
            aa, xx = a[series], x[series]
            out[series] = 1.0 - _gamma_p_series(aa, xx, lgam(aa))
        fraction = positive & ~series
        if fraction.any():
            aa, xx = a[fraction], x[fraction]
            out[fraction] = _gamma_q_fraction(aa, xx, lgam(aa))
    return out


def _gamma_p_series(a: FloatArray, x: FloatArray, lgamma_a: FloatArray) -> FloatArray:
    term = 1.0 / a
    total = term.copy()
    denominator = a.copy()
    active = np.ones(a.shape, dtype=bool)
    for _ in range(_MAX_ITER):
        denominator = denominator + 1
        term = np.where(active, term * x / denominator, term)
        total = np.where(active, total + term, total)
        active &= np.abs(term) >= np.abs(total) * _EPS
        if not active.any():
            break
    return np.asarray(total * np.exp(a * np.log(x) - x - lgamma_a), dtype=np.float64)


def _gamma_q_fraction(a: FloatArray, x: FloatArray, lgamma_a: FloatArray) -> FloatArray:
    """Modified Lentz evaluation of the continued fraction for Q(a, x), x >= a + 1."""
    b = x + 1 - a
    c = np.full(a.shape, 1 / _TINY)
    d = 1 / b
    h = d.copy()
    active = np.ones(a.shape, dtype=bool)
    for i in range(1, _MAX_ITER):
        an = -i * (i - a)
        b = b + 2
        d_new = an * d + b
        d_new = np.where(np.abs(d_new) < _TINY, _TINY, d_new)
        c_new = b + an / c
        c_new = np.where(np.abs(c_new) < _TINY, _TINY, c_new)
        d_new = 1 / d_new
        delta = d_new * c_new
        h = np.where(active, h * delta, h)
        d, c = np.where(active, d_new, d), np.where(active, c_new, c)
        active &= np.abs(delta - 1) >= _EPS
        if not active.any():
            break
    log_front = a * np.log(x) - x - lgamma_a
    # as cephes' igamc (scipy): underflow to 0 once the prefactor is below exp(-MAXLOG)
    return np.where(log_front < -MAXLOG, 0.0, np.exp(log_front) * h)


def chi2_sf(x: FloatArray, df: FloatArray) -> FloatArray:
    """P(X > x) for chi-squared with ``df`` degrees of freedom."""
    return gamma_q(np.asarray(df, dtype=np.float64) / 2, np.asarray(x, dtype=np.float64) / 2)


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularized incomplete beta (Numerical Recipes, betacf)."""
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) >= _TINY else _TINY)
    h = d
    for m in range(1, _MAX_ITER):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                   -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):  # fmt: skip
            d = 1 + aa * d
            d = 1 / (d if abs(d) >= _TINY else _TINY)
            c = 1 + aa / c
            c = c if abs(c) >= _TINY else _TINY
            h *= d * c
        if abs(d * c - 1) < _EPS:
            break
    return h


def _beta_i(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))  # fmt: skip
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1 - math.exp(log_front) * _beta_fraction(b, a, 1 - x) / b


def _t_upper(t: float, df: float) -> float:
    """P(T > t) for t >= 0."""
    return 0.5 * _beta_i(df / 2, 0.5, df / (df + t * t))


def _t_quantile(q: float, df: float) -> float:
    if q == 0.5:
        return 0.0
    upper = 1 - q if q > 0.5 else q
    # bracket, then Newton with bisection safeguard on log P(T > t)
    lo, hi = 0.0, 1.0
    while _t_upper(hi, df) > upper:
        lo, hi = hi, hi * 2
    t = (lo + hi) / 2
    log_coef = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    for _ in range(200):
        tail = _t_upper(t, df)
        if tail > upper:
            lo = t
        else:
            hi = t
        density = math.exp(log_coef - (df + 1) / 2 * math.log1p(t * t / df))
        step = (tail - upper) / density
        candidate = t + step
        if not lo < candidate < hi:
            candidate = (lo + hi) / 2
        if abs(candidate - t) <= 4e-16 * abs(t):
            t = candidate
            break
        t = candidate
    return t if q > 0.5 else -t


def t_ppf(q: float, df: FloatArray) -> FloatArray:
    """Quantile of Student's t; NaN for df < 1."""
    df = np.asarray(df, dtype=np.float64)
    out = np.full(df.shape, np.nan)
    ok = df >= 1
    if ok.any():
        unique, inverse = np.unique(df[ok], return_inverse=True)
        out[ok] = np.array([_t_quantile(q, float(v)) for v in unique])[inverse]
    return out
