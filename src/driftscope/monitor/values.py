"""Single values on their way into a store column: kinds, JSON text, reprs, large payloads.

A column of a prediction batch holds one *kind* of value (``float``, ``int``, ``bool`` or
``string``; see :mod:`driftscope.core.records`). :func:`natural_kind` says which kind a
Python value would start a column as; anything that is not a plain scalar becomes text
(JSON when it can, else its ``repr``).

Untrusted values are made safe here before any C library (pyarrow, the JSON encoder,
NumPy) walks them: :func:`bounded` copies a container (lists, tuples, dicts, sets, arrays)
into plain, acyclic Python values no deeper than :data:`MAX_DEPTH` and with at most
:data:`MAX_ITEMS` items; a container that is cyclic, too deep or too large becomes a
repr-like text instead (``[1, [...]]``), with the issue saying which. Strings holding lone
surrogates (not valid UTF-8) are stored with them escaped (``\\ud800``).

>>> loop = [1]
>>> loop.append(loop)
>>> bounded(loop)
([1, [...]], ['cyclic_value'])
>>> bounded({"a": ("x", 2.5)})
({'a': ('x', 2.5)}, [])

Large text is compressed rather than lost: a value longer than the byte limit is stored as
``"zlib+base64:"`` followed by the base64 of its zlib-compressed UTF-8 bytes, which
:func:`expand_value` turns back into the original; only when even the compressed form is
over the limit is the text truncated (and the record says so).

>>> small = compact_text("x" * 100_000, limit=1024)
>>> small.text.startswith(COMPRESSED_MARKER), small.truncated, len(expand_value(small.text))
(True, False, 100000)
"""

from __future__ import annotations

import base64
import json
import math
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from driftscope.errors import printable, safe_repr

#: Prefix of a value stored compressed (see :func:`expand_value`).
COMPRESSED_MARKER = "zlib+base64:"
#: Longest ``repr`` quoted inside a data-quality issue.
ISSUE_REPR_CHARS = 60

FLOAT, INT, BOOL, STRING = "float", "int", "bool", "string"
KINDS = (FLOAT, INT, BOOL, STRING)

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def natural_kind(value: Any) -> str | None:
    """The kind a column would take from ``value``: None for missing values.

    >>> [natural_kind(v) for v in (1, 1.5, True, "a", None, [1, 2], object())]
    ['int', 'float', 'bool', 'string', None, 'string', 'string']
    """
    if value is None:
        return None
    t = type(value)
    if t is float:
        return FLOAT
    if t is bool:
        return BOOL
    if t is int:
        return INT if _INT64_MIN <= value <= _INT64_MAX else FLOAT
    if t is str:
        return STRING
    if isinstance(value, np.bool_):
        return BOOL
    if isinstance(value, np.integer):
        return INT if _INT64_MIN <= int(value) <= _INT64_MAX else FLOAT
    if isinstance(value, np.floating | Decimal | Fraction):
        return FLOAT
    if isinstance(value, int):  # int subclasses (IntEnum, ...)
        return INT if _INT64_MIN <= int(value) <= _INT64_MAX else FLOAT
    if isinstance(value, float):
        return FLOAT
    return STRING


def is_plain_scalar(value: Any) -> bool:
    """Whether ``value`` is a number, bool, string or None (no JSON needed)."""
    return value is None or isinstance(
        value, int | float | str | bool | np.integer | np.floating | np.bool_
    )


def error_text(exc: BaseException) -> str:
    r"""``str(exc)`` made printable, for a log line or a message; never raises.

    >>> error_text(ValueError("bad\nrow"))
    'bad\\nrow'
    """
    try:
        return printable(str(exc))
    except Exception:
        return f"<{type_name(exc)}: str() failed>"


