"""Value counts of a categorical or boolean column, with string labels.

- Counting runs in arrow (``pyarrow.compute.value_counts``); numpy and pandas columns are
  handed to arrow without copying numeric data. Text columns whose labels are at most
  8 bytes are counted in one compiled pass instead (:mod:`driftscope.data._short_labels`).
- Missing values (None, NaN, NaT, null) are counted in ``missing``, never as a category.
  The empty string ``""`` is a category like any other (but note that the CSV reader
  reads empty fields as missing).
- Labels: strings as they are; booleans ``"False"``/``"True"``; integers ``str(int)``;
  floats without a fractional part like integers (``2.0`` -> ``"2"``), others ``repr``
  (``"0.1"``, ``"inf"``); datetimes ISO 8601; bytes decoded as UTF-8. Values with the same
  label (``0.0`` and ``-0.0``) are merged.
- Categories are sorted by descending count, then label.
- With ``kind=BOOLEAN`` labels are normalised to ``"False"``/``"True"``: booleans, 0/1 and
  the strings true/false (any case) are accepted, anything else is an error.
- At most ``max_categories`` levels keep their labels: the most frequent ones (in the order
  above). The rest, the rarest levels of a column with more distinct values (usually an
  identifier), are kept as their counts only, in ``other_counts`` (descending); their rows
  are neither missing nor lost.

>>> import numpy as np
>>> from driftscope.data.storage import Storage
>>> counts = count_categories(np.array(["b", "a", "b", None], dtype=object), Storage.STRING,
...                           name="c", role="data", kind=ColumnKind.CATEGORICAL)
>>> counts.categories, counts.counts, counts.missing
(('b', 'a'), array([2, 1]), 1)
>>> ids = count_categories(np.array(["x", "y", "y", "z"], dtype=object), Storage.STRING,
...                        name="id", role="data", kind=ColumnKind.CATEGORICAL, max_categories=2)
>>> ids.categories, ids.other_counts.tolist(), ids.valid
(('y', 'x'), [1], 4)
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftscope.data._short_labels import count_short_labels
from driftscope.data.columns import Column, to_arrow
from driftscope.data.kinds import ColumnKind
from driftscope.data.messages import data_error, preview, the_data
from driftscope.data.numeric import entirely_missing
from driftscope.data.storage import Storage
from driftscope.data.values import CategoryCounts

DEFAULT_MAX_CATEGORIES = 100_000

_BOOLEAN_LABELS = {"true": "True", "1": "True", "false": "False", "0": "False"}


def label(value: Any) -> str:
    """The category label of one non-missing value.

    >>> label(True), label(3), label(2.0), label(0.25), label(b"x")
    ('True', '3', '2', '0.25', 'x')
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def count_categories(
    column: Column,
    storage: Storage,
    *,
    name: str,
    role: str,
    kind: ColumnKind,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
) -> CategoryCounts:
    """Count the categories of a column; see the module docstring for the rules.

    >>> count_categories(np.array([1, 2, 2]), Storage.NUMBER, name="n", role="data",
    ...                  kind=ColumnKind.CATEGORICAL).as_dict()
    {'2': 2, '1': 1}
    """
    rows = len(column)
    if storage is Storage.NULL:
        raise entirely_missing(rows, name=name, role=role)
    arrow = to_arrow(column, storage, name=name, role=role)
    short = count_short_labels(arrow, max_categories) if _is_text(arrow.type) else None
    if short is not None:  # labels of at most 8 bytes: counted in one compiled pass
        values, counts = short
    else:
        counted = pc.value_counts(arrow)
        present = counted.field("values").is_valid()
        values = counted.field("values").filter(present)
        counts = counted.field("counts").filter(present).to_numpy()
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if kind is ColumnKind.BOOLEAN:
        merged, firsts = _merged_labels(values, counts)
        merged = _as_booleans(merged, firsts, arrow, name=name, role=role)
        labels, counts = pa.array(list(merged), pa.large_string()), np.array(list(merged.values()))
    elif _is_text(values.type) or pa.types.is_integer(values.type):
        labels = values.cast(pa.large_string())  # labels are distinct already: no merging
    else:
        merged, _ = _merged_labels(values, counts)
        labels, counts = pa.array(list(merged), pa.large_string()), np.array(list(merged.values()))
    counts = np.asarray(counts, dtype=np.int64)
    missing = rows - int(counts.sum())
    if missing == rows:
        raise entirely_missing(rows, name=name, role=role)
    order = pc.sort_indices(
        pa.table({"count": counts, "label": labels}),
        sort_keys=[("count", "descending"), ("label", "ascending")],
    ).to_numpy()
    kept, rest = order[:max_categories], order[max_categories:]
    return CategoryCounts(
        name=name,
        kind=kind,
        categories=tuple(labels.take(pa.array(kept)).to_pylist()),
        counts=counts[kept],
        rows=rows,
        missing=missing,
        other_counts=counts[rest],
    )


def _is_text(arrow_type: pa.DataType) -> bool:
    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _merged_labels(values: pa.Array, counts: np.ndarray) -> tuple[dict[str, int], dict[str, Any]]:
    """Counts by label (NaN left out: it is missing), and the first raw value of each label."""
    merged: dict[str, int] = {}
    firsts: dict[str, Any] = {}
    for value, count in zip(values.to_pylist(), counts.tolist(), strict=True):
        if isinstance(value, float) and math.isnan(value):
            continue
        key = label(value)
        merged[key] = merged.get(key, 0) + count
        firsts.setdefault(key, value)
    return merged, firsts


def _as_booleans(
    merged: dict[str, int],
    firsts: dict[str, Any],
    arrow: pa.ChunkedArray,
    *,
    name: str,
    role: str,
) -> dict[str, int]:
    """Labels mapped to "False"/"True", or an error at the first other value."""
    result: dict[str, int] = {}
    for key, count in merged.items():
        target = _BOOLEAN_LABELS.get(key.strip().lower())
        if target is None:
            value = firsts[key]
            row = _first_row(arrow, value)
            raise data_error(
                f"{the_data(role)} holds {preview(value)} where booleans (True/False) were "
                f"expected (first at row {row})",
                column=name,
                row=row,
            )
        result[target] = result.get(target, 0) + count
    return result


def _first_row(arrow: pa.ChunkedArray, value: Any) -> int | None:
    """Row of the first occurrence of a value (error path only)."""
    if pa.types.is_dictionary(arrow.type):
        arrow = pa.chunked_array([c.dictionary_decode() for c in arrow.chunks])
    try:
        row = pc.index(arrow, pa.scalar(value, type=arrow.type)).as_py()
    except (pa.ArrowException, TypeError, ValueError):
        return None
    return row if row is not None and row >= 0 else None
