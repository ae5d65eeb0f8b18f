"""Scores of answer sets and of units, per scope (every sub-goal, every area, all items).

For one answer set and one scope (weights w, levels 1..L):
coverage = sum w(answered) / sum w(items in scope); score = sum w*v / sum w over answered items,
null when coverage < min_coverage; index = 100 (score - 1) / (L - 1); level = the highest k with
sum w(answered, v >= k) / sum w(answered) >= threshold, null when the score is null.
Sums run over the items in questionnaire order. NA, DK and unanswered are all "not answered".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from survey.questionnaire import Questionnaire
from survey.stats.dist import t_ppf
from survey.stats.grouped import FloatArray, IntArray, mean_sd


@dataclass(frozen=True)
class Scopes:
    types: tuple[str, ...]  # "subgoal", "area" or "total", per scope
    ids: tuple[str, ...]
    of_item: tuple[tuple[int, ...], ...]  # the scopes each item belongs to
    total_weight: FloatArray  # per scope
    weights: FloatArray  # per item

    def __len__(self) -> int:
        return len(self.types)


def scopes_of(q: Questionnaire) -> Scopes:
    """Sub-goals (sorted ids), then areas (questionnaire order), then ``total``."""
    types = ["subgoal"] * len(q.subgoal_ids) + ["area"] * len(q.area_ids) + ["total"]
    ids = [*q.subgoal_ids, *q.area_ids, "total"]
    index = {(t, i): s for s, (t, i) in enumerate(zip(types, ids, strict=True))}
    of_item = tuple(
        (index["subgoal", item.subgoal], index["area", item.area], index["total", "total"])
        for item in q.items
    )
    total = np.zeros(len(types))
    for item, scopes in zip(q.items, of_item, strict=True):
        for s in scopes:
            total[s] += item.weight
    weights = np.array([item.weight for item in q.items], dtype=np.float64)
    return Scopes(tuple(types), tuple(ids), of_item, total, weights)


@dataclass(frozen=True)
class Scores:
    """Per scope (rows) and answer set or unit (columns); NaN = null."""

    coverage: FloatArray
    score: FloatArray
    level: FloatArray


_BLOCK = 4096  # answer sets per block: temporaries stay in cache


def score_sets(values: npt.NDArray[Any], scopes: Scopes, n_levels: int, q: Questionnaire) -> Scores:
    """Score answer sets; ``values`` is (items x sets): integer codes (answered when >= 1) or
    floats (answered when not NaN, e.g. item medians).

    Sums are added item by item in questionnaire order, as the definition reads, for a block of
    answer sets and all sums at once: [answered weight, weighted value, weight with value >= 2,
    ..., weight with value >= L]. (Faster here than a matrix product, and exact for any weights.)
    """
    n_sets = values.shape[1]
    n_scopes = len(scopes)
    out = Scores(*(np.empty((n_scopes, n_sets)) for _ in range(3)))
    weights = scopes.weights.tolist()
    for lo in range(0, n_sets, _BLOCK):
        block = values[:, lo : lo + _BLOCK]
        if block.dtype.kind == "f":
            answered = ~np.isnan(block)
            v = np.where(answered, block, 0.0)
        else:
            answered = block >= 1
            v = np.where(answered, block, 0).astype(np.float64)
        size = v.shape[1]
        layers = np.empty((v.shape[0], n_levels + 1, size))
        layers[:, 0] = answered
        layers[:, 1] = v
        for k in range(2, n_levels + 1):
            layers[:, k] = v >= k
        sums = np.zeros((n_scopes, n_levels + 1, size))
        for j, item_scopes in enumerate(scopes.of_item):
            weighted = layers[j] * weights[j]
            for s in item_scopes:
                sums[s] += weighted
        _finish(sums.transpose(1, 0, 2), scopes, n_levels, q, out, slice(lo, lo + size))
    return out


def _finish(
    sums: FloatArray, scopes: Scopes, n_levels: int, q: Questionnaire, out: Scores, part: slice
) -> None:
    """coverage, score and level from the sums [answered weight, weighted value, >= k ...]."""
    den, num = sums[0], sums[1]
    scoring = q.scoring
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = den / scopes.total_weight[:, None]
        enough = (coverage >= scoring.min_coverage) & (den > 0)
        level = np.where(enough, 1.0, np.nan)
        for k in range(2, n_levels + 1):
            level[enough & (sums[k] / den >= scoring.threshold)] = float(k)
        out.coverage[:, part] = coverage
        out.score[:, part] = np.where(enough, num / den, np.nan)
        out.level[:, part] = level


def index_of(score: FloatArray, n_levels: int) -> FloatArray:
    return np.asarray(100 * (score - 1) / (n_levels - 1), dtype=np.float64)


@dataclass(frozen=True)
class UnitScores:
    """Unit results per scope (rows) and unit-round (columns)."""

    n_respondents: IntArray
    coverage: FloatArray
    score: FloatArray
    index: FloatArray
    level: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray


def unit_level_results(sets: Scores, n_levels: int) -> UnitScores:
    """Unit-level questionnaire: a unit-round's result is its one answer set's."""
    n_resp = (~np.isnan(sets.score)).astype(np.int64)
    nan = np.full(sets.score.shape, np.nan)
    index = index_of(sets.score, n_levels)
    return UnitScores(n_resp, sets.coverage, sets.score, index, sets.level, nan, nan.copy())


def item_medians(codes: npt.NDArray[Any], set_ur: IntArray, n_ur: int, n_levels: int) -> FloatArray:
    """Per item and unit-round, the median of the respondents' answered values (NaN if none).

    ``codes`` is (items x sets) with values 1..L or <= 0 for not answered. Counts per level give
    the two middle values, so no sort is needed.
    """
    n_items = codes.shape[0]
    medians = np.empty((n_items, n_ur))
    base = set_ur.astype(np.int32 if n_ur * n_levels < 2**31 else np.int64) * n_levels
    for j in range(n_items):
        answered = codes[j] >= 1
        key = base[answered] + (codes[j][answered] - 1)
        counts = np.bincount(key, minlength=n_ur * n_levels).reshape(n_ur, n_levels)
        cum = np.cumsum(counts, axis=1)
        total = cum[:, -1]
        lo_pos, hi_pos = (total - 1) // 2, total // 2
        lo = 1 + (cum[:, :-1] <= lo_pos[:, None]).sum(axis=1)
        hi = 1 + (cum[:, :-1] <= hi_pos[:, None]).sum(axis=1)
        medians[j] = np.where(total > 0, (lo + hi) / 2, np.nan)
    return medians


def individual_results(
    resp: Scores, medians: Scores, set_ur: IntArray, n_ur: int, n_levels: int
) -> UnitScores:
    """Individual questionnaire: mean of respondent scores with a t interval; level and coverage
    from the item-wise medians (``medians``, scored like an answer set)."""
    n_scopes = resp.score.shape[0]
    seg = (np.arange(n_scopes)[:, None] * n_ur + set_ur[None, :]).ravel()
    flat = resp.score.ravel()
    ok = ~np.isnan(flat)
    n, mean, sd = mean_sd(seg[ok], flat[ok], n_scopes * n_ur)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = t_ppf(0.975, (n - 1).astype(np.float64)) * sd / np.sqrt(n)
    shape = (n_scopes, n_ur)
    mean = mean.reshape(shape)
    return UnitScores(
        n.reshape(shape),
        medians.coverage,
        mean,
        index_of(mean, n_levels),
        medians.level,
        (mean.ravel() - half).reshape(shape),
        (mean.ravel() + half).reshape(shape),
    )
