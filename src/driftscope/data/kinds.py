"""Column kinds and the rules that infer them (quoted in the docs: keep in sync).

Rules, by the column's type:

- bool -> ``BOOLEAN``
- integers, floats, decimals (numpy, pandas nullable ``Int64``/``Float64``, arrow) ->
  ``NUMERICAL``; durations/timedeltas and arrow times of day -> ``NUMERICAL`` (seconds)
- datetimes, dates, timestamps, tz-aware or naive -> ``DATETIME``
- pandas ``category``, arrow dictionary, polars ``Categorical``/``Enum``, bytes and
  all-missing columns without a type (arrow ``null``, object columns holding only
  missing values) -> ``CATEGORICAL``
- strings -> ``DATETIME`` when every value of an evenly spaced sample of up to 10,000
  non-missing values is an ISO 8601 date or time (``2024-05-09``, ``2024-05-09 22:27:20``,
  ``2024-05-09T22:27:20.125+02:00``), so a timestamp stored as text reads the same from a
  Parquet file as from a CSV file; ``TEXT`` when they look like free text: on that sample,
  more than 50 % are distinct AND the mean length is at least 20 characters AND more than
  50 % hold at least two words (contain whitespace between non-space characters);
  ``CATEGORICAL`` otherwise
- ``object`` columns are inspected value by value: all bool -> ``BOOLEAN``; all numbers
  (int/float/Decimal, not bool) -> ``NUMERICAL``; all str -> the string rules above; all
  datetimes/dates -> ``DATETIME``; all timedeltas -> ``NUMERICAL``; any other mix (numbers
  and strings, bools and numbers, dicts...) raises :class:`~driftscope.errors.DataError`
  naming the types found and the first row of the minority type.

>>> import numpy as np
>>> infer_kind(np.array([1.5, 2.0]))
<ColumnKind.NUMERICAL: 'numerical'>
>>> infer_kind(["red", "green", None])
<ColumnKind.CATEGORICAL: 'categorical'>
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from driftscope.core.kinds import ColumnKind
from driftscope.data.columns import Column, as_column, sample_values, storage_of
from driftscope.data.storage import Storage

TEXT_SAMPLE_SIZE = 10_000
TEXT_MIN_DISTINCT_SHARE = 0.5
TEXT_MIN_MEAN_LENGTH = 20
TEXT_MIN_WORDY_SHARE = 0.5
ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}"  # date
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?"  # time of day
    r"(?: ?(?:Z|[+-]\d{2}(?::?\d{2})?))?"  # offset
)


_KIND_OF_STORAGE = {
    Storage.BOOLEAN: ColumnKind.BOOLEAN,
    Storage.NUMBER: ColumnKind.NUMERICAL,
    Storage.DATETIME: ColumnKind.DATETIME,
    Storage.BINARY: ColumnKind.CATEGORICAL,
    Storage.DICTIONARY: ColumnKind.CATEGORICAL,
    Storage.NULL: ColumnKind.CATEGORICAL,
}


def looks_like_text(sample: Sequence[str]) -> bool:
    """The free-text rule applied to a sample of non-missing strings.

    >>> looks_like_text(["the parcel came late and damaged", "works great, would buy again"])
    True
    >>> looks_like_text(["red", "green", "red"])
    False
    """
    if not sample:
        return False
    size = len(sample)
    if len(set(sample)) / size <= TEXT_MIN_DISTINCT_SHARE:
        return False
    if sum(map(len, sample)) / size < TEXT_MIN_MEAN_LENGTH:
        return False
    wordy = sum(1 for value in sample if len(value.split(maxsplit=1)) > 1)
    return wordy / size > TEXT_MIN_WORDY_SHARE


def looks_like_datetimes(sample: Sequence[str]) -> bool:
    """Whether every string of a non-empty sample is an ISO 8601 date or time.

    >>> looks_like_datetimes(["2018-01-01 00:00:00.000", "2018-01-01T10:30:00Z"])
    True
    >>> looks_like_datetimes(["2018-01-01", "soon"]), looks_like_datetimes([])
    (False, False)
    """
    return bool(sample) and all(ISO_DATETIME.fullmatch(value.strip()) for value in sample)


def kind_of(storage: Storage, load: Callable[[], Column]) -> ColumnKind:
    """Kind of a column whose storage is known; ``load`` is called only for strings.

    >>> import numpy as np
    >>> kind_of(Storage.STRING, lambda: np.array(["a", "b"]))
    <ColumnKind.CATEGORICAL: 'categorical'>
    """
    if storage is Storage.STRING:
        sample = [str(v) for v in sample_values(load(), TEXT_SAMPLE_SIZE)]
        if looks_like_datetimes(sample):
            return ColumnKind.DATETIME
        return ColumnKind.TEXT if looks_like_text(sample) else ColumnKind.CATEGORICAL
    return _KIND_OF_STORAGE[storage]


def infer_kind(values: Any, *, name: str = "value", role: str = "data") -> ColumnKind:
    """Infer the :class:`ColumnKind` of one column of any supported library.

    ``values`` is a numpy array, pandas or polars Series, arrow array, list or tuple.
    Raises :class:`~driftscope.errors.DataError` for mixed or unusable value types.

    >>> import pandas as pd
    >>> infer_kind(pd.Series(pd.to_datetime(["2024-01-01"]).tz_localize("Europe/Paris")))
    <ColumnKind.DATETIME: 'datetime'>
    >>> infer_kind([True, False, None])
    <ColumnKind.BOOLEAN: 'boolean'>
    """
    column = as_column(values, name=name, role=role)
    return kind_of(storage_of(column, name=name, role=role), lambda: column)
