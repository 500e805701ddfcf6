"""The "quality" health check: the schema comes from the baseline, a missing value is
counted once (as missing), a value that cannot be computed is stored as missing."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from driftscope.drift.reference import Reference
from driftscope.health import quality_check
from driftscope.health.context import CheckRun, CheckWindow
from driftscope.monitor import ModelMonitor

YESTERDAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)


def _features(rng: np.random.Generator, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tenure": rng.gamma(2, 12, n),
            "plan": rng.choice(["basic", "pro"], n, p=[0.6, 0.4]),
        }
    )


@pytest.fixture(scope="module")
def optional_plan_day():
    """The user case: 4,000 predictions logged yesterday, one in ten without the optional
    feature ``plan`` (the first record among them), against a baseline that has it."""
    rng = np.random.default_rng(0)
    with ModelMonitor("churn", store=tempfile.mkdtemp()) as monitor:
        base = _features(rng, 5000)
        monitor.save_reference(base.assign(prediction=rng.uniform(0, 1, 5000)))
        rows = _features(rng, 4000)
        stamps = YESTERDAY + pd.to_timedelta(np.sort(rng.integers(0, 86_000, 4000)), unit="s")
        for i, (row, stamp) in enumerate(zip(rows.to_dict("records"), stamps, strict=True)):
            if i % 10 == 0:
                del row["plan"]  # the optional feature, absent from the very first record
            monitor.log_prediction(row, float(rng.uniform()), timestamp=stamp.to_pydatetime())
        monitor.flush()
        summary = monitor.run_checks(
            "day", since=YESTERDAY, until=YESTERDAY + timedelta(days=1),
            checks=["quality", "predictions"],
        )  # fmt: skip
    return {(p.check, p.metric): p for p in summary.records}


def test_an_optional_feature_the_first_record_lacked_is_no_schema_violation(optional_plan_day):
    points = optional_plan_day
    # it was 0.9 and critical: "plan" an extra column in 90 % of rows
    assert points["quality", "invalid_rate"].value == 0.0
    assert points["quality", "invalid_rate"].status == "ok"
    assert not [k for k in points if k[1].startswith("extra_column")]
    # the missing tenth is counted once, as missing
    assert points["quality", "completeness:plan"].value == pytest.approx(0.9)
    assert points["quality", "completeness:plan"].status == "critical"


def test_a_missing_value_is_not_an_unseen_category_nor_an_anomaly(optional_plan_day):
    points = optional_plan_day
    assert points["quality", "unseen_category_rate:plan"].value == 0.0  # was 0.1, critical
    assert points["quality", "unseen_category_rate:plan"].status == "ok"
    assert points["predictions", "unseen_category_rate"].value == 0.0
    assert points["predictions", "anomaly_rate"].value < 0.03
    assert points["predictions", "anomaly_rate"].status == "ok"


def _window(reference):
    return CheckWindow("churn", reference, YESTERDAY, YESTERDAY + timedelta(days=1))


def test_nothing_to_measure_is_stored_missing_never_zero():
    reference = Reference.fit(_features(np.random.default_rng(1), 500))
    check = quality_check.prepare(CheckRun("churn", reference, timedelta(days=1)))
    (empty,) = check(pd.DataFrame({"tenure": [], "plan": []}), _window(reference))
    assert (empty.metric, empty.value, empty.status) == ("rows", None, "unknown")
    frame = pd.DataFrame({"tenure": [np.nan, np.nan], "plan": ["basic", "pro"]})
    points = {p.metric: p for p in check(frame, _window(reference))}
    out_of_range = points["out_of_range_rate:tenure"]  # no value to compare with the range
    assert out_of_range.value is None and out_of_range.status == "unknown"
    assert out_of_range.details["reason"]


def test_without_a_baseline_the_schema_comes_from_the_records():
    run = CheckRun("churn", None, timedelta(days=1))  # type: ignore[arg-type]
    check = quality_check.prepare(run)
    frame = pd.DataFrame(
        {
            "tenure": [1.0, 2.0, np.nan, 4.0],
            "plan": [None, "basic", "pro", "pro"],
            "quality_issues": ["missing_feature:plan", None, None, "extra_feature:plan"],
        }
    )
    # (the window's points are tagged with a baseline version: the runner's business)
    tag = Reference.fit({"x": np.arange(5.0)})
    points = {p.metric: p for p in check(frame, _window(tag))}
    assert points["completeness:plan"].value == 0.75
    assert points["completeness:tenure"].value == 0.75
    assert points["invalid_rate"].value == 0.0
    assert points["missing_feature_rate"].value == 0.0
    assert not [m for m in points if m.startswith(("unseen", "out_of_range", "extra"))]
