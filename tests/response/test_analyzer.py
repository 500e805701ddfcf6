"""DriftAnalyzer: its drift score is the health drift check's data_drift_score (the check,
run on the same window of the same store, is the oracle); drift events are stored where
the history reads check results, once, and audited."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from driftscope.errors import ConfigError, DataError
from driftscope.health import StoredModel, run_checks
from driftscope.response import DriftAnalyzer
from driftscope.store import EmbeddedStore
from tests.response.data import FEATURES, logged_model


@pytest.mark.parametrize("shift", [0.0, 0.25])
def test_the_drift_score_is_the_health_checks_data_drift_score(tmp_path, shift):
    location = tmp_path / "store"
    _, start = logged_model(location, "churn", shift=shift)
    end = start + timedelta(days=1)
    with EmbeddedStore(location) as store:
        summary = run_checks(
            StoredModel(store, "churn"), "day", since=start, until=end, checks=["drift"]
        )
        (point,) = [r for r in summary.records if r.metric == "data_drift_score"]
        analyzer = DriftAnalyzer("churn", store=store)
        result = analyzer.analyze_drift(store.read_predictions("churn", since=start, until=end))
    assert result["drift_score"] == pytest.approx(point.value, abs=1e-12)
    assert result["drifted_features"] == point.details["drifted_features"]
    assert result["status"] == point.status
    assert result["baseline_version"] == point.baseline_version
    assert sorted(result["features"]) == sorted(FEATURES)  # not prediction, ids or times
    assert result["rows"] == 1500
    assert result["window_start"] == start.isoformat()
    assert (shift > 0) == result["has_drift"]
    if shift:
        assert result["drift_score"] > 0.2 and result["status"] == "critical"
        age = result["features"]["tenure_months"]
        assert age["drifted"] and age["p_value"] < 1e-6 and age["reason"]


def test_log_drift_event_stores_one_point_and_an_audit_entry(tmp_path):
    location = tmp_path / "store"
    _, start = logged_model(location, "churn", shift=0.25)
    with EmbeddedStore(location) as store:
        analyzer = DriftAnalyzer("churn", store=store)
        result = analyzer.analyze_drift(store.read_predictions("churn"), features=FEATURES[:2])
        assert sorted(result["features"]) == sorted(FEATURES[:2])
        event = analyzer.log_drift_event({**result, "tier": "severe"})
        again = asyncio.run(_awaited(analyzer.log_drift_event({**result, "tier": "severe"})))
        points = store.read_check_results("churn", check="drift_event")
        audit = store.read_audit(model="churn", action="drift.event")
    assert again.id == event.id
    assert len(points) == 1  # logged twice, stored once
    (point,) = points.to_dict("records")
    assert point["metric"] == "data_drift_score"
    assert point["value"] == pytest.approx(result["drift_score"])
    assert point["status"] == "critical" and point["threshold"] == 0.2
    assert point["details"]["tier"] == "severe"
    assert point["details"]["drifted_features"] == result["drifted_features"]
    assert point["window_start"] == start
    assert [e.subject for e in audit] == [event.id, event.id]
    assert audit[0].reason.startswith(f"drift score {result['drift_score']:.3f} (severe tier)")


async def _awaited(event):
    return await event


def test_what_the_analyzer_refuses(tmp_path):
    with (
        EmbeddedStore(tmp_path / "empty") as store,
        pytest.raises(ConfigError, match="no baseline saved for model 'churn'"),
    ):
        DriftAnalyzer("churn", store=store).analyze_drift(store.read_predictions("churn"))
    location = tmp_path / "store"
    logged_model(location, "churn", shift=0.0)
    with EmbeddedStore(location) as store:
        analyzer = DriftAnalyzer("churn", store=store)
        with pytest.raises(DataError, match="no production data to analyze for model 'churn'"):
            analyzer.analyze_drift(store.read_predictions("churn").iloc[:0])
        with pytest.raises(DataError, match="column 'nope'"):
            analyzer.analyze_drift(store.read_predictions("churn"), features=["nope"])
        with pytest.raises(ConfigError, match="numeric 'drift_score'"):
            analyzer.log_drift_event({"drifted_features": []})
        with pytest.raises(ConfigError, match="threshold must be in"):
            DriftAnalyzer("churn", store=store, threshold=2)
