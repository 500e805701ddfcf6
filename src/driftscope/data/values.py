"""The extracted values of one column, ready for the drift tests.

Counts always add up: ``valid + missing (+ infinities) == rows``.

>>> import numpy as np
>>> v = NumericValues("age", ColumnKind.NUMERICAL, np.array([1.0, 2.0]), rows=4,
...                   missing=1, positive_infinite=1, negative_infinite=0)
>>> v.valid, v.valid + v.missing + v.positive_infinite + v.negative_infinite == v.rows
(2, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

import numpy as np

from driftscope.data.kinds import ColumnKind


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and np.array_equal(a, b)
        )
    return bool(a == b)


class _Comparable:
    """Field-wise equality that compares numpy arrays by value (for tests and caching)."""

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self) or not is_dataclass(self):
            return NotImplemented
        return all(_same(getattr(self, f.name), getattr(other, f.name)) for f in fields(self))

    __hash__ = None  # type: ignore[assignment]  # unhashable, like any dataclass with __eq__


@dataclass(frozen=True, eq=False)
class NumericValues(_Comparable):
    """A numerical or datetime column: its finite values and the counts of what was left out.

    ``values`` is float64, read-only, in the original row order, without NaN/inf; datetimes
    are seconds since the Unix epoch (UTC), durations seconds. When the input column is
    already finite float64 it is a read-only view of it (no copy), else a new array.

    >>> NumericValues("x", ColumnKind.NUMERICAL, np.array([0.5]), 1, 0, 0, 0).valid
    1
    """

    name: str
    kind: ColumnKind
    values: np.ndarray
    rows: int
    missing: int
    positive_infinite: int
    negative_infinite: int

    @property
    def valid(self) -> int:
        """Number of finite values (the length of ``values``)."""
        return len(self.values)


@dataclass(frozen=True, eq=False)
class CategoryCounts(_Comparable):
    """A categorical or boolean column: how often each category occurs.

    ``categories`` are string labels sorted by descending count, then label; ``counts`` is
    int64 aligned with them. Missing values are only counted in ``missing``. When a column
    has more distinct values than the counting kept (``max_categories``), ``other_counts``
    holds the counts of the levels left out, without their labels (int64, descending; empty
    when nothing was left out): they are the rarest levels.

    >>> c = CategoryCounts("colour", ColumnKind.CATEGORICAL, ("red", "blue"),
    ...                    np.array([3, 1]), rows=7, missing=1, other_counts=np.array([1, 1]))
    >>> c.valid, c.as_dict(), c.left_out, c.valid + c.missing == c.rows
    (6, {'red': 3, 'blue': 1}, 2, True)
    """

    name: str
    kind: ColumnKind
    categories: tuple[str, ...]
    counts: np.ndarray
    rows: int
    missing: int
    other_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def valid(self) -> int:
        """Number of non-missing values (the sum of ``counts`` and ``other_counts``)."""
        return int(self.counts.sum()) + int(self.other_counts.sum())

    @property
    def left_out(self) -> int:
        """Number of levels counted in ``other_counts`` only (0: every level has its label)."""
        return len(self.other_counts)

    def as_dict(self) -> dict[str, int]:
        """``{label: count}`` in the stored order."""
        return dict(zip(self.categories, self.counts.tolist(), strict=True))
