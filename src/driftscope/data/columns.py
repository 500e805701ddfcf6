"""One column of any supported library, normalised without copying where possible.

A normalised :data:`Column` is either a 1-D :class:`numpy.ndarray` (numpy inputs and
numpy-backed pandas columns, kept as views) or a :class:`pyarrow.ChunkedArray` (arrow,
parquet, CSV, polars and arrow-backed or extension pandas columns).

>>> import pandas as pd
>>> as_column(pd.Series([1.0, 2.0]), name="x", role="data")
array([1., 2.])
>>> as_column(pd.Series(["a", None]), name="s", role="data").to_pylist()
['a', None]
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from driftscope.data.messages import data_error, the_data
from driftscope.data.objects import classify_objects, objects_to_arrow
from driftscope.data.storage import Storage, arrow_storage, numpy_storage, unsupported

Column: TypeAlias = np.ndarray | pa.ChunkedArray


def is_polars(obj: Any) -> bool:
    """True for polars objects, detected by module name so polars stays optional.

    >>> is_polars([1, 2])
    False
    """
    return type(obj).__module__.split(".")[0] == "polars"


def as_column(values: Any, *, name: str, role: str) -> Column:
    """Normalise one column-like object (numpy, pandas, polars, arrow, list, tuple).

    >>> import pyarrow as pa
    >>> as_column(pa.array([1, 2]), name="x", role="data").num_chunks
    1
    """
    if isinstance(values, pa.ChunkedArray):
        column: Column = values
    elif isinstance(values, pa.Array):
        column = pa.chunked_array([values])
    elif isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        column = _from_pandas(values)
    elif is_polars(values) and hasattr(values, "to_arrow"):
        if type(values.dtype).__name__ == "Object":  # exported as raw pointers: refuse
            raise unsupported("polars Object", name=name, role=role)
        try:
            column = pa.chunked_array([values.to_arrow()])
        except Exception as error:  # polars raises its own exception types
            raise data_error(
                f"{the_data(role)} holds polars {values.dtype} values that cannot be read: {error}",
                column=name,
            ) from error
    elif isinstance(values, np.ndarray):
        column = values
    elif isinstance(values, range):
        column = np.arange(values.start, values.stop, values.step)
    elif isinstance(values, list | tuple):  # object dtype: numpy would turn [1, "a"] into text
        column = np.array(values, dtype=object)
    else:
        raise data_error(
            f"{the_data(role)} holds a {type(values).__module__}.{type(values).__qualname__} "
            "where a 1-D array, list or series was expected",
            column=name,
        )
    if isinstance(column, np.ndarray) and column.ndim != 1:
        raise data_error(
            f"{the_data(role)} holds a {column.ndim}-D array where a 1-D column was expected",
            column=name,
        )
    if isinstance(column, pa.ChunkedArray) and pa.types.is_string_view(column.type):
        column = column.cast(pa.large_string())
    return column


def _from_pandas(values: pd.Series | pd.Index | pd.api.extensions.ExtensionArray) -> Column:
    """A pandas column as numpy (numpy-backed dtypes, a view) or arrow (everything else)."""
    if isinstance(values.dtype, np.dtype):
        return np.asarray(values)
    array = values if isinstance(values, pd.api.extensions.ExtensionArray) else values.array
    if hasattr(array, "__arrow_array__"):  # arrow-backed, nullable, str dtypes: no copy of data
        arrow = array.__arrow_array__()
    else:  # category, tz-aware datetimes, sparse...: pyarrow knows them natively
        try:
            arrow = pa.array(array, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            return np.asarray(array, dtype=object)
    return arrow if isinstance(arrow, pa.ChunkedArray) else pa.chunked_array([arrow])


def storage_of(column: Column, *, name: str, role: str) -> Storage:
    """Storage family of a normalised column; object arrays are inspected value by value.

    >>> storage_of(np.array([True]), name="b", role="data")
    <Storage.BOOLEAN: 'boolean'>
    """
    if isinstance(column, pa.ChunkedArray):
        return arrow_storage(column.type, name=name, role=role)
    if column.dtype == object:
        return classify_objects(column, name=name, role=role)
    return numpy_storage(column.dtype, name=name, role=role)


def to_arrow(column: Column, storage: Storage, *, name: str, role: str) -> pa.ChunkedArray:
    """The column as arrow; numpy NaN/NaT and object None/NaN/NA become nulls.

    Numeric numpy data is shared with arrow when it is contiguous.

    >>> to_arrow(np.array([1.0, np.nan]), Storage.NUMBER, name="x", role="data").null_count
    1
    """
    if isinstance(column, pa.ChunkedArray):
        return column
    if column.dtype == object:
        return objects_to_arrow(column, storage, name=name, role=role)
    if column.dtype.kind == "U":
        return pa.chunked_array([pa.array(column, type=pa.large_string())])
    return pa.chunked_array([pa.array(column, from_pandas=True)])


def missing_count(column: Column) -> int:
    """Count of missing values: nulls, NaN, NaT, None and pd.NA.

    >>> missing_count(np.array([1.0, np.nan, np.nan]))
    2
    """
    if isinstance(column, pa.ChunkedArray):
        nulls = column.null_count
        if pa.types.is_floating(column.type):
            nulls += pc.sum(pc.is_nan(column)).as_py() or 0
        return int(nulls)
    if column.dtype.kind == "f":
        return int(np.count_nonzero(np.isnan(column)))
    if column.dtype.kind in "mM":
        return int(np.count_nonzero(np.isnat(column)))
    if column.dtype == object:
        return int(np.count_nonzero(pd.isna(column)))
    return 0


def sample_values(column: Column, size: int) -> list[Any]:
    """Up to ``size`` evenly spaced non-missing values, as Python objects.

    >>> sample_values(np.array(["a", "b", "c", "d"]), 2)
    ['a', 'd']
    """
    length = len(column)
    if length <= size:
        indices = np.arange(length)
    else:
        indices = np.unique(np.linspace(0, length - 1, size).astype(np.int64))
    if isinstance(column, pa.ChunkedArray):
        taken = column.take(pa.array(indices))
        present = pc.is_valid(taken)
        if pa.types.is_floating(taken.type):
            present = pc.and_(present, pc.invert(pc.is_nan(taken)))
        return taken.filter(present).to_pylist()
    taken_np = column[indices]
    return taken_np[~pd.isna(taken_np)].tolist()
