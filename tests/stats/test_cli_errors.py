"""Bad input: every problem listed with file and line, exit status 1, nothing written."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from survey.analysis.cli import analyze
from tests.stats.qfactory import standard_items, write_questionnaire

HEADER = "round,unit_id,respondent_id,item_id,value\n"
GOOD_ROWS = ["1,A,r1,Q.01,3", "1,A,r1,Q.02,NA", "1,A,r2,Q.01,DK", "1,B,r1,Q.01,", "1,B,r1,Q.02,5"]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    q = write_questionnaire(tmp_path / "q.yaml", key="errq", respondent="individual",
                            n_levels=5, items=standard_items([1, 2, 1]))  # fmt: skip
    units = tmp_path / "units.csv"
    units.write_text("unit_id,name,kind,parent_id\nA,a,school,K\nB,b,school,K\n", "utf-8")
    return {"q": q, "units": units, "answers": tmp_path / "answers.csv",
            "out": tmp_path / "out.json"}  # fmt: skip


def run(files: dict[str, Path], rows: list[str], *extra: str) -> tuple[int, str]:
    files["answers"].write_text(HEADER + "".join(r + "\n" for r in rows), "utf-8")
    args = [
        "--questionnaire",
        str(files["q"]),
        "--units",
        str(files["units"]),
        "--answers",
        str(files["answers"]),
        "--output",
        str(files["out"]),
        *extra,
    ]
    result = CliRunner().invoke(analyze, args)
    return result.exit_code, result.stderr


def test_good_input_writes(files: dict[str, Path]) -> None:
    code, err = run(files, GOOD_ROWS)
    assert code == 0, err
    assert files["out"].exists()


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("1,A,r3,Q.99,2", "item_id 'Q.99' is not in questionnaire errq"),
        ("1,A,r3,Q.01,6", "value '6' is not on the scale (1..5, NA, DK or empty)"),
        ("1,A,r3,Q.01,x", "value 'x' is not on the scale"),
        ("1,A,r3,Q.01,2.5", "value '2.5' is not on the scale"),
        ("1,A,r3,Q.01,0", "value '0' is not on the scale"),
        ("1,Z,r3,Q.01,2", "unit_id 'Z' is not in"),
        ("1,A,r1,Q.01,4", "duplicate of line 2 (same round, unit, respondent and item)"),
        (",A,r3,Q.01,2", "empty round"),
    ],
)
def test_each_kind_of_bad_row(files: dict[str, Path], bad_row: str, message: str) -> None:
    rows = GOOD_ROWS[:3] + [bad_row] + GOOD_ROWS[3:]  # the bad row is on line 5
    code, err = run(files, rows)
    assert code == 1
    assert f"answers.csv:5: {message}" in err
    assert "nothing was written" in err
    assert not files["out"].exists()


def test_all_problems_are_listed_together(files: dict[str, Path]) -> None:
    rows = [*GOOD_ROWS, "1,A,r3,Q.99,2", "1,A,r3,Q.01,7", "1,Z,r3,Q.01,2", "1,B,r1,Q.01,3"]
    code, err = run(files, rows)
    assert code == 1
    for line in ("answers.csv:7: item_id", "answers.csv:8: value '7'", "answers.csv:9: unit_id",
                 "answers.csv:10: duplicate of line 5"):  # fmt: skip
        assert line in err
    assert "4 problem(s)" in err
    assert not files["out"].exists()


def test_malformed_row_and_blank_line(files: dict[str, Path]) -> None:
    code, err = run(files, [*GOOD_ROWS[:2], "", "1,A,r3,Q.01", *GOOD_ROWS[2:]])
    assert code == 1
    assert "answers.csv:5: expected 5 fields, found 4" in err


def test_blank_lines_keep_line_numbers(files: dict[str, Path]) -> None:
    code, err = run(files, [*GOOD_ROWS[:2], "", "1,A,r3,Q.99,1"])
    assert code == 1
    assert "answers.csv:5: item_id 'Q.99'" in err


def test_units_file_problems(files: dict[str, Path]) -> None:
    files["units"].write_text("unit_id,name,kind,parent_id\nA,a,school,K\n,x,school,K\n"
                              "A,again,school,K\n", "utf-8")  # fmt: skip
    code, err = run(files, GOOD_ROWS)
    assert code == 1
    assert "units.csv:3: empty unit_id" in err
    assert "units.csv:4: unit_id 'A' repeats line 2" in err
    assert "answers.csv:5: unit_id 'B' is not in" in err
    assert not files["out"].exists()


def test_missing_columns(files: dict[str, Path]) -> None:
    files["answers"].write_text("round,unit_id,item_id,value\n1,A,Q.01,3\n", "utf-8")
    result = CliRunner().invoke(analyze, ["--questionnaire", str(files["q"]), "--units",
                                          str(files["units"]), "--answers",
                                          str(files["answers"])])  # fmt: skip
    assert result.exit_code == 1
    assert "answers.csv:1: missing column(s) respondent_id" in result.stderr


def test_unknown_group_column(files: dict[str, Path]) -> None:
    code, err = run(files, GOOD_ROWS, "--group-by", "region", "--compare-by", "form")
    assert code == 1
    assert "no column 'region'" in err and "no column 'form'" in err


def test_unit_level_second_respondent(files: dict[str, Path], tmp_path: Path) -> None:
    files["q"] = write_questionnaire(tmp_path / "u.yaml", key="unitq", respondent="unit",
                                     n_levels=5, items=standard_items([1, 2, 1]))  # fmt: skip
    code, err = run(files, GOOD_ROWS)
    assert code == 1
    assert "answers.csv:4: a second respondent for unit 'A' in round '1'" in err


def test_invalid_questionnaire(files: dict[str, Path]) -> None:
    files["q"].write_text("key: x\n", "utf-8")
    code, err = run(files, GOOD_ROWS)
    assert code == 1 and "q.yaml" in err
    assert not files["out"].exists()


def test_parquet_rows_are_numbered(files: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "answers.parquet"
    pq.write_table(pa.table({
        "round": [2024, 2024, 2024], "unit_id": ["A", "A", "B"], "respondent_id": [1, 2, None],
        "item_id": ["Q.01", "Q.01", "Q.77"], "value": [3, 9, None],
    }), path)  # fmt: skip
    args = ["--questionnaire", str(files["q"]), "--units", str(files["units"]),
            "--answers", str(path), "--output", str(files["out"])]  # fmt: skip
    result = CliRunner().invoke(analyze, args)
    assert result.exit_code == 1
    assert "answers.parquet: row 2: value '9' is not on the scale" in result.stderr
    assert "answers.parquet: row 3: item_id 'Q.77'" in result.stderr
    assert not files["out"].exists()


def test_csv_format_needs_output(files: dict[str, Path]) -> None:
    files["answers"].write_text(HEADER + "\n".join(GOOD_ROWS) + "\n", "utf-8")
    result = CliRunner().invoke(analyze, ["--questionnaire", str(files["q"]), "--units",
                                          str(files["units"]), "--answers",
                                          str(files["answers"]), "--format", "csv"])  # fmt: skip
    assert result.exit_code == 2
    assert "--output is required" in result.stderr
