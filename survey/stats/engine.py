"""``analyze``: answers in, the three sections of the analysis out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from survey.questionnaire import Questionnaire
from survey.stats.compare import comparison_rows
from survey.stats.groupstats import group_rows
from survey.stats.prepare import Prepared, prepare
from survey.stats.result import Analysis, Coded, Column
from survey.stats.tables import AnswerTable, UnitTable


def analyze(
    questionnaire: Questionnaire,
    units: UnitTable,
    answers: AnswerTable,
    *,
    group_by: str = "parent_id",
    compare_by: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
) -> Analysis:
    """Score every answer set and unit, then group statistics and comparisons.

    ``group_by`` and every ``compare_by`` name a column of ``units``. ``progress`` (optional) is
    called with a short message after each stage. Raises ValueError for inconsistent input
    (codes out of range, several answer sets per unit and round in a unit-level questionnaire,
    an unknown column); the file layer reports bad files before this is called.
    """
    check_columns(units, group_by, compare_by)
    say = progress or (lambda message: None)
    prepared = prepare(questionnaire, units, answers)
    say("scored answer sets and units")
    group_codes, group_labels = units.codes(group_by)
    unit_ids = list(units.ids)
    groups = group_rows(prepared, group_codes, group_labels, unit_ids)
    say("group statistics")
    comparisons = all_comparisons(prepared, units, compare_by)
    say("comparisons")
    columns = unit_columns(prepared, group_codes, group_labels, unit_ids, groups.unit_tests)
    return Analysis(
        {"key": questionnaire.key, "version": questionnaire.version},
        columns,
        groups.rows,
        comparisons,
    )


def check_columns(units: UnitTable, group_by: str, compare_by: Sequence[str]) -> None:
    for column in (group_by, *compare_by):
        if column not in units.columns:
            raise ValueError(f"units have no column {column!r}")


def all_comparisons(
    prepared: Prepared, units: UnitTable, compare_by: Sequence[str]
) -> list[dict[str, Any]]:
    """The ``comparisons`` section: every ``compare_by`` column in turn."""
    comparisons = []
    for column in compare_by:
        codes, labels = units.codes(column)
        comparisons.extend(comparison_rows(prepared, column, codes, labels))
    return comparisons


def unit_columns(
    p: Prepared,
    group_codes: np.ndarray,
    group_labels: list[str],
    unit_ids: list[str],
    tests: dict[str, np.ndarray],
) -> dict[str, Column]:
    """The ``units`` section as columns: rows ordered by round, unit (units table order), scope.

    ``tests`` holds the unit-against-group test columns (``u``, ``p``, ``cliffs_delta``,
    ``p_adj``, from :func:`group_rows`); a missing one is all null.
    """
    n_scopes = len(p.scopes)
    scope = np.tile(np.arange(n_scopes), p.n_ur)
    ur_group = group_codes[p.ur_unit] if p.n_ur else np.zeros(0, dtype=np.int64)

    def rows(per_scope: np.ndarray) -> np.ndarray:  # (scopes, unit-rounds) -> row order
        return np.ascontiguousarray(per_scope.T).ravel()

    unit = p.unit
    nan = np.full(n_scopes * p.n_ur, np.nan)
    columns: dict[str, Column] = {
        "round": Coded(np.repeat(p.ur_round, n_scopes), p.round_labels),
        "unit_id": Coded(np.repeat(p.ur_unit, n_scopes), unit_ids),
        "scope_type": Coded(scope, p.scopes.types),
        "scope_id": Coded(scope, p.scopes.ids),
        "n_respondents": rows(unit.n_respondents),
        "coverage": rows(unit.coverage),
        "score": rows(unit.score),
        "index": rows(unit.index),
        "level": rows(unit.level),
        "ci_low": rows(unit.ci_low),
        "ci_high": rows(unit.ci_high),
        "group": Coded(np.repeat(ur_group, n_scopes), group_labels),
    }
    for name in ("u", "p", "cliffs_delta", "p_adj"):
        columns[name] = rows(tests[name].reshape(n_scopes, p.n_ur)) if name in tests else nan
    return columns
