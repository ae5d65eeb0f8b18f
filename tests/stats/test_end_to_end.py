"""``survey analyze`` on generated files, every number compared with an independent implementation.

The reference (tests/stats/stats_reference*.py) reads the same files with csv/yaml and computes
each unit, group and comparison on its own with loops, numpy and scipy.stats. Tolerance: 1e-9
relative (plus 1e-12 absolute for values that are zero up to rounding).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from survey.analysis.cli import analyze
from tests.stats import datagen
from tests.stats.qfactory import standard_items, write_questionnaire
from tests.stats.stats_reference_groups import expected

SCENARIOS = {
    "individual-L5-weights": dict(
        respondent="individual", n_levels=5, weights=[1, 2, 0.5, 1, 3, 1, 1.5, 1, 2, 1],
        scoring=dict(min_coverage=0.6, threshold=0.7, floor_level=3),
        rounds=("1", "2", "10"), group_by="parent_id", global_ids=False, seed=1,
    ),
    "individual-L3-string-rounds": dict(
        respondent="individual", n_levels=3, weights=[1, 1, 2, 1, 1, 1],
        scoring=dict(), rounds=("2024-ht", "2025-vt"), group_by="region", global_ids=True,
        seed=2,
    ),
    "unit-L4": dict(
        respondent="unit", n_levels=4, weights=[2, 1, 1, 0.5, 1, 3, 1, 1],
        scoring=dict(min_coverage=0.5, threshold=0.75, floor_level=2),
        rounds=("2023", "2024", "2025"), group_by="parent_id", global_ids=False, seed=3,
    ),
    "individual-L4-decimal-weights": dict(
        respondent="individual", n_levels=4, weights=[0.3, 1.7, 1, 2.2, 0.9, 1, 1.1],
        scoring=dict(min_coverage=0.55, threshold=0.8, floor_level=2),
        rounds=("1", "2"), group_by="parent_id", global_ids=True, seed=5,
    ),
    "unit-L6-one-round": dict(
        respondent="unit", n_levels=6, weights=[1, 2, 3, 1, 1, 0.25, 1],
        scoring=dict(min_coverage=0.4, threshold=0.8, floor_level=4),
        rounds=("7",), group_by="parent_id", global_ids=False, seed=4,
    ),
}  # fmt: skip


def close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def assert_fields(actual: dict[str, Any], wanted: dict[str, Any], where: Any) -> None:
    for name, value in wanted.items():
        if isinstance(value, list | dict):
            continue
        assert name in actual, f"{where}: missing {name}"
        assert close(actual[name], value), f"{where} {name}: {actual[name]!r} != {value!r}"


def assert_listed(actual: list[dict], wanted: list[dict], key: str, where: Any) -> None:
    got = {entry[key]: entry for entry in actual}
    assert set(got) == {entry[key] for entry in wanted}, f"{where}: {key}s differ"
    for entry in wanted:
        assert_fields(got[entry[key]], entry, (where, entry[key]))


def build(tmp_path: Path, spec: dict[str, Any]) -> tuple[Path, Path, Path]:
    rng = np.random.default_rng(spec["seed"])
    items = standard_items(spec["weights"])
    q = write_questionnaire(
        tmp_path / "q.yaml",
        key="testq",
        respondent=spec["respondent"],
        n_levels=spec["n_levels"],
        items=items,
        **spec["scoring"],
    )
    units = tmp_path / "units.csv"
    unit_ids = datagen.write_units(units, rng)
    answers = tmp_path / "answers.csv"
    datagen.write_answers(answers, rng, unit_ids, [i[0] for i in items], spec["n_levels"],
                          individual=spec["respondent"] == "individual", rounds=spec["rounds"],
                          global_respondent_ids=spec["global_ids"])  # fmt: skip
    return q, units, answers


def run(args: list[str]) -> Any:
    result = CliRunner().invoke(analyze, args)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_number_matches_reference(tmp_path: Path, name: str) -> None:
    spec = SCENARIOS[name]
    q, units, answers = build(tmp_path, spec)
    out = tmp_path / "out.json"
    compare_by = ["region", "organiser_type"]
    run(["--questionnaire", str(q), "--units", str(units), "--answers", str(answers),
         "--group-by", spec["group_by"], "--output", str(out),
         *[a for c in compare_by for a in ("--compare-by", c)]])  # fmt: skip
    got = json.loads(out.read_text(encoding="utf-8"))
    want = expected(q, units, answers, spec["group_by"], compare_by)
    assert got["questionnaire"] == {"key": "testq", "version": "9.1"}

    units_got = {(r["round"], r["unit_id"], r["scope_type"], r["scope_id"]): r
                 for r in got["units"]}  # fmt: skip
    assert set(units_got) == set(want["units"])
    for key, row in want["units"].items():
        assert_fields(units_got[key], row, key)

    groups_got = {(r["round"], r["group"], r["scope_type"], r["scope_id"]): r
                  for r in got["groups"]}  # fmt: skip
    assert set(groups_got) == set(want["groups"])
    for key, g in want["groups"].items():
        row = groups_got[key]
        assert_fields(row, g, key)
        assert_listed(row["flagged"], g["flagged"], "unit_id", (key, "flagged"))
        assert_listed(row["outliers"], g["outliers"], "unit_id", (key, "outliers"))
        assert len(row["trend"]) == len(g.get("trend", []))
        for got_t, want_t in zip(row["trend"], g.get("trend", []), strict=True):
            assert_fields(got_t, want_t, (key, "trend"))
        for unit_id, test in g.get("tests", {}).items():
            unit_key = (key[0], unit_id, key[2], key[3])
            assert_fields(units_got[unit_key], test, (unit_key, "test"))

    comparisons_got = {(r["round"], r["by"], r["scope_type"], r["scope_id"]): r
                       for r in got["comparisons"]}  # fmt: skip
    assert set(comparisons_got) == set(want["comparisons"])
    for key, c in want["comparisons"].items():
        assert_fields(comparisons_got[key], c, key)
        assert_listed(comparisons_got[key]["values"], c["values"], "value", key)


def test_the_data_exercise_the_rules(tmp_path: Path) -> None:
    """Guard against a vacuous comparison: the generated data do contain the special cases."""
    spec = SCENARIOS["individual-L5-weights"]
    q, units, answers = build(tmp_path, spec)
    want = expected(q, units, answers, "parent_id", [])
    unit_rows = list(want["units"].values())
    groups = list(want["groups"].values())
    assert any(r["score"] is None for r in unit_rows)
    assert any(r["ci_low"] is None and r["score"] is not None for r in unit_rows)
    assert any(g.get("icc1") is None for g in groups)
    assert any(g.get("icc1") is not None for g in groups)
    assert any(g["flagged"] for g in groups)
    assert any(t["wilcoxon_p"] is not None for g in groups for t in g.get("trend", []))
    spec = SCENARIOS["unit-L4"]
    q, units, answers = build(tmp_path, spec)
    groups = list(expected(q, units, answers, "parent_id", [])["groups"].values())
    assert any(g["outliers"] for g in groups)
    assert any(o["robust_z"] is None for g in groups for o in g["outliers"])
