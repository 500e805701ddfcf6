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
Arrow chunks and unified at the end (text when nothing else fits). When the output order
is known before the rows arrive, each value is written straight to its output row.

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

from driftscope.store.frames import text_to_objects, to_pandas
from driftscope.store.segments import is_text

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

    def _mark_nulls(self, target: slice | np.ndarray, where: np.ndarray | bool = True) -> None:
        if self.nulls is None:
            self.nulls = np.zeros(len(self.values), dtype=bool)
        self.nulls[target] = where

    def put(self, target: slice | np.ndarray, column: pa.ChunkedArray | None, rows: int) -> None:
        """``rows`` values from ``column`` (None: all missing) into the output rows
        ``target``: a slice, or one output row per value."""
        if self.kind in ("generic", "strings"):  # kept in arrival order
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
        at = 0
        for chunk in column.chunks:
            n = len(chunk)
            if isinstance(target, slice):
                part: slice | np.ndarray = slice(target.start + at, target.start + at + n)
            else:
                part = target[at : at + n]
            self._put_chunk(part, chunk)
            at += n

    def _put_chunk(self, target: slice | np.ndarray, chunk: pa.Array) -> None:
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

    def finish(self, rows: int, gather: np.ndarray | None, order: np.ndarray | None) -> pd.Series:
        """The pandas column: numpy buffers permuted by ``gather`` (None: already in
        place), Arrow chunks (kept in arrival order) by ``order``."""
        if self.kind == "generic":
            return self._finish_generic(order)
        if self.kind == "strings":
            return self._finish_strings(order)
        values = self.values[:rows]
        nulls = self.nulls[:rows] if self.nulls is not None else None
        if gather is not None:
            values = values[gather]
            nulls = nulls[gather] if nulls is not None else None
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
        chunks = [c.cast(pa.string()) for c in self.chunks]
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
    rows; :meth:`put` tables, then :meth:`frame`.

    ``order``, when known before the rows arrive, is the permutation from arrival order to
    output order (output row ``i`` is arrival row ``order[i]``): each value is then written
    straight to its output row. ``strings`` names text columns to return with pandas' own
    string dtype, straight from the Arrow buffers (for columns that have no nulls).
    """

    def __init__(
        self,
        schemas: Sequence[pa.Schema],
        capacity: int,
        *,
        strings: Sequence[str] = (),
        order: np.ndarray | None = None,
    ):
        types: dict[str, set[pa.DataType]] = {}
        for schema in schemas:
            for f in schema:
                seen = types.setdefault(f.name, set())
                if not pa.types.is_null(f.type):
                    seen.add(f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
        self.names = list(types)
        kinds = {name: _kind(types[name]) for name in self.names}
        for name in strings:
            if kinds.get(name) == "text":
                kinds[name] = "strings"
        self.columns = {name: _Column(kinds[name], capacity) for name in self.names}
        self.capacity = capacity
        self.rows = 0
        self.order = order
        self._dest: np.ndarray | None = None
        if order is not None:
            self._dest = np.empty(len(order), dtype=np.int64)
            self._dest[order] = np.arange(len(order))

    def put(self, table: pa.Table) -> None:
        n = table.num_rows
        if self.rows + n > self.capacity:
            raise ValueError(f"FrameBuilder holds {self.capacity} rows, got {self.rows + n}")
        target: slice | np.ndarray = slice(self.rows, self.rows + n)
        if self._dest is not None:
            target = self._dest[self.rows : self.rows + n]
        present = set(table.column_names)
        for name, column in self.columns.items():
            column.put(target, table.column(name) if name in present else None, n)
        self.rows += n

    def frame(
        self,
        reorder: np.ndarray | None = None,
        columns: Sequence[tuple[str, str]] | None = None,
        extra: dict[str, pd.Series] | None = None,
    ) -> pd.DataFrame:
        """The DataFrame. ``reorder``: a permutation found only after the rows arrived
        (not with ``order``). ``columns``: (column, output name) pairs in output order
        (default: all, first seen, names kept); then the ``extra`` columns, already in
        output row order. The builder is used up."""
        if reorder is not None and self.order is not None:
            raise ValueError("FrameBuilder: rows are already in the order given up front")
        order = self.order if self.order is not None else reorder
        pairs = columns if columns is not None else [(n, n) for n in self.names]
        data: dict[str, pd.Series] = {}
        for name, output in pairs:
            data[output] = self.columns.pop(name).finish(self.rows, reorder, order)
        data.update(extra or {})
        return pd.DataFrame(data, copy=False)
