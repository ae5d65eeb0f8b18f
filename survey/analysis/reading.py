"""Read units and answers from CSV or Parquet into dictionary-encoded columns (pyarrow).

Strings are read as dictionary arrays, so a column of millions of rows becomes an integer
index per row plus a short list of distinct values. Line numbers are kept for error messages:
CSV line = data row + 2 (the header is line 1) unless a malformed row forces the slow path,
which records each row's line; Parquet rows are numbered from 1.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from survey.analysis.arrays import numbers, scalar_like
from survey.parsing import encoding_problem

IntArray = npt.NDArray[np.int64]
IndexArray = npt.NDArray[np.int32]

ANSWER_COLUMNS = ("round", "unit_id", "respondent_id", "item_id", "value")


@dataclass(frozen=True, order=True)
class InputProblem:
    """A problem in an input file: ``file:line: message`` (Parquet: ``file: row N: message``)."""

    file: str
    line: int | None
    message: str
    parquet: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        if self.parquet:
            return f"{self.file}: row {self.line}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


class InputError(Exception):
    def __init__(self, problems: Sequence[InputProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def is_parquet(path: Path) -> bool:
    if path.suffix.lower() in {".parquet", ".pq"}:
        return True
    with path.open("rb") as handle:
        return handle.read(4) == b"PAR1"


@dataclass(frozen=True)
class Chunk:
    """One chunk of a column: indices into its own dictionary (-1 = null), and where those
    entries are in the column's unified dictionary (None: the same; else an array whose last
    entry, for -1, is -1)."""

    local: npt.NDArray[np.integer[Any]]
    mapping: IndexArray | None
    has_nulls: bool


@dataclass
class RawColumns:
    """Columns of one file as dictionary indices (-1 = null) and dictionary values (str).

    The indices stay in the file's chunks (Parquet row groups), each with its own dictionary;
    :meth:`gather` looks a table up for every row chunk by chunk, and :meth:`index` gives the
    indices into the unified dictionary as one array (made when first asked for).
    """

    label: str
    parquet: bool
    n_rows: int
    chunks: dict[str, list[Chunk]]
    values: dict[str, list[str] | None]  # None when not needed (respondent ids)
    sizes: dict[str, int]  # entries in the unified dictionary
    lines: IntArray | None = None  # explicit line per row (slow CSV path)
    _indices: dict[str, IndexArray] = field(default_factory=dict, repr=False)

    def line_of(self, rows: IntArray) -> IntArray:
        if self.lines is not None:
            return self.lines[rows]
        return rows + (1 if self.parquet else 2)

    def has_nulls(self, name: str) -> bool:
        return any(chunk.has_nulls for chunk in self.chunks[name])

    def gather(self, name: str, table: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """``table[i]`` for every row's index i into the unified dictionary; a null picks
        ``table[-1]``. Chunk by chunk, without the unified indices."""
        out = np.empty(self.n_rows, dtype=table.dtype)
        start = 0
        for chunk in self.chunks[name]:
            part = out[start : start + chunk.local.size]
            start += chunk.local.size
            lookup = table if chunk.mapping is None else table[chunk.mapping]
            shift = None if chunk.has_nulls else _shift(lookup)
            if shift is None:  # -1 (null) picks the last entry; the indices are in range
                np.take(lookup, chunk.local, out=part, mode="wrap")
            elif shift == 0:
                part[:] = chunk.local
            else:
                np.add(chunk.local, shift, out=part, casting="unsafe")
        return out

    def index(self, name: str) -> IndexArray:
        """Every row's index into the column's unified dictionary (int32, -1 = null)."""
        if name not in self._indices:
            table = np.append(np.arange(self.sizes[name], dtype=np.int32), np.int32(-1))
            self._indices[name] = self.gather(name, table)
        return self._indices[name]


def _shift(lookup: npt.NDArray[Any]) -> int | None:
    """c when ``lookup`` (ending in its null entry) maps i to i + c: the rows need no gather
    (e.g. item ids in questionnaire order, or a chunk whose dictionary is a stretch of the
    unified one)."""
    n = lookup.size - 1
    if n < 1 or lookup.dtype.kind not in "iu":
        return None
    shift = int(lookup[0])
    if int(lookup[n - 1]) - shift != n - 1:
        return None
    return shift if bool(np.all(np.diff(lookup[:n]) == 1)) else None


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def _missing(label: str, found: Sequence[str], required: Sequence[str], parquet: bool) -> None:
    missing = [c for c in required if c not in found]
    if missing:
        message = f"missing column(s) {', '.join(missing)} (found: {', '.join(found) or 'none'})"
        raise InputError([InputProblem(label, None if parquet else 1, message, parquet)])


def _dictionary(
    column: pa.ChunkedArray, keep_values: bool
) -> tuple[list[Chunk], list[str] | None, int]:
    """The column's chunks (see :class:`Chunk`), its unified dictionary as text, and its size.

    Chunks (Parquet row groups) often repeat the same dictionary; only distinct dictionaries are
    unified, which is much cheaper than ``ChunkedArray.unify_dictionaries`` on every chunk. The
    unified dictionary is the same as ``unify_dictionaries`` gives (every value in the order of
    its first appearance, dictionary by dictionary): one ``dictionary_encode`` of the distinct
    dictionaries laid end to end gives it, and every dictionary's mapping into it, in one pass.
    """
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    chunks = [c for c in column.chunks if len(c)]
    if not chunks:
        return [], [], 0
    distinct: list[pa.Array] = []
    which = []
    for chunk in chunks:
        d = chunk.dictionary
        if not distinct or not (distinct[-1] is d or distinct[-1].equals(d)):
            distinct.append(d)
        which.append(len(distinct) - 1)
    mappings: list[IndexArray | None] = [None] * len(distinct)
    dictionary = distinct[0]
    if len(distinct) > 1:
        encoded = pc.dictionary_encode(pa.concat_arrays(distinct), null_encoding="encode")
        dictionary = encoded.dictionary
        codes = numbers(encoded.indices).astype(np.int32, copy=False)
        bounds = np.cumsum([0, *(len(d) for d in distinct)])
        mappings = [
            np.append(codes[lo:hi], np.int32(-1))
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
        ]
    parts = []
    for chunk, k in zip(chunks, which, strict=True):
        local = chunk.indices
        if local.null_count:
            local = pc.fill_null(local, scalar_like(-1, local))
        parts.append(Chunk(numbers(local), mappings[k], chunk.null_count > 0))
    if not keep_values:
        return parts, None, len(dictionary)
    return parts, [_text(v) for v in dictionary.to_pylist()], len(dictionary)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_answers(path: Path) -> RawColumns:
    """The answers file as dictionary-encoded columns; any file that cannot be read as UTF-8 CSV
    or Parquet is an InputError naming the file (and the line, where there is one)."""
    with _readable(path):
        return _read_answers(path)


def _read_answers(path: Path) -> RawColumns:
    label = str(path)
    if is_parquet(path):
        schema = pq.read_schema(path)
        _missing(label, schema.names, ANSWER_COLUMNS, True)
        strings = [
            c for c in ANSWER_COLUMNS
            if pa.types.is_string(schema.field(c).type)
            or pa.types.is_large_string(schema.field(c).type)
        ]  # fmt: skip
        # ParquetFile, not pq.read_table: the same table, but without the dataset layer (which
        # imports pandas, 0.2-0.3 s) and in one chunk per row group.
        with pq.ParquetFile(path, read_dictionary=strings, pre_buffer=True) as parquet:
            table = parquet.read(columns=list(ANSWER_COLUMNS))
        return _raw(label, True, table, None)
    _missing(label, _header(path), ANSWER_COLUMNS, False)
    malformed: list[Any] = []

    def skip(row: Any) -> str:
        malformed.append(row)
        return "skip"

    table = pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(invalid_row_handler=skip, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            include_columns=list(ANSWER_COLUMNS),
            column_types={c: pa.dictionary(pa.int32(), pa.string()) for c in ANSWER_COLUMNS},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
        ),
    )
    if malformed:
        return _read_csv_slowly(path)
    return _raw(label, False, table, None)


def _raw(label: str, parquet: bool, table: pa.Table, lines: IntArray | None) -> RawColumns:
    chunks, values, sizes = {}, {}, {}
    for name in ANSWER_COLUMNS:
        column = table.column(name)
        chunks[name], values[name], sizes[name] = _dictionary(column, name != "respondent_id")
    return RawColumns(label, parquet, table.num_rows, chunks, values, sizes, lines)


def _read_csv_slowly(path: Path) -> RawColumns:
    """Python's csv reader: exact line numbers, and every malformed row reported."""
    label = str(path)
    rows: list[list[str]] = []
    lines: list[int] = []
    problems = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        position = [header.index(c) for c in ANSWER_COLUMNS]
        start = reader.line_num + 1
        for row in reader:
            if len(row) != len(header) and any(row):
                problems.append(InputProblem(
                    label, start, f"expected {len(header)} fields, found {len(row)}"
                ))  # fmt: skip
            elif any(row):
                rows.append([row[i] for i in position])
                lines.append(start)
            start = reader.line_num + 1
    if problems:
        raise InputError(problems)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in ANSWER_COLUMNS]
    table = pa.table({
        name: pa.array(list(col), pa.string()).dictionary_encode()
        for name, col in zip(ANSWER_COLUMNS, columns, strict=True)
    })  # fmt: skip
    return _raw(label, False, table, np.array(lines, dtype=np.int64))


