"""The fault test of the issue: 10,000 identical events within a minute give a handful of
notifications, through send_alert and through rule evaluation; the alert keeps firing
and counts its repeats."""

from __future__ import annotations

from datetime import timedelta

from driftscope.alerts.rules import AlertRule
from driftscope.core.checks import CheckRecord
from driftscope.store import open_store
from tests.alerts.engine_support import setup

EVENTS = 10_000


def test_ten_thousand_send_alerts_in_a_minute(tmp_path):
    with open_store(tmp_path) as store:
        s = setup(store, ["slack", "pagerduty"], dedup=["pagerduty"])
        step = timedelta(seconds=60 / EVENTS)
        outcomes = []
        for _ in range(EVENTS):
            result = s.manager.send_alert(
                "critical",
                "Model Down",
                "no predictions",
                model="churn",
                actions=["Restart"],
            )
            outcomes.append(result.outcome)
            s.clock.advance(step.total_seconds())
        s.manager.tick()
        sent = len(s["slack"].sent) + len(s["pagerduty"].sent)
        assert sent <= 3, sent
        assert outcomes.count("notified") == 1 and outcomes.count("deduplicated") == EVENTS - 1
        (alert,) = s.manager.alerts()
        assert alert.firing and alert.repeats == EVENTS - 1
        folded = sum(e.details["repeats"] for e in s.manager.audit("alert.deduplicated"))
        assert folded == EVENTS - 1
        assert len(s.manager.audit("alert.deduplicated")) <= 10  # folded, not one per event
        assert len(store.find_state("notification")) == sent


def test_ten_thousand_bad_windows_through_the_rules(tmp_path):
    """A rule fed 10,000 bad points of a metric within a minute - 5,000 windows of 12 ms,
    each point twice (the same window evaluated again), in 500 evaluations as a check
    job catching up would send them - notifies once and keeps firing."""
    rule = AlertRule("latency", "latency_p95_ms", 500, check="operational", severity="critical")
    with open_store(tmp_path) as store:
        s = setup(store, rules=[rule], group_wait="10s")
        width = timedelta(milliseconds=60_000 / (EVENTS // 2))
        start = s.clock.now
        for call in range(500):
            points = []
            for i in range(call * 10, call * 10 + 10):
                at = start + width * i
                one = CheckRecord(
                    "churn", "operational", at, at + width, "latency_p95_ms", 900.0 + i % 7
                )
                points += [one, one]
            s.manager.evaluate(points)
            s.clock.now = start + width * (call * 10 + 10)
            if call % 100 == 0:
                s.manager.tick()
        s.manager.tick()
        assert s.clock.now - start <= timedelta(minutes=1)
        assert len(s["slack"].sent) == 1
        (alert,) = s.manager.alerts()
        assert alert.firing and alert.repeats >= EVENTS // 2 - 1
        assert len(store.find_state("rule_state")) == 1
