"""Arrow arrays from numpy arrays and Python lists, and back, without ``pa.array``.

``pa.array``, ``pa.scalar`` and ``Array.to_numpy`` look for pandas objects, and so import pandas
(about 0.2 s, and 0.1 s more when the process exits) the first time they run, although
``survey analyze`` never needs pandas. These functions build the same arrays from buffers; for
anything they do not cover (other dtypes, mixed lists) they call pyarrow's own conversion.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

_NUMERIC = (
    np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
    np.float32, np.float64,
)  # fmt: skip
_ARROW_OF = {np.dtype(t): pa.from_numpy_dtype(np.dtype(t)) for t in _NUMERIC}
_NUMPY_OF = {arrow: numpy for numpy, arrow in _ARROW_OF.items()}
_INT64 = np.iinfo(np.int64)
_EXACT_INT = 2**53  # ints up to this size convert to float64 exactly


def _validity(valid: npt.NDArray[np.bool_]) -> pa.Buffer:
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


def from_numpy(values: npt.NDArray[Any], mask: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    """``pa.array(values, mask=mask)`` for a 1-d numeric array (NaN stays a value, not null)."""
    arrow_type = _ARROW_OF.get(values.dtype)
    if arrow_type is None or values.ndim != 1 or (mask is not None and mask.shape != values.shape):
        return pa.array(values, mask=mask)
    data = np.ascontiguousarray(values)
    null_count = int(np.count_nonzero(mask)) if mask is not None else 0
    validity = _validity(~mask) if mask is not None and null_count else None
    return pa.Array.from_buffers(arrow_type, data.size, [validity, pa.py_buffer(data)], null_count)


def strings(texts: Sequence[str], valid: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    """``pa.array(texts, pa.string())`` for str values (``valid``: False = null)."""
    joined = "".join(texts)
    if joined.isascii():  # one byte per character
        data = joined.encode("ascii")
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    else:
        parts = [t.encode("utf-8") for t in texts]
        data = b"".join(parts)
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if offsets[-1] >= 2**31 - 1:  # too long for 32-bit offsets: pyarrow decides
        values = [t if valid is None or valid[i] else None for i, t in enumerate(texts)]
        return pa.array(values, pa.string())
    null_count = 0 if valid is None else int(valid.size - np.count_nonzero(valid))
    validity = _validity(valid) if valid is not None and null_count else None
    buffers = [validity, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.string(), len(texts), buffers, null_count)


def from_pylist(values: list[Any]) -> pa.Array:
    """``pa.array(values)`` (type inferred) for lists of str, int or float with None; other
    lists go to ``pa.array``. As there: all None gives the null type, ints int64, ints mixed
    with floats float64."""
    kinds = set(map(type, values))
    has_none = type(None) in kinds
    kinds.discard(type(None))
    if not kinds:
        return pa.nulls(len(values))
    valid = None
    if has_none:
        valid = np.fromiter(map(operator.is_not, values, repeat(None)), bool, len(values))
    mask = None if valid is None else ~valid
    if kinds == {str}:
        return strings([v or "" for v in values] if has_none else values, valid)
    if kinds == {int}:
        ints = [v or 0 for v in values] if has_none else values
        if min(ints) >= _INT64.min and max(ints) <= _INT64.max:
            return from_numpy(np.array(ints, dtype=np.int64), mask)
    elif kinds == {float} or kinds == {int, float}:
        if int in kinds and any(type(v) is int and abs(v) > _EXACT_INT for v in values):
            return pa.array(values)
        return from_numpy(np.array(values, dtype=np.float64), mask)  # None -> NaN, masked
    return pa.array(values)


def scalar_like(value: Any, array: pa.Array) -> pa.Scalar:
    """A scalar of ``array``'s type (str or numeric), as ``pa.scalar(value, array.type)``."""
    if pa.types.is_string(array.type):
        return strings([value])[0]
    dtype = _NUMPY_OF.get(array.type)
    if dtype is None:
        return pa.scalar(value, array.type)
    return from_numpy(np.array([value], dtype=dtype))[0]


def numbers(array: pa.Array) -> npt.NDArray[Any]:
    """The values of a numeric array as numpy (a view). Unlike ``to_numpy``, null slots hold
    whatever the buffer holds there: use only where nulls are masked or filled."""
    dtype = _NUMPY_OF.get(array.type)
    if dtype is None:
        return array.to_numpy(zero_copy_only=False)  # type: ignore[no-any-return]
    if len(array) == 0:
        return np.zeros(0, dtype=dtype)
    buffer = array.buffers()[1]
    return np.frombuffer(
        buffer, dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize
    )
