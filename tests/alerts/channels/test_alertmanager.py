"""AlertmanagerChannel: the posted alerts' shape against a recording receiver, and the
real Prometheus Alertmanager taking a firing alert, showing it active in its API,
notifying its webhook, and resolving it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from driftscope.alerts.channels import AlertmanagerChannel, DeliveryError
from driftscope.alerts.model import Alert
from driftscope.errors import ConfigError
from tests.alerts.alertmanager_support import eventually
from tests.alerts.channels.helpers import START, acknowledged, alert, notify, ticket
from tests.alerts.channels.validators import check_alertmanager_alerts
from tests.alerts.receiver import Reply


def test_the_posted_alerts_follow_the_api(receiver):
    channel = AlertmanagerChannel(
        receiver.url + "/prefix/", generator_url="https://dash.test/m/churn"
    )
    group = notify(
        alert(labels={"feature.name": "age", "2nd": "x"}), alert("critical", "Accuracy low")
    )
    channel.send(group)
    [request] = receiver.wait_for(1)
    assert (request.method, request.path) == ("POST", "/prefix/api/v2/alerts")
    posted = request.json()
    check_alertmanager_alerts(posted)
    first = posted[0]
    assert first["labels"] == {
        "alertname": "Model Drift Detected",
        "feature_name": "age",
        "_2nd": "x",
        "model": "churn",
        "severity": "warning",
    }
    assert first["annotations"]["summary"] == "Model Drift Detected"
    assert first["annotations"]["description"] == "age moved by 0.5 sd"
    assert first["startsAt"] == "2026-12-08T03:00:00.000Z"
    assert "endsAt" not in first  # firing: Alertmanager's resolve_timeout applies
    assert first["generatorURL"] == "https://dash.test/m/churn"
    assert posted[1]["labels"]["severity"] == "critical"


def test_resolved_alerts_end_and_a_horizon_bounds_firing_ones():
    now = datetime(2026, 12, 8, 4, 0, tzinfo=UTC)
    channel = AlertmanagerChannel(
        "http://127.0.0.1:9093",
        horizon=timedelta(minutes=5),
        resend_interval=timedelta(minutes=2),
        clock=lambda: now,
    )
    [resolved] = channel.payload(notify(alert(resolved=True)))
    assert resolved["endsAt"] == "2026-12-08T03:30:00.000Z"
    [firing] = channel.payload(notify(alert()))
    assert firing["endsAt"] == "2026-12-08T04:05:00.000Z"
    check_alertmanager_alerts([resolved, firing])
    assert channel.resend_interval == timedelta(minutes=2)
    assert AlertmanagerChannel("http://a.test").resend_interval == timedelta(minutes=1)
    with pytest.raises(ConfigError, match=r"resend_interval .* must be shorter than horizon"):
        AlertmanagerChannel("http://a.test", horizon=timedelta(minutes=1))


def test_acknowledgements_are_skipped_and_tickets_refused(receiver):
    channel = AlertmanagerChannel(receiver.url)
    assert channel.send(acknowledged()) is None
    with pytest.raises(DeliveryError) as caught:
        channel.send(ticket())
    assert not caught.value.retryable
    assert receiver.requests == []


def test_basic_auth_and_bearer_tokens(receiver):
    AlertmanagerChannel(receiver.url, username="am", password="pw").send(notify())
    AlertmanagerChannel(receiver.url, bearer_token="tok").send(notify())
    basic, bearer = receiver.wait_for(2)
    assert basic.headers["authorization"] == "Basic YW06cHc="  # base64("am:pw")
    assert bearer.headers["authorization"] == "Bearer tok"


def test_a_bad_request_is_not_retried(receiver):
    receiver.default = Reply(400, '{"code":400,"message":"start time must be before end time"}')
    with pytest.raises(DeliveryError, match="start time must be before end time") as caught:
        AlertmanagerChannel(receiver.url).send(notify())
    assert not caught.value.retryable


# -- the real Alertmanager -----------------------------------------------------------------


def _ours(alerts: list[dict], run: str) -> list[dict]:
    return [a for a in alerts if a["labels"].get("run") == run]


def test_the_real_alertmanager_takes_fires_and_resolves(alertmanager):
    run = uuid.uuid4().hex[:12]  # the session's Alertmanager is shared: our alerts only
    channel = AlertmanagerChannel(alertmanager.url, generator_url="https://dash.test/churn")
    started = datetime.now(UTC).replace(microsecond=0)
    firing = Alert.of(
        "critical",
        "Accuracy low",
        "0.81 < 0.85",
        labels={"model": "churn", "run": run, "feature.name": "age"},
        starts_at=started,
    )
    channel.send(notify(firing))

    active = eventually(lambda: _ours(alertmanager.alerts(), run))
    assert len(active) == 1, active
    shown = active[0]
    assert shown["status"]["state"] == "active"
    assert shown["labels"]["feature_name"] == "age" and shown["labels"]["severity"] == "critical"
    assert shown["annotations"]["description"] == "0.81 < 0.85"
    assert shown["generatorURL"] == "https://dash.test/churn"
    assert datetime.fromisoformat(shown["startsAt"].replace("Z", "+00:00")) == started
    # with no endsAt, Alertmanager set it to now + its resolve_timeout (5 minutes)
    ends = datetime.fromisoformat(shown["endsAt"].replace("Z", "+00:00"))
    assert timedelta(minutes=4) < ends - datetime.now(UTC) <= timedelta(minutes=5, seconds=5)

    def statuses() -> list[str]:
        return [
            payload["status"]
            for payload in alertmanager.notified()
            if any(a["labels"].get("run") == run for a in payload["alerts"])
        ]

    # group_wait is 0 s: Alertmanager notifies its webhook of the firing alert at once
    assert eventually(lambda: "firing" in statuses()), "the webhook heard nothing"
    channel.send(notify(firing.with_end(datetime.now(UTC))))
    assert eventually(lambda: not _ours(alertmanager.alerts(), run)), "still active after resolve"
    # and of its resolution at the next group_interval (1 s)
    assert eventually(lambda: "resolved" in statuses()), statuses()
    assert statuses()[0] == "firing" and statuses()[-1] == "resolved"


def test_the_real_alertmanager_folds_a_resent_alert(alertmanager):
    run = uuid.uuid4().hex[:12]
    channel = AlertmanagerChannel(alertmanager.url)
    firing = Alert.of("warning", "Drift", labels={"model": "churn", "run": run}, starts_at=START)
    for _ in range(3):  # re-sent while active, as the engine does every resend_interval
        channel.send(notify(firing))
    assert len(eventually(lambda: _ours(alertmanager.alerts(), run))) == 1
    channel.send(notify(firing.with_end(datetime.now(UTC))))
    assert eventually(lambda: not _ours(alertmanager.alerts(), run))
