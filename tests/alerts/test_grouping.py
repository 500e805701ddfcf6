"""De-duplication and grouping with Alertmanager's timings, on an injected clock: group
wait, group interval, repeat interval, resolved notifications; and a restart in between."""

from __future__ import annotations

from datetime import timedelta

from driftscope.alerts.rules import AlertRule
from tests.alerts.engine_support import point, setup

RULES = [
    AlertRule("acc", "accuracy", 0.85, "below"),
    AlertRule("auc", "auc", 0.9, "below"),
    AlertRule("drift", "data_drift_score", 0.2, check="drift"),
]


def bad(model, day, *metrics):
    out = []
    for metric in metrics:
        check = "drift" if metric == "data_drift_score" else "performance"
        out.append(point(model, metric, 0.5, day, check=check))
    return out


def good(model, day, *metrics):
    out = []
    for metric in metrics:
        check = "drift" if metric == "data_drift_score" else "performance"
        out.append(point(model, metric, 0.95 if check == "performance" else 0.01, day, check=check))
    return out


def test_same_alert_again_is_a_repeat_not_a_notification(store):
    s = setup(store)
    first = s.manager.send_alert("warning", "Drift", "age moved", model="churn")
    results = [
        s.manager.send_alert("warning", "Drift", "age moved more", model="churn") for _ in range(5)
    ]
    assert first.outcome == "notified" and len(s["slack"].sent) == 1
    assert [r.outcome for r in results] == ["deduplicated"] * 5
    assert results[-1].repeats == 5 and results[-1].fingerprint == first.fingerprint
    (alert,) = s.manager.alerts()
    assert alert.repeats == 5 and alert.alert.message == "age moved more"  # text updated
    s.manager.tick()
    entries = s.manager.audit("alert.deduplicated")
    assert [e.reason for e in entries] == ["5 repeats folded"]
    assert s.manager.alert(first.fingerprint).repeats == 5  # written, not lost


def test_different_labels_are_different_alerts(store):
    s = setup(store)
    a = s.manager.send_alert("warning", "Drift", model="churn")
    b = s.manager.send_alert("warning", "Drift", model="fraud")
    c = s.manager.send_alert("critical", "Drift", model="fraud")  # severity is a label
    assert len({a.fingerprint, b.fingerprint, c.fingerprint}) == 3


def test_group_wait_collects_alerts_that_fire_together(store):
    s = setup(store, rules=RULES, group_by=["model"])
    s.manager.evaluate(bad("churn", 0, "accuracy", "auc"))
    assert s.manager.tick().notification_ids == () and not s["slack"].sent
    s.clock.advance(29)
    s.manager.tick()
    assert not s["slack"].sent
    s.clock.advance(1)
    report = s.manager.tick()
    assert report.groups_flushed == 1 and report.delivered == 1
    assert sorted(s["slack"].alerts()[0]) == [("acc", "firing"), ("auc", "firing")]


def test_changes_wait_for_the_group_interval_then_repeats_wait_for_the_repeat_interval(store):
    s = setup(store, rules=RULES, group_by=["model"], group_wait="30s")
    s.manager.evaluate(bad("churn", 0, "accuracy"))
    s.clock.advance(30)
    s.manager.tick()
    assert len(s["slack"].sent) == 1
    s.clock.advance(60)  # a new alert joins the group one minute later
    s.manager.evaluate(bad("churn", 0, "auc"))
    s.manager.tick()
    s.clock.advance(238)  # 4:59 after the first notification
    s.manager.tick()
    assert len(s["slack"].sent) == 1
    s.clock.advance(2)  # 5:01
    s.manager.tick()
    assert len(s["slack"].sent) == 2
    assert sorted(s["slack"].alerts()[1]) == [("acc", "firing"), ("auc", "firing")]
    # nothing changes: the next message is the repeat, 4 hours after the last one
    s.clock.advance(hours=4, seconds=-1)
    s.manager.tick()
    assert len(s["slack"].sent) == 2
    s.clock.advance(1)
    s.manager.tick()
    assert len(s["slack"].sent) == 3
    assert s.manager.audit("alert.notified")[-1].details["repeat"] is True


def test_resolved_notification_when_announced_alerts_resolve(store):
    s = setup(store, rules=RULES, group_by=["model"], group_wait=0, group_interval="1m")
    s.manager.evaluate(bad("churn", 0, "accuracy", "auc"))
    s.manager.tick()
    s.clock.advance(120)
    s.manager.evaluate(good("churn", 1, "accuracy") + bad("churn", 1, "auc"))
    s.manager.tick()
    assert sorted(s["slack"].alerts()[-1]) == [("acc", "resolved"), ("auc", "firing")]
    s.clock.advance(120)
    s.manager.evaluate(good("churn", 2, "auc"))
    s.manager.tick()
    assert s["slack"].alerts()[-1] == [("auc", "resolved")]
    assert s.manager.alerts() == []
    assert {a.resolved_by for a in s.manager.alerts("resolved")} == {"rule"}
    s.clock.advance(hours=5)
    s.manager.tick()
    assert len(s["slack"].sent) == 3  # the group closed: no more repeats
    assert "[RESOLVED]" in s["slack"].sent[-1].title


