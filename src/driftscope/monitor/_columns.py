"""One typed Arrow column from a list of logged values, with the data-quality issues found.

A column's kind (``float``, ``int``, ``bool`` or ``string``) is fixed by the first value
seen and kept in :class:`ColumnKinds` for the monitor's lifetime, so every batch a monitor
writes types the column the same way. One exception, since it loses nothing: an ``int``
column widens to ``float`` (for this batch and the later ones) the first time a
non-integer number arrives.

Values of another kind become null (``wrong_type:<name>``, quoting the value); in a
``string`` column numbers are kept as their text (and still reported). NaN and ±inf are
kept and reported (``nan:<name>``, ``inf:<name>``); text over the byte limit is compressed
(``payload_compressed:<name>``) or, when even that is too large, cut
(``payload_too_large:<name>``). An integer no int64 holds is stored as a float
(``int_out_of_range:<name>``; the column widens). Values no converter can be trusted with
are made safe first (:func:`~driftscope.monitor.values.bounded`): a cyclic, too deep or
too large container is stored as text (``cyclic_value:<name>``, ``nested_too_deep:<name>``,
``payload_too_large:<name>``), text with lone surrogates escaped (``invalid_text:<name>``).
Issue texts quote data only through :func:`~driftscope.errors.printable`.

>>> kinds, issues = ColumnKinds(), Issues()
>>> build_column([1.5, "oops", float("nan")], "feature.x", "x", kinds, issues).to_pylist()
[1.5, None, nan]
>>> issues.texts(3)
[None, "wrong_type:x (got str 'oops', expected float)", 'nan:x']
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftscope.errors import DataError, printable
from driftscope.monitor.values import (
    BOOL,
    FLOAT,
    INT,
    INVALID_TEXT,
    STRING,
    TRUSTED_TYPES,
    WIDE_INTS,
    Opaque,
    as_float,
    as_int,
    as_text,
    bounded,
    clean_text,
    compact_text,
    huge_int,
    is_plain_scalar,
    natural_kind,
    safe_repr,
    to_json,
    type_name,
)

#: Default byte limit of one stored text value (64 KiB).
DEFAULT_VALUE_LIMIT = 64 * 1024

ARROW_TYPES: dict[str, pa.DataType] = {
    FLOAT: pa.float64(),
    INT: pa.int64(),
    BOOL: pa.bool_(),
    STRING: pa.string(),
}


def kind_of_type(t: pa.DataType) -> str | None:
    """The kind of an inferred Arrow type; ``"null"`` for all-null, None when unsupported."""
    if pa.types.is_floating(t):
        return FLOAT
    if pa.types.is_integer(t):
        return INT
    if pa.types.is_boolean(t):
        return BOOL
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return STRING
    if pa.types.is_null(t):
        return "null"
    return None


class ColumnKinds:
    """The kind of every column a monitor has written (thread-safe)."""

    def __init__(self) -> None:
        self._kinds: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, column: str) -> str | None:
        return self._kinds.get(column)

    def establish(self, column: str, kind: str) -> str:
        """Fix ``column``'s kind unless already fixed; return the kind in force."""
        with self._lock:
            return self._kinds.setdefault(column, kind)

    def widen(self, column: str) -> None:
        """``int`` -> ``float`` for ``column``."""
        with self._lock:
            if self._kinds.get(column) == INT:
                self._kinds[column] = FLOAT

    def snapshot(self) -> dict[str, str]:
        with self._lock:
            return dict(self._kinds)

    def restore(self, snapshot: dict[str, str]) -> None:
        """Back to ``snapshot`` (a record refused in strict mode fixes no kind).

        >>> kinds = ColumnKinds()
        >>> before = kinds.snapshot()
        >>> kinds.establish("feature.x", "float")
        'float'
        >>> kinds.restore(before)
        >>> kinds.snapshot()
        {}
        """
        with self._lock:
            self._kinds = dict(snapshot)


