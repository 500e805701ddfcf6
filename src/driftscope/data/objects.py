"""Inspection and conversion of numpy ``object`` columns (pandas ``object`` dtype, lists).

An object column is accepted when all its non-missing values are of one family: booleans,
numbers (int, float, Decimal, numpy numbers; ints and floats may mix), strings, bytes,
datetimes/dates or timedeltas. Missing values are ``None``, ``NaN``, ``pd.NA`` and ``NaT``.
Any other mix raises :class:`~driftscope.errors.DataError` naming the types and the first
row of the minority type.

>>> import numpy as np
>>> classify_objects(np.array([1, 2.5, None], dtype=object), name="x", role="data")
<Storage.NUMBER: 'number'>
>>> classify_objects(np.array([1.5, "abc"], dtype=object), name="x", role="data")
Traceback (most recent call last):
...
driftscope.errors.DataError: column 'x': the data mixes float and str values \
(first str at row 1: 'abc')
"""

from __future__ import annotations

import datetime as dt
import decimal
import numbers
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa

from driftscope.data.messages import data_error, preview, the_data
from driftscope.data.storage import Storage, unsupported

# pandas' C-speed type inference (missing values skipped) for the common, unmixed cases
_INFERRED: dict[str, Storage] = {
    "string": Storage.STRING,
    "bytes": Storage.BINARY,
    "integer": Storage.NUMBER,
    "floating": Storage.NUMBER,
    "mixed-integer-float": Storage.NUMBER,
    "decimal": Storage.NUMBER,
    "boolean": Storage.BOOLEAN,
    "datetime": Storage.DATETIME,
    "datetime64": Storage.DATETIME,
    "date": Storage.DATETIME,
    "timedelta": Storage.NUMBER,
    "timedelta64": Storage.NUMBER,
    "empty": Storage.NULL,
}

_GROUP_STORAGE: dict[str, Storage] = {
    "bool": Storage.BOOLEAN,
    "number": Storage.NUMBER,
    "timedelta": Storage.NUMBER,
    "datetime": Storage.DATETIME,
    "str": Storage.STRING,
    "bytes": Storage.BINARY,
}


def _group(tp: type) -> str:
    """The family of a Python type; unknown types are their own family."""
    if issubclass(tp, bool | np.bool_):
        return "bool"
    if issubclass(tp, dt.datetime | dt.date | np.datetime64):
        return "datetime"
    if issubclass(tp, dt.timedelta | np.timedelta64):
        return "timedelta"
    if issubclass(tp, numbers.Real | decimal.Decimal):
        return "number"
    if issubclass(tp, str):
        return "str"
    if issubclass(tp, bytes):
        return "bytes"
    return tp.__name__


def classify_objects(values: np.ndarray, *, name: str, role: str) -> Storage:
    """Storage of an object array, or :class:`DataError` for mixed or unusable values.

    >>> classify_objects(np.array([None, float("nan")], dtype=object), name="x", role="data")
    <Storage.NULL: 'null'>
    """
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred in _INFERRED:
        return _INFERRED[inferred]
    return _classify_slowly(values, name=name, role=role)


def _classify_slowly(values: np.ndarray, *, name: str, role: str) -> Storage:
    present = np.flatnonzero(~pd.isna(values))
    types = Counter(map(type, values[present]))
    if not types:
        return Storage.NULL
    counts: Counter[str] = Counter()
    members: dict[str, set[type]] = {}
    for tp, count in types.items():
        group = _group(tp)
        counts[group] += count
        members.setdefault(group, set()).add(tp)
    firsts = _first_rows(values, present, members)
    if len(counts) == 1:
        group = next(iter(counts))
        if group in _GROUP_STORAGE:
            return _GROUP_STORAGE[group]
        row = firsts[group]
        raise unsupported(
            type(values[row]).__name__, name=name, role=role, row=row, example=preview(values[row])
        )
    # majority first; on equal counts the type seen first comes first
    order = sorted(counts, key=lambda g: (-counts[g], firsts[g]))
    labels = [type(values[firsts[g]]).__name__ for g in order]
    names = (
        " and ".join(labels) if len(labels) == 2 else ", ".join(labels[:-1]) + " and " + labels[-1]
    )
    minority = min(order[1:], key=lambda g: firsts[g])
    row = firsts[minority]
    label = type(values[row]).__name__
    raise data_error(
        f"{the_data(role)} mixes {names} values (first {label} at row {row}: "
        f"{preview(values[row])})",
        column=name,
        row=row,
    )


def _first_rows(
    values: np.ndarray, present: np.ndarray, members: dict[str, set[type]]
) -> dict[str, int]:
    """Row of the first value of each group (stops as soon as every group is found)."""
    owner = {tp: group for group, tps in members.items() for tp in tps}
    firsts: dict[str, int] = {}
    for row in present:
        group = owner[type(values[row])]
        if group not in firsts:
            firsts[group] = int(row)
            if len(firsts) == len(members):
                break
    return firsts


def objects_to_arrow(
    values: np.ndarray, storage: Storage, *, name: str, role: str
) -> pa.ChunkedArray:
    """Convert a classified object array to arrow (missing values become nulls).

    >>> objects_to_arrow(np.array(["a", None], dtype=object), Storage.STRING,
    ...                  name="s", role="data").to_pylist()
    ['a', None]
    """
    try:
        if storage is Storage.NULL:
            array = pa.nulls(len(values))
        elif storage is Storage.STRING:
            array = pa.array(values, type=pa.large_string(), from_pandas=True)
        elif storage is Storage.BINARY:
            array = pa.array(values, type=pa.large_binary(), from_pandas=True)
        else:
            array = pa.array(values, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as error:
        if storage is not Storage.NUMBER:
            raise data_error(
                f"{the_data(role)} holds {storage} values that cannot be converted: {error}",
                column=name,
            ) from error
        array = pa.array(_objects_to_float(values, name=name, role=role))
    return pa.chunked_array([array])


def _objects_to_float(values: np.ndarray, *, name: str, role: str) -> np.ndarray:
    """Numbers of any Python type (Decimal, huge ints, ...) as float64; missing become NaN."""
    missing = pd.isna(values)
    out = np.full(len(values), np.nan)
    try:
        out[~missing] = values[~missing]
    except (TypeError, ValueError, OverflowError) as error:
        raise data_error(
            f"{the_data(role)} holds numbers that cannot be read as float64: {error}",
            column=name,
        ) from error
    return out
