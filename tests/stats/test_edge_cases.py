"""Hand-computed scores and the "too little data gives null, never an exception" rules.

pytest runs with warnings as errors, so each test here also proves no RuntimeWarning leaks.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from survey.questionnaire import Questionnaire, questionnaire_from_text
from survey.stats import VALUE_DK, VALUE_NA, AnswerTable, UnitTable, analyze
from tests.stats.qfactory import questionnaire_yaml

NA, DK = VALUE_NA, VALUE_DK


def make_q(
    respondent: str, weights: list[float], n_levels: int = 4, **scoring: Any
) -> Questionnaire:
    items = [(f"I{i}", "ledning", "FO1.2", w) for i, w in enumerate(weights)]
    text = questionnaire_yaml(key="edge", respondent=respondent, n_levels=n_levels, items=items,
                              **scoring)  # fmt: skip
    return questionnaire_from_text(text)


def table(rows: list[tuple[str, int, int, int, int]]) -> AnswerTable:
    """rows: (round label, unit index, respondent, item index, value)."""
    labels = sorted({r[0] for r in rows})
    cols = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
    return AnswerTable(
        round=np.array([labels.index(r) for r in cols[0]], dtype=np.int64),
        unit=np.array(cols[1], dtype=np.int64), respondent=np.array(cols[2], dtype=np.int64),
        item=np.array(cols[3], dtype=np.int64), value=np.array(cols[4], dtype=np.int8),
        round_labels=labels,
    )  # fmt: skip


def units(groups: list[str], **extra: list[str]) -> UnitTable:
    return UnitTable([f"U{i}" for i in range(len(groups))], {"parent_id": groups, **extra})


def total(rows: list[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    return [r for r in rows if r["scope_type"] == "total"
            and all(r[k] == v for k, v in match.items())]  # fmt: skip


def test_na_and_dk_count_as_not_answered() -> None:
    q = make_q("unit", [2, 1, 1])
    # coverage = 2/4; score = 3 (only the weight-2 item answered); level 3
    result = analyze(q, units(["G"]), table([("1", 0, 0, 0, 3), ("1", 0, 0, 1, NA),
                                             ("1", 0, 0, 2, DK)]))  # fmt: skip
    (row,) = total(result.units)
    assert (row["coverage"], row["score"], row["level"]) == (0.5, 3.0, 3)
    assert row["index"] == pytest.approx(100 * 2 / 3)
    assert row["n_respondents"] == 1 and row["ci_low"] is None


def test_weighted_score_and_staged_level() -> None:
    q = make_q("unit", [1, 1, 1, 1, 2], n_levels=5, threshold=0.6)
    values = [1, 2, 3, 3, 5]  # weight 2 on the 5
    result = analyze(q, units(["G"]), table([("1", 0, 0, i, v) for i, v in enumerate(values)]))
    (row,) = total(result.units)
    assert row["score"] == pytest.approx((1 + 2 + 3 + 3 + 10) / 6)
    # share >= 3: (1+1+2)/6 = 0.67 >= 0.6; share >= 4: 2/6 < 0.6  -> level 3
    assert row["level"] == 3 and row["coverage"] == 1.0


def test_low_coverage_gives_null_score_and_level() -> None:
    q = make_q("unit", [1, 1, 1, 1], min_coverage=0.6)
    result = analyze(q, units(["G"]), table([("1", 0, 0, 0, 4), ("1", 0, 0, 1, 4)]))
    (row,) = total(result.units)
    assert row["coverage"] == 0.5
    assert row["score"] is None and row["index"] is None and row["level"] is None
    (group,) = total(result.groups)
    assert group["n_units"] == 0 and group["mean"] is None and group["gini"] is None


def test_individual_medians_interval_and_small_groups() -> None:
    q = make_q("individual", [1, 1])
    rows = [("1", 0, r, 0, v) for r, v in enumerate([1, 2, 4])]  # item 0 median 2
    rows += [("1", 0, r, 1, v) for r, v in enumerate([1, 4])]  # item 1 median 2.5
    rows += [("1", 1, 0, 0, 3), ("1", 1, 0, 1, 3)]  # unit 1: one respondent
    result = analyze(q, units(["G", "G"]), table(rows))
    u0, u1 = total(result.units)
    scores = [1.0, 3.0, 4.0]  # respondents: (1+1)/2, (2+4)/2, 4/1
    assert u0["score"] == pytest.approx(np.mean(scores)) and u0["n_respondents"] == 3
    half = 4.302652729911275 * np.std(scores, ddof=1) / np.sqrt(3)  # t(0.975, 2)
    assert u0["ci_low"] == pytest.approx(np.mean(scores) - half, rel=1e-9)
    assert u0["level"] == 2  # medians 2 and 2.5: share >= 3 is 0
    assert u1["n_respondents"] == 1 and u1["ci_low"] is None and u1["ci_high"] is None
    (group,) = total(result.groups)
    # only unit 0 has >= 2 respondent scores: too few units for the respondent tests
    assert group["icc1"] is None and group["kruskal_h"] is None and group["flagged"] == []
    assert group["n_units"] == 2 and group["sd"] == pytest.approx(np.std([8 / 3, 3], ddof=1))
    assert u0["p"] is None and u0["u"] is None


def test_single_unit_group() -> None:
    q = make_q("individual", [1])
    rows = [("1", 0, r, 0, v) for r, v in enumerate([1, 2, 3])]
    result = analyze(q, units(["G"]), table(rows))
    (group,) = total(result.groups)
    assert group["n_units"] == 1 and group["sd"] is None
    assert group["gini"] == 0.0 and group["theil"] == 0.0
    assert group["median"] == group["q1"] == group["q3"] == 2.0
    assert group["icc1"] is None and group["kruskal_p"] is None and group["trend"] == []


def test_identical_respondents_give_null_tests() -> None:
    q = make_q("individual", [1])
    rows = [("1", u, r, 0, 3) for u in range(3) for r in range(2)]
    result = analyze(q, units(["G"] * 3), table(rows))
    (group,) = total(result.groups)
    assert group["kruskal_h"] is None and group["icc1"] is None
    assert all(r["p"] == 1.0 for r in total(result.units))  # scipy: U = mean, p = 1


def test_mad_zero_and_level_gap() -> None:
    q = make_q("unit", [1])
    values = [2, 2, 2, 2, 1]
    result = analyze(q, units(["G"] * 5), table([("1", u, 0, 0, v) for u, v in enumerate(values)]))
    (group,) = total(result.groups)
    assert group["outliers"] == [
        {"unit_id": "U4", "score": 1.0, "level": 1, "robust_z": None, "level_gap": 1.0}
    ]


def test_all_differences_zero_and_one_pair() -> None:
    q = make_q("unit", [1])
    rows = [(r, u, 0, 0, 3) for r in ("1", "2") for u in range(3)]
    rows += [("1", 3, 0, 0, 1), ("2", 3, 0, 0, 2)]  # alone in group H
    result = analyze(q, units(["G", "G", "G", "H"]), table(rows))
    g, h = total(result.groups, round=2)
    assert g["trend"] == [{"from_round": 1, "to_round": 2, "n_pairs": 3, "improved": 0,
                           "unchanged": 3, "declined": 0, "wilcoxon_statistic": None,
                           "wilcoxon_p": None}]  # fmt: skip
    assert h["trend"][0]["n_pairs"] == 1 and h["trend"][0]["wilcoxon_p"] is None
    assert h["trend"][0]["improved"] == 1
    assert total(result.groups, round=1)[0]["trend"] == []


def test_rounds_sort_numerically_or_as_text() -> None:
    q = make_q("unit", [1])
    numeric = analyze(q, units(["G"]), table([("10", 0, 0, 0, 2), ("9", 0, 0, 0, 3)]))
    assert [r["round"] for r in total(numeric.units)] == [9, 10]
    text = analyze(q, units(["G"]), table([("b", 0, 0, 0, 2), ("a10", 0, 0, 0, 3)]))
    assert [r["round"] for r in total(text.units)] == ["a10", "b"]


def test_compare_by_one_value_and_units_without_group() -> None:
    q = make_q("unit", [1])
    rows = [("1", u, 0, 0, v) for u, v in enumerate([1, 2, 4])]
    result = analyze(q, units(["G", "G", ""], region=["R", "R", ""]), table(rows),
                     compare_by=["region"])  # fmt: skip
    (comparison,) = total(result.comparisons)
    assert comparison["n"] == 2 and comparison["h"] is None and comparison["p"] is None
    assert comparison["theil_between"] == 0.0
    assert comparison["values"] == [{"value": "R", "n": 2, "mean": 1.5, "median": 1.5}]
    assert [g["group"] for g in total(result.groups)] == ["G"]
    assert total(result.units)[2]["group"] is None


def test_empty_input() -> None:
    q = make_q("individual", [1])
    result = analyze(q, units(["G"]), table([]))
    assert result.units == [] and result.groups == [] and result.comparisons == []


def test_unknown_column_is_an_error() -> None:
    q = make_q("unit", [1])
    with pytest.raises(ValueError, match="no column"):
        analyze(q, units(["G"]), table([("1", 0, 0, 0, 2)]), group_by="region")


@pytest.mark.parametrize("pattern", ["tokens", "kept-across-rounds", "numbered-per-unit"])
def test_respondent_ids_any_pattern(pattern: str) -> None:
    """Answer sets are (round, unit, respondent) whatever the ids look like."""
    q = make_q("individual", [1, 1])
    rows = []
    for r in ("1", "2"):
        for u in range(3):
            for k in range(2 + u):
                resp = {"tokens": 100 * int(r) + 10 * u + k, "kept-across-rounds": 10 * u + k,
                        "numbered-per-unit": k}[pattern]  # fmt: skip
                rows += [(r, u, resp, 0, 1 + (k + u) % 4), (r, u, resp, 1, 1 + k % 4)]
    result = analyze(q, units(["G"] * 3), table(rows))
    counts = [row["n_respondents"] for row in total(result.units)]
    assert counts == [2, 3, 4, 2, 3, 4]
    assert len(table(rows).sets.of_row) == len(rows)
