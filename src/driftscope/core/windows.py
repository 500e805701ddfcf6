"""The window grid shared by every check: named lengths, one alignment, and due windows.

``"hour"``, ``"day"`` and ``"week"`` or any positive timedelta; windows are half-open,
``[start, end)``, in UTC, on a grid anchored at Monday 1970-01-05 00:00 UTC, so weeks start on
Mondays and every check (drift, quality, performance, predictions) cuts the same windows.

>>> import pandas as pd
>>> ts = pd.Series(pd.to_datetime(["2026-01-07 13:30"], utc=True))
>>> str(window_floor(ts, window_length("week"))[0])
'2026-01-05 00:00:00+00:00'

A window is *due* once it has ended; every prediction belongs to exactly one window of a
given size, whoever computes it.

>>> due = due_windows(window_size("day"), since=datetime(2026, 11, 1, 5, tzinfo=UTC),
...                   now=datetime(2026, 11, 3, 1, tzinfo=UTC))
>>> [(a.isoformat(), b.day) for a, b in due]
[('2026-11-01T00:00:00+00:00', 2), ('2026-11-02T00:00:00+00:00', 3)]
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from driftscope.errors import ConfigError

NAMED_WINDOWS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
#: The grid's origin: a Monday, so weekly windows start on Mondays.
WINDOW_ORIGIN = datetime(1970, 1, 5, tzinfo=UTC)


def window_length(window: str | timedelta) -> timedelta:
    """The length of ``"hour"``, ``"day"``, ``"week"`` or a positive timedelta.

    >>> window_length("day")
    datetime.timedelta(days=1)
    >>> window_length("month")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: window must be 'hour', 'day', 'week' or a positive ...
    """
    if isinstance(window, str) and window in NAMED_WINDOWS:
        return NAMED_WINDOWS[window]
    if isinstance(window, timedelta) and window > timedelta(0):
        return window
    raise ConfigError(
        f"window must be 'hour', 'day', 'week' or a positive timedelta, got {window!r}"
    )


def window_floor(times: Any, length: timedelta) -> Any:
    """The start of the window holding each time (a tz-aware datetime, Timestamp or Series)."""
    origin = pd.Timestamp(WINDOW_ORIGIN) if isinstance(times, pd.Series) else WINDOW_ORIGIN
    step = pd.Timedelta(length) if isinstance(times, pd.Series) else length
    return origin + ((times - origin) // step) * step


def window_size(window: str | timedelta) -> timedelta:
    """``"hour"``, ``"day"``, ``"week"`` or a positive timedelta of whole seconds."""
    size = window_length(window)
    if size % timedelta(seconds=1):
        raise ConfigError(f"window must be whole seconds, got {size}")
    return size


def window_start(moment: datetime, size: timedelta) -> datetime:
    """The start of the window holding ``moment`` on the grid."""
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
