"""Typed value columns of the PostgreSQL store: kinds, the per-model registry, CSV transfer.

A prediction row keeps its base fields as columns and every other value (``feature.*``,
``prediction``, ``prediction.*``, ``metadata.*``) in one of four typed arrays:
``float_values``, ``int_values``, ``bool_values``, ``text_values``. The model's *column
registry* gives each (column, kind) pair a fixed 1-based slot in the array of its kind, so
a value is ``float_values[slot]``: compact (8 bytes a float), typed (no text round trip),
and a row without the column simply has NULL there. A column seen with two kinds has a slot
in each, and reads as the *join* of its kinds: int64 with float64 reads as float64, any
other mix as string. Labels use the same kinds in four ``label_*`` columns.

Batches travel to the server as CSV written by pyarrow (floats print shortest-exact, so
they round-trip, NaN and infinities included); reads come back in binary
(:mod:`~driftscope.store.postgres._binary`). For wide models (PostgreSQL allows at most 1,600
columns in a table, 1,664 fields in a row) each row's values of a kind travel packed into
one array, both ways (:func:`array_literals`), so any number of columns works.

PostgreSQL text cannot hold the NUL character; :func:`storable_text` replaces it by
U+FFFD (the Unicode replacement character) so the rest of the value, and of the batch, is
kept. Names and prediction ids are index keys, which hold at most 2,704 bytes: one longer
than :data:`MAX_KEY_BYTES` keeps its start and a digest of the whole (:func:`short_key`).

>>> join_kinds(["int64", "float64"]), join_kinds(["null", "bool"]), join_kinds(["int64", "bool"])
('float64', 'bool', 'string')
>>> kind_of(pa.int32(), "feature.age"), kind_of(pa.large_string(), "metadata.x")
('int64', 'string')
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from driftscope.errors import DataError

KINDS = ("float64", "int64", "bool", "string")
NULL = "null"
NUL = "\x00"
#: What a NUL character in stored text becomes (U+FFFD, the replacement character).
NUL_REPLACEMENT = "\ufffd"

ARROW_TYPES: dict[str, pa.DataType] = {
    "float64": pa.float64(),
    "int64": pa.int64(),
    "bool": pa.bool_(),
    "string": pa.string(),
    NULL: pa.null(),
}
PG_TYPES = {"float64": "double precision", "int64": "bigint", "bool": "boolean", "string": "text"}
ARRAYS = {
    "float64": "float_values",
    "int64": "int_values",
    "bool": "bool_values",
    "string": "text_values",
}
LABEL_COLUMNS = {
    "float64": "label_float",
    "int64": "label_int",
    "bool": "label_bool",
    "string": "label_text",
}


def kind_of(arrow_type: pa.DataType, column: str) -> str:
    """The kind a batch column of ``arrow_type`` is stored as; other types are refused."""
    t = arrow_type
    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_null(t):
        return NULL
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_integer(t):
        return "int64"
    if pa.types.is_floating(t):
        return "float64"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "string"
    raise DataError(
        f"has type {arrow_type}; a store keeps float64, int64, bool or string values "
        "(convert other values to JSON text)",
        column=column,
    )


def join_kinds(kinds: Iterable[str]) -> str:
    """The kind a column reads as after it was written with each of ``kinds``."""
    seen = {k for k in kinds if k != NULL}
    if not seen:
        return NULL
    if len(seen) == 1:
        return seen.pop()
    return "float64" if seen == {"int64", "float64"} else "string"


def normalize(array: pa.ChunkedArray | pa.Array, kind: str, column: str) -> pa.ChunkedArray:
    """``array`` cast to the Arrow type of ``kind`` (int32 -> int64, dictionary -> plain...)."""
    if isinstance(array, pa.Array):
        array = pa.chunked_array([array])
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    target = ARROW_TYPES[kind]
    if array.type.equals(target):
        return array
    try:
        return array.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise DataError(f"cannot be stored as {kind}: {exc}", column=column) from exc


def storable_text(
    array: pa.ChunkedArray | pa.Array,
) -> tuple[pa.ChunkedArray, pa.ChunkedArray | None]:
    r"""``array`` (strings) with every NUL replaced by U+FFFD, and which rows changed
    (None when none did: the common case costs one scan).

    >>> text, changed = storable_text(pa.array(["a\x00b", None, "ok"]))
    >>> text.to_pylist() == ["a\ufffdb", None, "ok"], changed.to_pylist()
    (True, [True, False, False])
    """
    if isinstance(array, pa.Array):
        array = pa.chunked_array([array])
    has = pc.match_substring(array, NUL)
    if not pc.any(has).as_py():
        return array, None
    return pc.replace_substring(array, NUL, NUL_REPLACEMENT), pc.fill_null(has, False)


#: The longest name or prediction id (in UTF-8 bytes) kept as it is.
MAX_KEY_BYTES = 1000
DIGEST_CHARS = 32


def short_key(text: str) -> str:
    """``text`` if it fits :data:`MAX_KEY_BYTES`, else its start, ``~`` and a digest of the
    whole: the same text always gives the same key, different texts different ones.

    >>> short_key("age"), len(short_key("x" * 5000).encode()) <= MAX_KEY_BYTES
    ('age', True)
    """
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= MAX_KEY_BYTES:
        return text
    digest = hashlib.blake2b(data, digest_size=DIGEST_CHARS // 2).hexdigest()
    head = data[: MAX_KEY_BYTES - DIGEST_CHARS - 1].decode("utf-8", "ignore")
    return f"{head}~{digest}"


def storable_name(name: str) -> str:
    """``name`` as PostgreSQL can keep it: NUL -> U+FFFD, shortened past
    :data:`MAX_KEY_BYTES` (:func:`short_key`).

    >>> storable_name("a" + chr(0) + "b") == "a" + NUL_REPLACEMENT + "b", storable_name("age")
    (True, 'age')
    """
    return short_key(name.replace(NUL, NUL_REPLACEMENT))


def storable_keys(
    array: pa.ChunkedArray | pa.Array,
) -> tuple[pa.ChunkedArray, pa.ChunkedArray | None, pa.ChunkedArray | None]:
    """Keys (prediction ids) made storable, and which rows had a NUL and which were too
    long (None when none): :func:`storable_text`, then :func:`short_key` on long ones.

    >>> keys, nul, long = storable_keys(pa.array(["p1", "x" * 2000]))
    >>> keys[0].as_py(), len(keys[1].as_py()) < 2000, nul, long.to_pylist()
    ('p1', True, None, [False, True])
    """
    text, nul = storable_text(array)
    long = pc.greater(pc.binary_length(text), MAX_KEY_BYTES)
    if not pc.any(long).as_py():
        return text, nul, None
    flags = long.to_pylist()
    keys = [short_key(v) if f else v for v, f in zip(text.to_pylist(), flags, strict=True)]
    return pa.chunked_array([pa.array(keys, pa.string())]), nul, pc.fill_null(long, False)


@dataclass
class Registry:
    """A model's columns in first-seen order, each with its slot per kind.

    >>> reg = Registry()
    >>> reg.add("feature.age", "int64", 1); reg.add("feature.age", "float64", 1)
    >>> reg.add("prediction", "float64", 2)
    >>> reg.kind("feature.age"), reg.value_expr("feature.age", "p")
    ('float64', 'coalesce(p.float_values[1], p.int_values[1]::double precision)')
    """

    slots: dict[str, dict[str, int | None]] = field(default_factory=dict)

    def add(self, name: str, kind: str, slot: int | None) -> None:
        self.slots.setdefault(name, {})[kind] = slot

    def has(self, name: str, kind: str) -> bool:
        return kind in self.slots.get(name, {})

    def names(self, *, labels: bool = False) -> list[str]:
        """Value columns (``label`` only when ``labels``), in first-seen order."""
        return [n for n in self.slots if (n == "label") == labels]

    def kind(self, name: str) -> str:
        """The kind ``name`` reads as (``null`` when it never held a value)."""
        return join_kinds(self.slots.get(name, {}))

    def slot(self, name: str, kind: str) -> int:
        """The array slot of ``name``'s ``kind`` values; only ``null`` and the label have none.

        >>> reg = Registry()
        >>> reg.add("feature.age", "int64", 3)
        >>> reg.slot("feature.age", "int64")
        3
        """
        slot = self.slots[name][kind]
        if slot is None:
            raise ValueError(f"{name!r} keeps no {kind} values in an array slot")
        return slot

    def next_slot(self, kind: str) -> int:
        used = [slot for s in self.slots.values() if (slot := s.get(kind)) is not None]
        return max(used, default=0) + 1

    def value_expr(self, name: str, alias: str) -> str:
        """SQL reading column ``name`` of prediction row ``alias`` as its read kind."""
        parts = {k: f"{alias}.{ARRAYS[k]}[{s}]" for k, s in self.slots[name].items() if s}
        return _coalesce(parts, self.kind(name))

    def label_expr(self, alias: str) -> str:
        """SQL reading the label of label row ``alias`` as the model's label kind."""
        kinds = self.slots.get("label", {})
        parts = {k: f"{alias}.{LABEL_COLUMNS[k]}" for k in kinds if k != NULL}
        return _coalesce(parts, join_kinds(kinds))


