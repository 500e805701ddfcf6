"""Durations, windows and cron schedules as the configuration file writes them; cron read
the way crontab reads it (Sunday is 0 or 7), checked against dates of a known calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from driftscope.errors import ConfigError
from driftscope.ops.timing import (
    cron_trigger,
    crontab_weekdays,
    parse_duration,
    parse_window,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("5m", timedelta(minutes=5)),
        ("4h", timedelta(hours=4)),
        ("1d", timedelta(days=1)),
        ("2w", timedelta(weeks=2)),
        ("1h30m", timedelta(minutes=90)),
        ("1.5h", timedelta(minutes=90)),
        ("250ms", timedelta(milliseconds=250)),
        (" 10 m ", timedelta(minutes=10)),
    ],
)
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["30", 30, "", "5 minutes", "-4h", "0s", "h", "5x", None, "1d-"])
def test_bad_durations(text):
    with pytest.raises(ConfigError, match="duration"):
        parse_duration(text)


def test_windows():
    assert parse_window("hour") == "hour"
    assert parse_window("15m") == timedelta(minutes=15)
    with pytest.raises(ConfigError, match="whole seconds"):
        parse_window("1500ms")
    with pytest.raises(ConfigError, match="hour, day, week"):
        parse_window("month")


@pytest.mark.parametrize(
    ("field", "days"),
    [
        ("*", "*"),
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("5-7", "sun,fri,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("1/2", "mon,wed,fri"),
        ("0,6", "sun,sat"),
        ("mon-wed", "mon,tue,wed"),
        ("SAT,sun", "sun,sat"),
    ],
)
def test_crontab_weekdays(field, days):
    assert crontab_weekdays(field) == days


@pytest.mark.parametrize("field", ["8", "mon-", "5-1", "*/0", "funday"])
def test_bad_weekdays(field):
    with pytest.raises(ValueError):  # each is a different message
        crontab_weekdays(field)


def fires(expression: str, zone: str, start: datetime, n: int) -> list[datetime]:
    trigger = cron_trigger(expression, zone)
    out, previous, now = [], None, start
    for _ in range(n):
        nxt = trigger.get_next_fire_time(previous, now)
        out.append(nxt)
        previous, now = nxt, nxt + timedelta(microseconds=1)
    return out


def test_weekdays_at_two_in_paris():
    # Saturday 7 November 2026: the next weekday runs are Monday 9 and Tuesday 10
    start = datetime(2026, 11, 7, 12, 0, tzinfo=UTC)
    got = fires("0 2 * * 1-5", "Europe/Paris", start, 2)
    assert [t.astimezone(PARIS).strftime("%a %d %H:%M") for t in got] == [
        "Mon 09 02:00",
        "Tue 10 02:00",
    ]
    assert got[0].astimezone(UTC).hour == 1  # UTC+1 in November


def test_sunday_is_zero_and_seven():
    start = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
    for field in ("0", "7", "sun"):
        (got,) = fires(f"0 3 * * {field}", "UTC", start, 1)
        assert got == datetime(2026, 11, 8, 3, 0, tzinfo=UTC)


def test_six_fields_have_seconds_first():
    start = datetime(2026, 11, 2, 10, 0, 0, 500000, tzinfo=UTC)
    got = fires("*/2 * * * * *", "UTC", start, 3)
    assert [t.second for t in got] == [2, 4, 6]


def test_daylight_saving_time_in_the_zone():
    # Paris moves to summer time on 28 March 2027: 02:00 local is 01:00 UTC before, 00:00 after
    start = datetime(2027, 3, 27, tzinfo=UTC)
    got = fires("0 2 * * *", "Europe/Paris", start, 3)
    assert got[0].astimezone(PARIS).strftime("%d %H:%M") == "27 02:00"
    assert got[0].astimezone(UTC).hour == 1 and got[-1].astimezone(UTC).hour == 0


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("0 2 * *", "5 fields"),
        ("* * * * * * *", "5 fields"),
        ("61 * * * *", "not a valid cron"),
        ("0 2 * * 9", "not a valid cron"),
        ("0 2 31 13 *", "not a valid cron"),
    ],
)
def test_bad_cron(expression, why):
    with pytest.raises(ConfigError, match=why):
        cron_trigger(expression)
