"""AutomatedDriftResponse by tier, on a real store with a baseline and logged predictions
drifted to each tier's score (default thresholds), a real retrainer, and a stand-in alert
manager with the AlertManager's signatures that records what it was asked."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from driftscope.alerts.model import Alert, AlertSeverity
from driftscope.errors import ConfigError
from driftscope.response import AutomatedDriftResponse, AutoRetrainer, CallableTrigger
from driftscope.store import EmbeddedStore
from tests.response.data import logged_model


@dataclass
class Sent:
    """What the stand-in's send_alert returns: the alert, awaitable like the real result."""

    alert: Alert

    @property
    def fingerprint(self) -> str:
        return self.alert.fingerprint

    def __await__(self):
        return self
        yield


@dataclass
class Ticket:
    id: str

    def __await__(self):
        return self
        yield


@dataclass
class StandInAlerts:
    """The AlertManager's send_alert and create_investigation_ticket, recorded."""

    fail_alerts: bool = False
    alerts: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)

    def send_alert(
        self, severity, title, message="", actions=(), channels=None, labels=None, model=None
    ):
        if self.fail_alerts:
            raise ConfigError("no channel named 'pagerduty' is configured")
        alert = Alert.of(
            severity, title, message, labels={**(labels or {}), "model": model}, actions=actions
        )
        self.alerts.append({"alert": alert, "channels": channels})
        return Sent(alert)

    def create_investigation_ticket(
        self, title, description, assignee, *, model=None, channels=None
    ):
        self.tickets.append(
            {"title": title, "description": description, "assignee": assignee, "model": model}
        )
        return Ticket(f"t-{len(self.tickets)}")


def respond(location, *, shift, alerts=None, **options):
    logged_model(location, "churn", shift=shift)
    store = EmbeddedStore(location)
    started: list[str] = []
    retrainer = AutoRetrainer(
        "churn", CallableTrigger(lambda job: started.append(job.id)), store=store
    )
    responder = AutomatedDriftResponse(
        "churn",
        store=store,
        alert_manager=alerts or StandInAlerts(),
        retrainer=retrainer,
        **options,
    )
    return responder, store, started


def test_severe_drift_retrains_then_sends_a_critical_alert(tmp_path):
    alerts = StandInAlerts()
    responder, store, started = respond(
        tmp_path / "s",
        shift=0.4,
        alerts=alerts,
        channels={"severe": ["pagerduty", "slack"]},
    )
    result = asyncio.run(responder.monitor_and_respond())
    assert result["tier"] == "severe" and result["drift_score"] >= 0.3
    assert result["tier_reason"] == f"drift score {result['drift_score']:.3f} >= severe_drift 0.3"
    retrain, alert, event = result["actions"]
    assert retrain == {"action": "retrain", "job_id": started[0], "status": "started"}
    (sent,) = alerts.alerts
    assert sent["alert"].severity is AlertSeverity.CRITICAL
    assert sent["alert"].title == "Severe Drift Detected - Auto-Retraining Initiated"
    assert sent["alert"].labels["model"] == "churn"
    assert sent["channels"] == ["pagerduty", "slack"]
    assert sent["alert"].message.splitlines() == [
        "Model: churn",
        f"Drift score: {result['drift_score']:.3f}",
        f"Drifted features: {result['drifted_features']}",
        f"Action: Automatic retraining initiated (job {started[0]})",
    ]
    assert alert == {
        "action": "alert",
        "severity": "critical",
        "title": "Severe Drift Detected - Auto-Retraining Initiated",
        "fingerprint": sent["alert"].fingerprint,
    }
    assert event["action"] == "drift_event"
    assert store.read_check_results("churn", check="drift_event")["details"][0]["tier"] == "severe"
    assert [e.action for e in store.read_audit(model="churn")] == [
        "response.tier",
        "retrain.triggered",
        "drift.event",
    ]

    # run again, still severe: the cooldown refuses, and the alert says so
    again = asyncio.run(responder.monitor_and_respond())
    assert again["actions"][0]["status"] == "refused"
    assert alerts.alerts[1]["alert"].message.endswith(
        "Action: Retraining refused: " + again["actions"][0]["why"]
    )
    assert len(started) == 1
    store.close()


