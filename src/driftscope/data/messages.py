"""Small helpers that word the error messages of the data layer.

>>> preview("a" * 50)
"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…'"
>>> name_list(["a", "b", "c"], limit=2)
'a, b, … (3 in all)'
>>> data_error("is odd", column="x", row=3).row
3
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from driftscope.errors import DataError

PREVIEW_CHARS = 40
NAME_LIST_LIMIT = 20


def preview(value: Any, limit: int = PREVIEW_CHARS) -> str:
    """``repr`` of a value, cut to ``limit`` characters for use inside a message.

    >>> preview(1.5), preview(None)
    ('1.5', 'None')
    """
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        with contextlib.suppress(TypeError, ValueError):
            value = value.item()  # numpy scalars print as plain Python values
    text = repr(value)
    if len(text) <= limit:
        return text
    closer = text[-1] if text[-1] in "'\")]}" else ""
    return text[: limit - 1] + "…" + closer


def the_data(role: str) -> str:
    """How messages name a data set: "the reference data", or just "the data".

    >>> the_data("production"), the_data("data")
    ('the production data', 'the data')
    """
    return "the data" if role in ("", "data") else f"the {role} data"


def name_list(names: Sequence[str], limit: int = NAME_LIST_LIMIT) -> str:
    """Comma-separated names, cut after ``limit`` of them.

    >>> name_list(["age", "income"])
    'age, income'
    """
    if not names:
        return "(none)"
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f", … ({len(names):,} in all)"


def data_error(message: str, *, column: str | None = None, row: int | None = None) -> DataError:
    """A :class:`DataError` whose message is prefixed by the column only.

    The row, when known, is already worded inside ``message`` ("first: 'abc' at row 17")
    and is stored on the error as ``.row`` without repeating it in the prefix.

    >>> str(data_error("holds text (first: 'x' at row 2)", column="age", row=2))
    "column 'age': holds text (first: 'x' at row 2)"
    """
    error = DataError(message, column=column)
    error.row = row
    return error
