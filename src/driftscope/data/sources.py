"""Adapters that expose any in-memory input as named columns, loaded one at a time.

Nothing is converted up front: a :class:`Source` knows the column names and the row count
and hands out one column on request (a view where the library allows it).

>>> import pandas as pd
>>> src = open_source(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), role="data")
>>> src.description, src.columns, src.rows
('pandas.DataFrame', ('a', 'b'), 2)
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from driftscope.data.columns import is_polars
from driftscope.data.messages import data_error, name_list, the_data
from driftscope.errors import ConfigError, DataError

SUPPORTED = (
    "a pandas or polars DataFrame or Series, a pyarrow Table or RecordBatch, a numpy array, "
    "a dict of 1-D arrays or lists, or a path to a .parquet/.pq/.csv/.csv.gz file or a "
    "directory of parquet files"
)


@dataclass(frozen=True)
class Source:
    """Column names, row count and a loader returning one raw column by name.

    ``types`` optionally gives each column's arrow type without loading it (file schemas),
    so that the kind of a non-text column costs no read.

    >>> Source("demo", ("x",), 2, lambda name: [1, 2]).load("x")
    [1, 2]
    """

    description: str
    columns: tuple[str, ...]
    rows: int
    load: Callable[[str], Any]
    types: Mapping[str, pa.DataType] | None = None


def open_source(obj: Any, *, role: str, column_names: Sequence[str] | None = None) -> Source:
    """The :class:`Source` for any supported input (files via :mod:`driftscope.data.files`).

    >>> import numpy as np
    >>> open_source(np.zeros((3, 2)), role="data", column_names=["a", "b"]).columns
    ('a', 'b')
    """
    if isinstance(obj, str | os.PathLike):
        _no_names(column_names, "a file")
        from driftscope.data.files import open_file

        return open_file(obj, role=role)
    if isinstance(obj, pd.DataFrame):
        _no_names(column_names, "a pandas.DataFrame")
        return _positional(
            "pandas.DataFrame",
            [str(c) for c in obj.columns],
            len(obj),
            obj.iloc.__getitem__,
            role=role,
            wrap=lambda i: (slice(None), i),
        )
    if isinstance(obj, pd.Series):
        name = _single_name(column_names, obj.name)
        return Source("pandas.Series", (name,), len(obj), lambda _: obj)
    if is_polars(obj):
        return _from_polars(obj, role=role, column_names=column_names)
    if isinstance(obj, pa.Table | pa.RecordBatch):
        kind = "pyarrow.Table" if isinstance(obj, pa.Table) else "pyarrow.RecordBatch"
        _no_names(column_names, f"a {kind}")
        return _positional(kind, list(obj.schema.names), obj.num_rows, obj.column, role=role)
    if isinstance(obj, pa.Array | pa.ChunkedArray):
        name = _single_name(column_names, None)
        return Source(f"pyarrow.{type(obj).__name__}", (name,), len(obj), lambda _: obj)
    if isinstance(obj, np.ndarray):
        return _from_numpy(obj, role=role, column_names=column_names)
    if isinstance(obj, Mapping):
        _no_names(column_names, "a dict")
        return _from_dict(obj, role=role)
    raise DataError(
        f"{the_data(role)} is a {type(obj).__module__}.{type(obj).__qualname__}, which "
        f"driftscope cannot read; pass {SUPPORTED}"
    )


def _no_names(column_names: Sequence[str] | None, what: str) -> None:
    if column_names is not None:
        raise ConfigError(
            f"column_names is only for numpy arrays and unnamed series; {what} names its own "
            "columns"
        )


def _checked_names(column_names: Sequence[str], count: int) -> list[str]:
    if isinstance(column_names, str) or not all(isinstance(n, str) for n in column_names):
        raise ConfigError(f"column_names must be a list of strings, got {column_names!r}")
    names = list(column_names)
    if len(names) != count:
        raise ConfigError(f"column_names has {len(names)} names for {count} columns")
    return names


def _single_name(column_names: Sequence[str] | None, own: Any) -> str:
    if column_names is not None:
        return _checked_names(column_names, 1)[0]
    return "value" if own is None or own == "" else str(own)


def check_unique(names: list[str], *, role: str) -> None:
    """Reject repeated column names.

    >>> check_unique(["a", "b", "a"], role="reference")
    Traceback (most recent call last):
    ...
    driftscope.errors.DataError: the reference data has duplicate column names: a; rename \
