"""Output formats carry the same rows: JSON (file or stdout), CSV per section, XLSX per sheet;
Parquet input gives the same result as CSV input."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from survey.analysis.cli import analyze
from survey.stats import COMPARISON_ROW_FIELDS, GROUP_ROW_FIELDS, UNIT_FIELDS
from tests.stats import datagen
from tests.stats.qfactory import standard_items, write_questionnaire


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("formats")
    rng = np.random.default_rng(7)
    items = standard_items([1, 2, 1, 1, 0.5])
    q = write_questionnaire(tmp / "q.yaml", key="fmt", respondent="individual", n_levels=4,
                            items=items)  # fmt: skip
    unit_ids = datagen.write_units(tmp / "units.csv", rng)
    datagen.write_answers(tmp / "answers.csv", rng, unit_ids, [i[0] for i in items], 4,
                          individual=True, rounds=("2024", "2025"))  # fmt: skip
    answers = pacsv.read_csv(tmp / "answers.csv")  # round, ids and values typed by Arrow
    pq.write_table(answers, tmp / "answers.parquet")
    return {"q": q, "units": tmp / "units.csv", "answers": tmp / "answers.csv",
            "parquet": tmp / "answers.parquet", "tmp": tmp}  # fmt: skip


def invoke(inputs: dict[str, Path], *extra: str, answers: str = "answers") -> Any:
    args = ["--questionnaire", str(inputs["q"]), "--units", str(inputs["units"]),
            "--answers", str(inputs[answers]), "--compare-by", "region", *extra]  # fmt: skip
    result = CliRunner().invoke(analyze, args)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def reference(inputs: dict[str, Path]) -> dict[str, Any]:
    out = inputs["tmp"] / "ref.json"
    invoke(inputs, "--output", str(out))
    return dict(json.loads(out.read_text("utf-8")))


def test_json_sections_and_fields(reference: dict[str, Any]) -> None:
    assert reference["questionnaire"] == {"key": "fmt", "version": "9.1"}
    assert all(tuple(row) == UNIT_FIELDS for row in reference["units"])
    assert all(tuple(row) == GROUP_ROW_FIELDS for row in reference["groups"])
    assert all(tuple(row) == COMPARISON_ROW_FIELDS for row in reference["comparisons"])
    assert any(isinstance(row["score"], float) for row in reference["units"])
    assert {row["round"] for row in reference["units"]} == {2024, 2025}


def test_json_to_stdout(inputs: dict[str, Path], reference: dict[str, Any]) -> None:
    result = invoke(inputs)
    assert json.loads(result.stdout) == reference


def test_parquet_input_gives_the_same(inputs: dict[str, Path], reference: dict[str, Any]) -> None:
    result = invoke(inputs, answers="parquet")
    assert json.loads(result.stdout) == reference


def _parse(text: str) -> Any:
    if text == "":
        return None
    if text[:1] in "[{":
        return json.loads(text)
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, str) and not isinstance(got, str):
        return str(got) == want  # group labels like "G1" stay text; ids such as 10000037 too
    return bool(got == want)


def test_csv_files_carry_the_same_rows(inputs: dict[str, Path], reference: dict[str, Any]) -> None:
    invoke(inputs, "--output", str(inputs["tmp"] / "res.csv"))
    for section in ("units", "groups", "comparisons"):
        path = inputs["tmp"] / f"res_{section}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == len(reference[section])
        for row, want in zip(rows, reference[section], strict=True):
            assert list(row) == list(want)
            for name, value in want.items():
                assert _same(_parse(row[name]), value), (section, name, row[name], value)


def test_xlsx_sheets_carry_the_same_rows(
    inputs: dict[str, Path], reference: dict[str, Any]
) -> None:
    out = inputs["tmp"] / "res.xlsx"
    invoke(inputs, "--output", str(out))
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["questionnaire", "units", "groups", "comparisons"]
    for section in ("units", "groups", "comparisons"):
        rows = list(book[section].iter_rows(values_only=True))
        header, body = rows[0], rows[1:]
        assert len(body) == len(reference[section])
        for row, want in zip(body, reference[section], strict=True):
            assert list(header) == list(want)
            row = (*row, *[None] * (len(header) - len(row)))  # trailing empty cells
            for name, value in zip(header, row, strict=True):
                got = json.loads(value) if name in {"flagged", "outliers", "trend",
                                                     "values"} else value  # fmt: skip
                if isinstance(got, float):  # openpyxl writes numbers with 16 digits ("%.16g")
                    assert got == pytest.approx(want[name], rel=1e-15), (section, name)
                else:
                    assert _same(got, want[name]), (section, name, value, want[name])


def test_progress_on_stderr(inputs: dict[str, Path]) -> None:
    result = invoke(inputs, "--progress", "--output", str(inputs["tmp"] / "p.json"))
    assert "analyze: read" in result.stderr and "group statistics" in result.stderr
    quiet = invoke(inputs, "--output", str(inputs["tmp"] / "q.json"))
    assert "analyze:" not in quiet.stderr
