"""JSON output, encoded column by column with Arrow (a row-by-row ``json.dumps`` of a national
analysis costs seconds; this costs a fraction).

Numbers are the shortest text that reads back to the same double (Arrow's formatting, with
``.0`` added to whole floats so they stay floats), missing values ``null``. List cells
(flagged, outliers, trend, values) are encoded with the json module.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from survey.analysis.arrays import from_numpy, from_pylist, numbers, scalar_like, strings
from survey.stats import UNIT_FIELDS, Analysis, Coded
from survey.stats.result import INTEGER_FIELDS, Column, ObjectLists

LIST_FIELDS = frozenset({"flagged", "outliers", "trend", "values"})
_ENCODER = json.JSONEncoder(allow_nan=False)


def _text(value: str) -> pa.Scalar:
    return strings([value])[0]


_EMPTY = _text("")
_NULL = _text("null")
_OPEN, _CLOSE, _COMMA = _text("["), _text("]"), _text(", ")


def arrow_column(column: Column, integer: bool = False) -> pa.Array:
    """A result column as Arrow: labels as a dictionary array, NaN as null."""
    if isinstance(column, Coded):
        codes = from_numpy(column.codes.astype(np.int32), mask=column.codes < 0)
        return pa.DictionaryArray.from_arrays(codes, from_pylist(list(column.labels)))
    if column.dtype.kind in "iu":
        return from_numpy(column)
    missing = ~np.isfinite(column)
    if integer:
        return from_numpy(np.where(missing, 0, column).astype(np.int64), mask=missing)
    return from_numpy(column, mask=missing)


def units_table(analysis: Analysis) -> pa.Table:
    return pa.table({
        name: arrow_column(analysis.unit_columns[name], name in INTEGER_FIELDS)
        for name in UNIT_FIELDS
    })  # fmt: skip


def _labels_json(labels: pa.Array) -> pa.Array:
    return strings([json.dumps(v) for v in labels.to_pylist()] + ["null"])


def json_texts(values: pa.Array) -> pa.Array:
    """Each value as JSON text (no nulls left)."""
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        values = pc.dictionary_encode(values)
        kind = values.type
    if pa.types.is_dictionary(kind):
        labels = _labels_json(values.dictionary)
        codes = values.indices
        if codes.null_count:
            codes = pc.fill_null(codes, scalar_like(len(labels) - 1, codes))
        return labels.take(codes)
    if pa.types.is_null(kind):
        return strings(["null"] * len(values))
    text = pc.cast(values, pa.string())
    if pa.types.is_floating(kind):
        x = numbers(values)  # null slots: any value, their text stays null
        with np.errstate(invalid="ignore", over="ignore"):
            whole = (x == np.round(x)) & (np.abs(x) < 1e15)
        suffix = strings(["", ".0"]).take(from_numpy(whole.astype(np.int8)))
        text = pc.binary_join_element_wise(text, suffix, _EMPTY)
    return pc.fill_null(text, _NULL)


class Raw:
    """A column already holding JSON text (list cells)."""

    def __init__(self, texts: list[str] | pa.Array):
        self.array = texts if isinstance(texts, pa.Array) else strings(texts)


_SLICE = 32_768  # rows joined at a time


def _objects(names: Sequence[str], texts: Sequence[pa.Array], sep: str) -> pa.Array:
    """``{"name": text, ...}`` + sep for every row of the text columns."""
    parts: list[Any] = []
    for i, (name, text) in enumerate(zip(names, texts, strict=True)):
        parts.append(_text(("{" if i == 0 else ", ") + json.dumps(name) + ": "))
        parts.append(text)
    parts.append(_text("}" + sep))
    return pc.binary_join_element_wise(*parts, _EMPTY)


def json_rows(names: Sequence[str], columns: Sequence[pa.Array | Raw], out: IO[bytes]) -> None:
    """Write rows ``{"name": value, ...}`` separated by ",\n" (UTF-8)."""
    write_rows(names, [c.array if isinstance(c, Raw) else json_texts(c) for c in columns], out)


def write_rows(
    names: Sequence[str], texts: Sequence[pa.Array], out: IO[bytes], pool: Executor | None = None
) -> None:
    """:func:`json_rows` for columns already turned into JSON text (:func:`json_texts`). With
    ``pool``, slices of rows are joined in its threads (written in order here)."""
    for part in joined_rows(names, texts, pool):
        out.write(part)


def joined_rows(
    names: Sequence[str], texts: Sequence[pa.Array], pool: Executor | None = None
) -> Iterator[memoryview]:
    """The bytes :func:`write_rows` writes, slice by slice (joined in ``pool`` if given)."""
    n_rows = len(texts[0]) if texts else 0

    def joined(lo: int) -> pa.Array:
        return _objects(names, [t.slice(lo, _SLICE) for t in texts], ",\n")

    starts = range(0, n_rows, _SLICE)
    slices = map(joined, starts) if pool is None else pool.map(joined, starts)
    for lo, rows in zip(starts, slices, strict=True):
        offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)
        start, end = int(offsets[rows.offset]), int(offsets[rows.offset + len(rows)])
        if lo + _SLICE >= n_rows:
            end -= 2  # no separator after the last row
        yield memoryview(rows.buffers()[2])[start:end]


def unit_texts(columns: Mapping[str, Column], names: Sequence[str]) -> dict[str, pa.Array]:
    """JSON text of the named ``units`` columns (as :func:`write_json` writes them)."""
    return {name: json_texts(arrow_column(columns[name], name in INTEGER_FIELDS)) for name in names}


def _list_texts(lists: list[list[dict[str, Any]]] | ObjectLists) -> pa.Array:
    """JSON of each list of objects, encoded column-wise (the objects of one field share keys;
    the first object's keys are used)."""
    if isinstance(lists, ObjectLists):
        return _object_list_texts(lists)
    entries = [entry for entries in lists for entry in entries]
    if not entries:
        return strings(["[]"] * len(lists))
    keys = list(entries[0])
    try:
        texts = [json_texts(from_pylist([entry[k] for entry in entries])) for k in keys]
    except (KeyError, pa.ArrowInvalid, pa.ArrowTypeError):  # objects of different shapes
        return strings([_ENCODER.encode(entries) for entries in lists])
    offsets = np.zeros(len(lists) + 1, dtype=np.int32)
    np.cumsum(np.fromiter(map(len, lists), dtype=np.int32, count=len(lists)), out=offsets[1:])
    return _joined_lists(offsets, keys, texts)


def _joined_lists(
    offsets: npt.NDArray[np.int32], keys: Sequence[str], texts: Sequence[pa.Array]
) -> pa.Array:
    """``[{...}, {...}]`` per row: the objects of the text columns, row i holding the objects
    ``offsets[i]:offsets[i + 1]``."""
    per_row = pa.ListArray.from_arrays(from_numpy(offsets), _objects(keys, texts, ""))
    return pc.binary_join_element_wise(_OPEN, pc.binary_join(per_row, _COMMA), _CLOSE, _EMPTY)


def _object_list_texts(lists: ObjectLists) -> pa.Array:
    """:func:`_list_texts` of ``lists.lists()``, from the columns."""
    n_rows = lists.offsets.size - 1
    if int(lists.offsets[-1]) == 0:
        return strings(["[]"] * n_rows)
    texts = [
        json_texts(from_numpy(v) if isinstance(v, np.ndarray) else from_pylist(v))
        for v in lists.columns.values()
    ]
    return _joined_lists(lists.offsets.astype(np.int32), list(lists.columns), texts)


def _dict_columns(rows: list[dict[str, Any]], fields: Sequence[str]) -> list[pa.Array | Raw]:
    columns: list[pa.Array | Raw] = []
    for name in fields:
        values = [row[name] for row in rows]
        if name in LIST_FIELDS:
            columns.append(Raw(_list_texts(values)))
        else:
            columns.append(from_pylist(values))
    return columns


def section_texts(rows: list[dict[str, Any]], fields: Sequence[str]) -> list[pa.Array] | None:
    """JSON text of each field of ``groups`` or ``comparisons`` rows (None: no rows)."""
    if not rows:
        return None
    return [c.array if isinstance(c, Raw) else json_texts(c) for c in _dict_columns(rows, fields)]


def column_texts(columns: Mapping[str, Any], fields: Sequence[str],
                 integer: Collection[str]) -> list[pa.Array]:  # fmt: skip
    """JSON text of section columns (as :class:`survey.stats.groupstats.GroupColumns` holds
    them), the same as :func:`section_texts` gives for the rows made from them: labels
    (:class:`Coded`), numbers with NaN as null (the ``integer`` fields as whole numbers), and
    list fields (one list of objects per row)."""
    texts = []
    for name in fields:
        column = columns[name]
        if name in LIST_FIELDS:
            texts.append(_list_texts(column))
        elif isinstance(column, Coded) or column.dtype.kind in "iu":
            texts.append(json_texts(arrow_column(column)))
        else:
            missing = np.isnan(column)  # as rows have it: only NaN is null
            if name in integer:
                numbers = from_numpy(np.where(missing, 0, column).astype(np.int64), missing)
            else:
                numbers = from_numpy(np.asarray(column, dtype=np.float64), missing)
            texts.append(json_texts(numbers))
    return texts


def head(questionnaire: Mapping[str, str]) -> bytes:
    """The start of the JSON object, up to the first ``units`` row."""
    return b'{"questionnaire": ' + json.dumps(questionnaire).encode() + b',\n"units": [\n'


def write_section(
    name: str,
    fields: Sequence[str],
    texts: list[pa.Array] | None,
    out: IO[bytes],
    pool: Executor | None = None,
) -> None:
    """The ``groups`` or ``comparisons`` section (after the previous one), from
    :func:`section_texts`."""
    for part in section_bytes(name, fields, texts, pool):
        out.write(part)


def section_bytes(
    name: str, fields: Sequence[str], texts: list[pa.Array] | None, pool: Executor | None = None
) -> list[bytes | memoryview]:
    """What :func:`write_section` writes."""
    parts: list[bytes | memoryview] = [f'\n],\n"{name}": [\n'.encode()]
    if texts is not None:
        parts.extend(joined_rows(fields, texts, pool))
    return parts


END = b"\n]}\n"


def write_json(
    analysis: Analysis,
    out: IO[bytes],
    group_fields: Sequence[str],
    comparison_fields: Sequence[str],
    texts: Mapping[str, pa.Array] | None = None,
) -> None:
    """The analysis as one JSON object. ``texts``: JSON text of some ``units`` columns, made
    beforehand (:func:`unit_texts`). The text of the other columns, of the groups and of the
    comparisons, and the rows joined from it, are made in two worker threads (Arrow's compute
    functions release the GIL) and written here in order."""
    with ThreadPoolExecutor(2) as pool:
        done = dict(texts or {})
        missing = [pool.submit(unit_texts, analysis.unit_columns, [name])
                   for name in UNIT_FIELDS if name not in done]  # fmt: skip
        sections = [
            pool.submit(section_texts, analysis.groups, group_fields),
            pool.submit(section_texts, analysis.comparisons, comparison_fields),
        ]
        out.write(head(analysis.questionnaire))
        for future in missing:
            done.update(future.result())
        write_rows(UNIT_FIELDS, [done[n] for n in UNIT_FIELDS], out, pool)
        for name, fields, section in zip(
            ("groups", "comparisons"), (group_fields, comparison_fields), sections, strict=True
        ):
            write_section(name, fields, section.result(), out, pool)
        out.write(END)
