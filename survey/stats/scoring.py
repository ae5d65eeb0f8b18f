"""Scores of answer sets and of units, per scope (every sub-goal, every area, all items).

For one answer set and one scope (weights w, levels 1..L):
coverage = sum w(answered) / sum w(items in scope); score = sum w*v / sum w over answered items,
null when coverage < min_coverage; index = 100 (score - 1) / (L - 1); level = the highest k with
sum w(answered, v >= k) / sum w(answered) >= threshold, null when the score is null.
Sums run over the items in questionnaire order. NA, DK and unanswered are all "not answered".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from survey.questionnaire import Questionnaire
from survey.stats.dist import t_ppf
from survey.stats.grouped import mean_sd
from survey.stats.types import FloatArray, IntArray

if TYPE_CHECKING:
    from concurrent.futures import Executor


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


def score_sets(
    values: npt.NDArray[Any],
    scopes: Scopes,
    n_levels: int,
    q: Questionnaire,
    pool: Executor | None = None,
) -> Scores:
    """Score answer sets; ``values`` is (items x sets): integer codes (answered when >= 1) or
    floats (answered when not NaN, e.g. item medians).

    Sums are added item by item in questionnaire order, as the definition reads, for a block of
    answer sets and all sums at once: [answered weight, weighted value, weight with value >= 2,
    ..., weight with value >= L]. (Faster here than a matrix product, and exact for any weights.)
    Integer codes with whole weights are counted instead (:func:`_counter`), by blocks of sets
    that are tasks of ``pool`` if given.
    """
    counter = _counter(values, scopes, n_levels)
    if counter is not None:
        return _score_by_counting(values, scopes, n_levels, q, counter, pool)
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


_COUNT_BLOCK = 16384  # answer sets per block when counting


def _counter(
    values: npt.NDArray[Any], scopes: Scopes, n_levels: int
) -> type[np.integer[Any]] | None:
    """The integer type to count in, when counting gives the very same doubles as summing.

    With whole positive weights and integer codes every sum above is a whole number below 2**53,
    so the float sums are exact, the same in any order, and equal to integer counts. Counting
    also needs codes <= L (the value sum is taken as the sum of the counts of v >= k, k = 1..L).
    """
    w = scopes.weights
    if values.dtype.kind not in "iu" or values.ndim != 2 or w.size == 0:
        return None
    if not (bool(np.all(w > 0)) and bool(np.all(w == np.round(w)))):
        return None
    if values.size and int(values.max()) > n_levels:
        return None
    bound = float(w.sum()) * max(n_levels, 1)
    if bound < 2**15:
        return np.int16
    return np.int32 if bound < 2**31 else None


def _score_by_counting(
    values: npt.NDArray[Any],
    scopes: Scopes,
    n_levels: int,
    q: Questionnaire,
    counter: type[np.integer[Any]],
    pool: Executor | None = None,
) -> Scores:
    """:func:`score_sets` for integer codes and whole positive weights, in integers: per scope,
    ``ge[k - 1]`` = sum of w over the items with v >= k (k = 1..L), so the answered weight is
    ``ge[0]`` and the weighted value sum is ``ge[0] + ... + ge[L - 1]``."""
    n_sets = values.shape[1]
    n_scopes = len(scopes)
    out = Scores(*(np.empty((n_scopes, n_sets)) for _ in range(3)))
    weights = [counter(w) for w in scopes.weights.tolist()]

    def score_block(lo: int) -> None:  # writes its own columns of ``out``
        block = values[:, lo : lo + _COUNT_BLOCK]
        size = block.shape[1]
        ge = np.zeros((n_levels, n_scopes, size), dtype=counter)
        for k in range(1, n_levels + 1):
            layer = (block >= k).view(np.int8)
            counts = ge[k - 1]
            for j, item_scopes in enumerate(scopes.of_item):
                row = layer[j] if weights[j] == 1 else layer[j] * weights[j]
                for s in item_scopes:
                    counts[s] += row
        _finish_counts(ge, scopes, n_levels, q, out, slice(lo, lo + size))

    _each(score_block, range(0, n_sets, _COUNT_BLOCK), pool)
    return out


def _each(task: Callable[[int], None], items: Iterable[int], pool: Executor | None) -> None:
    """``task(i)`` for every item, as tasks of ``pool`` if given (their exceptions raised here)."""
    if pool is None:
        for i in items:
            task(i)
    else:
        for future in [pool.submit(task, i) for i in items]:
            future.result()


def _finish_counts(
    ge: npt.NDArray[Any], scopes: Scopes, n_levels: int, q: Questionnaire, out: Scores, part: slice
) -> None:
    """:func:`_finish` from the counts of :func:`_score_by_counting`, with the same float
    operations on the same (whole) numbers. With positive weights ``ge[k - 1] / den`` falls
    as k grows, so the highest k reaching the threshold is 1 + the number of k >= 2 that do."""
    den = ge[0].astype(np.float64)
    num = ge.sum(axis=0, dtype=np.float64)  # whole numbers: exact
    scoring = q.scoring
    coverage = out.coverage[:, part]
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(den, scopes.total_weight[:, None], out=coverage)
        enough = (coverage >= scoring.min_coverage) & (den > 0)
        level = np.ones(den.shape)
        for k in range(2, n_levels + 1):
            level += ge[k - 1] / den >= scoring.threshold
        out.score[:, part] = np.where(enough, num / den, np.nan)
        out.level[:, part] = np.where(enough, level, np.nan)


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
    resp: Scores,
    medians: Scores,
    set_ur: IntArray,
    n_ur: int,
    n_levels: int,
    pool: Executor | None = None,
) -> UnitScores:
    """Individual questionnaire: mean of respondent scores with a t interval; level and coverage
    from the item-wise medians (``medians``, scored like an answer set). Scope by scope (tasks
    of ``pool`` if given): each unit's values are added in the same order either way."""
    n_scopes = resp.score.shape[0]
    shape = (n_scopes, n_ur)
    n = np.empty(shape, dtype=np.int64)
    mean, sd = np.empty(shape), np.empty(shape)

    def scope(s: int) -> None:
        x = resp.score[s]
        ok = ~np.isnan(x)
        n[s], mean[s], sd[s] = mean_sd(set_ur[ok], x[ok], n_ur)

    _each(scope, range(n_scopes), pool)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = t_ppf(0.975, (n - 1).astype(np.float64)) * sd / np.sqrt(n)
    return UnitScores(
        n, medians.coverage, mean, index_of(mean, n_levels), medians.level, mean - half, mean + half
    )
