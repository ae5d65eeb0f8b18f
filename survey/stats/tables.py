"""Input tables of the statistics engine: units and answers as integer-coded columns.

Both the CLI (files) and the web layer (a database query) build these, then call
:func:`survey.stats.analyze`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from survey.stats.types import IntArray

Codes = npt.NDArray[np.integer[Any]]

VALUE_UNANSWERED = 0
VALUE_NA = -1  # not applicable
VALUE_DK = -2  # don't know


@dataclass(frozen=True, eq=False)
class UnitTable:
    """Units: ``ids[i]`` is the ``unit_id`` of unit code ``i``.

    ``columns`` maps an attribute (``parent_id``, ``region``, …) to one value per unit; an empty
    string or None means "no value" (the unit is in no group for that attribute).
    """

    ids: Sequence[str]
    columns: Mapping[str, Sequence[str | None]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def codes(self, column: str) -> tuple[IntArray, list[str]]:
        """Per unit the index of its value in the sorted labels, or -1 for no value."""
        raw = ["" if v is None else str(v) for v in self.columns[column]]
        labels = sorted(set(raw) - {""})
        index = {label: i for i, label in enumerate(labels)}
        codes = np.fromiter((index.get(v, -1) for v in raw), dtype=np.int64, count=len(raw))
        return codes, labels


@dataclass(frozen=True, eq=False)
class AnswerTable:
    """Answers in long format, one entry per row, all integer-coded numpy arrays of equal length.

    - ``round``: index into ``round_labels`` (labels are round ids; all-integer ids sort
      numerically, others as strings);
    - ``unit``: index into the :class:`UnitTable`;
    - ``respondent``: any integer; an answer set is one (round, unit, respondent);
    - ``item``: index into ``questionnaire.items``;
    - ``value``: 1..L, or ``VALUE_NA`` / ``VALUE_DK`` / ``VALUE_UNANSWERED``.
    An item an answer set has no row for counts as unanswered.
    """

    round: Codes
    unit: Codes
    respondent: Codes
    item: Codes
    value: Codes
    round_labels: Sequence[str | int]
    _cells: dict[int, Codes] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        sizes = {a.size for a in (self.round, self.unit, self.respondent, self.item, self.value)}
        if len(sizes) != 1:
            raise ValueError(f"answer columns differ in length: {sorted(sizes)}")

    def __len__(self) -> int:
        return int(self.round.size)

    @cached_property
    def sets(self) -> AnswerSets:
        return index_answer_sets(self)


@dataclass(frozen=True)
class AnswerSets:
    """Dense numbering of the answer sets (round, unit, respondent) of an :class:`AnswerTable`."""

    of_row: Codes  # answer set of each row (int32 or int64)
    round: IntArray  # per set
    unit: IntArray  # per set
    count: int
    in_row_order: bool = False  # the rows come set by set: of_row never decreases


def index_answer_sets(answers: AnswerTable) -> AnswerSets:
    """Number the answer sets without sorting the rows when respondent ids allow it."""
    if len(answers) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return AnswerSets(empty, empty, empty, 0)
    n_units = int(answers.unit.max()) + 1
    n_rounds = int(answers.round.max()) + 1
    resp: Codes = answers.respondent
    resp_min = int(resp.min())
    if resp_min < 0:
        resp = resp - resp_min
    n_resp = int(resp.max()) + 1
    limit = 4 * len(answers) + (1 << 20)
    if n_rounds * n_resp <= limit:
        # Usually a respondent id belongs to one unit in a round (anonymous tokens, maybe kept
        # across rounds): then (round, respondent) names the set, found without sorting.
        wide = np.int32 if n_rounds * n_resp < 2**31 else np.int64
        round_resp: Codes = answers.round.astype(wide)
        round_resp *= n_resp
        round_resp += resp
        in_order = _sets_in_row_order(round_resp, answers.unit, n_resp, n_units)
        if in_order is not None:
            return in_order
        owner: Codes = np.full(n_rounds * n_resp, -1, dtype=np.int32)
        owner[round_resp] = answers.unit
        if np.array_equal(owner[round_resp], answers.unit):
            present = owner >= 0
            dense: Codes = (np.cumsum(present) - 1).astype(wide)
            set_round = np.flatnonzero(present) // n_resp
            set_ru = set_round * n_units + owner[present].astype(np.int64)
            return _sets(np.asarray(dense[round_resp]), set_ru, n_units)
    ru: Codes = answers.round.astype(np.int64)
    key = (ru * n_units + answers.unit) * n_resp + resp
    if n_rounds * n_units * n_resp <= limit:
        seen = np.zeros(n_rounds * n_units * n_resp, dtype=bool)
        seen[key] = True
        dense = np.cumsum(seen) - 1
        return _sets(dense[key], np.flatnonzero(seen) // n_resp, n_units)
    unique, of_row = np.unique(key, return_inverse=True)
    return _sets(of_row.reshape(-1), unique // n_resp, n_units)


def _sets_in_row_order(
    round_resp: Codes, unit: Codes, n_resp: int, n_units: int
) -> AnswerSets | None:
    """The numbering below (sets in the order of round * n_resp + respondent) without a table,
    when the rows are already in that order (files written set by set usually are): a new set
    starts wherever the key changes. None when they are not, or when a (round, respondent) has
    rows for more than one unit."""
    step = np.diff(round_resp)
    if step.size and int(step.min()) < 0:
        return None
    new = step != 0
    if bool(np.any((unit[1:] != unit[:-1]) & ~new)):  # the unit changes inside a set
        return None
    of_row = np.empty(round_resp.size, dtype=round_resp.dtype)
    of_row[0] = 0
    np.cumsum(new, out=of_row[1:])
    starts = np.flatnonzero(np.concatenate(([True], new)))
    set_round = (round_resp[starts] // n_resp).astype(np.int64)
    set_ru = set_round * n_units + unit[starts].astype(np.int64)
    return replace(_sets(of_row, set_ru, n_units), in_row_order=True)


def _sets(of_row: Codes, set_ru: IntArray, n_units: int) -> AnswerSets:
    return AnswerSets(of_row, set_ru // n_units, set_ru % n_units, int(set_ru.size))


def answer_cells(answers: AnswerTable, n_items: int) -> Codes:
    """Per row, its cell ``item * n_sets + set`` in an (items x sets) matrix (computed once)."""
    if n_items in answers._cells:
        return answers._cells[n_items]
    sets = answers.sets
    wide = np.int32 if n_items * sets.count < 2**31 else np.int64
    cell: Codes = answers.item.astype(wide)
    answers._cells[n_items] = np.asarray(cell * sets.count + sets.of_row)
    return answers._cells[n_items]


def duplicate_rows(answers: AnswerTable, n_items: int) -> tuple[IntArray, IntArray]:
    """Rows repeating an earlier row's (round, unit, respondent, item), and that earlier row."""
    empty = np.zeros(0, dtype=np.int64)
    if len(answers) == 0:
        return empty, empty
    if answers.sets.in_row_order and _items_rise_within_sets(answers):
        return empty, empty  # rows sorted by (set, item) without a repeat
    cell = answer_cells(answers, n_items)
    seen = np.zeros(n_items * answers.sets.count, dtype=bool)
    seen[cell] = True
    if int(np.count_nonzero(seen)) == len(answers):
        return empty, empty  # every row has a cell of its own
    counts = np.bincount(cell, minlength=seen.size)
    suspects = np.flatnonzero(counts[cell] > 1)
    order = suspects[np.argsort(cell[suspects], kind="stable")]
    c = cell[order]
    first_of_run = np.ones(order.size, dtype=bool)
    first_of_run[1:] = c[1:] != c[:-1]
    run_first = np.maximum.accumulate(np.where(first_of_run, np.arange(order.size), 0))
    repeat = ~first_of_run
    return order[repeat], order[run_first[repeat]]


def _items_rise_within_sets(answers: AnswerTable) -> bool:
    """With the rows in set order: does the item rise from each row to the next of its set? Then
    the (set, item) key is sorted and strictly increasing, so no row repeats another."""
    of_row, item = answers.sets.of_row, answers.item
    same_set = of_row[1:] == of_row[:-1]
    return not bool(np.any(same_set & (item[1:] <= item[:-1])))
