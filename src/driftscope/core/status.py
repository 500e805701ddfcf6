"""Check statuses and their order: the one status type of every check and stored point.

``ok`` < ``unknown`` < ``warning`` < ``critical``: a window that could not be judged
(no rows, no labels yet, a value that could not be computed) is ``unknown``, worse than
``ok`` because nobody knows, better than a measured problem.

>>> Status.worst(["ok", "warning", Status.UNKNOWN])
<Status.WARNING: 'warning'>
>>> Status("critical").rank > Status.UNKNOWN.rank
True
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Status(enum.StrEnum):
    """The outcome of one check on one window; compares and serialises as its name.

    >>> Status.OK == "ok", sorted([Status.CRITICAL, Status.OK], key=lambda s: s.rank)
    (True, [<Status.OK: 'ok'>, <Status.CRITICAL: 'critical'>])
    """

    OK = "ok"
    UNKNOWN = "unknown"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for ``ok`` up to 3 for ``critical``."""
        return _RANK[self]

    @classmethod
    def worst(cls, statuses: Iterable[str]) -> Status:
        """The most severe of ``statuses`` (``ok`` when there is none)."""
        return max((cls(s) for s in statuses), key=_RANK.__getitem__, default=cls.OK)


_RANK = {Status.OK: 0, Status.UNKNOWN: 1, Status.WARNING: 2, Status.CRITICAL: 3}
#: The status names, mildest first.
STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
