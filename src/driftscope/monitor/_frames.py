"""The batch form's inputs (frames, arrays, tables) as columns, without a loop per row.

``features``: a pandas DataFrame, a pyarrow Table, a polars DataFrame, a mapping of column
name to values, a 2-D numpy array (columns named by ``feature_names``, else ``x0, x1, ...``)
or a list of dicts. ``predictions``: one value per row (a sequence, array or Series) stored
as ``prediction``; a 2-D array of class probabilities, ``prediction.0``, ``prediction.1``,
...; a DataFrame, Table or mapping of columns, ``prediction.<key>``. ``metadata``: a
DataFrame, Table or mapping whose values are one per row or one for all rows.
``timestamps``: None (now), one time for all rows, or one per row (naive = local time, as
in :mod:`driftscope.monitor.clock`).

Numeric columns are copied (the caller may reuse its arrays); NaN stays NaN (reported as a
data-quality issue, like in single logging) rather than becoming null. A list holding
anything but plain scalars is kept as Python values, never handed to NumPy: a container
in it (possibly cyclic or deeply nested) is bounded later, like in single logging. A
column that cannot be read at all (a hostile ``__len__`` or ``__iter__``) raises
:class:`~driftscope.errors.DataError` naming it.

>>> import pandas as pd
>>> cols, n = feature_columns(pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}), None)
>>> n, [c.type for c in cols.values()]
(2, [DataType(double), DataType(string)])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa

from driftscope.errors import DataError
from driftscope.monitor._inputs import positional_names
from driftscope.monitor.clock import now_us, to_micros
from driftscope.monitor.values import TRUSTED_TYPES, WIDE_INTS, huge_int, key_name

Column: TypeAlias = pa.Array | list[Any]


def column(values: Any) -> Column:
    """One column as an Arrow array (numbers copied, NaN kept) or, for Python objects, a
    list that :func:`~driftscope.monitor._columns.build_column` types."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return _arrow(values)
    if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        dtype = values.dtype
        if isinstance(dtype, np.dtype):
            return column(np.asarray(values))
        try:
            return _arrow(pa.array(values.copy()))
        except (pa.ArrowException, TypeError, ValueError):
            return values.tolist()
    if isinstance(values, list | tuple):
        types = set(map(type, values))
        if not TRUSTED_TYPES.issuperset(types) or str in types:
            # containers or objects (bounded later, never walked by NumPy), or text (which
            # NumPy would pad to its longest value): typed by build_column
            return list(values)
        array = np.asarray(values)
        if types & WIDE_INTS and array.dtype.kind in "fO" and any(map(huge_int, values)):
            return list(values)  # ints past int64, which NumPy would make floats silently
    else:
        array = np.asarray(values) if not isinstance(values, np.ndarray) else values
    if array.ndim == 0:
        array = array.reshape(1)
    elif array.ndim > 1:
        if array.size != len(array):  # a vector per row (an embedding): stored as JSON text
            return [row.tolist() for row in array]
        array = array.reshape(-1)
    kind = array.dtype.kind
    if kind in "fiub":
        if kind == "f" and array.dtype != np.float64:
            array = array.astype(np.float64)
        return pa.array(np.array(array, copy=True), from_pandas=False)
    if kind in "US":
        strings = array.astype(str).tolist()
        try:
            return pa.array(strings, pa.string())
        except Exception:  # text that is not UTF-8: escaped by build_column
            return strings
    if kind == "M":
        return _arrow(pa.array(array))
    return array.tolist() if isinstance(values, np.ndarray) else list(values)


def _arrow(arr: pa.Array) -> Column:
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
        return arr.cast(pa.string())
    if pa.types.is_float16(arr.type) or pa.types.is_float32(arr.type):
        return arr.cast(pa.float64())
    if pa.types.is_large_string(arr.type) or pa.types.is_string_view(arr.type):
        return arr.cast(pa.string())
    return arr


def _table_like(data: Any) -> dict[str, Any] | None:
    """A frame-like input as ``{name: column values}``, or None if it is not one."""
    if isinstance(data, pd.DataFrame):
        return {str(c): data[c] for c in data.columns} if data.columns.is_unique else None
    if isinstance(data, pa.Table | pa.RecordBatch):
        return {str(n): data.column(i) for i, n in enumerate(data.column_names)}
    if hasattr(data, "to_arrow") and hasattr(data, "columns"):  # polars
        table = data.to_arrow()
        return {str(n): table.column(i) for i, n in enumerate(table.column_names)}
    if isinstance(data, Mapping):
        return {key_name(k)[0]: v for k, v in data.items()}
    if isinstance(data, list) and data and all(isinstance(row, Mapping) for row in data):
        return _table_like(pd.DataFrame(data))
    return None


def feature_columns(
    features: Any, feature_names: Sequence[str] | None
) -> tuple[dict[str, Column], int]:
    """The feature columns of a batch and its row count."""
    if isinstance(features, np.ndarray) and features.ndim == 2:
        names = positional_names(features.shape[1], feature_names)
        return {name: column(features[:, j]) for j, name in enumerate(names)}, features.shape[0]
    raw = _table_like(features)
    if raw is None:
        raise DataError(
            "features_frame must be a DataFrame, an Arrow table, a 2-D array, a mapping of "
            f"columns or a list of dicts, got {type(features).__name__}",
            column="features_frame",
        )
    cols = {name: read_column(values, name) for name, values in raw.items()}
    return cols, _rows(cols, "features_frame")


