"""Check windows: fixed UTC periods (hour, day, week, or any timedelta) on the shared grid of
:mod:`driftscope.data.windows`.

A window is *due* once it has ended. Windows are half-open, ``[start, end)``, so every
prediction belongs to exactly one window of a given size, whoever computes it.

>>> from datetime import datetime, UTC
>>> due = due_windows(window_size("day"), since=datetime(2026, 11, 1, 5, tzinfo=UTC),
...                   now=datetime(2026, 11, 3, 1, tzinfo=UTC))
>>> [(a.isoformat(), b.day) for a, b in due]
[('2026-11-01T00:00:00+00:00', 2), ('2026-11-02T00:00:00+00:00', 3)]
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from driftscope.data.windows import window_floor, window_length
from driftscope.errors import ConfigError


def window_size(window: str | timedelta) -> timedelta:
    """``"hour"``, ``"day"``, ``"week"`` or a positive timedelta of whole seconds."""
    size = window_length(window)
    if size % timedelta(seconds=1):
        raise ConfigError(f"window must be whole seconds, got {size}")
    return size


def window_start(moment: datetime, size: timedelta) -> datetime:
    """The start of the window holding ``moment`` (see :mod:`driftscope.data.windows`)."""
    if moment.tzinfo is None:
        raise ConfigError("window bounds must be timezone-aware datetimes")
    return window_floor(moment.astimezone(UTC), size)


def due_windows(
    size: timedelta, *, since: datetime, now: datetime | None = None
) -> list[tuple[datetime, datetime]]:
    """Every complete window from the one holding ``since`` to the last that ended by
    ``now`` (default: the current time)."""
    now = now or datetime.now(UTC)
    start = window_start(since, size)
    windows = []
    while start + size <= now:
        windows.append((start, start + size))
        start += size
    return windows
