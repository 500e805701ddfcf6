"""The lazy, column-at-a-time :class:`Table` and :func:`read_table`.

>>> import pandas as pd
>>> table = read_table(pd.DataFrame({"age": [31, 45, None], "city": ["Oslo", "Rome", "Oslo"]}),
...                    role="reference")
>>> table.kind("age"), table.kind("city")
(<ColumnKind.NUMERICAL: 'numerical'>, <ColumnKind.CATEGORICAL: 'categorical'>)
>>> table.numeric("age").values, table.numeric("age").missing
(array([31., 45.]), 1)
>>> table.categories("city").as_dict()
{'Oslo': 2, 'Rome': 1}
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from typing import Any

from driftscope.core.kinds import NUMERIC_KINDS, ColumnKind
from driftscope.data.categorical import DEFAULT_MAX_CATEGORIES, count_categories
from driftscope.data.columns import Column, as_column, sample_values, storage_of
from driftscope.data.kinds import kind_of
from driftscope.data.messages import data_error, name_list, the_data
from driftscope.data.numeric import extract_numeric
from driftscope.data.sources import Source, open_source
from driftscope.data.storage import Storage, arrow_storage
from driftscope.data.values import CategoryCounts, NumericValues
from driftscope.errors import ConfigError, DataError

CATEGORY_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


class Table:
    """A lazy view of one data set: columns are loaded and converted one at a time.

    ``columns`` are the column names, ``rows`` the row count, ``source`` a short description
    of the input and ``role`` ("reference", "production", ...) names the data in errors.
    The most recently used column is kept, so ``kind()`` then ``numeric()`` on the same
    column read a file once.

    >>> import numpy as np
    >>> t = read_table(np.array([[1.0, 0.0], [2.0, 1.0]]), column_names=["x", "flag"])
    >>> t.columns, t.rows, t.source
    (['x', 'flag'], 2, 'numpy 2-D array')
    """

    def __init__(self, source: Source, *, role: str = "data") -> None:
        self._source = source
        self.role = role
        self._storages: dict[str, Storage] = {}
        self._kinds: dict[str, ColumnKind] = {}
        self._recent: tuple[str, Column] | None = None
        self._lock = threading.Lock()  # the drift layer reads columns from worker threads

    @property
    def columns(self) -> list[str]:
        """Column names in input order."""
        return list(self._source.columns)

    @property
    def rows(self) -> int:
        """Number of rows."""
        return self._source.rows

    @property
    def source(self) -> str:
        """Short description of the input, e.g. ``"parquet file data/x.parquet"``."""
        return self._source.description

    def __repr__(self) -> str:
        return (
            f"<Table {self.role}: {self.source}, {self.rows:,} rows x {len(self.columns)} columns>"
        )

    def __len__(self) -> int:
        return self.rows

    def __contains__(self, name: object) -> bool:
        return name in self._source.columns

    def column(self, name: str) -> Column:
        """The raw column, normalised to a numpy array or a pyarrow ChunkedArray.

        >>> read_table({"x": [1, 2]}).column("x")
        array([1, 2], dtype=object)
        """
        recent = self._recent
        if recent is not None and recent[0] == name:
            return recent[1]
        if name not in self._source.columns:
            raise data_error(
                f"is not in {the_data(self.role)}; available: {name_list(self.columns)}",
                column=name,
            )
        with self._lock:  # file readers are not safe to share between threads
            raw = self._source.load(name)
        column = as_column(raw, name=name, role=self.role)
        if len(column) != self.rows:
            raise data_error(
                f"has {len(column):,} rows where {the_data(self.role)} has {self.rows:,}",
                column=name,
            )
        self._recent = (name, column)
        return column

    def renamed(self, old: str, new: str) -> Table:
        """A view of this table with column ``old`` named ``new``; nothing is read again.

        >>> read_table({"p": [0.2, 0.9]}).renamed("p", "score").numeric("score").values
        array([0.2, 0.9])
        """
        source = self._source
        if old not in source.columns:
            raise data_error(
                f"is not in {the_data(self.role)}; available: {name_list(self.columns)}",
                column=old,
            )
        if new != old and new in source.columns:
            raise ConfigError(f"cannot rename column {old!r} to {new!r}, which exists already")
        load = source.load
        return Table(
            Source(
                source.description,
                tuple(new if c == old else c for c in source.columns),
                source.rows,
                lambda name: load(old if name == new else name),
                None
                if source.types is None
                else {(new if c == old else c): t for c, t in source.types.items()},
            ),
            role=self.role,
        )

    def _storage(self, name: str) -> Storage:
        if name not in self._storages:
            types = self._source.types
            if types is not None and name in types:  # from a file schema: no read needed
                storage = arrow_storage(types[name], name=name, role=self.role)
            else:
                storage = storage_of(self.column(name), name=name, role=self.role)
            self._storages[name] = storage
        return self._storages[name]

    def kind(self, name: str) -> ColumnKind:
        """The inferred :class:`ColumnKind` of a column (rules in :mod:`driftscope.data`).

        >>> read_table({"ok": [True, False]}).kind("ok")
        <ColumnKind.BOOLEAN: 'boolean'>
        """
        if name not in self._kinds:
            storage = self._storage(name)
            self._kinds[name] = kind_of(storage, lambda: self.column(name))
        return self._kinds[name]

    def kinds(self) -> dict[str, ColumnKind]:
        """The kind of every column (loads each column once).

        >>> read_table({"a": [1.5], "b": ["x"]}).kinds()
        {'a': <ColumnKind.NUMERICAL: 'numerical'>, 'b': <ColumnKind.CATEGORICAL: 'categorical'>}
        """
        return {name: self.kind(name) for name in self.columns}

    def numeric(self, name: str, *, kind: ColumnKind = ColumnKind.NUMERICAL) -> NumericValues:
        """Finite float64 values of a numerical (or, with ``kind=DATETIME``, datetime) column.

        Booleans become 0/1, durations seconds, datetimes seconds since the epoch (UTC);
        text is parsed; missing and infinite values are counted and left out.

        >>> v = read_table({"x": [1.0, None, float("inf")]}, role="production").numeric("x")
        >>> v.values, v.rows, v.missing, v.positive_infinite
        (array([1.]), 3, 1, 1)
        """
        wanted = _checked_kind(kind, NUMERIC_KINDS, "numeric")
        return extract_numeric(
            self.column(name), self._storage(name), name=name, role=self.role, kind=wanted
        )

    def categories(
        self,
        name: str,
        *,
        kind: ColumnKind = ColumnKind.CATEGORICAL,
        max_categories: int = DEFAULT_MAX_CATEGORIES,
    ) -> CategoryCounts:
        """Category counts of a categorical (or, with ``kind=BOOLEAN``, boolean) column; the
        ``max_categories`` most frequent levels by label, any others by their counts only.

        >>> read_table({"ok": [True, None, True]}).categories("ok", kind="boolean").as_dict()
        {'True': 2}
        """
        wanted = _checked_kind(kind, CATEGORY_KINDS, "categories")
        if isinstance(max_categories, bool) or not isinstance(max_categories, int):
            raise ConfigError(f"max_categories must be an integer, got {max_categories!r}")
        if max_categories < 1:
            raise ConfigError(f"max_categories must be at least 1, got {max_categories}")
        return count_categories(
            self.column(name),
            self._storage(name),
            name=name,
            role=self.role,
            kind=wanted,
            max_categories=max_categories,
        )

    def text_sample(self, name: str, *, size: int = 1_000) -> list[str]:
        """Up to ``size`` evenly spaced non-missing values as strings (for text columns).

        >>> read_table({"note": ["late delivery", None, "great"]}).text_sample("note")
        ['late delivery', 'great']
        """
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ConfigError(f"size must be a positive integer, got {size!r}")
        self._storage(name)  # rejects mixed or unusable columns
        return [str(value) for value in sample_values(self.column(name), size)]


def _checked_kind(kind: Any, allowed: Collection[ColumnKind], method: str) -> ColumnKind:
    try:
        wanted = ColumnKind(kind)
    except ValueError:
        wanted = None
    if wanted is None or wanted not in allowed:
        names = " or ".join(repr(k.value) for k in ColumnKind if k in allowed)
        raise ConfigError(f"{method}() takes kind={names}, got {kind!r}")
    return wanted


def read_table(
    source: Any, *, role: str = "data", column_names: Sequence[str] | None = None
) -> Table:
    """Open any supported input as a lazy :class:`Table`; nothing is converted yet.

    ``source`` is a pandas or polars DataFrame/Series, a pyarrow Table/RecordBatch/Array,
    a numpy array (1-D, 2-D with ``column_names``, or structured), a dict of 1-D arrays or
    lists, or a path to a ``.parquet``/``.pq``/``.csv``/``.csv.gz`` file or to a directory of
    parquet files. ``role`` names the data in error messages. An empty input (0 rows or 0
    columns) raises :class:`~driftscope.errors.DataError`.

    >>> read_table({"a": []}, role="production")
    Traceback (most recent call last):
    ...
    driftscope.errors.DataError: the production data is empty (0 rows)
    """
    if isinstance(source, Table):
        return source if source.role == role else Table(source._source, role=role)
    opened = open_source(source, role=role, column_names=column_names)
    if not opened.columns:
        raise DataError(f"{the_data(role)} is empty (0 columns)")
    if opened.rows == 0:
        raise DataError(f"{the_data(role)} is empty (0 rows)")
    return Table(opened, role=role)
