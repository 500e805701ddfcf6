"""Timestamps of logged records: microseconds since the Unix epoch, UTC.

What a ``timestamp`` argument may be:

* ``None``: the time of the call;
* a timezone-aware ``datetime`` (or ``pandas.Timestamp``): that instant;
* a **naive** ``datetime``: *local* time, exactly as ``datetime.timestamp()`` reads it, so
  the common ``timestamp=datetime.now()`` means "now" in every time zone (treating it as
  UTC would shift records by the local offset and hide them from recent windows);
* a number: Unix epoch seconds; an ISO-8601 string (naive = local, as above);
  a ``numpy.datetime64``: UTC (numpy times carry no zone and count from the epoch).

Anything else cannot be placed in time: the record keeps the time of the call and says
``bad_timestamp``. Only ``None`` and datetimes are converted on the serving path; other
values travel as :class:`RawTimestamp` and are read in the background.

>>> from datetime import datetime, UTC
>>> to_micros(datetime(2026, 11, 1, 12, 0, 0, 250, tzinfo=UTC))
1793534400000250
>>> to_micros(1793534400.5)
1793534400500000
>>> to_micros("not a time") is None
True
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def now_us() -> int:
    """The current time in microseconds since the epoch."""
    return time.time_ns() // 1000


class RawTimestamp:
    """A ``timestamp`` argument to read later, with the time of the call as a fallback.

    >>> raw = RawTimestamp("2026-11-26T12:00:00Z", logged_at=now_us())
    >>> to_micros(raw.value)
    1795694400000000
    """

    __slots__ = ("logged_at", "value")

    def __init__(self, value: Any, logged_at: int):
        self.value = value
        self.logged_at = logged_at


#: Years 1 to 9999, the range of ``datetime``: anything outside is not a usable time.
_MIN_US, _MAX_US = -62_135_596_800_000_000, 253_402_300_799_999_999


def to_micros(value: Any) -> int | None:
    """``value`` (see the module docstring) in epoch microseconds; None when it is not a
    time or lies outside years 1 to 9999.

    >>> to_micros(1.5), to_micros(1e20), to_micros("2026-11-26T00:00:00+00:00")
    (1500000, None, 1795651200000000)
    """
    micros = _micros(value)
    return micros if micros is not None and _MIN_US <= micros <= _MAX_US else None


def _micros(value: Any) -> int | None:
    try:
        if isinstance(value, datetime):
            if isinstance(value, pd.Timestamp):
                if value is pd.NaT:
                    return None
                value = value.to_pydatetime(warn=False)
            if value.tzinfo is None or value.utcoffset() is None:
                value = value.astimezone(UTC)  # naive: local time
            return (value - EPOCH) // _US
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float | np.integer | np.floating):
            seconds = float(value)
            if not np.isfinite(seconds):
                return None
            return round(seconds * 1_000_000)
        if isinstance(value, np.datetime64):
            if np.isnat(value):
                return None
            return int(value.astype("datetime64[us]").astype(np.int64))
        if isinstance(value, str):
            return _micros(datetime.fromisoformat(value))
    except (ValueError, OverflowError, OSError, TypeError):
        return None
    return None


def to_datetime(value: datetime | None, name: str) -> datetime | None:
    """A window bound as an aware UTC datetime (naive = local time, as above)."""
    if value is None:
        return None
    micros = to_micros(value) if isinstance(value, datetime) else None
    if micros is None:
        from driftscope.errors import ConfigError

        raise ConfigError(f"{name} must be a datetime, got {type(value).__name__}")
    return EPOCH + timedelta(microseconds=micros)