def _coalesce(parts: Mapping[str, str], kind: str) -> str:
    if kind == NULL or not parts:
        return "NULL::text"
    cast = PG_TYPES[kind]
    exprs = [e if k == kind else f"{e}::{cast}" for k, e in sorted(parts.items())]
    exprs.sort(key=lambda e: "::" in e)  # the column's own kind first
    return exprs[0] if len(exprs) == 1 else f"coalesce({', '.join(exprs)})"


# ---------------------------------------------------------------------- CSV transfer
def array_literals(
    columns: Mapping[int, pa.ChunkedArray | pa.Array], kind: str, rows: int
) -> pa.Array:
    r"""PostgreSQL array literals, one per row, holding ``columns`` (slot -> values of
    ``kind``) at their slots, ``NULL`` in the slots between; null when ``columns`` is empty.

    >>> floats = {1: pa.array([1.5, None]), 3: pa.array([2.0, 0.1])}
    >>> array_literals(floats, "float64", 2).to_pylist()
    ['{1.5,NULL,2}', '{NULL,NULL,0.1}']
    >>> for text in array_literals({1: pa.array(['say "hi"', "a\\b", None])}, "string", 3):
    ...     print(text)
    {"say \"hi\""}
    {"a\\b"}
    {NULL}
    """
    if not columns:
        return pa.nulls(rows, pa.string())
    null = pa.scalar("NULL")
    items: list[pa.Array | pa.Scalar] = [null] * max(columns)
    for slot, values in columns.items():
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        text = pc.cast(values, pa.string())
        if kind == "string":  # quoted, with backslash escapes, so any text survives
            text = pc.replace_substring(pc.replace_substring(text, "\\", "\\\\"), '"', '\\"')
            text = pc.binary_join_element_wise('"', text, '"', "")
        items[slot - 1] = pc.fill_null(text, "NULL")
    body = items[0] if len(items) == 1 else pc.binary_join_element_wise(*items, ",")
    return pc.binary_join_element_wise("{", body, "}", "")


def to_csv(table: pa.Table) -> bytes:
    """``table`` as headerless CSV that PostgreSQL's ``COPY ... (FORMAT csv)`` reads back.

    Nulls are unquoted empty fields, empty strings ``""``; floats print shortest-exact.
    """
    sink = io.BytesIO()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
    return sink.getvalue()
