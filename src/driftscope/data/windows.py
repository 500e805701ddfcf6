"""Time windows shared by every check: named lengths and one alignment.

``"hour"``, ``"day"`` and ``"week"`` or any positive timedelta; windows are half-open,
``[start, end)``, in UTC, on a grid anchored at Monday 1970-01-05 00:00 UTC, so weeks start on
Mondays and every check (drift, quality, performance, predictions) cuts the same windows.

>>> import pandas as pd
>>> ts = pd.Series(pd.to_datetime(["2026-01-07 13:30"], utc=True))
>>> str(window_floor(ts, window_length("week"))[0])
'2026-01-05 00:00:00+00:00'
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
