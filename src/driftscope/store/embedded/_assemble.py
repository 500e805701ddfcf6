"""Streaming many Arrow tables into the columns of one pandas DataFrame.

Reading millions of rows from dozens of segment files, the expensive part is memory:
concatenating Arrow tables and then converting them to pandas touches every byte twice,
and on a fresh process each new gigabyte costs page faults. :class:`FrameBuilder` instead
allocates each output column once (numpy, sized by an upper bound and never touched beyond
the rows filled), copies every table into it as soon as it is read (so the table's memory
is reused for the next one), and hands the arrays to pandas without another copy.

Conversions match pyarrow's ``to_pandas``: float and int columns stay float64/int64 (int
with nulls becomes float64 with NaN), bool stays bool (with nulls: object), UTC timestamps
become ``datetime64[us, UTC]``, and text becomes ``object`` holding ``str``/``None`` (or,
for the columns named in ``strings``, pandas' own string dtype over the Arrow buffers). A
column whose type differs between tables is widened (int + float -> float) or else kept as
Arrow chunks and unified at the end (text when nothing else fits). Tables whose rows
interleave go in together (:meth:`FrameBuilder.put_group`) with the order to put them in.

>>> import pyarrow as pa
>>> builder = FrameBuilder([pa.schema([("x", pa.int64())]),
...                         pa.schema([("x", pa.int64()), ("s", pa.string())])], capacity=3)
>>> builder.put(pa.table({"x": [1, 2]}))
>>> builder.put(pa.table({"x": [3], "s": ["c"]}))
>>> frame = builder.frame()
>>> frame["x"].tolist(), frame["s"].tolist()
([1, 2, 3], [None, None, 'c'])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from driftscope.store.embedded._frames import text_to_objects, to_pandas
from driftscope.store.embedded._segments import is_text

_FLOATS = (pa.float64(), pa.float32(), pa.float16())
_INTS = (pa.int64(), pa.int32(), pa.int16(), pa.int8(), pa.uint32(), pa.uint16(), pa.uint8())
_UTC_US = pa.timestamp("us", tz="UTC")


def _kind(types: set[pa.DataType]) -> str:
    if not types:
        return "generic"
    if all(is_text(t) for t in types):
        return "text"
    if types <= set(_INTS):
        return "int"
    if types <= set(_INTS) | set(_FLOATS):
        return "float"
    if types == {pa.bool_()}:
        return "bool"
    if types == {_UTC_US} or types == {pa.timestamp("us", tz="+00:00")}:
        return "time"
    return "generic"


class _Column:
    """One output column: a numpy buffer filled table by table."""

    def __init__(self, kind: str, capacity: int):
        self.kind = kind
        self.nulls: np.ndarray | None = None  # int/bool: where values are missing
        self.chunks: list[pa.Array] = []  # generic: Arrow chunks in row order
        dtype = {"float": np.float64, "int": np.int64, "bool": np.bool_, "time": np.int64}
        if kind == "text":
            self.values = np.empty(capacity, dtype=object)  # all None
        elif kind in dtype:
            self.values = np.empty(capacity, dtype=dtype[kind])
        else:
            self.values = np.empty(0)

    def _mark_nulls(self, target: slice, where: np.ndarray | bool = True) -> None:
        if self.nulls is None:
            self.nulls = np.zeros(len(self.values), dtype=bool)
        self.nulls[target] = where

    def put(self, target: slice, column: pa.ChunkedArray | None, rows: int) -> None:
        """``rows`` values from ``column`` (None: all missing) into the rows ``target``."""
        if self.kind in ("generic", "strings"):  # Arrow chunks, in row order
            self.chunks.extend(column.chunks if column is not None else [pa.nulls(rows)])
            return
        if column is None:
            if self.kind == "float":
                self.values[target] = np.nan
            elif self.kind == "time":
                self.values[target] = np.iinfo(np.int64).min  # NaT
            elif self.kind in ("int", "bool"):
                self._mark_nulls(target)
            return  # text: already None
        at = target.start
        for chunk in column.chunks:
            self._put_chunk(slice(at, at + len(chunk)), chunk)
            at += len(chunk)

    def put_text_group(
        self, start: int, parts: list[tuple[pa.ChunkedArray | None, int]], order: np.ndarray
    ) -> bool:
        """Text of interleaving tables, reordered as dictionary codes (moving Python
        objects around costs a reference count each). False when the text is not all
        dictionary-encoded strings (then the caller goes the general way)."""
        chunks: list[pa.Array] = []
        for column, rows in parts:
            if column is None:
                chunks.append(pa.array([None] * rows, pa.dictionary(pa.int32(), pa.string())))
            else:
                chunks.extend(column.chunks)
        if not all(c.type == pa.dictionary(pa.int32(), pa.string()) for c in chunks):
            return False
        unified = pa.chunked_array(chunks).unify_dictionaries()
        if unified.num_chunks == 0:
            return True
        dictionary = unified.chunk(0).dictionary
        none = len(dictionary)
        codes = np.concatenate(
            [c.indices.fill_null(none).to_numpy() if c.null_count else c.indices.to_numpy()
             for c in unified.chunks]
        )  # fmt: skip
        values = np.empty(none + 1, dtype=object)
        values[:none] = dictionary.to_numpy(zero_copy_only=False)
        values[none] = None
        self.values[start : start + len(order)] = values[codes[order]]
        return True

    def take_from(self, start: int, other: _Column, rows: int, order: np.ndarray) -> None:
        """Rows ``start:start + rows`` from the first ``rows`` of ``other`` (same kind),
        output row ``i`` being ``other``'s row ``order[i]``."""
        if self.kind in ("generic", "strings"):
            target = pa.string() if self.kind == "strings" else None
            if target is None:
                target = _common_type(
                    {c.type for c in other.chunks if not pa.types.is_null(c.type)}
                )
            column = pa.chunked_array([c.cast(target) for c in other.chunks], type=target)
            self.chunks.extend(column.take(pa.array(order)).chunks)
            return
        # mode="clip": with mode="raise", numpy buffers `out` to check bounds first
        np.take(other.values[:rows], order, out=self.values[start : start + rows], mode="clip")
        if other.nulls is not None:
            self._mark_nulls(slice(start, start + rows), other.nulls[:rows][order])

    def _put_chunk(self, target: slice, chunk: pa.Array) -> None:
        if self.kind == "text":
            self.values[target] = text_to_objects(pa.chunked_array([chunk]))
            return
        if self.kind == "float":
            if not pa.types.is_float64(chunk.type):
                chunk = chunk.cast(pa.float64())
            self.values[target] = chunk.to_numpy(zero_copy_only=False)
            return
        if self.kind == "time":
            ints = chunk.cast(pa.int64())
            if ints.null_count:
                ints = ints.fill_null(np.iinfo(np.int64).min)
            self.values[target] = ints.to_numpy()
            return
        if chunk.null_count:  # int or bool
            self._mark_nulls(target, chunk.is_null().to_numpy(zero_copy_only=False))
            chunk = chunk.fill_null(False if self.kind == "bool" else 0)
        if self.kind == "int" and not pa.types.is_int64(chunk.type):
            chunk = chunk.cast(pa.int64())
        self.values[target] = chunk.to_numpy(zero_copy_only=False)

    def finish(self, rows: int, order: np.ndarray | None) -> pd.Series:
        """The pandas column, its rows permuted by ``order`` when given."""
        if self.kind == "generic":
            return self._finish_generic(order)
        if self.kind == "strings":
            return self._finish_strings(order)
        values = self.values[:rows]
        nulls = self.nulls[:rows] if self.nulls is not None else None
        if order is not None:
            values = values[order]
            nulls = nulls[order] if nulls is not None else None
        if nulls is not None and nulls.any():
            if self.kind == "int":
                values = values.astype(np.float64)
                values[nulls] = np.nan
            else:  # bool
                values = values.astype(object)
                values[nulls] = None
        if self.kind == "text":
            return pd.Series(values, dtype=object, copy=False)
        if self.kind == "time":  # NaT is the smallest int64: no validity bitmap needed
            values = np.ascontiguousarray(values)
            stamps = pa.Array.from_buffers(_UTC_US, len(values), [None, pa.py_buffer(values)])
            utc = pd.DatetimeTZDtype("us", "UTC").__from_arrow__(pa.chunked_array([stamps]))
            return pd.Series(utc, copy=False)
        return pd.Series(values, copy=False)

    def _finish_strings(self, order: np.ndarray | None) -> pd.Series:
        chunks = [c if c.type == pa.string() else c.cast(pa.string()) for c in self.chunks]
        column = pa.chunked_array(chunks, type=pa.string())
        if order is not None:
            column = column.take(pa.array(order))
        return pd.Series(pd.StringDtype(na_value=np.nan).__from_arrow__(column), copy=False)

    def _finish_generic(self, order: np.ndarray | None) -> pd.Series:
        types = {c.type for c in self.chunks if not pa.types.is_null(c.type)}
        target = _common_type(types)
        chunks = [c.cast(target) for c in self.chunks]
        column = pa.chunked_array(chunks, type=target)
        if order is not None:
            column = column.take(pa.array(order))
        return to_pandas(pa.table({"c": column}))["c"]


