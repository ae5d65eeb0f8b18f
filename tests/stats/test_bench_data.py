"""The benchmark's data generator (small), and ``survey analyze`` on its Parquet output."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from survey.analysis.cli import analyze

ROOT = Path(__file__).resolve().parents[2]


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("generate_national", ROOT / "bench" /
                                                  "generate_national.py")  # fmt: skip
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_and_analysis(tmp_path: Path) -> None:
    generator = _generator()
    generator.main(["--units", "60", "--organisers", "25", "--respondents", "4",
                    "--out", str(tmp_path)])  # fmt: skip
    answers = pq.read_table(tmp_path / "answers.parquet")
    assert answers.column_names == ["round", "unit_id", "respondent_id", "item_id", "value"]
    assert set(answers.column("round").to_pylist()) == {"2024", "2025"}
    questionnaire = (tmp_path / "questionnaire.txt").read_text("utf-8").strip()
    out = tmp_path / "out.json"
    result = CliRunner().invoke(analyze, [
        "--questionnaire", questionnaire, "--units", str(tmp_path / "units.parquet"),
        "--answers", str(tmp_path / "answers.parquet"), "--compare-by", "region",
        "--output", str(out),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text("utf-8"))
    assert len({row["unit_id"] for row in data["units"]}) == 60
    assert any(row["trend"] for row in data["groups"])