def refusal(issue: str, row: int | None = None) -> DataError:
    """The :class:`DataError` that strict mode raises for a record's first ``issue`` text
    (``"code:name (detail)"``), naming the column; what non-strict logging would have
    stored instead ("stored as text") is left out, since the record is refused.

    >>> str(refusal("cyclic_value:history (stored as text)"))
    "column 'history': cyclic value"
    >>> str(refusal("int_out_of_range:n (18446744073709551615)", row=3))
    "column 'n', row 3: int out of range (18446744073709551615)"
    """
    key, _, detail = issue.partition(" (")
    code, _, name = key.partition(":")
    if detail.startswith("stored as"):
        detail = ""
    message = code.replace("_", " ") + (f" ({detail}" if detail else "")
    return DataError(message, column=name or "features", row=row)


@dataclass
class Issues:
    """Data-quality issues of the rows of one batch, and their counts by ``code:name``."""

    rows: dict[int, list[str]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, row: int, code: str, name: str = "", detail: str = "") -> None:
        key = f"{code}:{printable(name)}" if name else code
        self.rows.setdefault(row, []).append(f"{key} ({printable(detail)})" if detail else key)
        self.counts[key] += 1

    def add_many(self, rows: Sequence[int] | np.ndarray, code: str, name: str) -> None:
        if not len(rows):
            return
        key = f"{code}:{printable(name)}"
        for row in rows:
            self.rows.setdefault(int(row), []).append(key)
        self.counts[key] += len(rows)

    def texts(self, n: int) -> list[str | None]:
        """One ``"; "``-joined string (or None) per row."""
        get = self.rows.get
        return [None if (r := get(i)) is None else "; ".join(r) for i in range(n)]

    def column(self, n: int) -> pa.Array:
        if not self.rows:
            return pa.nulls(n, pa.string())
        return pa.array(self.texts(n), pa.string())


def _wrong(value: Any, expected: str) -> str:
    return f"got {type_name(value)} {safe_repr(value)}, expected {expected}"


_UINT_LIMIT = pa.scalar(np.iinfo(np.int64).max, pa.uint64())


def _widens(value: Any) -> bool:
    """A number an ``int`` column cannot hold but a ``float`` one can."""
    if isinstance(value, float | np.floating):
        return as_int(value) is None
    return huge_int(value)


def _bound(values: list[Any], label: str, issues: Issues, object_label: str | None) -> list[Any]:
    """``values`` with every value made safe for the converters (see
    :func:`~driftscope.monitor.values.bounded`), issues recorded."""
    name = label if object_label is None else object_label
    out = list(values)
    for i, v in enumerate(out):
        t = type(v)
        if t is float or t is int or t is bool or v is None:
            continue
        if t is str:
            text, clean = clean_text(v)
            if not clean:
                out[i] = text
                issues.add(i, INVALID_TEXT, name, "lone surrogates escaped")
            continue
        safe, codes = bounded(v)
        out[i] = safe
        for code in codes:
            detail = "lone surrogates escaped" if code == INVALID_TEXT else "stored as text"
            issues.add(i, code, name, detail)
    return out


