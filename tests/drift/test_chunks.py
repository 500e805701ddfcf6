"""Drift per chunk: calendar windows and runs of rows, checked against pandas and SciPy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import driftscope as ds
from driftscope.errors import ConfigError, DataError


@pytest.fixture
def train(rng):
    return pd.DataFrame({"x": rng.normal(size=4000), "c": rng.choice(["a", "b", "c"], 4000)})


@pytest.fixture
def stream(rng):
    """Ten weeks of events at random times, x moving up by one sigma after five weeks."""
    n = 6000
    seconds = np.sort(rng.uniform(0, 70 * 86400, n))
    ts = pd.Timestamp("2026-01-01 07:00", tz="UTC") + pd.to_timedelta(seconds, unit="s")
    later = ts >= pd.Timestamp("2026-02-05", tz="UTC")
    return pd.DataFrame(
        {"ts": ts, "x": rng.normal(size=n) + later, "c": rng.choice(["a", "b", "c"], n)}
    )


@pytest.mark.parametrize(
    ("window", "key"),
    [
        ("hour", lambda t: t.dt.floor("h")),
        ("day", lambda t: t.dt.floor("D")),
        ("week", lambda t: (t - pd.to_timedelta(t.dt.day_of_week, unit="D")).dt.floor("D")),
        ("month", lambda t: t.dt.tz_localize(None).dt.to_period("M").dt.start_time),  # naive
    ],
)
def test_windows_match_pandas(train, stream, window, key):
    detector = ds.DriftDetector(train, timestamp_column="ts")
    sample = stream.iloc[:300] if window == "hour" else stream  # fewer chunks: faster
    chunked = detector.detect_chunks(sample, window)
    counts = sample.groupby(key(sample["ts"])).size()
    assert [c.rows for c in chunked.chunks] == counts.tolist()
    starts = [pd.Timestamp(c.start).tz_localize(None) for c in chunked.chunks]
    assert starts == [pd.Timestamp(s).tz_localize(None) for s in counts.index]
    if window == "week":
        assert all(pd.Timestamp(c.start).day_of_week == 0 for c in chunked.chunks)  # Mondays


def test_each_chunk_is_a_plain_check_of_its_rows(train, stream):
    detector = ds.DriftDetector(train, timestamp_column="ts")
    chunked = detector.detect_chunks(stream, "week")
    for chunk in chunked.chunks:
        rows = stream[(stream["ts"] >= chunk.start) & (stream["ts"] < chunk.end)]
        alone = detector.detect_feature_drift(rows)
        assert chunk.result.features["x"].p_value == alone.features["x"].p_value
        ks = stats.ks_2samp(train["x"], rows["x"], method="exact" if len(rows) < 500 else "auto")
        assert chunk.result.features["x"].score == pytest.approx(ks.statistic, abs=1e-12)
    late = [c.label for c in chunked.chunks if "x" in c.result.drifted_features]
    assert late == [
        c.label for c in chunked.chunks if c.start >= pd.Timestamp("2026-02-02", tz="UTC")
    ]


def test_chunk_size_runs_and_times(train, stream):
    chunked = ds.DriftDetector(train, timestamp_column="ts").detect_chunks(stream, chunk_size=2500)
    assert [(c.label, c.rows) for c in chunked.chunks] == [
        ("rows 0-2499", 2500),
        ("rows 2500-4999", 2500),
        ("rows 5000-5999", 1000),
    ]
    first = chunked.chunks[0]
    times = stream["ts"].dt.floor("us")  # datetimes hold microseconds
    assert first.start == times.iloc[0] and first.end == times.iloc[2499]
    frame = chunked.to_frame()
    assert len(frame) == 6 and list(frame["column"][:2]) == ["x", "c"]


def test_chunks_without_a_timestamp(train, stream):
    chunked = ds.DriftDetector(train).detect_chunks(stream.drop(columns="ts"), chunk_size=3000)
    assert [c.start for c in chunked.chunks] == [None, None]
    assert chunked.to_dict()["chunks"][0]["start"] is None


def test_the_false_alarm_rate_per_chunk_stays_near_the_level(rng):
    # no drift anywhere: over 40 data sets of 8 chunks, about 5 % of chunks may drift at most
    alarms = 0
    for _ in range(40):
        train = pd.DataFrame({"x": rng.normal(size=1000)})
        today = pd.DataFrame({"x": rng.normal(size=1600)})
        alarms += len(ds.DriftDetector(train).detect_chunks(today, chunk_size=200).drifted_chunks)
    assert alarms / 320 <= 0.08


def test_errors(train, stream):
    detector = ds.DriftDetector(train, timestamp_column="ts")
    with pytest.raises(ConfigError, match="either window"):
        detector.detect_chunks(stream)
    with pytest.raises(ConfigError, match="window must be one of hour, day, week, month"):
        detector.detect_chunks(stream, "fortnight")
    with pytest.raises(ConfigError, match="needs the timestamp column"):
        ds.DriftDetector(train).detect_chunks(stream, "day")
    with pytest.raises(ConfigError, match="chunk_size must be a positive integer"):
        detector.detect_chunks(stream, chunk_size=0)
    gap = stream.astype({"ts": object})
    gap.loc[17, "ts"] = None
    with pytest.raises(DataError, match=r"column 'ts', row 17: missing or unreadable timestamp"):
        detector.detect_chunks(gap, "day")


def test_prediction_and_target_drift_per_chunk(rng, train):
    baseline = train.assign(p=rng.random(4000), y=rng.integers(0, 2, 4000))
    today = pd.DataFrame(
        {
            "x": rng.normal(size=3000),
            "c": rng.choice(["a", "b", "c"], 3000),
            "p": np.r_[rng.random(1500), rng.random(1500) ** 3],  # scores fall halfway
            "y": rng.integers(0, 2, 3000),
        }
    )
    detector = ds.DriftDetector(baseline, prediction_column="p", target_column="y")
    chunked = detector.detect_chunks(today, chunk_size=1500)
    first, second = chunked.chunks
    assert list(first.result.features) == ["x", "c"]
    assert not first.prediction_drift.has_drift and second.prediction_drift.has_drift
    assert list(second.target_drift.features) == ["y"]
    assert chunked.drifted_chunks == ["rows 1500-2999"] and chunked.columns == ["x", "c", "p", "y"]
    doc = chunked.to_dict()["chunks"][1]
    assert doc["prediction_drift"]["has_drift"] and doc["target_drift"]["kind"] == "target"
    frame = chunked.to_frame()
    assert set(frame["kind"]) == {"feature", "prediction", "target"}
    without_labels = detector.detect_chunks(today.drop(columns="y"), chunk_size=1500)
    assert without_labels.chunks[0].target_drift is None
