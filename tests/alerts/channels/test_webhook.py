"""WebhookChannel: the JSON it posts, its HMAC signature (checked with verify_signature and
recomputed here independently), the idempotency key, custom headers."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from driftscope.alerts.channels import DeliveryError, Secret, WebhookChannel, verify_signature
from driftscope.alerts.model import Notification
from driftscope.errors import ConfigError
from tests.alerts.channels.helpers import alert, notify
from tests.alerts.receiver import Reply

SECRET = "whsec-0123456789"
NOW = 1_765_000_000


def test_a_signed_post_verifies_both_ways(receiver):
    channel = WebhookChannel(receiver.url + "/hook", secret=Secret(SECRET), clock=lambda: NOW + 0.7)
    sent = notify(alert("critical"), id="n-42")
    channel.send(sent)
    [request] = receiver.wait_for(1)
    timestamp = request.headers["x-driftscope-timestamp"]
    signature = request.headers["x-driftscope-signature"]
    assert timestamp == str(NOW)
    # independently: HMAC-SHA256 over "<timestamp>.<raw body>"
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256)
    assert signature == "sha256=" + expected.hexdigest()
    assert verify_signature(SECRET, timestamp, request.body, signature, now=NOW + 10)
    assert request.headers["idempotency-key"] == "n-42"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("driftscope/")


def test_the_body_is_the_notification_plus_its_summary_fields(receiver):
    WebhookChannel(receiver.url + "/hook").send(notify(alert(resolved=True), id="n-5"))
    [request] = receiver.wait_for(1)
    body = json.loads(request.body)
    assert body["status"] == "resolved"
    assert body["severity"] == "warning"
    assert body["title"] == "[RESOLVED] Model Drift Detected"
    assert body["dedup_key"] == "driftscope-grp-1"
    assert body["alerts"][0]["labels"]["model"] == "churn"
    rebuilt = Notification.from_dict(
        {k: v for k, v in body.items() if k not in ("status", "severity", "title", "dedup_key")}
    )
    assert rebuilt == notify(alert(resolved=True), id="n-5")
    assert "x-driftscope-signature" not in request.headers  # no secret, no signature
    assert request.headers["idempotency-key"] == "n-5"


def test_verify_signature_rejects_tampering_replays_and_garbage():
    body = b'{"status":"firing"}'
    good = (
        "sha256=" + hmac.new(SECRET.encode(), f"{NOW}.".encode() + body, hashlib.sha256).hexdigest()
    )
    assert verify_signature(SECRET, NOW, body, good, now=NOW)
    assert verify_signature(Secret(SECRET), str(NOW), body, good, now=NOW + 300)
    assert not verify_signature(SECRET, NOW, body, good, now=NOW + 301)  # too old: a replay
    assert not verify_signature(SECRET, NOW, body, good, now=NOW - 301)  # from the future
    assert not verify_signature(SECRET, NOW, body, good, tolerance=10, now=NOW + 11)
    assert not verify_signature(SECRET, NOW, body + b" ", good, now=NOW)
    assert not verify_signature("other", NOW, body, good, now=NOW)
    assert not verify_signature(SECRET, NOW + 1, body, good, now=NOW)
    assert not verify_signature(SECRET, "yesterday", body, good, now=NOW)
    assert not verify_signature(SECRET, NOW, body, good[:-1], now=NOW)
    assert not verify_signature(SECRET, NOW, body, "", now=NOW)


def test_custom_headers_are_sent_and_held_as_secrets(receiver):
    channel = WebhookChannel(receiver.url + "/hook", headers={"Authorization": "Bearer tok-9"})
    assert "tok-9" not in repr(channel) and all(
        isinstance(v, Secret) for v in channel.headers.values()
    )
    channel.send(notify())
    assert receiver.wait_for(1)[0].headers["authorization"] == "Bearer tok-9"
    with pytest.raises(ConfigError, match="X-Driftscope-Signature"):
        WebhookChannel("https://x.test", headers={"X-Driftscope-Signature": "forged"})


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (400, False), (401, False), (422, False)]
)
def test_answers_are_classified(receiver, status, retryable):
    receiver.default = Reply(status, "nope")
    with pytest.raises(DeliveryError) as caught:
        WebhookChannel(receiver.url + "/hook", name="audit").send(notify())
    assert caught.value.retryable is retryable
    assert f"webhook channel 'audit': the receiver answered {status}" in str(caught.value)
