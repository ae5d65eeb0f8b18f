"""Group statistics for many breakdowns of the same units at once (national aggregates).

The answers are scored once (:func:`survey.stats.prepare.prepare`); each breakdown — one column,
or two joined — then gets the ``groups`` rows of :func:`survey.stats.analyze` (same code), plus
the number of respondents behind each group (for small-cell rules on individual questionnaires).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from survey.questionnaire import Questionnaire
from survey.stats.compare import comparison_rows
from survey.stats.groupstats import group_rows
from survey.stats.prepare import Prepared, prepare
from survey.stats.tables import AnswerTable, UnitTable

SEPARATOR = "\x1f"  # joins the values of a two-column breakdown into one group label


@dataclass(frozen=True)
class Breakdown:
    columns: tuple[str, ...]
    #: ``groups`` rows of the engine; ``group`` is the values joined by SEPARATOR ("" = all).
    rows: list[dict[str, Any]]
    #: (round label, scope_type, scope_id, group label) → submitted respondents behind it.
    respondents: dict[tuple[Any, str, str, str], int]
    comparisons: list[dict[str, Any]]

    @property
    def by(self) -> str:
        return ",".join(self.columns)


def joined(units: UnitTable, columns: Sequence[str]) -> list[str | None]:
    """Per unit the group label of a breakdown (None when a value is missing)."""
    if not columns:
        return [""] * len(units)
    values = [units.columns[c] for c in columns]
    out: list[str | None] = []
    for i in range(len(units)):
        parts = [values[j][i] for j in range(len(columns))]
        out.append(None if any(p in (None, "") for p in parts) else SEPARATOR.join(map(str, parts)))
    return out


def breakdown_codes(units: UnitTable, columns: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Per unit the index of its group among the sorted group labels (-1: a value is missing),
    and the labels: the same as ``UnitTable.codes`` of :func:`joined`, without a Python string
    per unit (the joined labels sort like the tuples of values they join)."""
    if not columns:
        return np.zeros(len(units), dtype=np.int64), [""]
    codes, labels = units.codes(columns[0])
    for column in columns[1:]:
        more, more_labels = units.codes(column)
        ok = (codes >= 0) & (more >= 0)
        pairs, inverse = np.unique(codes[ok] * len(more_labels) + more[ok], return_inverse=True)
        labels = [
            labels[pair // len(more_labels)] + SEPARATOR + more_labels[pair % len(more_labels)]
            for pair in pairs.tolist()
        ]
        codes = np.full(len(units), -1, dtype=np.int64)
        codes[ok] = inverse.ravel()
    return codes, labels


def breakdowns(
    q: Questionnaire,
    units: UnitTable,
    answers: AnswerTable,
    *,
    by: Sequence[Sequence[str]],
    progress: Callable[[str], None] | None = None,
    tests: bool = True,
    prepared: Prepared | None = None,
) -> list[Breakdown]:
    """Group statistics of every breakdown in ``by`` (each a tuple of unit columns);
    ``tests=False``: without the tests about single units inside each group (see
    :func:`survey.stats.groupstats.group_rows`) and without the per-value details of the
    comparisons. ``prepared``: the scored answers, when the caller has them already."""
    say = progress or (lambda message: None)
    prepared = prepared or prepare(q, units, answers)
    say("scored answer sets and units")
    unit_ids = list(units.ids)
    n_scopes = len(prepared.scopes)
    result = []
    for columns in by:
        name = ",".join(columns) or "_all"
        codes, labels = breakdown_codes(units, columns)
        rows = group_rows(prepared, codes, labels, unit_ids, tests=tests).rows
        respondents: dict[tuple[Any, str, str, str], int] = {}
        if prepared.n_ur:
            ur_group = codes[prepared.ur_unit]
            n_groups = max(len(labels), 1)
            counts = prepared.unit.n_respondents  # (scopes, unit-rounds)
            for s in range(n_scopes):
                ok = ur_group >= 0
                seg = prepared.ur_round[ok] * n_groups + ur_group[ok]
                sums = np.bincount(
                    seg, weights=counts[s][ok], minlength=prepared.n_rounds * n_groups
                )
                for key in np.flatnonzero(sums).tolist():
                    r, g = divmod(key, n_groups)
                    respondents[
                        (
                            prepared.round_labels[r],
                            prepared.scopes.types[s],
                            prepared.scopes.ids[s],
                            labels[g],
                        )
                    ] = int(sums[key])
        comparisons = (
            comparison_rows(prepared, ",".join(columns), codes, labels, values=tests)
            if columns
            else []
        )
        result.append(Breakdown(tuple(columns), rows, respondents, comparisons))
        say(f"breakdown {name}")
    return result