def build_column(
    values: list[Any] | pa.Array,
    column: str,
    label: str,
    kinds: ColumnKinds,
    issues: Issues,
    *,
    limit: int = DEFAULT_VALUE_LIMIT,
    objects_as_text: bool = False,
    object_issue: str = "wrong_type",
    object_label: str | None = None,
    report_nulls: bool = False,
    skip_rows: frozenset[int] | set[int] = frozenset(),
) -> pa.Array | None:
    """``values`` as one Arrow array of ``column``'s kind; None when the kind is still
    unknown and every value is null (the column is then left out of the batch).

    ``label`` names the column in issues. ``objects_as_text`` stores values that are not
    plain scalars as text (JSON, else ``repr`` with ``object_issue:<object_label>``) even in
    a column that has no kind yet; otherwise such a value never fixes a column's kind.
    ``report_nulls`` reports each null (``null:<label>``) outside ``skip_rows``.
    """
    kind = kinds.get(column)
    checked = isinstance(values, pa.Array)
    wide = False
    if not checked:
        types = set(map(type, values))
        if not TRUSTED_TYPES.issuperset(types):
            # containers and objects never reach Arrow's type inference as they are
            values = _bound(values, label, issues, object_label)
            checked = True
        wide = not types.isdisjoint(WIDE_INTS)
    arr = _fast(values, column, kind, kinds, wide)
    wrong: set[int] = set()
    if arr is None:
        if isinstance(values, pa.Array):
            nested = pa.types.is_nested(values.type)
            values = values.to_pylist()
            if nested:  # lists and structs as deep as the caller made the Arrow type
                values = _bound(values, label, issues, object_label)
        elif not checked:  # e.g. text that is not UTF-8
            values = _bound(values, label, issues, object_label)
        kind = kinds.get(column) or _first_kind(values, objects_as_text)
        if kind is None:  # only objects no column can take: reported, the column left out
            for i, v in enumerate(values):
                if v is not None:
                    wrong.add(i)
                    detail = f"got {type_name(v)} {safe_repr(v)}, expected a number or text"
                    issues.add(i, "wrong_type", label, detail)
            return None
        kind = kinds.establish(column, kind)
        if kind == INT and any(map(_widens, values)):
            kinds.widen(column)
            kind = FLOAT
        arr = _slow(values, kind, label, issues, wrong, objects_as_text, object_issue, object_label)
    elif pa.types.is_null(arr.type):
        return _all_null(values, column, label, kinds, issues, report_nulls, skip_rows)
    kind = kinds.get(column)
    if kind == FLOAT and len(arr) - arr.null_count > 0:
        _non_finite(arr, label, issues)
    elif kind == STRING and len(arr) - arr.null_count > 0:
        arr = _compact(arr, label, issues, limit)
    if report_nulls and arr.null_count:
        nulls = np.flatnonzero(arr.is_null().to_numpy(zero_copy_only=False))
        skip = wrong | set(skip_rows)
        issues.add_many([r for r in nulls.tolist() if r not in skip], "null", label)
    return arr


def _all_null(
    values: list[Any],
    column: str,
    label: str,
    kinds: ColumnKinds,
    issues: Issues,
    report_nulls: bool,
    skip_rows: frozenset[int] | set[int],
) -> pa.Array | None:
    if report_nulls:
        issues.add_many([r for r in range(len(values)) if r not in skip_rows], "null", label)
    kind = kinds.get(column)
    return None if kind is None else pa.nulls(len(values), ARROW_TYPES[kind])


def _fast(
    values: list[Any] | pa.Array,
    column: str,
    kind: str | None,
    kinds: ColumnKinds,
    wide: bool = False,
) -> pa.Array | None:
    """Arrow's own conversion when the values are clean; None sends them the slow way.
    ``wide``: the values hold ints that may lie past int64 (Arrow would make them floats
    silently when floats are mixed in)."""
    if isinstance(values, pa.Array):
        arr = values
    else:
        try:
            arr = pa.array(values, from_pandas=False)
        except Exception:  # mixed kinds, text that is not UTF-8, ints past 64 bits, ...
            return None
    if pa.types.is_uint64(arr.type) and pc.any(pc.greater(arr, _UINT_LIMIT)).as_py():
        return None  # past int64: the slow way stores them as floats, with an issue
    if wide and pa.types.is_floating(arr.type) and any(map(huge_int, values)):
        return None
    inferred = kind_of_type(arr.type)
    if inferred is None:
        return None
    if inferred == "null":
        return arr
    if kind is None:
        kind = kinds.establish(column, inferred)
    if inferred == kind or (kind == FLOAT and inferred == INT):
        target = ARROW_TYPES[kind]
        return arr if arr.type.equals(target) else arr.cast(target)
    if kind == INT and inferred == FLOAT:
        finite = pc.is_finite(arr).fill_null(True)
        if pc.all(finite).as_py():
            integral = pc.equal(arr, pc.round(arr)).fill_null(True)
            in_range = pc.less(pc.abs(arr), 2.0**63).fill_null(True)
            if pc.all(integral).as_py() and pc.all(in_range).as_py():
                return arr.cast(pa.int64())
        kinds.widen(column)
        return arr
    return None


