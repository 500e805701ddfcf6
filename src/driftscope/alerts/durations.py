"""Durations and times as alerting reads them: ``"30s"``, ``"5m"``, ``"4h"``, ``"1d"``
(or combined, ``"1h30m"``), a number of seconds or a :class:`~datetime.timedelta`; times are
timezone-aware UTC and stored as ISO 8601 text.

>>> as_duration("1h30m", "group_interval"), as_duration(45, "group_wait")
(datetime.timedelta(seconds=5400), datetime.timedelta(seconds=45))
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from driftscope.errors import ConfigError

#: What a clock is: a function returning the current time, timezone-aware.
Clock = Callable[[], datetime]

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")


def as_duration(value: timedelta | float | int | str, name: str) -> timedelta:
    """``value`` as a timedelta >= 0; a ConfigError naming ``name`` otherwise.

    >>> as_duration("0", "group_wait")
    datetime.timedelta(0)
    >>> as_duration("soon", "repeat_interval")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: repeat_interval must be a duration like '30s', '5m', '4h' \
or '1d' (or seconds, or a timedelta) >= 0, got 'soon'
    """
    seconds: float | None = None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        if text == "0":
            seconds = 0.0
        elif text and _PART.sub("", text) == "":
            seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(text))
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        raise ConfigError(
            f"{name} must be a duration like '30s', '5m', '4h' or '1d' (or seconds, or a "
            f"timedelta) >= 0, got {value!r}"
        )
    return timedelta(seconds=seconds)


def utc_now() -> datetime:
    """The current time, UTC (the default clock)."""
    return datetime.now(UTC)


def checked_now(clock: Clock, given: datetime | None = None) -> datetime:
    """``given`` or ``clock()``, which must be timezone-aware; returned in UTC."""
    now = clock() if given is None else given
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise ConfigError(f"the clock must give timezone-aware datetimes, got {now!r}")
    return now.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 text of a time (None passes)."""
    return None if moment is None else moment.isoformat()


def from_iso(text: str | None) -> datetime | None:
    """The time of :func:`iso` text (None passes)."""
    return None if text is None else datetime.fromisoformat(text)


def seconds(delta: timedelta | None) -> float | None:
    """A duration in seconds, for stored bodies (None passes)."""
    return None if delta is None else delta.total_seconds()


def from_seconds(value: float | None) -> timedelta | None:
    """The timedelta of :func:`seconds` (None passes)."""
    return None if value is None else timedelta(seconds=value)