def test_send_resolved_false_keeps_quiet_when_alerts_end(store):
    s = setup(store, rules=RULES, group_wait=0, group_interval="1m", send_resolved=False)
    s.manager.evaluate(bad("churn", 0, "accuracy"))
    s.manager.tick()
    s.clock.advance(120)
    s.manager.evaluate(good("churn", 1, "accuracy"))
    s.manager.tick()
    assert s["slack"].alerts() == [[("acc", "firing")]]


def test_an_alert_resolved_before_its_group_spoke_is_never_notified(store):
    s = setup(store, rules=RULES, group_wait="30s")
    s.manager.evaluate(bad("churn", 0, "accuracy"))
    s.manager.evaluate(good("churn", 1, "accuracy"))
    s.clock.advance(60)
    s.manager.tick()
    assert s["slack"].sent == []


def test_send_alert_speaks_at_once_later_alerts_of_the_group_wait(store):
    s = setup(store, group_by=["model"], group_interval="5m")
    assert s.manager.send_alert("warning", "Drift", model="churn").outcome == "notified"
    second = s.manager.send_alert("warning", "Latency", model="churn")
    assert second.outcome == "grouped" and len(s["slack"].sent) == 1
    (joined,) = s.manager.audit("alert.grouped")
    assert joined.subject == second.fingerprint and "1 other alert" in joined.reason
    s.clock.advance(300)
    s.manager.tick()
    assert sorted(s["slack"].alerts()[-1]) == [("Drift", "firing"), ("Latency", "firing")]


def test_manual_resolve_and_resolve_timeout(store):
    s = setup(store, group_interval="1m", resolve_timeout="1h")
    kept = s.manager.send_alert("warning", "Drift", model="churn")
    gone = s.manager.send_alert("warning", "Drift", model="fraud")
    assert s.manager.resolve(gone.fingerprint).state == "resolved"
    assert s.manager.resolve(gone.fingerprint) is None  # not firing any more
    s.clock.advance(minutes=30)
    s.manager.send_alert("warning", "Drift", model="churn")  # seen again: the timeout restarts
    s.clock.advance(minutes=59)
    assert s.manager.tick().resolved == ()
    s.clock.advance(minutes=2)
    assert s.manager.tick().resolved == (kept.fingerprint,)
    assert s.manager.alert(kept.fingerprint).resolved_by == "timeout"
    assert s["slack"].alerts()[-1] == [("Drift", "resolved")]


def test_a_restart_neither_notifies_again_nor_forgets(store):
    s = setup(store, rules=RULES, group_wait=0)
    s.manager.evaluate(bad("churn", 0, "accuracy"))
    s.manager.tick()
    s.manager.close()
    again = setup(store, rules=RULES, group_wait=0, clock=s.clock)
    again.manager.tick()
    again.manager.evaluate(bad("churn", 1, "accuracy"))  # still bad: a repeat
    again.manager.tick()
    assert again["slack"].sent == []  # nothing new to say
    s.clock.advance(hours=4)
    again.manager.tick()
    assert again["slack"].alerts() == [[("acc", "firing")]]  # the repeat, on schedule
    assert again.manager.alerts()[0].repeats == 1


def test_flushing_twice_at_the_same_moment_enqueues_nothing_twice(store):
    s = setup(store, rules=RULES, group_wait=0, deliver=False)
    s.manager.evaluate(bad("churn", 0, "accuracy"))
    other = setup(store, rules=RULES, group_wait=0, clock=s.clock, deliver=False)
    first = s.manager.tick().notification_ids
    second = other.manager.tick().notification_ids
    assert len(first) == 1 and second == ()
    assert len(store.find_state("notification")) == 1


def test_delivery_failures_are_retried_from_the_outbox(store):
    s = setup(store)
    s["slack"].fail = "retry"
    s.manager.send_alert("critical", "Down", model="churn")
    (record,) = store.find_state("notification")
    assert record.state == "pending" and record.body["attempts"] == 1
    s["slack"].fail = None
    s.clock.advance(minutes=1)
    assert s.manager.tick().delivered == 1
    assert s["slack"].alerts() == [[("Down", "firing")]]


def test_equal_timings_apply_per_route(store):
    s = setup(store, group_wait="10s", group_interval=timedelta(minutes=1))
    s.manager.send_alert("warning", "A", model="m")
    s.manager.send_alert("warning", "A", model="n")
    assert len(s["slack"].sent) == 2  # two groups (alertname, model): both speak at once
