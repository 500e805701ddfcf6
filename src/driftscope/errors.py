"""The one exception hierarchy of driftscope.

Every error a user can cause is a :class:`DriftscopeError`; its message names the
column, row or field at fault and says what was expected.

>>> from driftscope.errors import DataError
>>> str(DataError("is entirely missing", column="age"))
"column 'age': is entirely missing"
"""

from __future__ import annotations

import re
from typing import Any

#: Characters a message must not carry raw: C0 and C1 controls (terminal escape sequences,
#: forged line breaks), DEL, lone surrogates (which cannot even be printed as UTF-8), and
#: bidirectional overrides and line/paragraph separators (which reorder or split what is shown).
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]"
)


def printable(text: str) -> str:
    r"""``text`` with control characters and lone surrogates written as escapes (``\x1b``,
    ``\ud800``): data quoted in a message can neither drive a terminal nor forge a line.

    >>> printable("plan\x1b[2J\nrow 2")
    'plan\\x1b[2J\\nrow 2'
    """
    if text.isprintable():
        return text
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x0A:
        return "\\n"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class DriftscopeError(Exception):
    """Base class of every error driftscope raises on purpose.

    >>> import driftscope as ds
    >>> issubclass(ds.DataError, ds.DriftscopeError), issubclass(ds.StoreError, Exception)
    (True, True)
    """


class DataError(DriftscopeError, ValueError):
    """Input data that cannot be checked: empty, mistyped, missing columns, ...

    ``column`` and ``row`` (when known) name the place at fault and prefix the message.

    >>> str(DataError("is not a number", column="age", row=3))
    "column 'age', row 3: is not a number"
    """

    def __init__(self, message: str, *, column: str | None = None, row: int | None = None):
        self.column = column
        self.row = row
        where = []
        if column is not None:
            where.append(f"column {column!r}")
        if row is not None:
            where.append(f"row {row}")
        message = printable(message)
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class ConfigError(DriftscopeError, ValueError):
    """A parameter out of range, an unknown method name, an inconsistent option.

    >>> import driftscope as ds
    >>> ds.KSTest(significance_level=2)
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: significance_level must be between 0 and 1 (exclusive), got 2.0
    """


class ReferenceFileError(DriftscopeError):
    """A reference file that is corrupt, truncated, foreign or of an unknown version.

    >>> import pathlib, tempfile, driftscope as ds
    >>> path = pathlib.Path(tempfile.mkdtemp(), "ref.dsref")
    >>> _ = path.write_bytes(b"not a reference file")
    >>> ds.Reference.load(path)
    Traceback (most recent call last):
    ...
    driftscope.errors.ReferenceFileError: ...
    """


class StoreError(DriftscopeError):
    """The monitoring store failed: a corrupt segment, a failed migration, a bad query.

    Records already made durable are never lost by such an error.

    >>> isinstance(StoreError("segment 3 is corrupt"), DriftscopeError)
    True
    """


class StoreUnavailableError(StoreError):
    """The store cannot be reached right now (server down, disk full, permissions).

    Transient: a monitor keeps the records it buffers and retries.

    >>> isinstance(StoreUnavailableError("disk full"), StoreError)
    True
    """


def safe_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, control characters and lone surrogates
    escaped (:func:`printable`); never raises (a hostile ``__repr__`` included): for quoting
    a user's value in a message.

    >>> class Loud:
    ...     def __repr__(self):
    ...         return "\\x1b[31mred"
    >>> safe_repr(Loud())
    '\\\\x1b[31mred'
    >>> safe_repr("x" * 100, limit=8)
    "'xxxxxx…"
    """
    try:
        text = repr(value)
        if type(text) is not str:
            text = str.__str__(text)
    except Exception:
        text = f"<{printable(type(value).__name__)[:100]} object (repr failed)>"
    if len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return printable(text)
