"""The business check: user functions over a window's successful rows, bounds, and every
way a user function can fail stored as unknown instead of crashing the run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from driftscope.drift.reference import Reference
from driftscope.errors import ConfigError
from driftscope.health.business_check import BusinessMetric, prepare
from driftscope.health.context import CheckRun, CheckWindow
from driftscope.monitor import ModelMonitor, SamplingPolicy
from tests.monitor.conftest import real_store

START = datetime(2026, 11, 2, tzinfo=UTC)
REF = Reference.fit({"amount": np.arange(50.0)})
WINDOW = CheckWindow("shop", REF, START, START + timedelta(days=1))


def _check(metrics):
    check = prepare(CheckRun("shop", REF, timedelta(days=1), business_metrics=metrics))
    return lambda frame: {r.metric: r for r in check(frame, WINDOW)}


def _revenue(df):
    return float((df["amount"] * df["prediction"] * df["sampling_weight"]).sum())


def test_values_bounds_and_the_successful_rows_only():
    frame = pd.DataFrame(
        {
            "amount": [10.0, 20.0, 30.0, 40.0],
            "prediction": [1.0, 0.0, 1.0, None],
            "sampling_weight": [1.0, 1.0, 2.0, 1.0],
            "metadata.error": [None, None, None, "TimeoutError"],
        }
    )
    seen = []
    points = _check(
        {
            "revenue": BusinessMetric(_revenue, min=100.0),
            "conversion": BusinessMetric(lambda df: df["prediction"].mean(), max=0.5),
            "rows_seen": lambda df: seen.append(len(df)) or len(df),
        }
    )(frame)
    assert points["revenue"].value == 70.0 and points["revenue"].status == "critical"
    assert points["revenue"].threshold == 100.0 and points["revenue"].details["min"] == 100.0
    assert points["conversion"].value == pytest.approx(2 / 3)
    assert points["conversion"].status == "critical" and points["conversion"].threshold == 0.5
    assert points["rows_seen"].status == "ok" and points["rows_seen"].threshold is None
    assert seen == [3]  # the failed call is not a row of the business
    assert {p.check for p in points.values()} == {"business"}


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda df: df["no_such_column"].sum(), "raised KeyError"),
        (lambda df: 1 / 0, "raised ZeroDivisionError"),
        (lambda df: None, "returned NoneType None"),
        (lambda df: float("nan"), "returned float nan"),
        (lambda df: np.inf, "returned float inf"),
        (lambda df: "12.5", "returned str '12.5'"),
        (lambda df: np.array([1.0, 2.0]), "returned ndarray"),
        (lambda df: True, "returned bool True"),
    ],
)
def test_a_failing_function_is_unknown_and_named_and_the_others_still_run(fn, expected):
    frame = pd.DataFrame({"amount": [5.0], "prediction": [1.0], "sampling_weight": [1.0]})
    points = _check({"broken": fn, "revenue": _revenue})(frame)
    # not computed: stored as missing (it was 0.0 before)
    assert points["broken"].status == "unknown" and points["broken"].value is None
    assert "business metric 'broken'" in points["broken"].details["error"]
    assert expected in points["broken"].details["error"]
    assert points["revenue"].value == 5.0 and points["revenue"].status == "ok"


def test_numpy_and_integer_results_are_numbers():
    frame = pd.DataFrame({"amount": [5.0, 7.0], "prediction": [1.0, 1.0]})
    points = _check({"n": len, "total": lambda df: df["amount"].sum()})(frame)
    assert points["n"].value == 2.0 and points["total"].value == 12.0


def test_an_empty_window_does_not_call_the_functions():
    calls = []
    points = _check({"revenue": BusinessMetric(lambda df: calls.append(1) or 0.0, min=1)})
    empty = points(pd.DataFrame({"amount": [], "prediction": []}))
    only_failed = points(pd.DataFrame({"amount": [1.0], "metadata.error": ["ValueError"]}))
    for result in (empty, only_failed):
        assert (
            result["revenue"].status == "unknown"
            and "not called" in result["revenue"].details["reason"]
        )
    assert calls == []


def test_a_function_changing_its_rows_changes_nothing_for_the_others():
    frame = pd.DataFrame({"amount": [1.0, 2.0], "prediction": [1.0, 1.0]})

    def vandal(df):
        df["amount"] = 0.0
        df["extra"] = 1
        return 0.0

    points = _check({"a": vandal, "b": lambda df: df["amount"].sum()})(frame)
    assert points["b"].value == 3.0 and list(frame.columns) == ["amount", "prediction"]
    assert frame["amount"].tolist() == [1.0, 2.0]


def test_without_business_metrics_nothing_is_stored():
    assert _check({})(pd.DataFrame({"amount": [1.0]})) == {}


@pytest.mark.parametrize(
    ("metrics", "message"),
    [
        ({"revenue": 12.0}, "'revenue' must be a function"),
        ({"": len}, "non-empty strings"),
    ],
)
def test_bad_specs_are_config_errors(metrics, message):
    with pytest.raises(ConfigError, match=message):
        _check(metrics)


def test_bad_bounds_are_config_errors():
    with pytest.raises(ConfigError, match="min= must be a finite number"):
        BusinessMetric(len, min=float("nan"))
    with pytest.raises(ConfigError, match="min=2 is above max=1"):
        BusinessMetric(len, min=2, max=1)
    with pytest.raises(ConfigError, match="function"):
        BusinessMetric("revenue")  # type: ignore[arg-type]


def test_business_metrics_through_run_checks_with_sampling_weights(tmp_path, rng):
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    n = 4000
    amounts = rng.exponential(50.0, n)
    buys = (rng.random(n) < 0.3).astype(float)
    policy = SamplingPolicy(rate=0.25, seed=3)
    with ModelMonitor("shop", store=real_store(tmp_path), sampling=policy) as monitor:
        monitor.save_reference(pd.DataFrame({"amount": rng.exponential(50.0, 2000)}))
        stamps = pd.Timestamp(today) + pd.to_timedelta(np.sort(rng.uniform(0, 80_000, n)), "s")
        monitor.log_predictions(pd.DataFrame({"amount": amounts}), buys, timestamps=stamps)
        summary = monitor.run_checks(
            "day",
            since=today,
            until=today + timedelta(days=1),
            checks=["business"],
            business_metrics={
                "revenue": BusinessMetric(_revenue, min=0.0),
                "broken": lambda df: df["missing"].sum(),
            },
        )
        stored = monitor.store.read_check_results("shop", check="business")
    points = {r.metric: r for r in summary.records}
    true_revenue = float((amounts * buys).sum())
    assert points["revenue"].value == pytest.approx(true_revenue, rel=0.15)  # HT estimate
    assert points["revenue"].status == "ok" and points["broken"].status == "unknown"
    assert set(stored["metric"]) == {"revenue", "broken"}
