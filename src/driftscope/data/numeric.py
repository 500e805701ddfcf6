"""Extraction of a numerical or datetime column as finite float64 values plus counts.

- numbers -> float64; booleans -> 0.0/1.0; durations and times of day -> seconds;
  datetimes and dates -> seconds since the Unix epoch, UTC (naive values taken as UTC)
- text -> parsed as numbers (or ISO 8601 datetimes when ``kind`` is ``DATETIME``); one
  value that does not parse is an error naming it and its row
- None/NaN/NaT/null are counted in ``missing``, +inf and -inf in their own counts, and all
  three are left out of ``values``; a column with no value at all is an error.

A float64 numpy column is copied exactly once: the finite values are selected straight
into the result array (a one-byte-a-row mask is the only other allocation).

>>> import numpy as np
>>> from driftscope.data.storage import Storage
>>> v = extract_numeric(np.array([1.0, np.nan, np.inf, 2.0]), Storage.NUMBER, name="x",
...                     role="data", kind=ColumnKind.NUMERICAL)
>>> v.values, v.missing, v.positive_infinite
(array([1., 2.]), 1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftscope.data.columns import Column, missing_count, to_arrow
from driftscope.data.kinds import ColumnKind
from driftscope.data.messages import data_error, the_data
from driftscope.data.parsing import parse_datetimes, parse_numbers
from driftscope.data.storage import Storage, arrow_storage, unsupported
from driftscope.data.values import NumericValues

# seconds per tick as (multiplier, divisor): dividing keeps sub-second units exact
_SECONDS: dict[str, tuple[int, int]] = {
    "W": (604_800, 1),
    "D": (86_400, 1),
    "h": (3_600, 1),
    "m": (60, 1),
    "s": (1, 1),
    "ms": (1, 10**3),
    "us": (1, 10**6),
    "ns": (1, 10**9),
    "ps": (1, 10**12),
    "fs": (1, 10**15),
    "as": (1, 10**18),
}

_WORDS = {
    Storage.BOOLEAN: "booleans",
    Storage.NUMBER: "numbers",
    Storage.DATETIME: "datetimes",
    Storage.BINARY: "bytes",
}


@dataclass(frozen=True)
class _Part:
    """A contiguous run of rows: raw numbers, which of them are present, and their unit."""

    data: np.ndarray
    valid: np.ndarray | None = None  # None: no nulls
    multiplier: int = 1
    divisor: int = 1


def entirely_missing(rows: int, *, name: str, role: str) -> Exception:
    """The error for a column without a single value.

    >>> str(entirely_missing(3, name="x", role="production"))
    "column 'x': is entirely missing in the production data (3 rows, all null/NaN)"
    """
    return data_error(
        f"is entirely missing in {the_data(role)} ({rows:,} rows, all null/NaN)", column=name
    )


def extract_numeric(
    column: Column, storage: Storage, *, name: str, role: str, kind: ColumnKind
) -> NumericValues:
    """Finite float64 values of a column, with missing and infinite values counted.

    >>> extract_numeric(np.array([True, False]), Storage.BOOLEAN, name="b", role="data",
    ...                 kind=ColumnKind.NUMERICAL).values
    array([1., 0.])
    """
    rows = len(column)
    if storage is Storage.DICTIONARY:
        column = _decode(column)
        storage = arrow_storage(column.type, name=name, role=role)
    if storage in (Storage.NULL, Storage.STRING) and missing_count(column) == rows:
        raise entirely_missing(rows, name=name, role=role)
    if storage is Storage.STRING:
        strings = to_arrow(column, storage, name=name, role=role)
        if kind is ColumnKind.DATETIME:
            column, storage = parse_datetimes(strings, name=name, role=role), Storage.DATETIME
        else:
            column, storage = parse_numbers(strings, name=name, role=role), Storage.NUMBER
    expected = (
        {Storage.DATETIME} if kind is ColumnKind.DATETIME else {Storage.NUMBER, Storage.BOOLEAN}
    )
    if storage not in expected:
        if missing_count(column) == rows:
            raise entirely_missing(rows, name=name, role=role)
        wanted = "datetimes" if kind is ColumnKind.DATETIME else "numbers"
        raise data_error(
            f"{the_data(role)} holds {_WORDS[storage]} where {wanted} were expected", column=name
        )
    if isinstance(column, np.ndarray) and column.dtype == object:
        column = to_arrow(column, storage, name=name, role=role)
    parts = (
        _numpy_parts(column, name, role) if isinstance(column, np.ndarray) else _arrow_parts(column)
    )
    values, missing, positive, negative = _finite_values(parts)
    if missing == rows:
        raise entirely_missing(rows, name=name, role=role)
    return NumericValues(name, kind, values, rows, missing, positive, negative)


def _decode(column: Column) -> pa.ChunkedArray:
    """A dictionary column (pandas category, arrow dictionary) as its plain values."""
    assert isinstance(column, pa.ChunkedArray)
    value_type = column.type.value_type
    return pa.chunked_array([chunk.dictionary_decode() for chunk in column.chunks], value_type)


def _numpy_parts(array: np.ndarray, name: str, role: str) -> list[_Part]:
    code = array.dtype.kind
    if code not in "mM":
        return [_Part(array)]
    unit, count = np.datetime_data(array.dtype)
    if unit in ("Y", "M"):  # calendar units have no fixed length
        if code == "m":
            raise unsupported(str(array.dtype), name=name, role=role)
        array = array.astype("datetime64[s]")
        unit, count = "s", 1
    if unit == "generic":
        raise unsupported(str(array.dtype), name=name, role=role)
    present = ~np.isnat(array)
    multiplier, divisor = _SECONDS[unit]
    valid = None if present.all() else present
    return [_Part(array.view(np.int64), valid, multiplier * count, divisor)]


def _arrow_parts(column: pa.ChunkedArray) -> list[_Part]:
    parts = []
    for chunk in column.chunks:
        if len(chunk) == 0:
            continue
        t = chunk.type
        if pa.types.is_decimal(t):
            chunk = pc.cast(chunk, pa.float64())
            t = chunk.type
        valid = None if chunk.null_count == 0 else chunk.is_valid().to_numpy(zero_copy_only=False)
        if pa.types.is_boolean(t):
            data = pc.fill_null(chunk, False).to_numpy(zero_copy_only=False)
            parts.append(_Part(data, valid))
        elif pa.types.is_integer(t) or pa.types.is_floating(t):
            parts.append(_Part(_view(chunk, np.dtype(t.to_pandas_dtype())), valid))
        else:  # temporal: timestamp, date, duration, time
            width = np.int32 if t.bit_width == 32 else np.int64
            multiplier, divisor = _arrow_unit(t)
            parts.append(_Part(_view(chunk, np.dtype(width)), valid, multiplier, divisor))
    return parts


def _arrow_unit(t: pa.DataType) -> tuple[int, int]:
    if pa.types.is_date32(t):
        return _SECONDS["D"]
    if pa.types.is_date64(t):
        return _SECONDS["ms"]
    return _SECONDS[t.unit]


def _view(chunk: pa.Array, dtype: np.dtype) -> np.ndarray:
    """The values buffer of a fixed-width arrow array, without copying (null slots are junk)."""
    buffer = chunk.buffers()[1]
    return np.frombuffer(buffer, dtype=dtype, count=chunk.offset + len(chunk))[chunk.offset :]


def _selected(part: _Part, keep: np.ndarray | None, kept: int) -> np.ndarray:
    """The kept values of one part as float64, scaled to seconds if temporal: a view of the
    input when nothing needs dropping, converting or scaling (made read-only by the caller),
    else one new array."""
    data = part.data
    unscaled = part.multiplier == 1 and part.divisor == 1
    if keep is None or kept == len(data):
        if unscaled and data.dtype == np.float64:
            return data.view()  # no copy: the batch is only read
        selected = data.astype(np.float64)
    else:
        selected = data[keep]  # boolean indexing: one allocation of the kept size
        if selected.dtype != np.float64:
            selected = selected.astype(np.float64)
    if part.multiplier != 1:
        selected *= part.multiplier
    if part.divisor != 1:
        selected /= part.divisor
    return selected


def _all_finite(data: np.ndarray) -> bool:
    """True when the sum is finite: a NaN or an infinity makes it NaN or infinite (a sum that
    overflows says False too). One pass without a mask."""
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(np.sum(data)))


def _finite_values(parts: list[_Part]) -> tuple[np.ndarray, int, int, int]:
    """Finite values of all parts in one float64 array, plus missing/+inf/-inf counts."""
    missing = positive = negative = 0
    keeps: list[tuple[np.ndarray | None, int]] = []
    for part in parts:
        data, valid = part.data, part.valid
        keep: np.ndarray | None
        if data.dtype.kind == "f" and valid is None and _all_finite(data):
            keep, kept = None, len(data)
        elif data.dtype.kind == "f":
            keep = np.isfinite(data)
            if valid is not None:
                keep &= valid
            kept = int(np.count_nonzero(keep))
            if kept < len(data):
                np.logical_not(keep, out=keep)  # in place: no second full-size mask
                rest = data[keep]
                if valid is not None:
                    rest = rest[valid[keep]]
                np.logical_not(keep, out=keep)
                p, m = int(np.count_nonzero(rest == np.inf)), int(np.count_nonzero(rest == -np.inf))
                positive, negative = positive + p, negative + m
                missing += len(data) - kept - p - m
        else:
            keep = valid
            kept = len(data) if valid is None else int(np.count_nonzero(valid))
            missing += len(data) - kept
        keeps.append((keep, kept))
    if len(parts) == 1:  # the usual numpy/pandas case: a view, or one copy from the mask
        out = _selected(parts[0], *keeps[0])
    else:
        out = np.empty(sum(kept for _, kept in keeps), dtype=np.float64)
        start = 0
        for part, (keep, kept) in zip(parts, keeps, strict=True):
            out[start : start + kept] = _selected(part, keep, kept)
            start += kept
    out.flags.writeable = False
    return out, missing, positive, negative
