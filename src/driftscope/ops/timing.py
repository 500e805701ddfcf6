"""Durations, windows and schedules as the configuration file writes them.

* A duration is a number and a unit, or several: ``"30s"``, ``"5m"``, ``"4h"``, ``"1d"``,
  ``"2w"``, ``"1h30m"``, ``"250ms"``. A bare number is refused: ``30`` could be seconds or
  minutes.
* A window is ``"hour"``, ``"day"``, ``"week"`` or a duration of whole seconds.
* A schedule is a cron expression in a time zone: the standard five fields (minute, hour,
  day of month, month, day of week: ``"0 2 * * *"`` is 02:00 every day, Sunday is 0 or
  7), or six with seconds first (``"*/2 * * * * *"``: every two seconds), or an interval
  (``every: 30s``). Cron runs on APScheduler's ``CronTrigger``; the day of week is read
  the way crontab reads it (APScheduler 3 counts Monday as 0, which this module undoes).

>>> parse_duration("1h30m"), parse_duration("250ms")
(datetime.timedelta(seconds=5400), datetime.timedelta(microseconds=250000))
>>> str(cron_trigger("0 2 * * 1-5", "Europe/Paris").fields[4])  # weekdays, as crontab means
'mon,tue,wed,thu,fri'
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from driftscope.errors import ConfigError

_UNITS = {
    "ms": timedelta(milliseconds=1),
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+\Z")
WINDOW_NAMES = ("hour", "day", "week")
DURATION_HINT = "a duration such as 30s, 5m, 4h or 1d"


def parse_duration(value: Any, *, zero: bool = False) -> timedelta:
    """``value`` (text such as ``"5m"``, or a timedelta) as a positive timedelta (or 0
    with ``zero``).

    >>> parse_duration("5m")
    datetime.timedelta(seconds=300)
    >>> parse_duration(30)
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: must be a duration such as 30s, 5m, 4h or 1d, got 30
    """
    least = "a duration >= 0" if zero else "a positive duration"
    if isinstance(value, timedelta):
        if value < timedelta(0) or (value == timedelta(0) and not zero):
            raise ConfigError(f"must be {least}, got {value}")
        return value
    text = value.strip().replace(" ", "") if isinstance(value, str) else None
    if not text or not _DURATION.match(text):
        raise ConfigError(f"must be {DURATION_HINT}, got {value!r}")
    total = sum((float(n) * _UNITS[unit] for n, unit in _PART.findall(text)), timedelta(0))
    if total == timedelta(0) and not zero:
        raise ConfigError(f"must be {least}, got {value!r}")
    return total


def parse_window(value: Any) -> str | timedelta:
    """``"hour"``, ``"day"``, ``"week"`` (kept as names) or a duration of whole seconds.

    >>> parse_window("day"), parse_window("15m")
    ('day', datetime.timedelta(seconds=900))
    """
    if isinstance(value, str) and value.strip() in WINDOW_NAMES:
        return value.strip()
    try:
        size = parse_duration(value)
    except ConfigError:
        raise ConfigError(f"must be hour, day, week or {DURATION_HINT}, got {value!r}") from None
    if size % timedelta(seconds=1):
        raise ConfigError(f"must be whole seconds, got {value!r}")
    return size


def parse_timezone(value: Any) -> ZoneInfo:
    """An IANA time zone name (``"UTC"``, ``"Europe/Paris"``)."""
    try:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(value)
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"must be a time zone name such as UTC or Europe/Paris, got {value!r}"
        ) from None


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_DOW_ITEM = re.compile(r"(\*|[0-7a-z]{1,3})(?:-([0-7a-z]{1,3}))?(?:/(\d+))?\Z")


def _day_number(token: str) -> int:
    if token.isdigit():
        number = int(token)
        if number > 7:
            raise ValueError(token)
        return number % 7
    return _DAY_NAMES.index(token)  # ValueError when unknown


def crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday, ranges, steps, names) as the
    day names APScheduler 3 reads the same way.

    >>> crontab_weekdays("0"), crontab_weekdays("1-5"), crontab_weekdays("*/2")
    ('sun', 'mon,tue,wed,thu,fri', 'sun,tue,thu,sat')
    >>> crontab_weekdays("*"), crontab_weekdays("sat,sun")
    ('*', 'sun,sat')
    """
    text = field.strip().lower()
    if text in ("*", "?"):
        return "*"
    days: set[int] = set()
    for item in text.split(","):
        found = _DOW_ITEM.match(item)
        if found is None:
            raise ValueError(f"bad day of week {item!r}")
        first, last, step = found.groups()
        if first == "*":
            low, high = 0, 6
        else:
            low = _day_number(first)
            high = low if last is None else _day_number(last)
            if last is not None and last.isdigit() and int(last) == 7:
                high = 7  # "5-7": Friday to Sunday
            if step is not None and last is None:
                high = 6  # "1/2": from Monday, every other day
        if high < low:
            raise ValueError(f"bad day range {item!r}")
        stride = int(step) if step else 1
        if stride < 1:
            raise ValueError(f"bad step {item!r}")
        days.update(d % 7 for d in range(low, high + 1, stride))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def cron_trigger(expression: str, timezone: str | ZoneInfo = "UTC") -> Any:
    """An APScheduler ``CronTrigger`` for a five-field crontab expression, or six fields
    with seconds first; a ConfigError saying what is wrong otherwise.

    >>> str(cron_trigger("*/2 * * * * *").fields[7])
    '*/2'
    >>> cron_trigger("61 * * * *")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: not a valid cron expression '61 * * * *': ...
    """
    from apscheduler.triggers.cron import CronTrigger

    zone = timezone if isinstance(timezone, ZoneInfo) else parse_timezone(timezone)
    fields = expression.split() if isinstance(expression, str) else []
    if len(fields) not in (5, 6):
        raise ConfigError(
            f"a cron expression has 5 fields (minute hour day month weekday, e.g. '0 2 * * *') "
            f"or 6 with seconds first, got {expression!r}"
        )
    second = fields[0] if len(fields) == 6 else "0"
    minute, hour, day, month, weekday = fields[-5:]
    try:
        return CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=crontab_weekdays(weekday),
            timezone=zone,
        )
    except ValueError as exc:
        raise ConfigError(f"not a valid cron expression {expression!r}: {exc}") from None
