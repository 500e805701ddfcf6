"""The operational check: weighted latency quantiles, throughput and a one-sided error-rate
test, with failed calls logged by @track_predictions through a real monitor and store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from driftscope import stats
from driftscope.drift.reference import Reference
from driftscope.errors import ConfigError
from driftscope.health import operational_check as op
from driftscope.health.context import CheckRun, CheckWindow
from driftscope.monitor import ModelMonitor
from tests.monitor.conftest import real_store

START = datetime(2026, 11, 2, tzinfo=UTC)
REF = Reference.fit({"x": np.arange(50.0)})


def _run(thresholds=None, **options):
    run = CheckRun("m", REF, timedelta(hours=1), thresholds=thresholds or {}, options=options)
    window = CheckWindow("m", REF, START, START + timedelta(hours=1))
    check = op.prepare(run)
    return lambda frame: {r.metric: r for r in check(frame, window)}


def _calls(rng, n, *, weights=None, failed=0, latency=True):
    errors = np.array([None] * n, dtype=object)
    errors[rng.choice(n, failed, replace=False)] = "TimeoutError"
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "prediction": rng.random(n),
            "sampling_weight": np.ones(n) if weights is None else weights,
            "metadata.error": errors,
        }
    )
    if latency:
        frame["metadata.latency_ms"] = rng.lognormal(2, 0.7, n)
    return frame


@pytest.mark.parametrize("n", [1, 2, 7, 500])
def test_latency_quantiles_are_numpys_weighted_quantiles(rng, n):
    frame = _calls(rng, n, weights=rng.choice([1.0, 4.0, 10.0], n))
    frame["metadata.latency_ms"] = np.round(frame["metadata.latency_ms"], 0)  # ties
    if n > 2:
        frame.loc[frame.index[:2], "metadata.latency_ms"] = np.nan  # untimed records
    timed = frame["metadata.latency_ms"].notna()
    points = _run()(frame)
    for metric, q in [("latency_p50_ms", 0.5), ("latency_p95_ms", 0.95), ("latency_p99_ms", 0.99)]:
        expected = np.quantile(
            frame.loc[timed, "metadata.latency_ms"],
            q,
            weights=frame.loc[timed, "sampling_weight"],
            method="inverted_cdf",
        )
        assert points[metric].value == expected and points[metric].status == "ok"
        assert points[metric].details["timed_records"] == timed.sum()


def test_sampling_weights_count_each_kept_call_for_the_calls_it_stands_for(rng):
    # 100 fast calls kept at weight 1, 100 slow ones sampled at 10 % (weight 10): the median
    # call of the 1,100 served is a slow one, though most stored records are fast
    frame = pd.DataFrame(
        {
            "metadata.latency_ms": np.r_[np.full(100, 5.0), np.full(100, 80.0)],
            "sampling_weight": np.r_[np.ones(100), np.full(100, 10.0)],
        }
    )
    points = _run()(frame)
    assert points["latency_p50_ms"].value == 80.0
    assert points["throughput_per_s"].value == pytest.approx(1100 / 3600)


def test_latency_thresholds_from_alert_thresholds(rng):
    frame = _calls(rng, 1000)
    p50, p99 = np.quantile(frame["metadata.latency_ms"], [0.5, 0.99], method="inverted_cdf")
    points = _run({"latency_p50_ms": p50 + 1, "latency_p99_ms": p99 - 1})(frame)
    assert points["latency_p50_ms"].status == "ok"
    assert points["latency_p50_ms"].threshold == p50 + 1
    assert points["latency_p99_ms"].status == "critical"
    assert points["latency_p95_ms"].threshold is None


def test_a_few_failed_calls_do_not_alarm_but_a_real_rise_does(rng):
    check = _run({"error_rate": 0.05})
    few = check(_calls(rng, 3, failed=1))["error_rate"]  # 33 % of three calls
    assert few.value == pytest.approx(1 / 3) and few.status == "ok"
    assert few.details["p_value"] == pytest.approx(1 - 0.95**3)
    assert few.details["errors"] == {"TimeoutError": 1.0}
    many = check(_calls(rng, 2000, failed=200))["error_rate"]  # 10 % of 2,000
    assert many.status == "critical" and many.details["p_value"] < 1e-10
    # equal weights (uniform 10 % sampling) give the same test as the unweighted records
    sampled = check(_calls(rng, 3, weights=np.full(3, 10.0), failed=1))["error_rate"]
    assert sampled.details["p_value"] == pytest.approx(few.details["p_value"])
    assert sampled.details["calls"] == 30.0 and sampled.details["failed_calls"] == 10.0


def test_false_alarm_rate_at_the_threshold_stays_below_the_significance_level():
    rng = np.random.default_rng(4)
    n, rate, alpha = 400, 0.02, 0.05
    alarms = [
        stats.binomial_upper_p_value(rng.binomial(n, rate), n, rate) < alpha for _ in range(4000)
    ]
    assert np.mean(alarms) <= alpha  # exact test: conservative for a discrete count


def test_weighted_error_rate_is_horvitz_thompson(rng):
    # failures always logged (weight 1), successes sampled at 10 %: 10 failed of 10 + 900
    frame = pd.DataFrame(
        {
            "metadata.latency_ms": 1.0,
            "metadata.error": ["ValueError"] * 10 + [None] * 90,
            "sampling_weight": [1.0] * 10 + [10.0] * 90,
        }
    )
    point = _run({"error_rate": 0.5})(frame)["error_rate"]
    assert point.value == pytest.approx(10 / 910) and point.status == "ok"
    assert point.details["effective_calls"] == pytest.approx(910**2 / (10 + 90 * 100))


def test_empty_and_untracked_windows(rng):
    check = _run({"error_rate": 0.01, "latency_p99_ms": 100.0})
    empty = check(_calls(rng, 0))
    assert {p.status for p in empty.values()} == {"unknown"}
    assert set(empty) == {"throughput_per_s", "error_rate", "latency_p99_ms"}
    untracked = check(_calls(rng, 50, latency=False).drop(columns="metadata.error"))
    assert untracked["throughput_per_s"].status == "ok"
    assert untracked["throughput_per_s"].value == pytest.approx(50 / 3600)
    for metric in ("latency_p99_ms", "error_rate"):  # asked for by a threshold: unknown
        assert untracked[metric].status == "unknown", metric
        assert "track_predictions" in untracked[metric].details["reason"]
    assert "latency_p50_ms" not in untracked  # no threshold, nothing tracked: no point
    quiet = _run({})(_calls(rng, 50, latency=False).drop(columns="metadata.error"))
    assert set(quiet) == {"throughput_per_s"}


def test_bad_significance_is_a_config_error():
    with pytest.raises(ConfigError, match="error_rate_significance"):
        _run(error_rate_significance=1.5)


def test_failed_calls_are_logged_and_counted_through_a_real_monitor(tmp_path, rng):
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with ModelMonitor(
        "scorer",
        store=real_store(tmp_path),
        alert_thresholds={"error_rate": 0.05, "latency_p99_ms": 10_000},
        flush_interval=0.05,
    ) as monitor:
        monitor.save_reference(
            pd.DataFrame({"x": rng.normal(size=2000), "prediction": rng.random(2000)})
        )

        @monitor.track_predictions
        def predict(features):
            if features["x"] > 1.0:
                raise ValueError("x out of range")
            return float(features["x"] > 0)

        raised = 0
        for x in rng.normal(size=300):
            try:
                predict({"x": float(x)})
            except ValueError as exc:
                assert str(exc) == "x out of range"  # the user's exception, untouched
                raised += 1
        summary = monitor.run_checks(
            "day", since=today, until=today + timedelta(days=1), checks=["operational", "drift"]
        )
        logged = monitor.get_recent_predictions()
        assert monitor.quality_counts() == {}  # a failed call's null prediction is no issue
    points = {(r.check, r.metric): r for r in summary.records}
    assert 10 < raised < 100 and len(logged) == 300
    assert logged["prediction"].isna().sum() == raised
    rate = points["operational", "error_rate"]
    assert rate.value == pytest.approx(raised / 300) and rate.status == "critical"
    assert rate.details["errors"] == {"ValueError": raised}
    assert points["operational", "latency_p99_ms"].status == "ok"
    assert points["drift", "rows"].value == 300 - raised  # the failed calls are left out
    assert points["drift", "prediction_drift_score"].status in ("ok", "warning", "critical")
