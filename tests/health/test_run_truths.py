"""What run_checks says is true: only the windows the model was live, no 0 for a value
that could not be computed, explanations beside the points, a missing baseline said once
rather than raised, and health never reaching up into the monitor."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from driftscope.core.checks import Explanation
from driftscope.errors import ConfigError, StoreUnavailableError
from driftscope.health import HealthSummary, run_checks
from driftscope.health.plan import clip_to_records
from driftscope.health.source import MonitoredModel, StoredModel
from driftscope.monitor import ModelMonitor
from tests.monitor.conftest import real_store

DAY = timedelta(days=1)
TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _customers(rng, n, optional_plan_missing=0.0):
    frame = pd.DataFrame(
        {
            "tenure": rng.gamma(2, 12, n),
            "plan": rng.choice(["basic", "pro"], n, p=[0.6, 0.4]).astype(object),
        }
    )
    frame.loc[rng.random(n) < optional_plan_missing, "plan"] = None
    return frame


def _log_day(monitor, rng, start, n=400, **kw):
    stamps = pd.Timestamp(start) + pd.to_timedelta(np.sort(rng.uniform(0, 86_000, n)), unit="s")
    ids = monitor.log_predictions(_customers(rng, n, **kw), rng.random(n), timestamps=stamps)
    monitor.log_ground_truths(list(ids), rng.integers(0, 2, n).tolist())


def _baseline(rng, n=3000):
    frame = _customers(rng, n)
    return frame.assign(prediction=rng.random(n), label=rng.integers(0, 2, n))


# ---------------------------------------------------------------- windows the model was live
def test_the_user_story_reports_yesterday_only(tmp_path, rng):
    """4,000 predictions yesterday, 1 in 10 without the optional `plan`, a baseline with
    `plan`: run_checks("day") reports one day, not six empty days before it."""
    with ModelMonitor(
        "churn", store=real_store(tmp_path), alert_thresholds={"accuracy": 0.85}
    ) as monitor:
        baseline = monitor.save_reference(_baseline(rng))
        _log_day(monitor, rng, TODAY - DAY, n=4000, optional_plan_missing=0.1)
        summary = monitor.run_checks("day")
        stored = monitor.store.read_check_results("churn")
    assert summary.windows == [(TODAY - DAY, TODAY)]
    assert summary.baseline_version == baseline.version
    assert summary.notes == (
        "6 of the 7 due windows of model 'churn' were not checked: "
        "6 before its first stored prediction",
    )
    assert len(stored) == len(summary.records) and set(stored["window_start"]) == {TODAY - DAY}
    completeness = next(r for r in summary.records if r.metric == "completeness:plan")
    assert completeness.value == pytest.approx(0.9, abs=0.02)


def test_the_user_story_record_by_record_tells_the_truth(tmp_path, rng):
    """The story as serving code lives it: 4,000 single records yesterday, the first of the
    one in ten without the optional key `plan`. The schema comes from the baseline, the
    missing `plan` is counted once (as missing), and what changed is an explanation."""
    frame = _customers(rng, 4000)
    lacking = rng.random(4000) < 0.1
    lacking[0] = True
    stamps = pd.Timestamp(TODAY - DAY) + pd.to_timedelta(
        np.sort(rng.uniform(0, 86_000, 4000)), unit="s"
    )
    with ModelMonitor("churn", store=real_store(tmp_path)) as monitor:
        monitor.save_reference(_baseline(rng))
        for i, row in enumerate(frame.itertuples(index=False)):
            features = {"tenure": row.tenure} if lacking[i] else {"tenure": row.tenure,
                                                                  "plan": row.plan}  # fmt: skip
            monitor.log_prediction(features, float(rng.random()), timestamp=stamps[i])
        summary = monitor.run_checks("day")
    points = {r.metric: r for r in summary.records}
    assert summary.windows == [(TODAY - DAY, TODAY)]
    assert points["invalid_rate"].value == 0 and points["invalid_rate"].status == "ok"
    assert points["completeness:plan"].value == pytest.approx(1 - lacking.mean(), abs=1e-9)
    assert points["unseen_category_rate:plan"].value == 0
    assert points["unseen_category_rate:plan"].status == "ok"
    assert "what_changed" not in points
    assert all(r.value is None or np.isfinite(r.value) for r in summary.records)
    assert json.loads(summary.to_json())["windows"] == [
        [(TODAY - DAY).isoformat(), TODAY.isoformat()]
    ]


def test_windows_after_the_last_record_are_not_reported_and_gaps_inside_are(tmp_path, rng):
    with ModelMonitor("gappy", store=real_store(tmp_path)) as monitor:
        monitor.save_reference(_baseline(rng))
        for days_ago in (5, 3):
            _log_day(monitor, rng, TODAY - days_ago * DAY, n=200)
        summary = monitor.run_checks("day", since=TODAY - 7 * DAY)
    starts = [start for start, _ in summary.windows]
    assert starts == [TODAY - 5 * DAY, TODAY - 4 * DAY, TODAY - 3 * DAY]
    assert summary.notes == (
        "4 of the 7 due windows of model 'gappy' were not checked: "
        "2 before its first stored prediction and 2 after its last",
        f"1 window(s) of model 'gappy' had no predictions ({TODAY - 4 * DAY:%Y-%m-%d %H:%M}): "
        "nothing to check there; the operational throughput is 0",
    )
    gap = [r for r in summary.records if r.window_start == TODAY - 4 * DAY]
    assert [(r.check, r.metric, r.value, r.status) for r in gap] == [
        ("operational", "throughput_per_s", 0.0, "ok")
    ]


def test_a_model_that_logs_steadily_loses_no_window(tmp_path, rng):
    with ModelMonitor("steady", store=real_store(tmp_path)) as monitor:
        monitor.save_reference(_baseline(rng))
        for days_ago in range(10, -1, -1):  # today included: records after the last window
            _log_day(monitor, rng, TODAY - days_ago * DAY, n=30)
        summary = monitor.run_checks("day", since=TODAY - 4 * DAY, checks=["operational"])
    assert len(summary.windows) == 4 and summary.notes == ()


class CountingStore:
    """Answers count_predictions from a list of timestamps, counting the questions."""

    def __init__(self, stamps):
        self.stamps, self.asked = stamps, 0

    def count_predictions(self, model, *, since=None, until=None):
        self.asked += 1
        return sum(
            (since is None or t >= since) and (until is None or t < until) for t in self.stamps
        )


@pytest.mark.parametrize(
    ("days", "kept", "cut"),
    [
        ([], [], (60, 0)),  # nothing stored
        ([-100], [], (0, 60)),  # stopped long ago
        ([65], [], (60, 0)),  # starts after the range
        ([-100, 65], list(range(60)), (0, 0)),  # live all along, even with no row in range
        ([17, 41], list(range(17, 42)), (17, 18)),
        ([0], [0], (0, 59)),
        ([59], [59], (59, 0)),
    ],
)
def test_clipping_by_counts_matches_the_span_of_the_records(days, kept, cut):
    start = TODAY - 60 * DAY
    windows = [(start + i * DAY, start + (i + 1) * DAY) for i in range(60)]
    store = CountingStore([start + d * DAY + timedelta(hours=3) for d in days])
    clipped, before, after = clip_to_records(store, "m", windows)
    assert clipped == [windows[i] for i in kept] and (before, after) == cut
    assert store.asked <= 2 + 2 * 6  # two counts, then a bisection over 60 windows


# ---------------------------------------------------------------- missing values, not zeros
def test_a_failing_check_is_stored_without_a_value(tmp_path, rng, monkeypatch):
    from driftscope.health import runner

    def broken(run):
        def check(frame, window):
            raise ZeroDivisionError("boom")

        return check

    monkeypatch.setitem(runner.CHECKS, "broken", broken)
    with ModelMonitor("fragile", store=real_store(tmp_path)) as monitor:
        monitor.save_reference(_baseline(rng))
        _log_day(monitor, rng, TODAY - DAY, n=50)
        (point,) = monitor.run_checks("day", since=TODAY - DAY, checks=["broken"]).records
        stored = monitor.store.read_check_results("fragile")
    assert (point.metric, point.value, point.status) == ("check_error", None, "unknown")
    assert stored["value"].isna().all() and "boom" in point.details["error"]


def test_no_unknown_point_of_an_empty_window_has_a_value(tmp_path, rng):
    with ModelMonitor("quiet", store=real_store(tmp_path)) as monitor:
        monitor.save_reference(_baseline(rng))
        for days_ago in (3, 1):
            _log_day(monitor, rng, TODAY - days_ago * DAY, n=50)
        summary = monitor.run_checks("day", since=TODAY - 3 * DAY)
    gap = [r for r in summary.records if r.window_start == TODAY - 2 * DAY]
    assert gap and all(r.value is None for r in gap if r.status == "unknown")


# ---------------------------------------------------------------- explanations
def test_explanations_go_to_the_summary_and_points_to_the_store(tmp_path, rng, monkeypatch):
    from driftscope.health import runner

    def explaining(run):
        def check(frame, window):
            said = Explanation(
                "explaining", window.start, window.end, "what_changed", "scores rose",
                {"features": ["plan"], "when": window.start},
            )  # fmt: skip
            return [window.record("explaining", "rows", len(frame), None, "ok"), said]

        return check

    monkeypatch.setitem(runner.CHECKS, "explaining", explaining)
    with ModelMonitor("told", store=real_store(tmp_path)) as monitor:
        monitor.save_reference(_baseline(rng))
        _log_day(monitor, rng, TODAY - 2 * DAY, n=60)
        _log_day(monitor, rng, TODAY - DAY, n=60)
        summary = monitor.run_checks("day", since=TODAY - 2 * DAY, checks=["explaining"])
        stored = monitor.store.read_check_results("told")
    assert [r.metric for r in summary.records] == ["rows", "rows"]
    assert list(stored["metric"]) == ["rows", "rows"]  # explanations are not points
    assert [e.window_start for e in summary.explanations] == [TODAY - 2 * DAY, TODAY - DAY]
    data = json.loads(summary.to_json())
    assert data["explanations"][1] == {
        "check": "explaining",
        "window_start": (TODAY - DAY).isoformat(),
        "window_end": TODAY.isoformat(),
        "topic": "what_changed",
        "text": "scores rose",
        "details": {"features": ["plan"], "when": (TODAY - DAY).isoformat()},
    }


def test_a_check_returning_anything_else_is_a_check_error(tmp_path, rng, monkeypatch):
    from driftscope.health import runner

    monkeypatch.setitem(runner.CHECKS, "odd", lambda run: lambda frame, window: [42])
    with ModelMonitor("odd", store=real_store(tmp_path)) as monitor:
        _log_day(monitor, rng, TODAY - DAY, n=20)
        (point,) = monitor.run_checks("day", since=TODAY - DAY, checks=["odd"]).records
    assert point.metric == "check_error" and "int" in point.details["error"]


# ---------------------------------------------------------------- the summary as data
def test_the_summary_serialises_in_a_stable_json_ready_layout(tmp_path, rng):
    with ModelMonitor("churn", store=real_store(tmp_path)) as monitor:
        monitor.save_reference(_baseline(rng))
        _log_day(monitor, rng, TODAY - DAY, n=500)
        summary = monitor.run_checks("day", since=TODAY - DAY)
    data = summary.to_dict()
    assert list(data) == [
        "schema_version", "model", "baseline_version", "status", "windows", "records",
        "explanations", "notes",
    ]  # fmt: skip
    assert json.loads(summary.to_json()) == data
    assert data["windows"] == [[(TODAY - DAY).isoformat(), TODAY.isoformat()]]
    assert [r["status"] for r in data["records"]] == [r.status for r in summary.worst_first()]
    assert list(data["records"][0]) == [
        "window_start", "window_end", "check", "metric", "value", "threshold", "status",
        "baseline_version", "details", "computed_at",
    ]  # fmt: skip
    frame = summary.to_frame()
    assert len(frame) == len(summary.records)
    assert isinstance(frame["window_start"].dtype, pd.DatetimeTZDtype)
    assert str(frame["window_start"].dtype.tz) == "UTC"
    assert frame["value"].dtype == np.float64


def test_an_empty_summary_still_has_its_columns():
    empty = HealthSummary("churn", None, (), notes=("nothing",))
    assert list(empty.to_frame().columns)[:4] == ["window_start", "window_end", "check", "metric"]
    assert empty.to_dict()["records"] == [] and empty.to_dict()["notes"] == ["nothing"]
    assert empty.status == "ok"


# ---------------------------------------------------------------- no baseline
def test_a_model_with_nothing_stored_is_refused_but_one_without_records_is_not(tmp_path, rng):
    with ModelMonitor("typo", store=real_store(tmp_path)) as monitor:
        with pytest.raises(ConfigError, match="'typo' has nothing stored"):
            monitor.run_checks("day")
        monitor.save_reference(_baseline(rng))
        summary = monitor.run_checks("day")
    assert summary.records == () and summary.status == "ok"
    assert summary.notes == ("model 'typo' has no stored predictions: nothing to check",)


def test_without_a_baseline_the_run_degrades_with_one_note(tmp_path, rng):
    with ModelMonitor(
        "churn", store=real_store(tmp_path), alert_thresholds={"accuracy": 0.85}
    ) as monitor:
        _log_day(monitor, rng, TODAY - DAY, n=800)
        summary = monitor.run_checks("day", since=TODAY - DAY)
        stored = monitor.store.read_check_results("churn")
    baseline_notes = [n for n in summary.notes if "no baseline" in n]
    assert len(baseline_notes) == 1
    assert baseline_notes[0].startswith("no baseline saved for model 'churn': drift")
    assert baseline_notes[0].endswith("call monitor.save_reference(training_data)")
    assert summary.baseline_version is None
    assert all(r.baseline_version is None for r in summary.records)
    (drift,) = [r for r in summary.records if r.check == "drift"]
    assert (drift.metric, drift.value, drift.status) == ("baseline", None, "unknown")
    assert "no baseline saved" in drift.details["reason"]
    operational = [r for r in summary.records if r.check == "operational"]
    assert operational and all(r.value is not None for r in operational)
    assert len(stored) == len(summary.records) and stored["baseline_version"].isna().all()


def test_without_a_baseline_performance_is_judged_by_the_fixed_thresholds(tmp_path, rng):
    with ModelMonitor(
        "churn", store=real_store(tmp_path), alert_thresholds={"accuracy": 0.85}
    ) as monitor:
        _log_day(monitor, rng, TODAY - DAY, n=800)
        summary = monitor.run_checks("day", since=TODAY - DAY)
    accuracy = next(r for r in summary.records if r.metric == "accuracy")
    assert accuracy.value is not None and accuracy.threshold == 0.85
    assert any(r.metric.startswith("completeness") for r in summary.records)


# ---------------------------------------------------------------- health below the monitor
def test_any_monitored_model_will_do(tmp_path, rng):
    store = real_store(tmp_path)
    with ModelMonitor("churn", store=store) as monitor:
        assert isinstance(monitor, MonitoredModel)
        monitor.save_reference(_baseline(rng))
        _log_day(monitor, rng, TODAY - DAY, n=300)
        monitor.flush()
        source = StoredModel(store, "churn", alert_thresholds={"latency_p99_ms": 100})
        summary = run_checks(source, "day", since=TODAY - DAY, checks=["drift", "operational"])
    assert summary.windows == [(TODAY - DAY, TODAY)]
    assert {r.check for r in summary.records} == {"drift", "operational"}


def test_the_run_flushes_once_and_reads_through_an_outage(tmp_path, rng):
    store = real_store(tmp_path)
    with ModelMonitor("churn", store=store) as monitor:
        monitor.save_reference(_baseline(rng))
        _log_day(monitor, rng, TODAY - DAY, n=300)
        monitor.flush()

    class Down(StoredModel):
        flushes = 0

        def flush(self):
            type(self).flushes += 1
            raise StoreUnavailableError("store down; 12 records pending")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = run_checks(Down(store, "churn"), "day", since=TODAY - 3 * DAY)
    assert Down.flushes == 1 and summary.windows == [(TODAY - DAY, TODAY)]
    assert any("12 records pending" in str(w.message) for w in caught)
    store.close()
