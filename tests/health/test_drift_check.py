"""Every check without a saved baseline (``CheckRun.reference`` None): the ones that need
none still run, the others refuse in ``prepare`` with ``BaselineRequired`` (the runner then stores
one ``unknown`` point per window, not one per feature)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from driftscope.drift.reference import Reference
from driftscope.health import (
    business_check,
    drift_check,
    operational_check,
    performance_check,
    predictions_check,
    quality_check,
)
from driftscope.health.context import BaselineRequired, CheckRun, CheckWindow

DAY = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    n = 400
    return pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "plan": rng.choice(["basic", "pro"], n),
            "prediction": rng.uniform(0, 1, n),
            "label": rng.integers(0, 2, n).astype(float),
            "metadata.latency_ms": rng.exponential(20, n),
            "sampling_weight": np.ones(n),
        }
    )


def _points(prepare, frame, **run):
    settings = {"thresholds": {"accuracy": 0.85}, "metrics": ("accuracy",), **run}
    check = prepare(CheckRun("churn", None, timedelta(days=1), **settings))  # type: ignore[arg-type]
    # the window's points carry the baseline version: CheckWindow's business (the runner's)
    tag = Reference.fit({"x": np.arange(5.0)})
    return check(frame, CheckWindow("churn", tag, DAY, DAY + timedelta(days=1)))


@pytest.mark.parametrize("prepare", [drift_check.prepare, predictions_check.prepare])
def test_checks_that_need_a_baseline_refuse_to_prepare(prepare, frame):
    with pytest.raises(BaselineRequired, match=r"the (drift|predictions) check compares"):
        _points(prepare, frame)


def test_performance_runs_against_alert_thresholds_without_a_baseline(frame):
    points = {p.metric: p for p in _points(performance_check.prepare, frame)}
    accuracy = points["accuracy"]
    assert accuracy.value == pytest.approx(
        np.mean((frame["prediction"] >= 0.5) == (frame["label"] == 1))
    )
    assert accuracy.threshold == 0.85 and accuracy.status == "critical"  # a coin flip
    assert points["accuracy_vs_baseline"].value is None
    assert points["accuracy_vs_baseline"].status == "unknown"


def test_operational_business_and_quality_run_without_a_baseline(frame):
    operational = {p.metric: p for p in _points(operational_check.prepare, frame)}
    assert operational["latency_p50_ms"].value == pytest.approx(
        np.quantile(frame["metadata.latency_ms"], 0.5, method="inverted_cdf")
    )
    business = _points(
        business_check.prepare, frame, business_metrics={"rows": lambda rows: len(rows)}
    )
    assert [(p.metric, p.value) for p in business] == [("rows", 400.0)]
    quality = {p.metric: p for p in _points(quality_check.prepare, frame)}
    assert quality["completeness:age"].value == 1.0
    assert quality["invalid_rate"].value == 0.0


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ("age", "must be a list of column names"),
        (["age", "agee"], r"names \['agee'\] not in the baseline; the baseline has: age, plan"),
        ([], "has no feature"),
    ],
)
def test_drift_features_that_cannot_be_compared_are_config_errors(frame, chosen, message):
    from driftscope.errors import ConfigError

    reference = Reference.fit(frame[["age", "plan"]])
    run = CheckRun(
        "churn", reference, timedelta(days=1), {}, (), options={"drift_features": chosen}
    )
    with pytest.raises(ConfigError, match=message):
        drift_check.prepare(run)
