"""What a :class:`~driftscope.monitor.buffer.Buffer` tells a flusher about records that
are not in the store: those dropped since the last flush, by cause (:class:`Drops`), and
those still pending when a flush gives up (:func:`not_written`)."""

from __future__ import annotations

from collections import Counter

from driftscope.errors import StoreError, StoreUnavailableError
from driftscope.monitor.values import error_text

#: Why a record was dropped: no conversion could keep it, the store refused it for good,
#: or it met a full buffer or an outage longer than ``max_retry_seconds``.
CAUSES = ("unconvertible", "refused", "lost")


class Drops:
    """Dropped records: the total, and those since the last flush by cause, with the
    store's last refusal. Not thread-safe: its buffer counts under its lock.

    >>> drops = Drops()
    >>> drops.count(2, "lost"); drops.count(1, "refused", StoreError("negative values"))
    >>> print(drops.report("m", 60.0))
    monitor 'm': 3 records were dropped since the last flush (1 were refused by the store
    (StoreError: negative values); 2 met a full buffer or a store unavailable for more
    than 60 s); 3 dropped in all
    >>> drops.report("m", 60.0) is None  # reported once
    True
    """

    def __init__(self) -> None:
        self.total = 0
        self._unreported: Counter[str] = Counter()
        self._last_refusal: BaseException | None = None

    def count(self, count: int, cause: str, reason: BaseException | None = None) -> None:
        """Count ``count`` dropped records for ``cost_report`` and the next flush, which
        says why by ``cause`` (one of :data:`CAUSES`; ``reason``: the store's refusal)."""
        self.total += count
        self._unreported[cause] += count
        if reason is not None:
            self._last_refusal = reason

    def report(self, name: str, max_retry_seconds: float) -> StoreError | None:
        """The error a flush raises for the records dropped since the last one, if any;
        they count as reported from now on."""
        unreported, self._unreported = self._unreported, Counter()
        dropped = sum(unreported.values())
        if not dropped:
            return None
        why = []
        if unreported["unconvertible"]:
            why.append(f"{unreported['unconvertible']:,} could not be converted: see the log")
        if unreported["refused"]:
            refusal = self._last_refusal
            assert refusal is not None  # kept with every refused record
            why.append(
                f"{unreported['refused']:,} were refused by the store "
                f"({type(refusal).__name__}: {error_text(refusal)})"
            )
        if unreported["lost"]:
            why.append(
                f"{unreported['lost']:,} met a full buffer or a store unavailable for "
                f"more than {max_retry_seconds:g} s"
            )
        return StoreError(
            f"monitor {name!r}: {dropped:,} records were dropped since the last flush "
            f"({'; '.join(why)}); {self.total:,} dropped in all"
        )


def not_written(
    name: str, pending: int, why: str, error: BaseException | None, max_retry_seconds: float
) -> StoreError:
    """The error of a flush that gives up on ``pending`` records (``why``), caused by the
    last failed write's ``error``: :class:`StoreUnavailableError` for an outage (or none).

    >>> error = not_written("m", 5, "the write failed", StoreUnavailableError("down"), 60.0)
    >>> print(type(error).__name__, error)
    StoreUnavailableError monitor 'm': 5 records are not in the store yet (the write failed:
    StoreUnavailableError: down); they stay buffered and are retried for up to 60 s
    """
    kind = (
        StoreUnavailableError
        if error is None or isinstance(error, StoreUnavailableError)
        else StoreError
    )
    cause = f": {type(error).__name__}: {error_text(error)}" if error is not None else ""
    exc = kind(
        f"monitor {name!r}: {pending:,} records are not in the store yet ({why}"
        f"{cause}); they stay buffered and are retried for up to {max_retry_seconds:g} s"
    )
    exc.__cause__ = error
    return exc