def type_name(value: Any) -> str:
    """The printable name of ``value``'s type (the original type of a placeholder).

    >>> type_name(3), type_name(Opaque(b"x"))
    ('int', 'bytes')
    """
    if type(value) is Opaque:
        return value.type_name
    return printable(str(type(value).__name__))[:100]


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | Fraction):
        return float(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(value: Any) -> str | None:
    """``value`` as compact JSON text, or None when it cannot be serialised."""
    try:
        return json.dumps(value, default=_json_default, separators=(",", ":"))
    except Exception:  # not serialisable, or a hostile method on the way
        return None


def as_text(value: Any) -> tuple[str, bool]:
    """``value`` as text and whether that was clean: strings as they are, dates in ISO
    format, containers as JSON; anything else as its ``repr`` (``False``)."""
    if isinstance(value, str):
        return str(value), True
    if isinstance(value, datetime | date | time):
        return value.isoformat(), True
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("utf-8"), True
        except UnicodeDecodeError:
            return COMPRESSED_MARKER + base64.b64encode(zlib.compress(bytes(value))).decode(), True
    text = to_json(value)
    if text is not None:
        return text, True
    return safe_repr(value, limit=1 << 20), False


def as_float(value: Any) -> float | None:
    """``value`` as a float when it is a number (bools count as 0/1), else None."""
    if isinstance(value, int | float | np.integer | np.floating | np.bool_ | Decimal | Fraction):
        try:
            return float(value)
        except (OverflowError, ValueError):
            return None
    return None


def as_int(value: Any) -> int | None:
    """``value`` as an int64 when it is an integer (or an integral float), else None."""
    integral = isinstance(value, float | np.floating) and math.isfinite(value)
    if isinstance(value, int | np.integer | np.bool_) or (integral and value == int(value)):
        number = int(value)
    else:
        return None
    return number if _INT64_MIN <= number <= _INT64_MAX else None


#: Types whose values may lie past int64 (Python ints, NumPy uint64).
WIDE_INTS = frozenset((int, np.uint64))


def huge_int(value: Any) -> bool:
    """Whether ``value`` is an integer (not a bool) that no int64 holds.

    >>> [huge_int(v) for v in (2**63, -(2**63), np.uint64(2**64 - 1), True, 1e30)]
    [True, False, True, False, False]
    """
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return not _INT64_MIN <= value <= _INT64_MAX
    return False


# ---------------------------------------------------------------------- untrusted values
#: Deepest nesting of a container value that is kept (deeper: ``nested_too_deep``).
MAX_DEPTH = 32
#: Most items (at every depth together) kept of one container value
#: (more: ``payload_too_large``).
MAX_ITEMS = 100_000

CYCLIC, TOO_DEEP, TOO_LARGE, INVALID_TEXT = (
    "cyclic_value",
    "nested_too_deep",
    "payload_too_large",
    "invalid_text",
)
#: Types whose values pyarrow converts without walking into them.
_NUMPY_SCALARS = ("f8", "f4", "f2", "i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1", "?")
TRUSTED_TYPES = frozenset(
    (float, int, bool, str, type(None), *(np.dtype(c).type for c in _NUMPY_SCALARS))
)
_ATOMS = frozenset((float, int, bool, type(None)))
_CONTAINERS = (list, tuple, dict, set, frozenset, np.ndarray)
_KEY_TYPES = (str, int, float, bool, type(None))


class Opaque:
    """A placeholder for an object no converter should touch: its type's name and its
    (safe, bounded) ``repr``, which it shows as its own. ``text`` given: the repr-like
    text of a container that was cut (its issue already reported). A placeholder never
    fixes a column's kind; it is stored as its text, or reported where no text fits.

    >>> held = Opaque(b"x")
    >>> held, held.type_name, held.cut
    (b'x', 'bytes', False)
    """

    __slots__ = ("cut", "text", "type_name")

    #: Longest ``repr`` a placeholder keeps.
    LIMIT = 1 << 20

    def __init__(self, value: Any, text: str | None = None):
        self.type_name = type_name(value)
        self.text = safe_repr(value, self.LIMIT) if text is None else text
        self.cut = text is not None

    def __repr__(self) -> str:
        return self.text


class _Cut:
    """Where a cyclic, too deep or too long container was cut; shows as ``...``."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


_CUT_LIST, _CUT_DICT, _CUT_DEEP, _CUT_REST = _Cut("[...]"), _Cut("{...}"), _Cut("..."), _Cut("…")


def clean_text(text: str) -> tuple[str, bool]:
    """``text`` as an exact ``str`` that encodes to UTF-8 (lone surrogates written as
    ``\\udXXX``), and whether it already was one.

    >>> clean_text("caf\\u00e9"), clean_text("a\\ud800")
    (('café', True), ('a\\\\ud800', False))
    """
    if type(text) is not str:
        text = str.__str__(text)
    if text.isascii():
        return text, True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8"), False
    return text, True


def key_name(key: Any) -> tuple[str, bool]:
    """A mapping key as a name: its ``str``, or, when that fails (a hostile ``__str__``),
    its type in angle brackets; and whether ``str`` worked.

    >>> class Bad:
    ...     def __str__(self):
    ...         raise RuntimeError("no")
    >>> key_name(3), key_name(Bad())
    (('3', True), ('<Bad>', False))
    """
    if type(key) is str:
        return key, True
    try:
        text = str(key)
        return (text if type(text) is str else str.__str__(text)), True
    except Exception:
        return f"<{type_name(key)}>", False


def key_text(key: Any) -> tuple[str, bool]:
    r""":func:`key_name` made UTF-8 safe (:func:`clean_text`), and whether it was clean.

    >>> key_text(7), key_text("a\ud800")
    (('7', True), ('a\\ud800', False))
    """
    name, ok = key_name(key)
    text, clean = clean_text(name)
    return text, ok and clean


def bounded(value: Any) -> tuple[Any, list[str]]:
    """``value`` made safe for the converters, and the issue codes met on the way.

    Plain scalars come back as they are (subclasses as their base type); containers as
    plain copies (dicts keyed by text, sets as lists, arrays as lists) or, when cyclic,
    deeper than :data:`MAX_DEPTH` or larger than :data:`MAX_ITEMS`, as an :class:`Opaque`
    placeholder holding a repr-like text with the cuts marked (``[...]``, ``...``, ``…``);
    other objects as a placeholder of their ``repr``. Never raises and never follows
    more than :data:`MAX_ITEMS` references.
    """
    walk = _Walk()
    out = walk.copy(value, 0)
    if walk.cut:
        try:
            text = repr(out)
        except Exception:  # a bug, not data: keep the record anyway
            text = f"<{type_name(value)} object>"
        return Opaque(value, text=printable(text)), walk.issues
    return out, walk.issues


class _Walk:
    """One bounded copy: the containers on the path (for cycles), the items left, issues."""

    __slots__ = ("budget", "cut", "issues", "path")

    def __init__(self) -> None:
        self.path: set[int] = set()
        self.budget = MAX_ITEMS
        self.issues: list[str] = []
        self.cut = False

    def flag(self, code: str, cut: bool = True) -> None:
        if code not in self.issues:
            self.issues.append(code)
        self.cut = self.cut or cut

    def copy(self, value: Any, depth: int) -> Any:
        t = type(value)
        if t in _ATOMS:
            return value
        if t is str:
            text, clean = clean_text(value)
            if not clean:
                self.flag(INVALID_TEXT, cut=False)
            return text
        if isinstance(value, _CONTAINERS):
            return self.container(value, depth)
        if t is _Cut:
            return value
        return self.leaf(value)

    def leaf(self, value: Any) -> Any:
        try:
            if isinstance(value, np.generic):
                item = value.item()
                return item if type(item) in _ATOMS else self.leaf(item)
            if isinstance(value, str):
                return self.copy(str.__str__(value), 0)
            if isinstance(value, int):
                return int.__index__(value)
            if isinstance(value, float):
                return float.__float__(value)
            if type(value) in (datetime, date, time, Decimal, Fraction):
                return value
            if isinstance(value, bytes | bytearray | memoryview):
                raw = bytes(memoryview(value)[: MAX_ITEMS * 8])
                if len(raw) == MAX_ITEMS * 8:
                    self.flag(TOO_LARGE, cut=False)
                return raw
        except Exception:
            pass
        return Opaque(value)

    def container(self, value: Any, depth: int) -> Any:
        ident = id(value)
        if ident in self.path:
            self.flag(CYCLIC)
            return _CUT_DICT if isinstance(value, dict) else _CUT_LIST
        if depth >= MAX_DEPTH:
            self.flag(TOO_DEEP)
            return _CUT_DEEP
        self.path.add(ident)
        try:
            if isinstance(value, dict):
                return self.mapping(value, depth)
            if isinstance(value, np.ndarray) and value.ndim == 0:
                return self.copy(value.item(), depth)
            if isinstance(value, np.ndarray):
                items = self.array_items(value)
            elif isinstance(value, list):
                items = list.copy(value)
            elif isinstance(value, tuple):
                items = list(tuple.__iter__(value))
            else:
                items = list(set.__iter__(value) if isinstance(value, set) else value)
            out = self.sequence(items, depth)
            if isinstance(value, set | frozenset):
                out.sort(key=repr)
            return tuple(out) if isinstance(value, tuple) else out
        except Exception:
            return Opaque(value)
        finally:
            self.path.discard(ident)

    def array_items(self, value: np.ndarray) -> list[Any]:
        if value.size > self.budget:
            self.flag(TOO_LARGE)
            value = value.reshape(-1)[: self.budget]
        return value.tolist() if value.dtype != object else list(value)

    def sequence(self, items: list[Any], depth: int) -> list[Any]:
        if len(items) > self.budget:
            self.flag(TOO_LARGE)
            items = items[: self.budget]
            items.append(_CUT_REST)
        self.budget -= len(items)
        if _ATOMS.issuperset(map(type, items)):
            return items
        return [self.copy(item, depth + 1) for item in items]

    def mapping(self, value: dict[Any, Any], depth: int) -> dict[Any, Any]:
        pairs = list(dict.items(value))
        if len(pairs) > self.budget:
            self.flag(TOO_LARGE)
            pairs = pairs[: self.budget]
        self.budget -= len(pairs)
        out: dict[Any, Any] = {}
        for key, item in pairs:
            if type(key) in _KEY_TYPES and (type(key) is not str or key.isascii()):
                name = key
            else:
                name, clean = key_text(key)
                if not clean:
                    self.flag(INVALID_TEXT, cut=False)
            out[name] = self.copy(item, depth + 1)
        return out


@dataclass(frozen=True)
class Compacted:
    """Text after :func:`compact_text`: the stored form and what was done to it.

    >>> compact_text("short", 1024)
    Compacted(text='short', compressed=False, truncated=False, original_bytes=0)
    """

    text: str
    compressed: bool = False
    truncated: bool = False
    original_bytes: int = 0


def compact_text(text: str, limit: int) -> Compacted:
    """``text`` within ``limit`` UTF-8 bytes: as it is, compressed, or (last resort) cut.

    >>> compact_text("short", 1024).text
    'short'
    >>> import os
    >>> noise = os.urandom(6000).hex()
    >>> cut = compact_text(noise, 1024)
    >>> cut.truncated, len(cut.text.encode()) <= 1024
    (True, True)
    """
    if len(text) * 4 <= limit:
        return Compacted(text)
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) <= limit:
        return Compacted(text)
    packed = COMPRESSED_MARKER + base64.b64encode(zlib.compress(raw, 6)).decode("ascii")
    if len(packed) <= limit:
        return Compacted(packed, compressed=True, original_bytes=len(raw))
    note = f"…[truncated from {len(raw):,} bytes]"
    keep = max(0, limit - len(note.encode()))
    head = raw[:keep].decode("utf-8", "ignore")
    return Compacted(head + note, truncated=True, original_bytes=len(raw))


def expand_value(value: Any) -> Any:
    """The original text of a value stored compressed; any other value unchanged.

    >>> expand_value(compact_text("ab" * 50_000, 512).text) == "ab" * 50_000
    True
    >>> expand_value(3.5)
    3.5
    """
    if isinstance(value, str) and value.startswith(COMPRESSED_MARKER):
        raw = zlib.decompress(base64.b64decode(value[len(COMPRESSED_MARKER) :]))
        try:
            return raw.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return raw
    return value
