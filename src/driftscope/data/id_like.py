"""Columns that identify rows (ids, keys, event times) rather than describe them.

Such a column takes new values in every batch, so a two-sample test finds it drifted every
time (an ``id`` of 0..49,999 against one of 50,000..99,999 has a KS statistic of 1), which
would fail every gated run and inflate the data set's drift score. The rules, on the
baseline's non-missing values (at least ``MIN_VALUES`` of them, or ``MIN_NAMED_VALUES`` for a
column named like an id):

- integers: at least 95 % distinct AND either sorted (ascending or descending) or
  consecutive-ish (the range max - min + 1 is at most twice the number of values): row
  numbers, database keys;
- strings (categorical, not free text): at least 95 % distinct: keys, UUIDs, e-mails;
- datetimes (including ISO text): at least 95 % distinct AND in time order (never
  decreasing) or named ``timestamp``, ``ts``, ``event_time`` or ``datetime``: the event
  times of a log, one per row (a datetime feature such as a sign-up time, in no order, is
  kept);
- a column *named* like an id (``id``, ``uuid``, ``guid``, ``…_id``, ``…Id``) of integers,
  strings or integral floats: at least 50 % distinct.

Floats are never judged by their values alone: a continuous feature is almost always
100 % distinct, and it is exactly what drift checks are for.

>>> import numpy as np
>>> from driftscope.data import read_table
>>> table = read_table({"row": np.arange(1000), "income": np.random.default_rng(0).random(1000)})
>>> id_like_reason(table, "row")
'looks like an id: 100% distinct values'
>>> id_like_reason(table, "income") is None
True
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftscope.core.kinds import ColumnKind
from driftscope.data.columns import Column, storage_of, to_arrow
from driftscope.data.storage import Storage
from driftscope.data.table import Table

MIN_VALUES = 100
MIN_NAMED_VALUES = 10  # a name says more than a few values can
DISTINCT_SHARE = 0.95
NAMED_DISTINCT_SHARE = 0.5
EVENT_TIME_NAMES = frozenset({"timestamp", "ts", "event_time", "datetime"})
ID_NAME = re.compile(r"(?i:(?:^|.*[_\-. ])(?:id|uuid|guid))$|.*[a-z0-9]Id$")


def named_like_id(name: str) -> bool:
    """Whether a column name reads like an identifier.

    >>> [named_like_id(n) for n in ("id", "customer_id", "userId", "UUID", "paid", "idea")]
    [True, True, True, True, False, False]
    """
    return ID_NAME.fullmatch(name) is not None


def _percent(share: float) -> str:
    pct = 100.0 * share
    return f"{pct:.0f}%" if pct >= 99.5 or pct == round(pct) else f"{pct:.1f}%"


def id_like_reason(table: Table, name: str) -> str | None:
    """Why column ``name`` of ``table`` looks like an id or an event time, or None.

    >>> from driftscope.data import read_table
    >>> import pandas as pd
    >>> times = pd.date_range("2024-01-01", periods=500, freq="min").astype(str).tolist()
    >>> id_like_reason(read_table({"ts": times}), "ts")
    'looks like an event time: 100% distinct times'
    """
    kind = table.kind(name)
    if kind not in (ColumnKind.NUMERICAL, ColumnKind.CATEGORICAL, ColumnKind.DATETIME):
        return None
    column = table.column(name)
    storage = storage_of(column, name=name, role=table.role)
    if storage not in (Storage.NUMBER, Storage.STRING, Storage.DATETIME):
        return None
    named = named_like_id(name)
    if storage is Storage.NUMBER and not named and not _integer_type(column):
        return None  # a float feature: no need to count its values
    values = to_arrow(column, storage, name=name, role=table.role).drop_null()
    if pa.types.is_floating(values.type):
        values = values.filter(pc.invert(pc.is_nan(values)))
    if len(values) < (MIN_NAMED_VALUES if named else MIN_VALUES):
        return None
    monotone = _strictly_monotone(values)  # then all distinct, without hashing them
    share = 1.0 if monotone else pc.count_distinct(values).as_py() / len(values)
    if kind == ColumnKind.DATETIME:
        logged = monotone or name.lower() in EVENT_TIME_NAMES or _in_order(values)
        if share >= DISTINCT_SHARE and logged:
            return f"looks like an event time: {_percent(share)} distinct times"
        return None
    integers = pa.types.is_integer(values.type)
    if named and share >= NAMED_DISTINCT_SHARE:
        if storage is Storage.STRING or integers or _integral(values):
            return f"looks like an id: named like one, {_percent(share)} distinct values"
        return None
    if share < DISTINCT_SHARE:
        return None
    if storage is Storage.STRING:
        return f"looks like an id: {_percent(share)} distinct values"
    if integers and (monotone or _dense(values)):
        return f"looks like an id: {_percent(share)} distinct values"
    return None


def _integer_type(column: Column) -> bool:
    if isinstance(column, pa.ChunkedArray):
        return pa.types.is_integer(column.type)
    return column.dtype.kind in "iu" or column.dtype == object  # objects: decided on values


def _integral(values: pa.ChunkedArray) -> bool:
    if not pa.types.is_floating(values.type):
        return False
    array = values.to_numpy()
    return bool(np.all(np.isfinite(array)) and np.all(array == np.floor(array)))


def _strictly_monotone(values: pa.ChunkedArray) -> bool:
    """Whether the values only rise or only fall (ids and event times usually do)."""
    array = values.combine_chunks()
    if len(array) < 2:
        return True
    before, after = array.slice(0, len(array) - 1), array.slice(1)
    return bool(pc.all(pc.greater(after, before)).as_py()) or bool(
        pc.all(pc.less(after, before)).as_py()
    )


def _in_order(values: pa.ChunkedArray) -> bool:
    """Whether the values never decrease."""
    array = values.combine_chunks()
    before, after = array.slice(0, len(array) - 1), array.slice(1)
    return bool(pc.all(pc.greater_equal(after, before)).as_py())


def _dense(values: pa.ChunkedArray) -> bool:
    """Within a range at most twice the number of values: shuffled row numbers, keys."""
    bounds = pc.min_max(values).as_py()
    return int(bounds["max"]) - int(bounds["min"]) + 1 <= 2 * len(values)