def test_moderate_drift_warns_with_actions_and_opens_a_ticket(tmp_path):
    alerts = StandInAlerts()
    responder, store, started = respond(tmp_path / "s", shift=0.25, alerts=alerts)
    result = asyncio.run(responder.monitor_and_respond())
    assert result["tier"] == "moderate"
    (sent,) = alerts.alerts
    assert sent["alert"].severity is AlertSeverity.WARNING
    assert sent["channels"] is None  # the manager's routes decide
    assert [a.action for a in sent["alert"].actions] == ["retrain", "ack", "dashboard"]
    (ticket,) = alerts.tickets
    assert ticket["title"] == "Model Drift Investigation - churn"
    assert ticket["assignee"] == "ml-ops-team"
    assert ticket["description"]["drift_score"] == result["drift_score"]
    assert ticket["description"]["tier"] == "moderate"
    assert [a["action"] for a in result["actions"]] == ["alert", "ticket", "drift_event"]
    assert result["actions"][1]["id"] == "t-1"
    assert not started
    store.close()


def test_minor_drift_sends_info_and_logs_an_event(tmp_path):
    alerts = StandInAlerts()
    responder, store, _ = respond(tmp_path / "s", shift=0.15, alerts=alerts)
    result = asyncio.run(responder.monitor_and_respond())
    assert result["tier"] == "minor"
    assert [a["alert"].severity for a in alerts.alerts] == [AlertSeverity.INFO]
    assert alerts.alerts[0]["alert"].message.endswith("Action: Continuing to monitor")
    assert [a["action"] for a in result["actions"]] == ["alert", "drift_event"]
    assert len(store.read_check_results("churn", check="drift_event")) == 1
    store.close()


def test_no_drift_does_nothing_but_record_the_tier(tmp_path):
    alerts = StandInAlerts()
    responder, store, _ = respond(tmp_path / "s", shift=0.0, alerts=alerts)
    result = asyncio.run(responder.monitor_and_respond())
    assert (result["tier"], result["actions"]) == ("none", [])
    assert not alerts.alerts and not alerts.tickets
    (entry,) = store.read_audit(model="churn")
    assert entry.action == "response.tier" and entry.details["tier"] == "none"
    assert entry.reason == f"drift score {result['drift_score']:.3f} < minor_drift 0.1"
    store.close()


def test_a_failing_action_does_not_stop_the_others(tmp_path):
    responder, store, started = respond(
        tmp_path / "s", shift=0.4, alerts=StandInAlerts(fail_alerts=True)
    )
    result = asyncio.run(responder.monitor_and_respond())
    retrain, alert, event = result["actions"]
    assert retrain["status"] == "started" and len(started) == 1
    assert alert == {
        "action": "alert",
        "error": "ConfigError: no channel named 'pagerduty' is configured",
    }
    assert "id" in event
    failed = store.read_audit(action="response.action_failed")
    assert [e.details["action"] for e in failed] == ["alert"]
    store.close()


def test_thresholds_are_configurable_and_checked(tmp_path):
    responder, store, _ = respond(
        tmp_path / "s", shift=0.15, thresholds={"minor_drift": 0.05, "moderate_drift": 0.1}
    )
    assert asyncio.run(responder.monitor_and_respond())["tier"] == "moderate"
    with pytest.raises(ConfigError, match="thresholds must increase"):
        AutomatedDriftResponse(
            "churn", store=store, alert_manager=StandInAlerts(), thresholds={"severe_drift": 0.15}
        )
    with pytest.raises(ConfigError, match="unknown threshold 'critical_drift'"):
        AutomatedDriftResponse(
            "churn", store=store, alert_manager=StandInAlerts(), thresholds={"critical_drift": 0.5}
        )
    with pytest.raises(ConfigError, match="channels: unknown tier 'page'"):
        AutomatedDriftResponse(
            "churn", store=store, alert_manager=StandInAlerts(), channels={"page": ["pagerduty"]}
        )
    store.close()


def test_get_production_data_reads_the_last_days(tmp_path):
    responder, store, _ = respond(tmp_path / "s", shift=0.0)
    recent = asyncio.run(responder.get_production_data(days=7))
    assert len(recent) == 1500
    assert asyncio.run(responder.get_production_data(days=1)).empty  # logged 2 days ago
    later = datetime.now(UTC) + timedelta(days=30)
    responder.drift_analyzer.clock = lambda: later
    assert asyncio.run(responder.get_production_data(days=7)).empty
    store.close()
