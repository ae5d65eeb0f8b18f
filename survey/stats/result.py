"""The result of :func:`survey.stats.analyze`: three sections with the issue's field names."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from survey.stats.types import FloatArray, IntArray

UNIT_FIELDS = (
    "round", "unit_id", "scope_type", "scope_id", "n_respondents", "coverage", "score",
    "index", "level", "ci_low", "ci_high", "group", "u", "p", "cliffs_delta", "p_adj",
)  # fmt: skip
INTEGER_FIELDS = frozenset({"n_respondents", "level"})


@dataclass(frozen=True)
class Coded:
    """A label column: ``labels[codes[i]]`` per row, null where the code is -1."""

    codes: IntArray
    labels: Sequence[Any]


Column = FloatArray | IntArray | Coded


@dataclass(frozen=True)
class ObjectLists:
    """A list field (one list of objects per row) as columns: row i holds the entries
    ``offsets[i]:offsets[i + 1]``; ``columns`` maps each key, in order, to the entries' values
    (numpy array or list)."""

    offsets: IntArray
    columns: dict[str, Any]

    def lists(self) -> list[list[dict[str, Any]]]:
        keys = list(self.columns)
        values = [v.tolist() if isinstance(v, np.ndarray) else v for v in self.columns.values()]
        entries = [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]
        bounds = self.offsets.tolist()
        return [entries[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def column_values(column: Column, integer: bool = False) -> list[Any]:
    """Plain Python values of a column: labels, ints or floats, None for null (NaN / -1)."""
    if isinstance(column, Coded):
        labels = [*column.labels, None]  # code -1 picks the trailing None
        return [labels[c] for c in column.codes.tolist()]
    if column.dtype.kind in "iu":
        return [int(v) for v in column.tolist()]
    missing = np.flatnonzero(np.isnan(column)).tolist()
    values: list[Any] = (np.where(np.isnan(column), 0, column).astype(np.int64)
                         if integer else column).tolist()  # fmt: skip
    for i in missing:
        values[i] = None
    return values


def clean(value: Any) -> Any:
    """NaN to None, numpy scalars to Python numbers, recursively through lists and dicts."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass(frozen=True, eq=False)
class Analysis:
    """``units`` (columnar in ``unit_columns``, rows on demand), ``groups``, ``comparisons``.

    ``groups`` and ``comparisons`` are lists of plain dicts (None for null); ``units`` rows are
    built from the columns the first time they are asked for.
    """

    questionnaire: dict[str, str]
    unit_columns: dict[str, Column]
    groups: list[dict[str, Any]]
    comparisons: list[dict[str, Any]]

    @property
    def n_unit_rows(self) -> int:
        first = self.unit_columns["round"]
        return int(first.codes.size if isinstance(first, Coded) else first.size)

    def unit_column(self, name: str) -> list[Any]:
        return column_values(self.unit_columns[name], name in INTEGER_FIELDS)

    @cached_property
    def units(self) -> list[dict[str, Any]]:
        columns = [self.unit_column(name) for name in UNIT_FIELDS]
        return [dict(zip(UNIT_FIELDS, row, strict=True)) for row in zip(*columns, strict=True)]

    def copy(self) -> Analysis:
        """The same analysis with row dicts of its own (a caller may change them); the columns,
        never changed, are shared, and unit rows already built are copied, not rebuilt."""
        fresh = Analysis(
            dict(self.questionnaire),
            self.unit_columns,
            [dict(row) for row in self.groups],
            [dict(row) for row in self.comparisons],
        )
        built = self.__dict__.get("units")  # the cached_property's value, when built
        if built is not None:
            fresh.__dict__["units"] = [dict(row) for row in built]
        return fresh

    def to_dict(self) -> dict[str, Any]:
        return {
            "questionnaire": dict(self.questionnaire),
            "units": self.units,
            "groups": self.groups,
            "comparisons": self.comparisons,
        }
