"""Scoring and equity statistics: pure functions over numpy arrays (no database, no web).

Entry point, used by ``survey analyze`` and by the web/API layer alike::

    from survey.stats import AnswerTable, UnitTable, analyze, VALUE_NA, VALUE_DK

    units = UnitTable(ids=["1001", "1002"], columns={"parent_id": ["K1", "K1"]})
    answers = AnswerTable(
        round=np.array([0, 0]),       # index into round_labels
        unit=np.array([0, 1]),        # index into units.ids
        respondent=np.array([0, 0]),  # any int; (round, unit, respondent) is one answer set
        item=np.array([0, 0]),        # index into questionnaire.items
        value=np.array([3, VALUE_NA], dtype=np.int8),  # 1..L, VALUE_NA, VALUE_DK, 0 = unanswered
        round_labels=["2025"],
    )
    result = analyze(questionnaire, units, answers, group_by="parent_id", compare_by=["region"])
    result.units        # list of dicts (built on demand from result.unit_columns)
    result.groups       # list of dicts
    result.comparisons  # list of dicts
    result.to_dict()    # {"questionnaire", "units", "groups", "comparisons"}, JSON-ready

Rows carry exactly the field names documented in README ("survey analyze"):

- ``units``: round, unit_id, scope_type, scope_id, n_respondents, coverage, score, index, level,
  ci_low, ci_high, plus group and (individual questionnaires) the unit's Mann-Whitney test
  against the rest of its group: u, p, cliffs_delta, p_adj.
- ``groups``: round, group, scope_type, scope_id, n_units, mean, median, q1, q3, min, max, sd,
  share_below_floor, gini, theil, icc1, kruskal_h, kruskal_p, epsilon2, n_test_units,
  n_test_respondents, flagged, outliers, trend.
- ``comparisons``: round, by, scope_type, scope_id, n, h, p, epsilon2, theil_total,
  theil_between, theil_within, between_share, values.

Missing values are None. Every statistic is vectorised over groups (see :mod:`.grouped`);
the building blocks (:func:`kruskal`, :func:`one_vs_rest`, :func:`holm`, :func:`wilcoxon`,
:func:`icc1`, :func:`gini`, :func:`theil`, ...) take a segment code per observation and are
public for reuse and testing.
"""

from survey.stats.anova import icc1, robust_z
from survey.stats.compare import COMPARISON_ROW_FIELDS
from survey.stats.engine import analyze
from survey.stats.grouped import average_ranks, mean_sd, median, quantile, sort_by_segment
from survey.stats.groupstats import GROUP_ROW_FIELDS
from survey.stats.inequality import gini, theil, theil_decomposition
from survey.stats.ranktests import holm, kruskal, one_vs_rest
from survey.stats.result import UNIT_FIELDS, Analysis, Coded
from survey.stats.scoring import Scopes, scopes_of, score_sets
from survey.stats.signedrank import wilcoxon
from survey.stats.tables import (
    VALUE_DK,
    VALUE_NA,
    VALUE_UNANSWERED,
    AnswerTable,
    UnitTable,
    duplicate_rows,
)

__all__ = [
    "COMPARISON_ROW_FIELDS",
    "GROUP_ROW_FIELDS",
    "UNIT_FIELDS",
    "VALUE_DK",
    "VALUE_NA",
    "VALUE_UNANSWERED",
    "Analysis",
    "AnswerTable",
    "Coded",
    "Scopes",
    "UnitTable",
    "analyze",
    "average_ranks",
    "duplicate_rows",
    "gini",
    "holm",
    "icc1",
    "kruskal",
    "mean_sd",
    "median",
    "one_vs_rest",
    "quantile",
    "robust_z",
    "score_sets",
    "scopes_of",
    "sort_by_segment",
    "theil",
    "theil_decomposition",
    "wilcoxon",
]
