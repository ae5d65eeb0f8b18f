"""From answer rows to scored answer sets and unit results (the first half of ``analyze``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from survey.questionnaire import Questionnaire
from survey.stats.scoring import (
    Scopes,
    UnitScores,
    individual_results,
    item_medians,
    scopes_of,
    score_sets,
    unit_level_results,
)
from survey.stats.tables import VALUE_DK, AnswerTable, UnitTable, answer_cells
from survey.stats.types import FloatArray, IntArray

if TYPE_CHECKING:
    from concurrent.futures import Executor

_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


def order_rounds(labels: Sequence[str | int]) -> tuple[IntArray, list[str | int]]:
    """Rank of each round code, and the labels in order: numeric when all are integers."""
    text = [str(label) for label in labels]
    if text and all(_INTEGER.fullmatch(t) for t in text):
        keys: list[tuple[int, str]] = [(int(t), t) for t in text]
        order = sorted(range(len(text)), key=keys.__getitem__)
        ordered: list[str | int] = [int(text[i]) for i in order]
    else:
        order = sorted(range(len(text)), key=text.__getitem__)
        ordered = [text[i] for i in order]
    rank = np.empty(len(text), dtype=np.int64)
    rank[order] = np.arange(len(text))
    return rank, ordered


@dataclass(frozen=True)
class Prepared:
    """Scored data shared by the section builders. ``ur`` = one unit in one round."""

    q: Questionnaire
    scopes: Scopes
    n_levels: int
    round_labels: list[str | int]  # in order; round codes below are indexes into this
    ur_round: IntArray
    ur_unit: IntArray
    unit: UnitScores  # arrays of shape (scopes, unit-rounds)
    resp_score: FloatArray | None  # individual questionnaires: (scopes, answer sets)
    set_ur: IntArray | None  # individual questionnaires: the unit-round of each answer set

    @property
    def n_ur(self) -> int:
        return int(self.ur_round.size)

    @property
    def n_rounds(self) -> int:
        return len(self.round_labels)


def _check(q: Questionnaire, units: UnitTable, answers: AnswerTable) -> None:
    n_levels = q.scale.size
    if len(answers) == 0:
        return
    checks = [
        (answers.item, len(q.items), "item codes"),
        (answers.unit, len(units), "unit codes"),
        (answers.round, len(answers.round_labels), "round codes"),
    ]
    for array, size, what in checks:
        if int(array.min()) < 0 or int(array.max()) >= size:
            raise ValueError(f"{what} out of range 0..{size - 1}")
    if int(answers.value.min()) < VALUE_DK or int(answers.value.max()) > n_levels:
        raise ValueError(f"values must be 1..{n_levels}, VALUE_NA, VALUE_DK or VALUE_UNANSWERED")


def prepare(
    q: Questionnaire, units: UnitTable, answers: AnswerTable, pool: Executor | None = None
) -> Prepared:
    """Scores of every answer set and unit. ``pool`` (optional): an executor whose threads take
    the scoring's independent parts (blocks of answer sets, the item medians, scopes); the
    result is the same."""
    _check(q, units, answers)
    n_levels = q.scale.size
    scopes = scopes_of(q)
    rank, round_labels = order_rounds(answers.round_labels)
    sets = answers.sets
    n_units = max(len(units), 1)
    ur_key = rank[sets.round] * n_units + sets.unit
    ur_keys, set_ur = np.unique(ur_key, return_inverse=True)
    set_ur = set_ur.reshape(-1).astype(np.int64)
    n_ur = int(ur_keys.size)
    ur_round, ur_unit = ur_keys // n_units, ur_keys % n_units
    n_items = len(q.items)
    flat = np.zeros(n_items * sets.count, dtype=np.int8)
    if len(answers):
        flat[answer_cells(answers, n_items)] = answers.value
    codes = flat.reshape(n_items, sets.count)
    if not q.is_individual:
        if n_ur != sets.count:
            raise ValueError("a unit-level questionnaire has one answer set per unit and round")
        by_ur = np.empty_like(codes)
        by_ur[:, set_ur] = codes
        unit = unit_level_results(score_sets(by_ur, scopes, n_levels, q, pool), n_levels)
        return Prepared(q, scopes, n_levels, round_labels, ur_round, ur_unit, unit, None, None)

    medians = pool.submit(item_medians, codes, set_ur, n_ur, n_levels) if pool else None
    resp = score_sets(codes, scopes, n_levels, q, pool)
    median_values = medians.result() if medians else item_medians(codes, set_ur, n_ur, n_levels)
    median_scores = score_sets(median_values, scopes, n_levels, q)
    unit = individual_results(resp, median_scores, set_ur, n_ur, n_levels, pool)
    return Prepared(q, scopes, n_levels, round_labels, ur_round, ur_unit, unit, resp.score, set_ur)
