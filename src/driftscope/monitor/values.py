"""Single values on their way into a store column: kinds, JSON text, reprs, large payloads.

A column of a prediction batch holds one *kind* of value (``float``, ``int``, ``bool`` or
``string``; see :mod:`driftscope.store.records`). :func:`natural_kind` says which kind a
Python value would start a column as; anything that is not a plain scalar becomes text
(JSON when it can, else its ``repr``).

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


def safe_repr(value: Any, limit: int = ISSUE_REPR_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters; never raises (hostile ``__repr__``)."""
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} object (repr failed)>"
    if len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text


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
    except (TypeError, ValueError, OverflowError, RecursionError):
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


@dataclass(frozen=True)
class Compacted:
    """Text after :func:`compact_text`: the stored form and what was done to it."""

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
