"""Escalation of unacknowledged critical groups, acknowledgements (which stop escalation
and repeats and tell de-duplicating receivers), and the measures they feed."""

from __future__ import annotations

import pytest

from driftscope.alerts.routing import Route
from driftscope.errors import ConfigError
from tests.alerts.engine_support import setup

ROUTES = Route(
    channels=["slack"],
    routes=[
        Route(
            matchers='severity="critical"',
            channels=["pagerduty"],
            escalate_after="30m",
            escalate_to=["phone"],
        )
    ],
)


def pager(store, **options):
    return setup(
        store, ["slack", "pagerduty", "phone"], dedup=["pagerduty"], routes=ROUTES, **options
    )


def test_an_unacknowledged_critical_is_escalated_again_and_again(store):
    s = pager(store)
    s.manager.send_alert("critical", "Accuracy low", model="churn")
    s.clock.advance(minutes=29)
    s.manager.tick()
    assert s["phone"].sent == []
    s.clock.advance(minutes=1)
    assert s.manager.tick().escalations == 1
    assert [n.escalation for n in s["phone"].sent] == [1]
    s.clock.advance(minutes=30)
    s.manager.tick()
    assert [n.escalation for n in s["phone"].sent] == [1, 2]
    (first, _) = s.manager.audit("alert.escalated")
    assert first.details["level"] == 1 and "phone" in first.reason
    assert len(s["pagerduty"].sent) == 1  # the route's own channel is not spammed


def test_warnings_are_not_escalated(store):
    s = setup(store, escalate_after="10m", escalate_to=["slack"])
    s.manager.send_alert("warning", "Drift", model="m")
    s.clock.advance(hours=1)
    assert s.manager.tick().escalations == 0


def test_acknowledging_stops_escalation_and_repeats_and_tells_pagerduty(store):
    s = pager(store, repeat_interval="1h")
    fired = s.manager.send_alert("critical", "Accuracy low", model="churn")
    s.clock.advance(minutes=12)
    (acked,) = s.manager.acknowledge(fired.fingerprint, by="ana", note="looking")
    assert (acked.acknowledged_by, acked.ack_note) == ("ana", "looking")
    ack_events = [n for n in s["pagerduty"].sent if n.event == "acknowledge"]
    assert [(n.acknowledged_by, n.dedup_key) for n in ack_events] == [
        ("ana", s["pagerduty"].sent[0].dedup_key)  # same incident as the trigger
    ]
    assert not [n for n in s["slack"].sent if n.event == "acknowledge"]  # slack does not dedup
    s.clock.advance(hours=5)
    s.manager.tick()
    assert s["phone"].sent == [] and len(s["pagerduty"].sent) == 2  # no escalation, no repeat
    assert s.manager.acknowledge(fired.fingerprint, by="bob") == []  # already acknowledged


def test_an_acknowledgement_lasts_until_the_alert_fires_again(store):
    s = pager(store, group_interval="1m")
    fired = s.manager.send_alert("critical", "Accuracy low", model="churn")
    s.manager.acknowledge(fired.fingerprint, by="ana")
    s.manager.resolve(fired.fingerprint)
    s.clock.advance(minutes=2)
    s.manager.tick()
    again = s.manager.send_alert("critical", "Accuracy low", model="churn")
    assert again.fingerprint == fired.fingerprint
    record = s.manager.alert(fired.fingerprint)
    assert record.firing and not record.acknowledged and record.cycle == 2
    s.clock.advance(minutes=31)
    s.manager.tick()
    assert len(s["phone"].sent) == 1  # escalated: nobody acknowledged this firing


def test_acknowledge_a_whole_group_by_its_key(store):
    s = setup(store, group_by=["model"], group_interval="1m", inhibit_rules=[])
    first = s.manager.send_alert("critical", "A", model="m")
    s.manager.send_alert("critical", "B", model="m")
    (key,) = first.group_keys
    acked = s.manager.acknowledge(key, by="ana")
    assert sorted(a.alert.labels["alertname"] for a in acked) == ["A", "B"]
    with pytest.raises(ConfigError, match="no alert or alert group 'nope'"):
        s.manager.acknowledge("nope", by="ana")
    with pytest.raises(ConfigError, match="by"):
        s.manager.acknowledge(key, by=" ")


def test_response_times_and_false_alert_rate_per_rule(store):
    s = setup(store, group_interval="1m", inhibit_rules=[])
    waits = {"Drift": [5, 15, 25], "Latency": [60]}
    for title, minutes in waits.items():
        for i, m in enumerate(minutes):
            fired = s.manager.send_alert("warning", title, model=f"m{i}")
            s.clock.advance(minutes=m)
            s.manager.acknowledge(
                fired.fingerprint, by="ana", real_problem=(title != "Drift" or i == 0)
            )
    times = s.manager.response_times()
    assert times.overall.count == 4
    assert times.by_rule["Drift"].median_s == 15 * 60
    assert times.by_rule["Latency"].p90_s == 60 * 60
    assert "median 15.0 min" in str(times)
    noise = s.manager.false_alert_rate()
    assert (noise.acknowledged, noise.false_alerts, noise.rate) == (4, 2, 0.5)
    assert [(r.rule, r.false_alerts, r.acknowledged) for r in noise.by_rule] == [
        ("Drift", 2, 3),  # the noisiest rule first
        ("Latency", 0, 1),
    ]


def test_notification_cost_per_channel_and_month(store):
    s = setup(store, ["slack", "sms"], group_interval="1m", inhibit_rules=[], prices={"sms": 0.05})
    s.channels["slack"].price_per_message = 0.0
    for i in range(10):
        s.manager.send_alert("warning", "Drift", model=f"m{i}")
    cost = s.manager.notification_cost()
    assert cost.messages == {"slack": 10, "sms": 10}
    assert cost.by_channel == {"slack": 0.0, "sms": pytest.approx(0.5)}
    assert cost.per_month == pytest.approx(0.5)
    week = s.manager.notification_cost("7d")
    assert week.per_month == pytest.approx(0.5 * 30 / 7)
    assert s.manager.notification_cost(model="m3").messages == {"slack": 1, "sms": 1}
    s.clock.advance(days=31)
    assert s.manager.notification_cost().total == 0
