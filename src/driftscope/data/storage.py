"""How a column's values are stored, independent of the library that holds them.

The storage decides which extraction path a column takes; :mod:`driftscope.data.kinds`
turns it into the user-facing :class:`~driftscope.data.kinds.ColumnKind`.

>>> import numpy as np, pyarrow as pa
>>> numpy_storage(np.dtype("int32"), name="n", role="data")
<Storage.NUMBER: 'number'>
>>> arrow_storage(pa.timestamp("us", tz="UTC"), name="t", role="data")
<Storage.DATETIME: 'datetime'>
"""

from __future__ import annotations

import enum

import numpy as np
import pyarrow as pa

from driftscope.data.messages import data_error, the_data

EXPECTED = "expected numbers, text, booleans or datetimes"


class Storage(enum.StrEnum):
    """The physical family of a column's values.

    >>> Storage.STRING.value
    'string'
    """

    BOOLEAN = "boolean"
    NUMBER = "number"  # ints, floats, decimals, durations, times of day
    DATETIME = "datetime"  # timestamps (naive or tz-aware) and dates
    STRING = "string"
    BINARY = "binary"
    DICTIONARY = "dictionary"  # pandas category, arrow dictionary, polars Categorical/Enum
    NULL = "null"  # no type at all: every value is missing


def unsupported(
    type_name: str, *, name: str, role: str, row: int | None = None, example: str = ""
) -> Exception:
    """The error for a column whose values driftscope cannot check.

    >>> str(unsupported("complex128", name="z", role="reference"))
    "column 'z': the reference data holds complex128 values, which driftscope cannot check; \
expected numbers, text, booleans or datetimes"
    """
    where = f" (first at row {row}: {example})" if row is not None else ""
    return data_error(
        f"{the_data(role)} holds {type_name} values{where}, which driftscope cannot check; "
        f"{EXPECTED}",
        column=name,
        row=row,
    )


def numpy_storage(dtype: np.dtype, *, name: str, role: str) -> Storage:
    """Storage of a non-object numpy dtype (object arrays are inspected value by value).

    >>> numpy_storage(np.dtype("<U3"), name="s", role="data")
    <Storage.STRING: 'string'>
    """
    code = dtype.kind
    if code == "b":
        return Storage.BOOLEAN
    if code in "iufm":
        return Storage.NUMBER
    if code == "M":
        return Storage.DATETIME
    if code == "U":
        return Storage.STRING
    if code == "S":
        return Storage.BINARY
    raise unsupported(str(dtype), name=name, role=role)


def arrow_storage(arrow_type: pa.DataType, *, name: str, role: str) -> Storage:
    """Storage of an arrow data type.

    >>> arrow_storage(pa.dictionary(pa.int32(), pa.string()), name="c", role="data")
    <Storage.DICTIONARY: 'dictionary'>
    """
    t = pa.types
    if t.is_null(arrow_type):
        return Storage.NULL
    if t.is_boolean(arrow_type):
        return Storage.BOOLEAN
    if (
        t.is_integer(arrow_type)
        or t.is_floating(arrow_type)
        or t.is_decimal(arrow_type)
        or t.is_duration(arrow_type)
        or t.is_time(arrow_type)
    ):
        return Storage.NUMBER
    if t.is_timestamp(arrow_type) or t.is_date(arrow_type):
        return Storage.DATETIME
    if t.is_string(arrow_type) or t.is_large_string(arrow_type) or t.is_string_view(arrow_type):
        return Storage.STRING
    if (
        t.is_binary(arrow_type)
        or t.is_large_binary(arrow_type)
        or t.is_fixed_size_binary(arrow_type)
        or t.is_binary_view(arrow_type)
    ):
        return Storage.BINARY
    if t.is_dictionary(arrow_type):
        return Storage.DICTIONARY
    raise unsupported(str(arrow_type), name=name, role=role)
