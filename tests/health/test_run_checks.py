"""monitor.run_checks: drift per due window, stored with the baseline version, idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from driftscope.errors import ConfigError
from driftscope.health import due_windows, window_size
from driftscope.monitor import ModelMonitor
from tests.monitor.conftest import real_store


def _customers(rng, n, shift=0.0):
    return pd.DataFrame(
        {
            "income": rng.normal(50 + 15 * shift, 15, n),
            "plan": rng.choice(["basic", "pro"], n, p=[0.6, 0.4]),
        }
    )


def test_drift_is_checked_per_day_stored_and_idempotent(tmp_path, rng):
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=3)
    with ModelMonitor(
        "churn", store=real_store(tmp_path), alert_thresholds={"data_drift_score": 0.2}
    ) as monitor:
        with pytest.raises(ConfigError, match=r"nothing stored.*save_reference"):
            monitor.run_checks(since=first)  # neither records nor a baseline: a wrong name?
        baseline = monitor.save_reference(_customers(rng, 20_000))
        for day, shift in enumerate([0.0, 0.0, 1.0]):
            frame = _customers(rng, 3000, shift)
            stamps = pd.Timestamp(first + timedelta(days=day)) + pd.to_timedelta(
                np.sort(rng.uniform(0, 86_000, 3000)), unit="s"
            )
            monitor.log_predictions(frame, rng.random(3000), timestamps=stamps)
        summary = monitor.run_checks("day", since=first)
        assert len(summary.windows) == 3 and summary.baseline_version == baseline.version
        by_day = {r.window_start: r for r in summary.records if r.metric == "data_drift_score"}
        statuses = [by_day[first + timedelta(days=d)].status for d in range(3)]
        assert statuses[:2] == ["ok", "ok"] and statuses[2] in ("warning", "critical")
        assert summary.status in ("warning", "critical")  # other checks may see it too
        assert summary.worst_first()[0].status == summary.status
        stored = monitor.store.read_check_results("churn")
        assert len(stored) == len(summary.records)
        assert {"drift", "quality", "performance"} <= set(stored["check"])
        assert set(stored["baseline_version"]) == {baseline.version}
        again = monitor.run_checks("day", since=first)  # the same windows, recomputed
        assert len(monitor.store.read_check_results("churn")) == len(stored)
        assert [r.value for r in again.records] == [r.value for r in summary.records]
        assert monitor.run_checks("day").records == ()  # nothing due after the last window


def test_an_empty_window_inside_the_records_is_one_throughput_of_zero_not_a_crash(tmp_path, rng):
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with ModelMonitor("quiet", store=real_store(tmp_path)) as monitor:
        monitor.save_reference(_customers(rng, 2000))
        for days_ago in (3, 1):  # nothing logged two days ago
            stamps = [today - timedelta(days=days_ago, hours=-2)] * 50
            monitor.log_predictions(_customers(rng, 50), rng.random(50), timestamps=stamps)
        summary = monitor.run_checks("day", since=today - timedelta(days=3))
    gap = [r for r in summary.records if r.window_start == today - timedelta(days=2)]
    assert len(summary.windows) == 3
    assert [(r.check, r.metric, r.value) for r in gap] == [("operational", "throughput_per_s", 0)]


def test_windows_are_aligned_and_validated():
    size = window_size("week")
    ((start, end),) = due_windows(
        size, since=datetime(2026, 11, 18, 12, tzinfo=UTC), now=datetime(2026, 11, 24, tzinfo=UTC)
    )
    assert start.weekday() == 0 and end - start == size
    assert window_size(timedelta(minutes=15)) == timedelta(minutes=15)
    for bad in ("month", timedelta(0), timedelta(microseconds=5)):
        with pytest.raises(ConfigError, match="window"):
            window_size(bad)


def test_a_failing_check_is_one_unknown_point_and_the_rest_goes_on(tmp_path, rng, monkeypatch):
    from driftscope.health import runner

    def broken(run):
        def check(frame, window):
            if window.start.day % 2:
                raise ZeroDivisionError("boom")
            return [window.record("broken", "value", 1.0, None, "ok")]

        return check

    monkeypatch.setitem(runner.CHECKS, "broken", broken)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=4)
    with ModelMonitor("fragile", store=real_store(tmp_path)) as monitor:
        monitor.save_reference(_customers(rng, 2000))
        stamps = pd.Timestamp(first) + pd.to_timedelta(rng.uniform(0, 4 * 86_400, 800), unit="s")
        monitor.log_predictions(_customers(rng, 800), rng.random(800), timestamps=stamps)
        summary = monitor.run_checks("day", since=first, checks=["drift", "broken"])
        stored = monitor.store.read_check_results("fragile")
    errors = [r for r in summary.records if r.metric == "check_error"]
    assert len(errors) == 2 and all("ZeroDivisionError: boom" in r.details["error"] for r in errors)
    assert all(r.value is None for r in errors)  # could not be computed: missing, never 0
    stored_errors = stored[stored["metric"] == "check_error"]
    assert len(stored_errors) == 2 and stored_errors["value"].isna().all()
    assert len(summary.windows) == 4
    assert {r.check for r in summary.records} == {"drift", "broken"}
    assert len(stored) == len(summary.records)  # every window's points were written
