"""Files that are not what they claim (issue 14): ``survey analyze`` on UTF-16 and Latin-1 CSV,
random bytes, a file with Parquet's suffix but not its magic, a truncated Parquet file;
``survey import-units`` on Latin-1; ``survey validate`` on a YAML file with a duplicated key. Each
gets a message naming the file (and the line where there is one), exit status 1, no traceback, and
nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / ".venv" / "bin" / "survey"
QUESTIONNAIRE = ROOT / "questionnaires" / "skola.yaml"
HEADER = "round,unit_id,respondent_id,item_id,value\n"


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(SURVEY)] if SURVEY.exists() else [sys.executable, "-m", "survey"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def _files(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, what the message must say)."""
    (folder / "units.csv").write_text("unit_id,parent_id\nS1,O1\n", encoding="utf-8")
    rows = HEADER + "1,S1,r1,L.01,2\n"
    (folder / "utf16.csv").write_bytes(rows.encode("utf-16"))
    (folder / "latin1.csv").write_bytes((HEADER + "1,S1,rå,L.01,2\n").encode("latin-1"))
    (folder / "random.csv").write_bytes(bytes(range(256)) * 20)
    (folder / "fake.parquet").write_bytes(b"this is no parquet file" * 20)
    table = pa.table({c: ["1" if c == "round" else "x"] for c in HEADER.strip().split(",")})
    pq.write_table(table, folder / "good.parquet")
    data = (folder / "good.parquet").read_bytes()
    (folder / "truncated.parquet").write_bytes(data[: len(data) // 2])
    return {
        "utf16": (folder / "utf16.csv", "utf16.csv:1: the file is UTF-16"),
        "latin1": (folder / "latin1.csv", "latin1.csv:2: not UTF-8 text"),
        "random": (folder / "random.csv", "random.csv:2: not UTF-8 text"),
        "fake": (folder / "fake.parquet", "fake.parquet: not a readable Parquet file"),
        "truncated": (folder / "truncated.parquet", "truncated.parquet: not a readable Parquet"),
    }


@pytest.mark.parametrize("name", ["utf16", "latin1", "random", "fake", "truncated"])
def test_analyze_names_the_file_and_line_and_writes_nothing(tmp_path: Path, name: str) -> None:
    path, expected = _files(tmp_path)[name]
    out = tmp_path / "out.json"
    for role in ("answers", "units"):
        units = path if role == "units" else tmp_path / "units.csv"
        answers = path if role == "answers" else tmp_path / "units.csv"
        done = _run("analyze", "--questionnaire", str(QUESTIONNAIRE), "--units", str(units),
                    "--answers", str(answers), "--output", str(out))  # fmt: skip
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        if role == "answers" or name in ("utf16", "latin1", "random"):
            assert expected in done.stderr, done.stderr
        assert not out.exists()


def test_import_units_names_the_line_of_a_latin1_file(tmp_path: Path) -> None:
    csv_file = tmp_path / "units.csv"
    csv_file.write_bytes("unit_id,name,kind,parent_id\nSE,Sverige,nation,\nX1,Gård,region,SE\n"
                         .encode("latin-1"))  # fmt: skip
    env = {"SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    assert _run("db", "upgrade", env=env).returncode == 0
    done = _run("import-units", str(csv_file), env=env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{csv_file}:3: not UTF-8 text" in done.stderr


def test_validate_refuses_a_duplicated_key(tmp_path: Path) -> None:
    text = QUESTIONNAIRE.read_text(encoding="utf-8").splitlines()
    where = next(i for i, line in enumerate(text) if line.strip().startswith("sv:"))
    text.insert(where + 1, text[where].split(":")[0] + ": en andra text")
    target = tmp_path / "dup.yaml"
    target.write_text("\n".join(text) + "\n", encoding="utf-8")
    done = _run("validate", str(target))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    output = done.stdout + done.stderr
    assert f"{target}:{where + 2}: duplicated key" in output
    assert f"(first on line {where + 1})" in output
