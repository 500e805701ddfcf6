"""ResponsePolicy on real findings: a health run whose accuracy fell under its threshold,
a concept-drift report from a monitor whose errors rose, and a schedule; rollback first,
at most once per rollback_cooldown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from driftscope.errors import ConfigError
from driftscope.health import StoredModel, run_checks
from driftscope.monitor import ModelMonitor
from driftscope.response import AutoRetrainer, CallableRollback, CallableTrigger, ResponsePolicy
from driftscope.store import EmbeddedStore


def labelled_model(location, *, error_before: float, error_after: float, rows: int = 3000):
    """Predictions with labels over one day two days ago; the error rate steps from
    ``error_before`` to ``error_after`` halfway."""
    rng = np.random.default_rng(3)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=2)
    labels = rng.integers(0, 2, rows)
    rate = np.where(np.arange(rows) < rows // 2, error_before, error_after)
    wrong = rng.random(rows) < rate
    predictions = np.where(wrong, 1 - labels, labels)
    stamps = [start + timedelta(seconds=int(s)) for s in np.linspace(0, 86_000, rows)]
    with ModelMonitor("churn", store=location) as monitor:
        ids = monitor.log_predictions(
            pd.DataFrame({"x": rng.normal(size=rows)}), predictions, timestamps=stamps
        )
        monitor.log_ground_truths(ids, labels)
    return start


@pytest.fixture
def started():
    return []


def retrainer_on(store, started, **options):
    return AutoRetrainer(
        "churn", CallableTrigger(lambda job: started.append(job) or None), store=store, **options
    )


def test_degraded_performance_rolls_back_then_asks_for_retraining(tmp_path, started):
    location = tmp_path / "s"
    start = labelled_model(location, error_before=0.25, error_after=0.25)
    rolled = []
    with EmbeddedStore(location) as store:
        summary = run_checks(
            StoredModel(store, "churn", metrics=("accuracy",), alert_thresholds={"accuracy": 0.85}),
            "day",
            since=start,
            until=start + timedelta(days=1),
            checks=["performance"],
        )
        undo = CallableRollback(
            lambda model, why: rolled.append(why) or {"to_version": "4"}, store=store
        )
        policy = ResponsePolicy(retrainer_on(store, started), rollback=undo)
        job = policy.after_checks(summary)
        assert job.reason == "performance_degraded" and job.status == "started"
        (metric,) = job.details["metrics"]
        assert metric["metric"] == "accuracy" and metric["status"] == "critical"
        assert metric["value"] == pytest.approx(0.75, abs=0.03)
        assert rolled == [job.details["summary"]]
        assert job.details["summary"].startswith("performance degraded: accuracy 0.7")

        # the same finding again: no second rollback within a day (audited), retraining
        # is asked for and refused by its own cooldown
        again = policy.after_checks(summary)
        assert again.status == "refused" and len(rolled) == 1
        skipped = store.read_audit(action="rollback.skipped")
        assert len(skipped) == 1 and "rolled back already" in skipped[0].reason
    assert [j.id for j in started] == [job.id]


def test_performance_within_its_threshold_asks_nothing(tmp_path, started):
    location = tmp_path / "s"
    start = labelled_model(location, error_before=0.05, error_after=0.05)
    with EmbeddedStore(location) as store:
        summary = run_checks(
            StoredModel(store, "churn", metrics=("accuracy",), alert_thresholds={"accuracy": 0.85}),
            "day",
            since=start,
            until=start + timedelta(days=1),
            checks=["performance"],
        )
        assert ResponsePolicy(retrainer_on(store, started)).after_checks(summary) is None
        assert store.find_state("retrain_job") == []


def test_concept_drift_asks_for_retraining(tmp_path, started):
    location = tmp_path / "s"
    labelled_model(location, error_before=0.05, error_after=0.35)
    with ModelMonitor("churn", store=location) as monitor:
        report = monitor.concept_drift(days=7)
        assert report.has_drift
        job = ResponsePolicy(retrainer_on(monitor.store, started)).after_concept_drift(report)
        assert job.reason == "concept_drift_detected" and job.priority == "high"
        assert job.details["error_recent"] > job.details["error_before"]
        off = ResponsePolicy(retrainer_on(monitor.store, started), concept_drift=False)
        assert off.after_concept_drift(report) is None


def test_scheduled_retraining_goes_through_the_same_limits(store, clock, started):
    policy = ResponsePolicy(retrainer_on(store, started, clock=clock))
    first = policy.scheduled()
    assert (first.reason, first.priority, first.status) == ("scheduled", "low", "started")
    assert policy.scheduled().status == "refused"
    clock.advance(days=1)
    assert policy.scheduled().status == "started"


def test_policy_options_are_checked(store):
    retrainer = AutoRetrainer("churn", store=store)
    with pytest.raises(ConfigError, match="needs an AutoRetrainer"):
        ResponsePolicy("churn")
    with pytest.raises(ConfigError, match="performance_status must be"):
        ResponsePolicy(retrainer, performance_status="bad")
    with pytest.raises(ConfigError, match="rollback must be a Rollback"):
        ResponsePolicy(retrainer, rollback=lambda model, why: None)