def _first_kind(values: list[Any], objects_as_text: bool) -> str | None:
    """The kind the first usable value gives; placeholders (objects, cut containers) only
    when nothing else does, and only where objects are stored as text."""
    placeholder = None
    for v in values:
        if v is None:
            continue
        if type(v) is Opaque:
            placeholder = STRING if objects_as_text else None
            continue
        if is_plain_scalar(v) or objects_as_text or to_json(v) is not None:
            return natural_kind(v)
    return placeholder


def _slow(
    values: list[Any],
    kind: str,
    label: str,
    issues: Issues,
    wrong: set[int],
    objects_as_text: bool,
    object_issue: str,
    object_label: str | None,
) -> pa.Array:
    object_label = label if object_label is None else object_label
    out: list[Any] = [None] * len(values)
    for i, v in enumerate(values):
        if v is None:
            continue
        if kind == STRING:
            if isinstance(v, str):
                out[i] = v
            elif type(v) is Opaque and v.cut:  # a cut container, already reported
                out[i] = v.text
            elif is_plain_scalar(v):
                out[i] = _scalar_text(v)
                issues.add(i, "wrong_type", label, _wrong(v, kind))
            else:
                text, clean = as_text(v)
                out[i] = text
                if not clean:
                    issues.add(i, object_issue, object_label, f"stored as repr: {safe_repr(v)}")
            continue
        if kind == FLOAT:
            converted: Any = as_float(v)
            if huge_int(v):
                if converted is None:
                    wrong.add(i)
                why = "no float holds it" if converted is None else "stored as a float"
                issues.add(i, "int_out_of_range", label, f"{safe_repr(v)}: {why}")
                out[i] = converted
                continue
        elif kind == INT:
            converted = as_int(v)
        else:
            converted = bool(v) if isinstance(v, bool | np.bool_) else None
        if converted is None:
            wrong.add(i)
            plain = is_plain_scalar(v) or to_json(v) is not None
            if plain or not objects_as_text:
                issues.add(i, "wrong_type", label, _wrong(v, kind))
            else:
                issues.add(i, object_issue, object_label, _wrong(v, kind))
        out[i] = converted
    return pa.array(out, ARROW_TYPES[kind])


def _scalar_text(value: Any) -> str:
    """A number as text (an int past Python's digit limit as its repr)."""
    try:
        return str(value.item() if isinstance(value, np.generic) else value)
    except Exception:
        return safe_repr(value)


def _non_finite(arr: pa.Array, label: str, issues: Issues) -> None:
    """Report NaN and ±inf values: one NumPy pass (nulls read as NaN, told apart by the
    validity bitmap only when something is not finite)."""
    values = arr.to_numpy(zero_copy_only=False)
    if np.isfinite(values).all():
        return
    nan = np.isnan(values)
    if arr.null_count:
        nan &= arr.is_valid().to_numpy(zero_copy_only=False)
    issues.add_many(np.flatnonzero(nan), "nan", label)
    issues.add_many(np.flatnonzero(np.isinf(values)), "inf", label)


def _compact(arr: pa.Array, label: str, issues: Issues, limit: int) -> pa.Array:
    data = arr.buffers()[2]
    if data is None or data.size <= limit:  # all the text together fits: none is over
        return arr
    lengths = pc.binary_length(arr)
    over = pc.greater(lengths, limit).fill_null(False)
    if not pc.any(over).as_py():
        return arr
    rows = np.flatnonzero(over.to_numpy(zero_copy_only=False))
    values = arr.to_pylist()
    for row in rows.tolist():
        packed = compact_text(values[row], limit)
        values[row] = packed.text
        code = "payload_too_large" if packed.truncated else "payload_compressed"
        issues.add(row, code, label, f"{packed.original_bytes:,} bytes")
    return pa.array(values, pa.string())
