"""From logged predictions to a page and back: a real monitor's health checks feed the
rules, the alert goes through the outbox to the real Prometheus Alertmanager, Slack- and
PagerDuty-shaped receivers and a signed webhook, and resolves everywhere when the data
comes back; Alertmanager's own API proves it arrived and ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from driftscope.alerts import AlertManager, AlertRule
from driftscope.alerts.channels import (
    AlertmanagerChannel,
    PagerDutyChannel,
    SlackChannel,
    WebhookChannel,
    verify_signature,
)
from driftscope.monitor import ModelMonitor
from tests.alerts.alertmanager_support import eventually
from tests.alerts.engine_support import log_days

START = datetime(2026, 11, 2, tzinfo=UTC)
SECRET = "whsec-end-to-end-1"


def test_drift_pages_through_every_channel_and_resolves(tmp_path, alertmanager, receiver):
    rng = np.random.default_rng(2026)
    model = f"churn-e2e-{rng.integers(1 << 30)}"  # the session's Alertmanager is shared
    channels = [
        AlertmanagerChannel(alertmanager.url),
        SlackChannel(receiver.url + "/slack", price_per_message=0.002),
        PagerDutyChannel("R0UTINGKEY000000000000000000000", url=receiver.url + "/pagerduty"),
        WebhookChannel(receiver.url + "/hook", secret=SECRET),
    ]
    rule = AlertRule(
        "feature_drift",
        "data_drift_score",
        0.2,
        check="drift",
        severity="critical",
        resolve_after=2,
    )
    with ModelMonitor(model, store=tmp_path / "store") as monitor:
        monitor.save_reference(
            pd.DataFrame({"age": rng.normal(40, 10, 3000), "plan": rng.choice(["a", "b"], 3000)})
        )
        log_days(monitor, rng, [0.0, 30.0, 0.0, 0.0], start=START, rows=300)
        alerts = AlertManager(channels, rules=[rule], group_wait=0)
        alerts.watch(monitor)

        # day 1 drifts: one alert, sent once to every channel
        monitor.run_checks("day", checks=["drift"], since=START, until=START + timedelta(days=2))
        alerts.tick()
        [fired] = alerts.alerts()
        assert fired.model == model and fired.alert.severity.value == "critical"
        active = eventually(lambda: alertmanager.alerts(filter=f'model="{model}"'))
        assert len(active) == 1 and active[0]["status"]["state"] == "active"
        assert active[0]["labels"]["alertname"] == "feature_drift"

        slack = [r for r in receiver.requests if r.path == "/slack"]
        pager = [r.json() for r in receiver.requests if r.path == "/pagerduty"]
        hooks = [r for r in receiver.requests if r.path == "/hook"]
        assert len(slack) == len(pager) == len(hooks) == 1
        text = slack[0].json()["text"]
        assert text.startswith("[CRITICAL] data_drift_score above 0.2") and model in text
        assert (
            pager[0]["event_action"] == "trigger" and pager[0]["payload"]["severity"] == "critical"
        )
        dedup_key = pager[0]["dedup_key"]
        hook = hooks[0]
        assert verify_signature(
            SECRET,
            hook.headers["x-driftscope-timestamp"],
            hook.body,
            hook.headers["x-driftscope-signature"],
        )

        # days 2 and 3 are back to normal: resolves after two good windows, everywhere
        monitor.run_checks(
            "day",
            checks=["drift"],
            since=START + timedelta(days=2),
            until=START + timedelta(days=4),
        )
        alerts.tick(datetime.now(UTC) + timedelta(minutes=10))  # past the group interval
        assert alerts.alerts() == []
        [resolved] = alerts.alerts(state="resolved")
        assert resolved.alert.fingerprint == fired.alert.fingerprint
        gone = eventually(lambda: not alertmanager.alerts(filter=f'model="{model}"'))
        assert gone, "Alertmanager still shows the alert active after it resolved"
        pager = [r.json() for r in receiver.requests if r.path == "/pagerduty"]
        assert [p["event_action"] for p in pager] == ["trigger", "resolve"]
        assert {p["dedup_key"] for p in pager} == {dedup_key}
        assert len([r for r in receiver.requests if r.path == "/slack"]) == 2

        # nothing was left in the outbox, and every decision is in the audit log
        actions = {e.action for e in alerts.audit()}
        assert {"alert.fired", "alert.resolved", "notification.delivered"} <= actions, actions
        assert not monitor.store.find_state("notification", states=["pending", "dead"])
