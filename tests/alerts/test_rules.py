"""Alert rules: N bad windows in a row to fire, M good ones to resolve, missing and small
windows judged by nobody, per-feature metrics, status rules; state kept in the store."""

from __future__ import annotations

import pandas as pd
import pytest

from driftscope.alerts._evaluation import KIND, Points, evaluate_rules
from driftscope.alerts.rules import AlertRule
from driftscope.errors import ConfigError
from driftscope.store import open_store
from tests.alerts.engine_support import point, setup


def run(rule, values, *, metric="accuracy", states=None, **details):
    """Feed one window per value through the pure evaluation, keeping the states as a
    store would; the events' kinds per window."""
    states = {} if states is None else states
    out = []
    for day, value in enumerate(values):
        found = evaluate_rules(
            [rule], Points.of([point("m", metric, value, day, **details)]), states
        )
        for record, version in found.states:
            states[record.key] = record.with_changes(version=version + 1)
        out.append(",".join(e.kind for e in found.events))
    return out


def test_fires_after_n_bad_windows_in_a_row_and_resolves_after_m_good():
    rule = AlertRule("acc", "accuracy", 0.85, "below", for_windows=3, resolve_after=2)
    values = [0.80, 0.80, 0.90, 0.80, 0.80, 0.80, 0.84, 0.90, 0.80, 0.90, 0.90, 0.80]
    assert run(rule, values) == [
        "",
        "",
        "",  # two bad, then a good one breaks the run
        "",
        "",
        "fire",  # three bad in a row
        "refresh",  # still bad
        "",
        "refresh",  # one good is not enough to resolve; bad again
        "",
        "resolve",  # two good in a row
        "",  # one bad is not enough to fire again
    ]


def test_no_flapping_at_the_threshold():
    """A metric wavering across its threshold every window never fires with
    for_windows=2, and once firing never resolves with resolve_after=2."""
    rule = AlertRule("drift", "data_drift_score", 0.2, for_windows=2, resolve_after=2)
    waver = [0.21, 0.19] * 10
    assert set(run(rule, waver, metric="data_drift_score")) == {""}
    firing = [0.3, 0.3] + [0.19, 0.21] * 10
    kinds = run(rule, firing, metric="data_drift_score")
    assert kinds[1] == "fire" and "resolve" not in kinds


def test_equal_to_the_threshold_is_good():
    above = AlertRule("a", "x", 0.2)
    below = AlertRule("b", "x", 0.2, "below")
    assert (above.judge(0.2), below.judge(0.2)) == ("good", "good")
    assert (above.judge(0.2000001), below.judge(0.1999999)) == ("bad", "bad")


def test_missing_windows_neither_fire_nor_resolve_nor_break_a_run():
    rule = AlertRule("acc", "accuracy", 0.85, "below", for_windows=2, resolve_after=2)
    assert run(rule, [0.8, None, 0.8, None, 0.9, None, 0.9]) == [
        "",
        "",
        "fire",
        "",
        "",
        "",
        "resolve",
    ]


def test_min_samples_from_the_point_or_the_windows_row_count():
    rule = AlertRule("acc", "accuracy", 0.85, "below", min_samples=100)
    assert run(rule, [0.5], n=30) == [""]  # too few labelled rows
    assert run(rule, [0.5], n=300) == ["fire"]
    # no count on the point: the same window's labelled_rows point of the same check
    small = [point("m", "accuracy", 0.5), point("m", "labelled_rows", 20)]
    large = [point("m", "accuracy", 0.5, 1), point("m", "labelled_rows", 2000, 1)]
    assert not evaluate_rules([rule], Points.of(small), {}).events
    assert [e.kind for e in evaluate_rules([rule], Points.of(small + large), {}).events] == ["fire"]
    # no count anywhere: not judged
    assert not evaluate_rules([rule], Points.of([point("m", "accuracy", 0.5)]), {}).events


def test_per_feature_metrics_fire_one_alert_per_feature(tmp_path):
    rule = AlertRule("complete", "completeness", 0.99, "below", check="quality")
    points = [
        point("m", "completeness:age", 0.5, check="quality"),
        point("m", "completeness:plan", 1.0, check="quality"),
        point("m", "completeness:income", 0.7, check="quality"),
        point("m", "completeness", 0.1, check="other"),  # another check: not watched
    ]
    found = evaluate_rules([rule], Points.of(points), {})
    alerts = [e.alert(e.window_start) for e in found.events]
    assert sorted(a.labels["feature"] for a in alerts) == ["age", "income"]
    assert {a.labels["metric"] for a in alerts} == {"completeness"}
    assert alerts[0].title.startswith("completeness below 0.99 (")


