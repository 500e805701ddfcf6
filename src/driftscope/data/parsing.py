"""Reading numbers and datetimes out of text columns (CSV files, object columns).

A text value that does not parse is an error naming the value and its row, never a
silent missing value. Numbers use arrow's parser after trimming whitespace ("1e3", "-2.5",
"inf", "NaN" are accepted; "1,5" and "" are not). Datetimes must be ISO 8601; naive values
are taken as UTC, values with an offset are converted to UTC.

>>> import pyarrow as pa
>>> parse_numbers(pa.chunked_array([[" 1.5", "inf", None]]), name="x", role="data").to_pylist()
[1.5, inf, None]
>>> parse_numbers(pa.chunked_array([["1", "abc"]]), name="x", role="production")
Traceback (most recent call last):
...
driftscope.errors.DataError: column 'x': the production data holds text where numbers were \
expected (first: 'abc' at row 1)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from driftscope.data.messages import data_error, preview, the_data


def parse_numbers(strings: pa.ChunkedArray, *, name: str, role: str) -> pa.ChunkedArray:
    """Strings as float64 (nulls stay null), or :class:`DataError` at the first bad value.

    >>> parse_numbers(pa.chunked_array([["-1e3"]]), name="x", role="data").to_pylist()
    [-1000.0]
    """
    try:
        return pc.cast(strings, pa.float64())
    except pa.ArrowInvalid:
        pass
    trimmed = pc.utf8_trim_whitespace(strings)
    try:
        return pc.cast(trimmed, pa.float64())
    except pa.ArrowInvalid:
        row = first_failure(trimmed, lambda part: pc.cast(part, pa.float64()))
    raise _not_parsed(strings, row, "numbers", name=name, role=role)


def parse_datetimes(strings: pa.ChunkedArray, *, name: str, role: str) -> np.ndarray:
    """ISO 8601 strings as naive-UTC ``datetime64`` (NaT for nulls), or :class:`DataError`.

    >>> import pyarrow as pa
    >>> parse_datetimes(pa.chunked_array([["2024-01-01T02:00:00+02:00", None]]),
    ...                 name="t", role="data").astype("datetime64[s]")
    array(['2024-01-01T00:00:00', 'NaT'], dtype='datetime64[s]')
    """
    parts = []
    offset = 0
    for chunk in strings.chunks:
        raw = chunk.to_numpy(zero_copy_only=False)
        parsed = pd.to_datetime(raw, utc=True, format="ISO8601", errors="coerce")
        values = parsed.tz_convert(None).to_numpy()
        bad = np.isnat(values) & ~pd.isna(raw)
        if bad.any():
            row = offset + int(np.argmax(bad))
            raise _not_parsed(strings, row, "datetimes (ISO 8601)", name=name, role=role)
        parts.append(values)
        offset += len(chunk)
    if not parts:
        return np.array([], dtype="datetime64[ns]")
    unit = max((np.datetime_data(p.dtype)[0] for p in parts), key=_UNITS.index)
    return np.concatenate([p.astype(f"datetime64[{unit}]", copy=False) for p in parts])


_UNITS = ["s", "ms", "us", "ns"]


def first_failure(array: pa.ChunkedArray, attempt: Callable[[pa.ChunkedArray], object]) -> int:
    """Position of the first element on which ``attempt`` fails (it fails on the whole array).

    Bisects, so the cost is about two passes over the array whatever the position.

    >>> import pyarrow as pa, pyarrow.compute as pc
    >>> arr = pa.chunked_array([["1", "2"], ["3", "x", "y"]])
    >>> first_failure(arr, lambda part: pc.cast(part, pa.int64()))
    3
    """
    low, high = 0, len(array)  # the first failure lies in [low, high)
    while high - low > 1:
        middle = (low + high) // 2
        try:
            attempt(array.slice(low, middle - low))
        except (pa.ArrowInvalid, ValueError):
            high = middle
        else:
            low = middle
    return low


def _not_parsed(
    strings: pa.ChunkedArray, row: int, expected: str, *, name: str, role: str
) -> Exception:
    value = strings[row].as_py()
    return data_error(
        f"{the_data(role)} holds text where {expected} were expected "
        f"(first: {preview(value)} at row {row})",
        column=name,
        row=row,
    )
