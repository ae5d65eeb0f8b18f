"""JSON output, encoded column by column with Arrow (a row-by-row ``json.dumps`` of a national
analysis costs seconds; this costs a fraction).

Numbers are the shortest text that reads back to the same double (Arrow's formatting, with
``.0`` added to whole floats so they stay floats), missing values ``null``. List cells
(flagged, outliers, trend, values) are encoded with the json module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import islice
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from survey.stats import UNIT_FIELDS, Analysis, Coded
from survey.stats.result import INTEGER_FIELDS, Column

LIST_FIELDS = frozenset({"flagged", "outliers", "trend", "values"})
_ENCODER = json.JSONEncoder(allow_nan=False)


def arrow_column(column: Column, integer: bool = False) -> pa.Array:
    """A result column as Arrow: labels as a dictionary array, NaN as null."""
    if isinstance(column, Coded):
        codes = pa.array(column.codes.astype(np.int32), mask=column.codes < 0)
        return pa.DictionaryArray.from_arrays(codes, pa.array(list(column.labels)))
    if column.dtype.kind in "iu":
        return pa.array(column)
    missing = ~np.isfinite(column)
    if integer:
        return pa.array(np.where(missing, 0, column).astype(np.int64), mask=missing)
    return pa.array(column, mask=missing)


def units_table(analysis: Analysis) -> pa.Table:
    return pa.table({
        name: arrow_column(analysis.unit_columns[name], name in INTEGER_FIELDS)
        for name in UNIT_FIELDS
    })  # fmt: skip


def _labels_json(labels: pa.Array) -> pa.Array:
    return pa.array([json.dumps(v) for v in labels.to_pylist()] + ["null"])


def json_texts(values: pa.Array) -> pa.Array:
    """Each value as JSON text (no nulls left)."""
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        values = pc.dictionary_encode(values)
        kind = values.type
    if pa.types.is_dictionary(kind):
        labels = _labels_json(values.dictionary)
        codes = values.indices.fill_null(len(labels) - 1)
        return labels.take(codes)
    if pa.types.is_null(kind):
        return pa.array(["null"] * len(values))
    text = pc.cast(values, pa.string())
    if pa.types.is_floating(kind):
        numbers = values.to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            whole = (numbers == np.round(numbers)) & (np.abs(numbers) < 1e15)
        suffix = pa.array(["", ".0"]).take(pa.array(whole.astype(np.int8)))
        text = pc.binary_join_element_wise(text, suffix, "")
    return pc.fill_null(text, "null")


class Raw:
    """A column already holding JSON text (list cells)."""

    def __init__(self, texts: list[str]):
        self.array = pa.array(texts, pa.string())


_SLICE = 100_000  # rows joined at a time


def _objects(names: Sequence[str], texts: Sequence[pa.Array], sep: str) -> pa.Array:
    """``{"name": text, ...}`` + sep for every row of the text columns."""
    parts: list[Any] = []
    for i, (name, text) in enumerate(zip(names, texts, strict=True)):
        parts.append(("{" if i == 0 else ", ") + json.dumps(name) + ": ")
        parts.append(text)
    parts.append("}" + sep)
    return pc.binary_join_element_wise(*parts, "")


def json_rows(names: Sequence[str], columns: Sequence[pa.Array | Raw], out: IO[bytes]) -> None:
    """Write rows ``{"name": value, ...}`` separated by ",\n" (UTF-8)."""
    texts = [c.array if isinstance(c, Raw) else json_texts(c) for c in columns]
    n_rows = len(texts[0]) if texts else 0
    for lo in range(0, n_rows, _SLICE):
        rows = _objects(names, [t.slice(lo, _SLICE) for t in texts], ",\n")
        offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)
        start, end = int(offsets[rows.offset]), int(offsets[rows.offset + len(rows)])
        if lo + _SLICE >= n_rows:
            end -= 2  # no separator after the last row
        out.write(memoryview(rows.buffers()[2])[start:end])


def _list_texts(lists: list[list[dict[str, Any]]]) -> list[str]:
    """JSON of each list of objects, encoded column-wise (the objects of one field share keys;
    the first object's keys are used)."""
    entries = [entry for entries in lists for entry in entries]
    if not entries:
        return ["[]"] * len(lists)
    keys = list(entries[0])
    try:
        texts = [json_texts(pa.array([entry[k] for entry in entries])) for k in keys]
    except (KeyError, pa.ArrowInvalid, pa.ArrowTypeError):  # objects of different shapes
        return [_ENCODER.encode(entries) for entries in lists]
    encoded = iter(_objects(keys, texts, "").to_pylist())
    return ["[" + ", ".join(islice(encoded, len(entries))) + "]" for entries in lists]


def _dict_columns(rows: list[dict[str, Any]], fields: Sequence[str]) -> list[pa.Array | Raw]:
    columns: list[pa.Array | Raw] = []
    for name in fields:
        values = [row[name] for row in rows]
        if name in LIST_FIELDS:
            columns.append(Raw(_list_texts(values)))
        else:
            columns.append(pa.array(values))
    return columns


def write_json(analysis: Analysis, out: IO[bytes], group_fields: Sequence[str],
               comparison_fields: Sequence[str]) -> None:  # fmt: skip
    out.write(b'{"questionnaire": ' + json.dumps(analysis.questionnaire).encode())
    out.write(b',\n"units": [\n')
    table = units_table(analysis)
    json_rows(UNIT_FIELDS, [table.column(n).combine_chunks() for n in UNIT_FIELDS], out)
    for name, rows, fields in (
        ("groups", analysis.groups, group_fields),
        ("comparisons", analysis.comparisons, comparison_fields),
    ):
        out.write(f'\n],\n"{name}": [\n'.encode())
        if rows:
            json_rows(fields, _dict_columns(rows, fields), out)
    out.write(b"\n]}\n")
