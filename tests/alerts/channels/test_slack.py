"""SlackChannel against a recording receiver: Block Kit within Slack's limits, escaping,
groups, resolved, acknowledged and ticket messages."""

from __future__ import annotations

import pytest

from driftscope.alerts.channels import DeliveryError, Secret, SlackChannel
from tests.alerts.channels.helpers import acknowledged, alert, big_group, notify, ticket
from tests.alerts.channels.validators import check_slack_message
from tests.alerts.receiver import Reply


def _channel(receiver, **options) -> SlackChannel:
    return SlackChannel(Secret(receiver.url + "/services/T0/B0/secret"), **options)


def test_one_alert_arrives_as_block_kit_with_a_fallback(receiver):
    receiver.default = Reply(200, "ok")
    dashboard = {
        "label": "Open dashboard",
        "action": "dashboard",
        "url": "https://grafana.test/d/1",
    }
    sent = alert(labels={"feature": "age"}, actions=[dashboard, "Review model"])
    assert _channel(receiver).send(notify(sent)) is None
    [request] = receiver.wait_for(1)
    assert request.method == "POST" and request.path == "/services/T0/B0/secret"
    assert request.headers["content-type"] == "application/json"
    message = request.json()
    check_slack_message(message)
    assert message["text"] == "[WARNING] Model Drift Detected: age moved by 0.5 sd"
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["header", "section", "actions", "context"]
    header, section, actions, context = message["blocks"]
    assert "Model Drift Detected" in header["text"]["text"]
    assert section["text"]["text"] == "age moved by 0.5 sd"
    fields = [f["text"] for f in section["fields"]]
    assert "*Model*\nchurn" in fields and "*Severity*\nwarning" in fields
    assert "*Labels*\nfeature=age" in fields
    buttons = actions["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Open dashboard", "Review model"]
    assert buttons[0]["url"] == "https://grafana.test/d/1" and "url" not in buttons[1]
    assert "2026-12-08 03:01:00 UTC" in context["elements"][0]["text"]


def test_long_texts_and_large_groups_stay_within_slacks_limits(receiver):
    notification = big_group(100)
    _channel(receiver).send(notification)
    message = receiver.wait_for(1)[0].json()
    check_slack_message(message)
    texts = [b.get("text", {}).get("text", "") for b in message["blocks"]]
    assert any(t == "… and 95 more" for t in texts)
    header = message["blocks"][0]["text"]["text"]
    assert len(header) == 150 and header.endswith("…")
    sections = [b for b in message["blocks"] if b["type"] == "section" and "fields" in b]
    assert len(sections) == 5
    assert all(len(s["text"]["text"]) == 3000 and s["text"]["text"].endswith("…") for s in sections)
    buttons = next(b for b in message["blocks"] if b["type"] == "actions")["elements"]
    assert len(buttons) == 25
    assert all(len(b["text"]["text"]) <= 75 for b in buttons)


def test_max_alerts_is_how_many_a_group_lists(receiver):
    channel = _channel(receiver, max_alerts=2)
    message = channel.payload(big_group(4, long=False))
    check_slack_message(message)
    titled = [b for b in message["blocks"] if b["type"] == "section" and "fields" in b]
    assert len(titled) == 2
    assert titled[0]["text"]["text"].startswith("*Feature 0 drifted*\n")
    assert message["blocks"][-2]["text"]["text"] == "… and 2 more"


def test_mrkdwn_is_escaped_so_text_cannot_mention_or_link(receiver):
    sent = alert(title="A <b> & c", message="<!channel> ping & <https://evil.test|click>")
    message = _channel(receiver).payload(notify(sent))
    check_slack_message(message)
    text = message["blocks"][1]["text"]["text"]
    assert text == "&lt;!channel&gt; ping &amp; &lt;https://evil.test|click&gt;"


def test_escaping_never_pushes_a_text_past_its_limit():
    channel = SlackChannel("https://hooks.slack.com/services/x")
    message = channel.payload(notify(alert(message="<" * 5000)))
    check_slack_message(message)
    assert len(message["blocks"][1]["text"]["text"]) <= 3000


def test_resolved_acknowledged_and_ticket_messages(receiver):
    channel = _channel(receiver)
    resolved = channel.payload(notify(alert(resolved=True)))
    check_slack_message(resolved)
    assert resolved["blocks"][0]["text"]["text"].endswith("[RESOLVED] Model Drift Detected")
    fields = [f["text"] for f in resolved["blocks"][1]["fields"]]
    assert "*Resolved*\n2026-12-08 03:30:00 UTC" in fields

    ack = channel.payload(acknowledged("alice"))
    check_slack_message(ack)
    assert "Model Drift Detected acknowledged by alice" in ack["text"]
    assert len(ack["blocks"]) == 1

    issue = channel.payload(ticket({"has_drift": True, "score": 0.42}))
    check_slack_message(issue)
    assert "Investigation: Investigate drift on churn" in issue["blocks"][0]["text"]["text"]
    assert "has_drift: yes\nscore: 0.42" in issue["blocks"][1]["text"]["text"]


def test_an_empty_message_still_makes_a_valid_section():
    message = SlackChannel("https://hooks.slack.com/x").payload(notify(alert(message="")))
    check_slack_message(message)
    assert message["text"] == "[WARNING] Model Drift Detected"


@pytest.mark.parametrize(
    ("status", "body", "retryable"),
    [(400, "invalid_blocks", False), (403, "invalid_token", False), (404, "no_service", False),
     (410, "channel_is_archived", False), (429, "rate_limited", True), (500, "", True)],
)  # fmt: skip
def test_slacks_errors_say_what_slack_answered(receiver, status, body, retryable):
    receiver.default = Reply(status, body, headers={"Retry-After": "30"})
    with pytest.raises(DeliveryError) as caught:
        _channel(receiver, name="ops").send(notify())
    assert caught.value.retryable is retryable
    assert f"slack channel 'ops': the receiver answered {status}" in str(caught.value)
    assert body in str(caught.value)
    assert caught.value.retry_after == (30.0 if retryable else None)