@dataclass(frozen=True)
class UnitRows:
    ids: list[str]
    columns: dict[str, list[str | None]]


def read_units(path: Path) -> tuple[UnitRows, list[InputProblem]]:
    """Units with every column as text, and the file's problems (empty or repeated ids, rows
    with too many fields); rows with a problem are left out. No unit_id column, or a file that is
    not UTF-8 CSV or Parquet: InputError."""
    with _readable(path):
        return _read_units(path)


def _read_units(path: Path) -> tuple[UnitRows, list[InputProblem]]:
    label = str(path)
    parquet = is_parquet(path)
    problems = []
    if parquet:
        with pq.ParquetFile(path) as parquet_file:
            table = parquet_file.read()
        names = list(table.column_names)
        _missing(label, names, ["unit_id"], parquet)
        columns = {n: _clean(table.column(n).to_pylist()) for n in names}
        lines = list(range(1, table.num_rows + 1))
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            names = next(reader, [])
            _missing(label, names, ["unit_id"], parquet)
            rows, lines = [], []
            start = 2
            for row in reader:
                if len(row) > len(names):
                    problems.append(InputProblem(label, start, "more fields than the header"))
                elif any(row):
                    rows.append(row + [""] * (len(names) - len(row)))
                    lines.append(start)
                start = reader.line_num + 1
        columns = {n: _clean([row[i] for row in rows]) for i, n in enumerate(names)}
    first: dict[str, int] = {}
    kept = []
    for i, (line, unit_id) in enumerate(zip(lines, columns["unit_id"], strict=True)):
        if not unit_id:
            problems.append(InputProblem(label, line, "empty unit_id", parquet))
        elif unit_id in first:
            message = f"unit_id {unit_id!r} repeats line {first[unit_id]}"
            problems.append(InputProblem(label, line, message, parquet))
        else:
            first[unit_id] = line
            kept.append(i)
    ids = [columns["unit_id"][i] or "" for i in kept]
    others = {n: [col[i] for i in kept] for n, col in columns.items() if n != "unit_id"}
    return UnitRows(ids, others), sorted(problems)


