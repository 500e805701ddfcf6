"""The public AlertManager: the quick start's plain call and the response class's await,
channels by name, the console fallback, tickets, watching a monitor, configuration."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

import driftscope.alerts.defaults as defaults
from driftscope.alerts.manager import AlertManager
from driftscope.alerts.model import AlertSeverity
from driftscope.alerts.rules import AlertRule
from driftscope.errors import ConfigError
from driftscope.monitor import ModelMonitor
from tests.alerts.engine_support import RecordingChannel, log_days, point, setup


def test_the_quick_start_call_and_the_awaited_call_both_work(store):
    s = setup(store, ["slack", "email", "pagerduty"], dedup=["pagerduty"], inhibit_rules=[])
    plain = s.manager.send_alert(
        severity="warning",
        title="Model Drift Detected",
        message="Drifted features: ['age']\nPrediction drift score: 0.231",
        actions=["Review model", "Trigger retraining"],
    )
    assert plain.outcome == "notified"
    assert [a.label for a in s["slack"].sent[0].alerts[0].actions] == [
        "Review model",
        "Trigger retraining",
    ]

    async def respond():
        alert = await s.manager.send_alert(
            severity=AlertSeverity.CRITICAL,
            title="Severe Drift Detected - Auto-Retraining Initiated",
            message="Model: churn_predictor_v2",
            channels=["slack", "email", "pagerduty"],
        )
        ticket = await s.manager.create_investigation_ticket(
            title="Model Drift Investigation - churn_predictor_v2",
            description={"drift_score": np.float64(0.31), "drifted_features": ["age"]},
            assignee="ml-ops-team",
        )
        return alert, ticket

    alert, ticket = asyncio.run(respond())
    assert alert.outcome == "notified" and alert.alert.severity == AlertSeverity.CRITICAL
    for name in ("slack", "email", "pagerduty"):
        assert [n.alerts[0].title for n in s[name].sent][-1].startswith("Severe Drift")
    assert ticket.description == {"drift_score": 0.31, "drifted_features": ["age"]}
    assert s.manager.ticket(ticket.id).state == "open"


def test_actions_as_mappings(store):
    s = setup(store)
    s.manager.send_alert(
        "warning",
        "Moderate Drift Detected",
        actions=[{"label": "Trigger Retraining", "action": "retrain"}, "View Dashboard"],
    )
    actions = s["slack"].sent[0].alerts[0].actions
    assert [(a.label, a.action) for a in actions] == [
        ("Trigger Retraining", "retrain"),
        ("View Dashboard", "view_dashboard"),
    ]


def test_unknown_channel_names_say_which_are_configured(store):
    s = setup(store, ["slack", "email"])
    with pytest.raises(ConfigError) as caught:
        s.manager.send_alert("warning", "Drift", channels=["slack", "pagerduty"])
    assert "'pagerduty'" in str(caught.value) and "configured: email, slack" in str(caught.value)
    assert s["slack"].sent == []  # nothing half-sent
    with pytest.raises(ConfigError, match="severity must be one of info, warning, critical"):
        s.manager.send_alert("page", "Drift")


def test_without_channels_notifications_go_to_standard_error(store, capfd):
    manager = AlertManager(store=store)
    result = manager.send_alert(
        "warning", "Model Drift Detected", "age moved", channels=["slack"]
    )  # no configuration: the console
    ticket = manager.create_investigation_ticket("Investigate churn", "see the report", "ana")
    err = capfd.readouterr().err
    assert result.outcome == "notified" and manager.fallback
    assert " UTC [WARNING] Model Drift Detected: age moved\n" in err
    assert "[TICKET] Investigate churn (assignee=ana): see the report" in err
    assert manager.ticket(ticket.id).channels == ("console",)


def test_tickets_go_to_ticket_channels_and_keep_the_receivers_url(store):
    github = RecordingChannel(
        "github", tickets=True, receipt={"url": "https://github.com/o/r/issues/7", "id": 7}
    )
    slack = RecordingChannel("slack")
    manager = AlertManager([slack, github], store=store)
    ticket = manager.create_investigation_ticket(
        "Drift on churn", {"drift_score": 0.3}, "ml-ops", model="churn"
    )
    assert (ticket.url, ticket.external_id) == ("https://github.com/o/r/issues/7", "7")
    (sent,) = github.sent
    assert sent.kind == "ticket" and sent.ticket["assignee"] == "ml-ops"
    assert slack.sent == []  # an alert channel takes no tickets
    assert manager.ticket(ticket.id).url == ticket.url
    assert [t.id for t in manager.tickets(model="churn")] == [ticket.id]
    assert manager.audit("ticket.opened")[0].reason == "to github"
    with pytest.raises(ConfigError, match="description is text or a mapping"):
        manager.create_investigation_ticket("x", 42, "ana")


def test_a_ticket_without_a_ticket_channel_is_stored_and_says_so(store):
    manager = AlertManager([RecordingChannel("slack")], store=store)
    ticket = manager.create_investigation_ticket("Drift", "text", "ana")
    assert ticket.channels == () and manager.ticket(ticket.id) is not None
    assert "no ticket channel" in manager.audit("ticket.opened")[0].reason


def test_deliver_false_leaves_notifications_in_the_outbox(store):
    s = setup(store, deliver=False)
    result = s.manager.send_alert("warning", "Drift")
    assert result.notified and s["slack"].sent == []
    (record,) = store.find_state("notification")
    assert record.state == "pending" and record.key == result.notification_ids[0]


def test_background_delivery_ticks_by_itself(store):
    slack = RecordingChannel("slack")
    with AlertManager(
        [slack],
        store=store,
        deliver="background",
        group_wait=0,
        rules=[AlertRule("acc", "accuracy", 0.85, "below")],
    ) as manager:
        manager.evaluate([point("m", "accuracy", 0.5)])
        deadline = datetime.now(UTC) + timedelta(seconds=5)
        while not slack.sent and datetime.now(UTC) < deadline:
            asyncio.run(asyncio.sleep(0.05))
    assert slack.alerts() == [[("acc", "firing")]]


def test_configuration_hook_supplies_settings_and_arguments_win(store):
    configured = RecordingChannel("slack")
    rule = AlertRule("acc", "accuracy", 0.85, "below")
    defaults.register_defaults(
        lambda: {"channels": [configured], "store": store, "group_wait": 0, "rules": [rule]}
    )
    try:
        manager = AlertManager()
        assert list(manager.channels) == ["slack"] and not manager.fallback
        assert manager.rules == (rule,) and manager.store is store
        manager.evaluate([point("m", "accuracy", 0.5)])
        manager.tick()  # group_wait 0 from the configuration: speaks now
        assert configured.alerts() == [[("acc", "firing")]]
        waiting = AlertManager(group_wait=60)  # an argument wins over the configuration
        waiting.evaluate([point("n", "accuracy", 0.5)])
        waiting.tick()
        assert len(configured.sent) == 1
        own = RecordingChannel("email")
        assert list(AlertManager([own], store=store).channels) == ["email"]
        defaults.register_defaults(lambda: {"group_wiat": 0})
        with pytest.raises(ConfigError, match="unknown alert settings: group_wiat"):
            AlertManager()
    finally:
        defaults.clear_defaults()


def test_duplicate_channel_names_are_refused(store):
    with pytest.raises(ConfigError, match="two channels are named 'slack'"):
        AlertManager([RecordingChannel("slack"), RecordingChannel("slack")], store=store)


START = datetime(2026, 11, 2, tzinfo=UTC)
SPAN = {"since": START, "until": START + timedelta(days=2)}


def test_watching_a_monitor_evaluates_rules_after_each_run_checks(tmp_path):
    rng = np.random.default_rng(14)
    slack = RecordingChannel("slack", price_per_message=0.01)
    rule = AlertRule("drift", "data_drift_score", 0.2, check="drift", severity="critical")
    with ModelMonitor("churn", store=tmp_path / "m", metrics=["accuracy"]) as monitor:
        reference = pd.DataFrame(
            {"age": rng.normal(40, 10, 2000), "plan": rng.choice(["a", "b"], 2000)}
        )
        monitor.save_reference(reference)
        log_days(monitor, rng, [0.0, 25.0], start=START, rows=400)
        manager = AlertManager([slack], rules=[rule], group_wait=0)
        manager.watch(monitor)
        assert manager.store is monitor.store  # adopted
        summary = monitor.run_checks("day", checks=["drift"], **SPAN)
        manager.tick()
        scores = {
            r.window_start.day: r.value for r in summary.records if r.metric == "data_drift_score"
        }
        assert scores[3] > 0.2 > scores[2]
        (alert,) = manager.alerts()
        assert (alert.rule, alert.model, alert.alert.labels["check"]) == ("drift", "churn", "drift")
        assert slack.alerts() == [[("drift", "firing")]]
        report = monitor.cost_report()
        assert report.notification_cost == pytest.approx(0.01)
        assert "Alert notification cost: $0.01/month" in str(report)


def test_a_failing_listener_never_fails_run_checks(tmp_path, caplog):
    rng = np.random.default_rng(3)
    with ModelMonitor("churn", store=tmp_path / "m") as monitor:
        monitor.save_reference(
            pd.DataFrame({"age": rng.normal(40, 10, 500), "plan": rng.choice(["a", "b"], 500)})
        )
        log_days(monitor, rng, [0.0, 0.0], start=START, rows=400)
        calls = []

        def broken(summary):
            calls.append(summary.model)
            raise RuntimeError("listener bug")

        monitor.add_check_listener(broken)
        summary = monitor.run_checks("day", checks=["drift"], **SPAN)
        assert summary.records and calls == ["churn"]
        assert "listener bug" in caplog.text
        monitor.remove_check_listener(broken)
        monitor.run_checks("day", checks=["drift"], **SPAN)
        assert calls == ["churn"]
        assert monitor.cost_report().notification_cost is None


def test_rules_from_a_generator_and_zero_intervals(tmp_path):
    rule = AlertRule("drift", "data_drift_score", 0.2)
    manager = AlertManager(store=tmp_path / "s", rules=(r for r in [rule]), deliver=False)
    assert [r.name for r in manager.rules] == ["drift"]
    manager.close()
    for name in ("group_interval", "repeat_interval"):
        with pytest.raises(ConfigError, match=f"{name} must be more than 0"):
            AlertManager(store=tmp_path / "s", deliver=False, **{name: 0})