def _common_type(types: set[pa.DataType]) -> pa.DataType:
    if not types:
        return pa.null()
    plain = {t.value_type if pa.types.is_dictionary(t) else t for t in types}
    fields = [pa.schema([pa.field("c", t)]) for t in plain]
    try:
        return pa.unify_schemas(fields, promote_options="permissive").field("c").type
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.string()


class FrameBuilder:
    """Columns for every field of ``schemas`` (in first-seen order), room for ``capacity``
    rows; :meth:`put` tables (or :meth:`put_group` to interleave several), then
    :meth:`frame`. ``strings`` names text columns to return with pandas' own string dtype,
    straight from the Arrow buffers (for columns that have no nulls).

    >>> first, second = pa.table({"x": [1, 2]}), pa.table({"x": [3], "c": ["a"]})
    >>> builder = FrameBuilder([first.schema, second.schema], capacity=3)
    >>> builder.put(first); builder.put(second)
    >>> builder.frame().to_dict("list")
    {'x': [1, 2, 3], 'c': [None, None, 'a']}
    """

    def __init__(self, schemas: Sequence[pa.Schema], capacity: int, *, strings: Sequence[str] = ()):
        types: dict[str, set[pa.DataType]] = {}
        for schema in schemas:
            for f in schema:
                seen = types.setdefault(f.name, set())
                if not pa.types.is_null(f.type):
                    seen.add(f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
        self.names = list(types)
        self.kinds = {name: _kind(types[name]) for name in self.names}
        for name in strings:
            if self.kinds.get(name) == "text":
                self.kinds[name] = "strings"
        self.columns = {name: _Column(self.kinds[name], capacity) for name in self.names}
        self.capacity = capacity
        self.rows = 0

    def _room(self, rows: int) -> None:
        if self.rows + rows > self.capacity:
            raise ValueError(f"FrameBuilder holds {self.capacity} rows, got {self.rows + rows}")

    def put(self, table: pa.Table) -> None:
        """``table``'s rows, after those already put."""
        n = table.num_rows
        self._room(n)
        present = set(table.column_names)
        for name, column in self.columns.items():
            column.put(
                slice(self.rows, self.rows + n), table.column(name) if name in present else None, n
            )
        self.rows += n

    def put_group(self, tables: Sequence[pa.Table], order: np.ndarray) -> None:
        """The rows of ``tables`` (taken together, in turn) in the order ``order``: row
        ``i`` put is row ``order[i]`` of the concatenation. One column at a time, through
        a buffer of the group's size: reads stream through the tables, writes through the
        output, so interleaving costs little more than a copy."""
        n = sum(t.num_rows for t in tables)
        self._room(n)
        for name, column in self.columns.items():
            parts = [
                (t.column(name) if name in t.column_names else None, t.num_rows) for t in tables
            ]
            if column.kind == "text" and column.put_text_group(self.rows, parts, order):
                continue
            staging = _Column(column.kind, n)
            at = 0
            for table in tables:
                rows = table.num_rows
                part = table.column(name) if name in table.column_names else None
                staging.put(slice(at, at + rows), part, rows)
                at += rows
            column.take_from(self.rows, staging, n, order)
        self.rows += n

    def timestamps(self, name: str) -> np.ndarray:
        """The microseconds put so far in a UTC time column."""
        return self.columns[name].values[: self.rows]

    def arrow_column(self, name: str) -> pa.ChunkedArray:
        """The chunks put so far in a column returned as pandas strings."""
        return pa.chunked_array(self.columns[name].chunks, pa.string())

    def frame(
        self,
        order: np.ndarray | None = None,
        columns: Sequence[tuple[str, str]] | None = None,
        extra: dict[str, pd.Series] | None = None,
    ) -> pd.DataFrame:
        """The DataFrame, its rows permuted by ``order`` when given. ``columns``: (column,
        output name) pairs in output order (default: all, first seen, names kept); then
        the ``extra`` columns, already in output row order. The builder is used up."""
        pairs = columns if columns is not None else [(n, n) for n in self.names]
        data: dict[str, pd.Series] = {}
        for name, output in pairs:
            data[output] = self.columns.pop(name).finish(self.rows, order)
        data.update(extra or {})
        return pd.DataFrame(data, copy=False)