def _clean(values: list[Any]) -> list[str | None]:
    """Text without surrounding blanks; empty or missing -> None."""
    if all(type(v) is str for v in values):
        return [v.strip() or None for v in values]
    return [_opt_text(v) for v in values]


def _opt_text(value: Any) -> str | None:
    if value is None:
        return None
    text = _text(value).strip()
    return text or None


@contextmanager
def _readable(path: Path) -> Iterator[None]:
    """Turn what a file that is not what it claims raises into one problem naming the file."""
    label = str(path)
    try:
        yield
    except UnicodeDecodeError:
        raise InputError([_encoding_problem(path)]) from None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        if not is_parquet(path):
            if "utf8" in str(exc).lower() or "utf-8" in str(exc).lower():
                raise InputError([_encoding_problem(path)]) from None
            if isinstance(exc, OSError) and not isinstance(exc, pa.ArrowException):
                raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        what = "not a readable Parquet file" if is_parquet(path) else "not a readable CSV file"
        raise InputError(
            [InputProblem(label, None, f"{what}: {first}", is_parquet(path))]
        ) from None
    except csv.Error as exc:
        raise InputError([InputProblem(label, None, f"not a readable CSV file: {exc}")]) from None


def _encoding_problem(path: Path) -> InputProblem:
    line, message = encoding_problem(path)
    return InputProblem(str(path), line, message)