def test_glob_metrics_and_model_filters():
    rule = AlertRule("est", "estimated_*", 0.8, "below", model=["a", "b"])
    points = [
        point("a", "estimated_accuracy", 0.7),
        point("b", "estimated_auc", 0.6),
        point("c", "estimated_auc", 0.1),  # another model
        point("a", "accuracy", 0.1),  # not matched by the glob
    ]
    found = evaluate_rules([rule], Points.of(points), {})
    assert sorted((e.model, e.metric) for e in found.events) == [
        ("a", "estimated_accuracy"),
        ("b", "estimated_auc"),
    ]


def test_status_rules_fire_on_the_checks_verdict():
    rule = AlertRule("any_critical", "*", status="critical", severity="critical")
    points = [
        point("m", "accuracy", 0.5, status="critical"),
        point("m", "auc", 0.7, status="warning"),
        point("m", "rows", None, check="drift", status="unknown"),
    ]
    found = evaluate_rules([rule], Points.of(points), {})
    assert [(e.metric, e.kind) for e in found.events] == [("accuracy", "fire")]
    assert found.events[0].alert(found.events[0].window_start).severity == "critical"


def test_a_window_seen_again_is_not_counted_twice():
    rule = AlertRule("acc", "accuracy", 0.85, "below", for_windows=2)
    states: dict = {}
    first = evaluate_rules([rule], Points.of([point("m", "accuracy", 0.5, 0)]), states)
    states = {r.key: r.with_changes(version=1) for r, _ in first.states}
    again = evaluate_rules([rule], Points.of([point("m", "accuracy", 0.5, 0)]), states)
    assert not again.events and not again.states  # same window: nothing moves


def test_windows_of_one_batch_are_taken_in_time_order():
    rule = AlertRule("acc", "accuracy", 0.85, "below", for_windows=3)
    shuffled = [point("m", "accuracy", 0.5, d) for d in (2, 0, 1)]
    found = evaluate_rules([rule], Points.of(shuffled), {})
    assert [(e.kind, e.window_start.day) for e in found.events] == [("fire", 4)]


def test_a_quiet_cycle_writes_nothing():
    rule = AlertRule("acc", "accuracy", 0.85, "below")
    points = [point(f"m{i}", "accuracy", 0.95) for i in range(100)]
    found = evaluate_rules([rule], Points.of(points), {})
    assert not found.states and not found.events


def test_stored_check_results_frame_is_evaluated_like_the_records(tmp_path):
    rule = AlertRule("acc", "accuracy", 0.85, "below", min_samples=10)
    records = [point("m", "accuracy", v, d, n=50) for d, v in enumerate([0.9, 0.8])]
    with open_store(tmp_path) as store:
        store.write_check_results(records)
        frame = store.read_check_results("m")
    assert isinstance(frame, pd.DataFrame)
    from_frame = evaluate_rules([rule], Points.of(frame), {})
    from_records = evaluate_rules([rule], Points.of(records), {})
    assert [(e.kind, e.window_start) for e in from_frame.events] == [
        (e.kind, e.window_start) for e in from_records.events
    ]


@pytest.mark.parametrize(
    "kwargs, says",
    [
        ({"threshold": None}, "give a threshold or a status"),
        ({"threshold": 0.1, "status": "critical"}, "give a threshold or a status"),
        ({"threshold": float("nan")}, "finite"),
        ({"threshold": 0.1, "direction": "up"}, "direction"),
        ({"threshold": 0.1, "for_windows": 0}, "for_windows"),
        ({"threshold": 0.1, "min_samples": 0}, "min_samples"),
        ({"threshold": 0.1, "severity": "page"}, "severity"),
        ({"threshold": 0.1, "labels": {"model": "x"}}, "cannot set model"),
        ({"status": "ok"}, "never a problem"),
    ],
)
def test_bad_rules_are_config_errors_naming_the_rule(kwargs, says):
    with pytest.raises(ConfigError, match=says) as caught:
        AlertRule("acc_low", "accuracy", **kwargs)
    assert "acc_low" in str(caught.value)


def test_rule_state_is_kept_in_the_store_across_a_restart(tmp_path):
    """Two bad windows seen by one manager, the third by a new one on the same store:
    the rule fires (the count was not forgotten)."""
    rule = AlertRule("acc", "accuracy", 0.85, "below", for_windows=3)
    with open_store(tmp_path) as store:
        first = setup(store, rules=[rule])
        first.manager.evaluate([point("m", "accuracy", 0.5, 0)])
        first.manager.evaluate([point("m", "accuracy", 0.5, 1)])
        first.manager.close()
        stored = store.find_state(KIND, model="m")
        assert [(r.state, r.body["bad"]) for r in stored] == [("pending", 2)]
        second = setup(store, rules=[rule])
        report = second.manager.evaluate([point("m", "accuracy", 0.5, 2)])
        assert len(report.fired) == 1
        assert [a.alert.labels["alertname"] for a in second.manager.alerts()] == ["acc"]