def read_column(values: Any, name: str) -> Column:
    """:func:`column`, raising :class:`~driftscope.errors.DataError` naming ``name`` when
    ``values`` cannot be read as a column at all.

    >>> read_column((1, 2), "age").to_pylist()
    [1, 2]
    >>> class Hostile:
    ...     def __iter__(self):
    ...         raise RuntimeError("no")
    ...     __len__ = __iter__
    >>> read_column(Hostile(), "age")
    Traceback (most recent call last):
    ...
    driftscope.errors.DataError: column 'age': cannot be read as a column of values (RuntimeError)
    """
    try:
        return column(values)
    except DataError:
        raise
    except Exception as exc:
        raise DataError(
            f"cannot be read as a column of values ({type(exc).__name__})", column=name
        ) from None


def _rows(cols: Mapping[str, Column], what: str) -> int:
    lengths = {len(c) for c in cols.values()}
    if len(lengths) > 1:
        raise DataError(f"columns have different lengths {sorted(lengths)}", column=what)
    return lengths.pop() if lengths else 0


def prediction_columns(predictions: Any, n: int) -> dict[str, Column]:
    """Prediction columns keyed ``""`` (a scalar per row), ``"0", "1", ...`` (class
    probabilities) or by key."""
    if isinstance(predictions, np.ndarray) and predictions.ndim == 2:
        if predictions.shape[1] == 1:
            cols: dict[str, Column] = {"": column(predictions[:, 0])}
        else:
            cols = {str(j): column(predictions[:, j]) for j in range(predictions.shape[1])}
    elif isinstance(predictions, pd.Series | np.ndarray | pa.Array | pa.ChunkedArray):
        cols = {"": read_column(predictions, "predictions")}
    else:
        raw = _table_like(predictions)
        if raw is not None:
            cols = {k: read_column(v, f"predictions.{k}") for k, v in raw.items()}
        elif isinstance(predictions, Sequence) and not isinstance(predictions, str):
            cols = {"": read_column(list(predictions), "predictions")}
        else:
            raise DataError(
                f"predictions must hold one value per row, got {type(predictions).__name__}",
                column="predictions",
            )
    rows = _rows(cols, "predictions")
    if rows != n:
        raise DataError(f"has {rows} rows, features have {n}", column="predictions")
    return cols


def metadata_columns(metadata: Any, n: int) -> dict[str, Column]:
    """Metadata columns; a scalar value applies to every row."""
    if metadata is None:
        return {}
    raw = _table_like(metadata)
    if raw is None:
        raise DataError(
            f"metadata must be a mapping or a frame, got {type(metadata).__name__}",
            column="metadata",
        )
    cols: dict[str, Column] = {}
    for key, values in raw.items():
        if _is_column(values):
            cols[key] = read_column(values, f"metadata.{key}")
        else:
            cols[key] = [values] * n
        if len(cols[key]) != n:
            raise DataError(f"has {len(cols[key])} values for {n} rows", column=f"metadata.{key}")
    return cols


_COLUMNS = (
    list,
    tuple,
    range,
    np.ndarray,
    pd.Series,
    pd.Index,
    pd.api.extensions.ExtensionArray,
    pa.Array,
    pa.ChunkedArray,
)


def _is_column(values: Any) -> bool:
    """Whether a metadata value holds one value per row (else it applies to every row);
    decided by type, so that NumPy never walks a nested or cyclic value to find out."""
    if isinstance(values, _COLUMNS):
        return True
    if isinstance(values, str | bytes | Mapping | set | frozenset) or values is None:
        return False
    return hasattr(values, "__array__") or hasattr(values, "to_arrow")


def timestamp_micros(timestamps: Any, n: int) -> np.ndarray:
    """Epoch microseconds, one per row."""
    if timestamps is None:
        return np.full(n, now_us(), np.int64)
    if not isinstance(timestamps, pd.Series | pd.Index | np.ndarray | list | tuple | pa.Array):
        micros = to_micros(timestamps)
        if micros is None:
            raise DataError(f"is not a time: {timestamps!r}", column="timestamps")
        return np.full(n, micros, np.int64)
    if len(timestamps) != n:
        raise DataError(f"has {len(timestamps)} values for {n} rows", column="timestamps")
    values = pd.Series(timestamps.to_pandas() if isinstance(timestamps, pa.Array) else timestamps)
    if pd.api.types.is_numeric_dtype(values.dtype):
        seconds = values.to_numpy(np.float64)
        if not np.isfinite(seconds).all():
            raise DataError("holds a missing or infinite time", column="timestamps")
        return np.round(seconds * 1e6).astype(np.int64)
    try:
        times = pd.to_datetime(values, format="ISO8601") if values.dtype == object else values
        times = pd.DatetimeIndex(times)
    except (ValueError, TypeError) as exc:
        raise DataError(f"cannot be read as times ({exc})", column="timestamps") from None
    if times.tz is None:
        from dateutil.tz import tzlocal

        times = times.tz_localize(
            tzlocal(), ambiguous=np.ones(n, bool), nonexistent="shift_forward"
        )
    if times.isna().any():
        raise DataError("holds a missing time", column="timestamps")
    return times.tz_convert("UTC").as_unit("us").asi8.copy()


def take(values: Column, index: np.ndarray) -> Column:
    """Rows ``index`` of a column."""
    if isinstance(values, pa.Array):
        return values.take(pa.array(index))
    return [values[i] for i in index.tolist()]
