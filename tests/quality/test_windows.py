from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from driftscope.core.windows import split_frame, window_length
from driftscope.errors import ConfigError, DataError
from driftscope.quality import check_quality
from tests.quality.helpers import logged


def _ts(*texts):
    return pd.Series(pd.to_datetime(list(texts), utc=True))


def split_windows(ts, window, start=None, end=None):
    """``(start, end, row positions)`` of core.windows.split_frame's windows, empty ones
    too (as check_quality cuts them)."""
    frame = pd.DataFrame({"timestamp": ts})
    for lo, hi, rows in split_frame(frame, window, start=start, end=end, empty=True):
        yield lo, hi, rows.index.tolist()


def test_daily_windows_include_empty_days():
    ts = _ts("2026-01-01 23:59", "2026-01-03 00:00", "2026-01-03 05:00")
    wins = list(split_windows(ts, "day"))
    assert [(str(s.date()), list(p)) for s, _, p in wins] == [
        ("2026-01-01", [0]),
        ("2026-01-02", []),
        ("2026-01-03", [1, 2]),
    ]


def test_weeks_start_on_monday():
    wins = list(split_windows(_ts("2026-01-01 10:00", "2026-01-05 00:00"), "week"))
    assert [s.day_name() for s, _, _ in wins] == ["Monday", "Monday"]
    assert [list(p) for _, _, p in wins] == [[0], [1]]


def test_timedelta_windows_and_explicit_span():
    ts = _ts("2026-01-01 00:10", "2026-01-01 00:40", "2026-01-01 02:00")
    wins = list(split_windows(ts, timedelta(minutes=30), end=pd.Timestamp("2026-01-01 01:00+00")))
    assert [list(p) for _, _, p in wins] == [[0], [1]]
    assert wins[-1][1] == pd.Timestamp("2026-01-01 01:00", tz="UTC")


def test_naive_timestamps_are_utc():
    ts = pd.Series(pd.to_datetime(["2026-01-01 05:00"]))
    ((start, _end, pos),) = split_windows(ts, "hour")
    assert start == pd.Timestamp("2026-01-01 05:00", tz="UTC") and list(pos) == [0]


@pytest.mark.parametrize("bad", ["month", timedelta(0), 3])
def test_bad_window(bad):
    with pytest.raises(ConfigError):
        window_length(bad)


def test_results_per_window(reference):
    frame = logged(
        {"age": [30.0, 99.0, 30.0], "plan": ["a", "a", "a"], "vip": [True, True, True]},
        freq="D",
    )
    out = check_quality(frame, reference, window="day").to_frame()
    rng = out[out["check"] == "out_of_range"]
    assert rng["value"].tolist() == [0.0, 1.0, 0.0]
    assert rng["window_start"].dt.day.tolist() == [1, 2, 3]
    assert (rng["window_end"] - rng["window_start"]).eq(pd.Timedelta(days=1)).all()


def test_rows_outside_start_end_are_left_out():
    ts = _ts("2026-01-01 00:10", "2026-01-01 00:50", "2026-01-01 01:20")
    wins = list(
        split_windows(
            ts,
            "hour",
            start=pd.Timestamp("2026-01-01 00:30+00"),
            end=pd.Timestamp("2026-01-01 01:10+00"),
        )
    )
    assert [list(p) for _, _, p in wins] == [[1], []]


def test_bad_timestamps_name_the_column_and_row():
    frame = pd.DataFrame({"timestamp": ["2026-01-01 10:00", "not a time"], "x": [1, 2]})
    with pytest.raises(DataError, match="column 'timestamp', row 1"):
        list(split_frame(frame, "day"))
    with pytest.raises(DataError, match="column 'ts'"):
        list(split_frame(frame, "day", timestamp="ts"))


def test_split_frame_gives_only_windows_with_rows_unless_empty():
    frame = pd.DataFrame(
        {"timestamp": _ts("2026-01-01 10:00", "2026-01-03 10:00", "2026-01-01 11:00")}
    )
    wins = [(str(a.date()), rows.index.tolist()) for a, _, rows in split_frame(frame, "day")]
    assert wins == [("2026-01-01", [0, 2]), ("2026-01-03", [1])]
    one = list(split_frame(frame.iloc[[0, 2]], "day"))
    assert len(one) == 1 and one[0][2] is not None and len(one[0][2]) == 2
    # other time zones are the same instants in UTC
    paris = pd.DataFrame(
        {"timestamp": pd.to_datetime(["2026-01-02 00:30"]).tz_localize("Europe/Paris")}
    )
    ((start, _, _),) = split_frame(paris, "day")
    assert start == pd.Timestamp("2026-01-01", tz="UTC")
