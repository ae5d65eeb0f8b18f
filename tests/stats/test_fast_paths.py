"""The shortcuts taken for speed give exactly what the general code gives.

Each fast path (rows already in set order, counting instead of summing, rank codes from buckets,
Arrow arrays built from buffers, the overlapped JSON writer, chunk-wise dictionary lookups) is
compared with the general path or with pyarrow/numpy on inputs that take it and inputs that
must fall back.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from survey.analysis import reading
from survey.analysis.arrays import from_numpy, from_pylist, numbers, strings
from survey.analysis.cli import analyze
from survey.analysis.jsonout import json_texts
from survey.questionnaire import load_questionnaire
from survey.stats import grouped, scoring
from survey.stats.tables import AnswerTable, duplicate_rows, index_answer_sets
from tests.stats import datagen
from tests.stats.qfactory import standard_items, write_questionnaire

ROOT = Path(__file__).resolve().parents[2]
HEADER = "round,unit_id,respondent_id,item_id,value\n"


# --- answer sets and duplicates -------------------------------------------------------------


def _table(rows: list[tuple[int, int, int, int]]) -> AnswerTable:
    r, u, resp, item = (np.array(c, dtype=np.int64) for c in zip(*rows, strict=True))
    value = np.ones(len(rows), dtype=np.int8)
    return AnswerTable(round=r, unit=u, respondent=resp, item=item, value=value,
                       round_labels=["1", "2"])  # fmt: skip


def _sorted_rows(rng: np.random.Generator) -> list[tuple[int, int, int, int]]:
    rows = []
    for r in range(2):
        for resp in range(40):
            unit = resp // 4
            items = sorted(rng.choice(6, size=int(rng.integers(1, 7)), replace=False).tolist())
            rows += [(r, unit, resp, item) for item in items]
    return rows


def test_sets_in_row_order_number_like_the_table_path() -> None:
    rows = _sorted_rows(np.random.default_rng(1))
    in_order = index_answer_sets(_table(rows))
    assert in_order.in_row_order
    shuffled = np.random.default_rng(2).permutation(len(rows))
    general = index_answer_sets(_table([rows[i] for i in shuffled]))
    assert not general.in_row_order
    assert np.array_equal(general.of_row, in_order.of_row[shuffled])
    for name in ("round", "unit"):
        assert np.array_equal(getattr(general, name), getattr(in_order, name))
    assert general.count == in_order.count
    assert in_order.of_row.dtype == general.of_row.dtype


def test_respondent_in_two_units_falls_back() -> None:
    rows = [(0, 0, 0, 0), (0, 0, 0, 1), (0, 1, 0, 0), (0, 1, 1, 0)]  # respondent 0 in units 0, 1
    sets = index_answer_sets(_table(rows))
    assert not sets.in_row_order
    assert sets.count == 3 and sets.of_row.tolist() == [0, 0, 1, 2]


@pytest.mark.parametrize("shuffle", [False, True])
def test_duplicates_found_in_sorted_and_unsorted_rows(shuffle: bool) -> None:
    rows = _sorted_rows(np.random.default_rng(3))
    clean = _table(rows)
    assert duplicate_rows(clean, 6)[0].size == 0
    dup = len(rows) // 2
    rows.insert(dup + 1, rows[dup])  # repeats the row before it: still sorted by set
    order = np.random.default_rng(4).permutation(len(rows)) if shuffle else np.arange(len(rows))
    answers = _table([rows[i] for i in order])
    assert answers.sets.in_row_order is not shuffle
    repeat, first = duplicate_rows(answers, 6)
    position = {int(i): k for k, i in enumerate(order)}  # original row -> row in the table
    pair = sorted((position[dup], position[dup + 1]))
    assert (first.tolist(), repeat.tolist()) == ([pair[0]], [pair[1]])


def test_item_out_of_order_within_a_set_is_checked_fully() -> None:
    rows = [(0, 0, 0, 2), (0, 0, 0, 1), (0, 0, 1, 0)]  # set order, items falling: no duplicate
    answers = _table(rows)
    assert answers.sets.in_row_order
    assert duplicate_rows(answers, 3)[0].size == 0


@pytest.fixture
def small_files(tmp_path: Path) -> dict[str, Path]:
    q = write_questionnaire(tmp_path / "q.yaml", key="fastq", respondent="individual",
                            n_levels=4, items=standard_items([1, 1, 2]))  # fmt: skip
    units = tmp_path / "units.csv"
    units.write_text("unit_id,name,kind,parent_id\nA,a,school,K\nB,b,school,K\n", "utf-8")
    return {"q": q, "units": units, "answers": tmp_path / "answers.csv"}


def _run(files: dict[str, Path], rows: list[str]) -> tuple[int, str]:
    files["answers"].write_text(HEADER + "".join(r + "\n" for r in rows), "utf-8")
    result = CliRunner().invoke(analyze, [
        "--questionnaire", str(files["q"]), "--units", str(files["units"]),
        "--answers", str(files["answers"]), "--output", str(files["answers"].with_suffix(".json")),
    ])  # fmt: skip
    return result.exit_code, result.stderr


def test_duplicate_in_sorted_file_reported_with_line(small_files: dict[str, Path]) -> None:
    rows = ["1,A,a1,Q.01,3", "1,A,a1,Q.02,2", "1,A,a1,Q.02,4", "1,B,b1,Q.01,1"]
    code, err = _run(small_files, rows)
    assert code == 1
    assert "answers.csv:4: duplicate of line 3 (same round, unit, respondent and item)" in err


def test_duplicate_in_unsorted_file_reported_with_line(small_files: dict[str, Path]) -> None:
    rows = ["1,B,b1,Q.01,1", "1,A,a1,Q.02,2", "1,A,a1,Q.01,3", "1,B,b1,Q.02,1", "1,A,a1,Q.02,4"]
    code, err = _run(small_files, rows)
    assert code == 1
    assert "answers.csv:6: duplicate of line 3 (same round, unit, respondent and item)" in err


# --- scoring and ranks ----------------------------------------------------------------------


@pytest.mark.parametrize("weights", [[1, 2, 1, 1, 3, 1, 1, 2], [1, 1, 1, 1, 1, 1, 1, 1]])
def test_counting_scores_equal_summed_scores(tmp_path: Path, weights: list[float]) -> None:
    q = load_questionnaire(write_questionnaire(
        tmp_path / "q.yaml", key="cnt", respondent="individual", n_levels=5,
        items=standard_items(weights), min_coverage=0.4, threshold=0.6,
    ))  # fmt: skip
    scopes = scoring.scopes_of(q)
    codes = np.random.default_rng(5).integers(-2, 6, (len(weights), 40_000)).astype(np.int8)
    assert scoring._counter(codes, scopes, 5) is not None
    counted = scoring.score_sets(codes, scopes, 5, q)
    summed = scoring.Scores(*(np.empty((len(scopes), codes.shape[1])) for _ in range(3)))
    original = scoring._counter
    try:
        scoring._counter = lambda *args: None  # type: ignore[assignment]
        summed = scoring.score_sets(codes, scopes, 5, q)
    finally:
        scoring._counter = original  # type: ignore[assignment]
    for name in ("coverage", "score", "level"):
        assert getattr(counted, name).tobytes() == getattr(summed, name).tobytes(), name


def test_fractional_weights_are_summed(tmp_path: Path) -> None:
    q = load_questionnaire(write_questionnaire(
        tmp_path / "q.yaml", key="frac", respondent="individual", n_levels=4,
        items=standard_items([1, 0.5, 1.5]),
    ))  # fmt: skip
    codes = np.ones((3, 4), dtype=np.int8)
    assert scoring._counter(codes, scoring.scopes_of(q), 4) is None
    assert scoring._counter(codes.astype(np.float64), scoring.scopes_of(q), 4) is None


def _reference_ranks(seg: np.ndarray, values: np.ndarray, n_segments: int) -> grouped.Ranks:
    """The counting ranks as first written (binary search, every cell of the table)."""
    n = np.bincount(seg, minlength=n_segments).astype(np.int64)
    distinct = np.unique(values)
    width = max(distinct.size, 1)
    key = seg * width + np.searchsorted(distinct, values)
    table = np.bincount(key, minlength=n_segments * width).reshape(n_segments, width)
    below = np.cumsum(table, axis=1) - table
    mean_rank = below + (table + 1) / 2.0
    t = table.astype(np.float64)
    return grouped.Ranks(mean_rank.ravel()[key], n, (t**3 - t).sum(axis=1),
                         np.asarray((table > 1).any(axis=1)))  # fmt: skip


RANK_VALUES = {
    "few scores": lambda rng: rng.integers(4, 125, 5000) / rng.integers(1, 32, 5000),
    "many values": lambda rng: rng.random(5000),
    "integers": lambda rng: rng.integers(0, 4, 5000).astype(np.float64),
    "signed zeros": lambda rng: rng.choice([0.0, -0.0, 1.0, 2.5], 5000),
    "tiny gaps": lambda rng: 1 + rng.integers(0, 3, 5000) * 2.0**-52,
    "wide range": lambda rng: rng.choice([-1e300, 0.0, 1e-300, 1e300], 5000),
}


@pytest.mark.parametrize("kind", list(RANK_VALUES))
def test_rank_codes_and_ranks_unchanged(kind: str) -> None:
    rng = np.random.default_rng(6)
    values = RANK_VALUES[kind](rng)
    distinct = np.unique(values)
    assert np.array_equal(grouped.value_codes(values, distinct),
                          np.searchsorted(distinct, values))  # fmt: skip
    seg = rng.integers(0, 30, values.size)
    got, want = grouped.average_ranks(seg, values, 30), _reference_ranks(seg, values, 30)
    for name in ("ranks", "n", "tie_term", "has_ties"):
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), name


# --- Arrow without pa.array -----------------------------------------------------------------

PY_LISTS: list[list[Any]] = [
    [], [None, None], ["a", None, "ü€", ""], [1, None, -3], [2**62, 1], [1.5, None, 2.0, -0.0],
    [1, 2.5, None], [2**60, 0.5], [float("nan"), 1.0], [True, None], [[1], None], [1, "a"],
]  # fmt: skip


@pytest.mark.parametrize("values", PY_LISTS, ids=range(len(PY_LISTS)))
def test_from_pylist_is_pa_array(values: list[Any]) -> None:
    try:
        want = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        with pytest.raises(type(exc)):
            from_pylist(values)
        return
    got = from_pylist(values)
    assert got.type == want.type
    assert got.equals(want) or got.to_pylist()[1:] == want.to_pylist()[1:]  # NaN != NaN
    if not pa.types.is_nested(got.type):
        assert json_texts(got).to_pylist() == json_texts(want).to_pylist()


def test_from_numpy_strings_numbers() -> None:
    x = np.array([1.0, np.nan, 3.25, -0.0])
    mask = np.array([False, True, False, False])
    assert from_numpy(x, mask).equals(pa.array(x, mask=mask))
    assert from_numpy(x).to_pylist()[1] != from_numpy(x).to_pylist()[1]  # NaN stays a value
    ints = np.arange(10, dtype=np.int16)
    assert from_numpy(ints).equals(pa.array(ints))
    assert strings(["a", "ø", ""]).equals(pa.array(["a", "ø", ""], pa.string()))
    sliced = pa.array(np.arange(20, dtype=np.int32)).slice(5, 7)
    assert numbers(sliced).tolist() == list(range(5, 12))


# --- reading -------------------------------------------------------------------------------


def test_chunk_dictionaries_unify_like_arrow(tmp_path: Path) -> None:
    chunks = [
        pa.array(["b", "a", None, "b"]).dictionary_encode(),
        pa.array(["a", "b"]).dictionary_encode(),
        pa.array(["c", None, "a", "d"]).dictionary_encode(),
        pa.array(["d", "c"]).dictionary_encode(),
    ]
    column = pa.chunked_array(chunks)
    parts, values, size = reading._dictionary(column, keep_values=True)
    unified = column.unify_dictionaries()
    assert values == [reading._text(v) for v in unified.chunks[0].dictionary.to_pylist()]
    raw = reading.RawColumns("x", True, len(column), {"c": parts}, {"c": values}, {"c": size})
    want = np.concatenate([c.indices.fill_null(-1).to_numpy() for c in unified.chunks])
    assert raw.index("c").tolist() == want.tolist()
    table = np.array([10, 11, 12, 13, -1])
    assert raw.gather("c", table).tolist() == table[want].tolist()
    assert raw.has_nulls("c")


def test_parquet_with_row_groups_reads_like_csv(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    items = standard_items([1, 2, 1, 1])
    q = write_questionnaire(tmp_path / "q.yaml", key="rg", respondent="individual", n_levels=4,
                            items=items)  # fmt: skip
    datagen.write_units(tmp_path / "units.csv", rng)
    unit_ids = [line.split(",")[0] for line in
                (tmp_path / "units.csv").read_text().splitlines()[1:]]  # fmt: skip
    datagen.write_answers(tmp_path / "answers.csv", rng, unit_ids, [i[0] for i in items], 4,
                          individual=True, rounds=("2024", "2025"))  # fmt: skip
    options = pacsv.ConvertOptions(
        strings_can_be_null=False,
        null_values=[],
        column_types={c: pa.string() for c in reading.ANSWER_COLUMNS},
    )
    table = pacsv.read_csv(tmp_path / "answers.csv", convert_options=options)
    pq.write_table(table, tmp_path / "answers.parquet", row_group_size=97)
    outputs = []
    for name in ("answers.csv", "answers.parquet"):
        out = tmp_path / f"{name}.json"
        result = CliRunner().invoke(analyze, [
            "--questionnaire", str(q), "--units", str(tmp_path / "units.csv"),
            "--answers", str(tmp_path / name), "--output", str(out),
        ])  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


# --- the overlapped JSON writer against the plain one ----------------------------------------


@pytest.mark.parametrize("respondent", ["individual", "unit"])
def test_overlapped_json_is_the_plain_json(tmp_path: Path, respondent: str) -> None:
    from survey.analysis.pipeline import analyze_to_json
    from survey.analysis.validate import encode_answers
    from survey.analysis.writing import write
    from survey.stats import UnitTable
    from survey.stats import analyze as run_analysis

    rng = np.random.default_rng(9)
    items = standard_items([1, 2, 1, 1, 1, 3, 1, 1])
    q_path = write_questionnaire(tmp_path / "q.yaml", key="ovl", respondent=respondent,
                                 n_levels=4, items=items)  # fmt: skip
    unit_ids = datagen.write_units(tmp_path / "units.csv", rng)
    datagen.write_answers(
        tmp_path / "answers.csv",
        rng,
        unit_ids,
        [i[0] for i in items],
        4,
        individual=respondent == "individual",
        rounds=("2024", "2025", "2026"),
    )
    q = load_questionnaire(q_path)
    units, _ = reading.read_units(tmp_path / "units.csv")
    answers = encode_answers(reading.read_answers(tmp_path / "answers.csv"), q, units.ids, "u")
    table = UnitTable(units.ids, units.columns)
    plain = run_analysis(q, table, answers, group_by="parent_id", compare_by=["region"])
    write(plain, "json", tmp_path / "plain.json")
    done = analyze_to_json(
        q,
        table,
        answers,
        group_by="parent_id",
        compare_by=["region"],
        output=tmp_path / "fast.json",
        progress=lambda message: None,
    )
    assert (tmp_path / "fast.json").read_bytes() == (tmp_path / "plain.json").read_bytes()
    assert (done.n_unit_rows, done.n_group_rows, done.n_comparison_rows) == (
        plain.n_unit_rows,
        len(plain.groups),
        len(plain.comparisons),
    )
    assert json.loads((tmp_path / "fast.json").read_text())["groups"]


# --- the command's process ----------------------------------------------------------------

PROBE = """
import sys
from survey.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
heavy = ("pandas", "survey.web", "survey.db", "sqlalchemy", "fastapi", "pydantic_settings")
print(" ".join(sorted(m for m in heavy if m in sys.modules)))
"""


def test_survey_analyze_loads_no_web_database_or_pandas(tmp_path: Path) -> None:
    rng = np.random.default_rng(10)
    items = standard_items([1, 2, 1])
    q = write_questionnaire(tmp_path / "q.yaml", key="imp", respondent="individual", n_levels=4,
                            items=items)  # fmt: skip
    unit_ids = datagen.write_units(tmp_path / "units.csv", rng)
    datagen.write_answers(tmp_path / "answers.csv", rng, unit_ids, [i[0] for i in items], 4,
                          individual=True)  # fmt: skip
    args = [
        "analyze",
        "--questionnaire",
        str(q),
        "--units",
        str(tmp_path / "units.csv"),
        "--answers",
        str(tmp_path / "answers.csv"),
        "--output",
        str(tmp_path / "o.json"),
    ]
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          cwd=ROOT, check=True)  # fmt: skip
    assert done.stdout.strip() == "", done.stdout
    assert json.loads((tmp_path / "o.json").read_text())["units"]


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param([sys.executable, "-m", "survey.analysis"], id="python -m survey.analysis"),
        pytest.param([str(Path(sys.executable).parent / "survey"), "analyze"], id="survey analyze"),
        pytest.param([sys.executable, "-m", "survey", "analyze"], id="python -m survey analyze"),
    ],
)
def test_command_entries_exit_with_the_status(tmp_path: Path, entry: list[str]) -> None:
    """The entry points end the process early (os._exit): the status, the messages and all of
    standard output must still arrive."""
    q = write_questionnaire(tmp_path / "q.yaml", key="ex", respondent="individual", n_levels=4,
                            items=standard_items([1, 1]))  # fmt: skip
    units = tmp_path / "units.csv"
    units.write_text("unit_id,name,kind,parent_id\nA,a,school,K\n", "utf-8")
    answers = tmp_path / "answers.csv"
    command = [*entry, "--questionnaire", str(q), "--units", str(units), "--answers", str(answers)]
    answers.write_text(HEADER + "1,A,a1,Q.01,3\n1,A,a1,Q.01,2\n", "utf-8")
    bad = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1
    assert "answers.csv:3: duplicate of line 2" in bad.stderr
    usage = subprocess.run([*command, "--format", "xlsx"], capture_output=True, text=True, cwd=ROOT)
    assert usage.returncode == 2  # click's usage error: --output is required with xlsx
    assert "--output is required" in usage.stderr
    answers.write_text(HEADER + "1,A,a1,Q.01,3\n1,A,a2,Q.01,2\n", "utf-8")
    good = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["units"]  # all of standard output arrived before the exit
