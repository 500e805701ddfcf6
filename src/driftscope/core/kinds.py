"""Column kinds: what a column holds, which decides how it is compared and checked.

>>> ColumnKind("numerical") in NUMERIC_KINDS, ColumnKind.TEXT in NUMERIC_KINDS
(True, False)
"""

from __future__ import annotations

import enum


class ColumnKind(enum.StrEnum):
    """What a column holds, which decides how drift is measured on it.

    >>> ColumnKind("numerical") is ColumnKind.NUMERICAL
    True
    """

    NUMERICAL = "numerical"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    TEXT = "text"


#: Kinds compared as numbers (datetimes as seconds since the epoch).
NUMERIC_KINDS: frozenset[ColumnKind] = frozenset({ColumnKind.NUMERICAL, ColumnKind.DATETIME})
