"""The input layer: read any supported data set lazily, one column at a time.

:func:`read_table` accepts a pandas or polars DataFrame/Series, a pyarrow Table or
RecordBatch, a numpy array (2-D with ``column_names``, 1-D, or structured), a dict of 1-D
arrays or lists, or a path to a ``.parquet``/``.pq``/``.csv``/``.csv.gz`` file or a
directory of parquet files. Nothing is converted up front: each column is loaded when asked
for, and a float64 column is copied once, when its finite values are extracted.

Kind inference (:meth:`Table.kind`, :func:`infer_kind`):

- bool -> ``BOOLEAN``
- integers, floats, decimals (numpy, pandas nullable ``Int64``/``Float64``, arrow) ->
  ``NUMERICAL``; durations/timedeltas and arrow times of day -> ``NUMERICAL`` (seconds)
- datetimes, dates, timestamps, tz-aware or naive (naive taken as UTC) -> ``DATETIME``
- pandas ``category``, arrow dictionary, polars ``Categorical``/``Enum``, bytes, and
  all-missing columns without a type (arrow ``null``, object columns of only missing
  values) -> ``CATEGORICAL``
- strings -> ``DATETIME`` when every sampled value is an ISO 8601 date or time (so text
  timestamps read the same from Parquet as from CSV), else ``CATEGORICAL``, or ``TEXT``
  when they look like free text: on an evenly spaced sample of up to 10,000 non-missing
  values, more than 50 % are distinct AND the mean length is at least 20 characters AND
  more than 50 % hold at least two words
- ``object`` columns are inspected value by value: all bool -> ``BOOLEAN``; all numbers
  (int/float/Decimal, not bool) -> ``NUMERICAL``; all str -> the string rules; all
  datetimes -> ``DATETIME``; all timedeltas -> ``NUMERICAL``; a mix (numbers and strings,
  dicts, ...) raises :class:`~driftscope.errors.DataError` naming the types and the first
  row of the minority type. Missing values (None, NaN, pd.NA, NaT) are ignored.

An all-missing column still has a kind (from its type), but :meth:`Table.numeric` and
:meth:`Table.categories` raise :class:`~driftscope.errors.DataError` for it.

Extraction: :meth:`Table.numeric` gives finite float64 values (booleans 0/1, datetimes
seconds since the epoch with ``kind=DATETIME``, text parsed as numbers or ISO 8601
datetimes) with missing and infinite values counted; :meth:`Table.categories` gives value
counts with string labels, missing values counted, the empty string kept as a category.
Rows in messages are 0-based positions in the input.

>>> import pandas as pd
>>> t = read_table(pd.DataFrame({"x": [1.0, float("nan"), 3.0]}), role="reference")
>>> t.kind("x"), t.numeric("x").values
(<ColumnKind.NUMERICAL: 'numerical'>, array([1., 3.]))
"""

from driftscope.data.kinds import ColumnKind, infer_kind
from driftscope.data.table import Table, read_table
from driftscope.data.values import CategoryCounts, NumericValues

__all__ = [
    "CategoryCounts",
    "ColumnKind",
    "NumericValues",
    "Table",
    "infer_kind",
    "read_table",
]