them so each column can be told apart
    """
    duplicates = [name for name, count in Counter(names).items() if count > 1]
    if duplicates:
        raise DataError(
            f"{the_data(role)} has duplicate column names: {name_list(duplicates)}; "
            "rename them so each column can be told apart"
        )


def _positional(
    description: str,
    names: list[str],
    rows: int,
    getter: Callable[[Any], Any],
    *,
    role: str,
    wrap: Callable[[int], Any] = lambda i: i,
) -> Source:
    """A source whose columns are fetched by position (robust to non-string labels)."""
    check_unique(names, role=role)
    positions = {name: i for i, name in enumerate(names)}
    return Source(description, tuple(names), rows, lambda name: getter(wrap(positions[name])))


def _from_numpy(array: np.ndarray, *, role: str, column_names: Sequence[str] | None) -> Source:
    if array.dtype.names is not None:
        _no_names(column_names, "a structured numpy array")
        if array.ndim != 1:
            raise DataError(f"{the_data(role)} is a {array.ndim}-D structured array; expected 1-D")
        names = list(array.dtype.names)
        return Source("numpy structured array", tuple(names), len(array), array.__getitem__)
    if array.ndim == 1:
        name = _single_name(column_names, None)
        return Source("numpy array", (name,), len(array), lambda _: array)
    if array.ndim == 2:
        if column_names is None:
            raise ConfigError(
                f"a 2-D numpy array needs column_names=[...] (one name per column, "
                f"{array.shape[1]} here)"
            )
        names = _checked_names(column_names, array.shape[1])
        return _positional(
            "numpy 2-D array",
            names,
            array.shape[0],
            array.__getitem__,
            role=role,
            wrap=lambda i: (slice(None), i),
        )
    raise DataError(
        f"{the_data(role)} is a {array.ndim}-D numpy array; expected 1-D or 2-D (rows x columns)"
    )


def _from_dict(mapping: Mapping[Any, Any], *, role: str) -> Source:
    names = [str(key) for key in mapping]
    check_unique(names, role=role)
    keys = dict(zip(names, mapping, strict=True))
    lengths: dict[str, int] = {}
    for name, key in keys.items():
        value = mapping[key]
        if isinstance(value, str | bytes) or not hasattr(value, "__len__"):
            raise data_error(
                f"{the_data(role)} holds a single {type(value).__name__} where a 1-D array or "
                "list was expected",
                column=name,
            )
        lengths[name] = len(value)
    if len(set(lengths.values())) > 1:
        first = names[0]
        other = next(n for n in names if lengths[n] != lengths[first])
        raise DataError(
            f"{the_data(role)} has columns of different lengths: {first!r} has "
            f"{lengths[first]:,} rows, {other!r} has {lengths[other]:,}"
        )
    rows = lengths[names[0]] if names else 0
    return Source("dict of columns", tuple(names), rows, lambda name: mapping[keys[name]])


def _from_polars(obj: Any, *, role: str, column_names: Sequence[str] | None) -> Source:
    kind = type(obj).__name__
    if kind == "DataFrame":
        _no_names(column_names, "a polars.DataFrame")
        return Source("polars.DataFrame", tuple(obj.columns), obj.height, obj.get_column)
    if kind == "Series":
        name = _single_name(column_names, obj.name)
        return Source("polars.Series", (name,), len(obj), lambda _: obj)
    if kind == "LazyFrame":
        raise DataError(f"{the_data(role)} is a polars.LazyFrame; call .collect() on it first")
    raise DataError(f"{the_data(role)} is a polars.{kind}, which driftscope cannot read")
