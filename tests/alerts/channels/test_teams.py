"""TeamsChannel against a recording receiver: an Adaptive Card as Teams takes it."""

from __future__ import annotations

from driftscope.alerts.channels import Secret, TeamsChannel
from tests.alerts.channels.helpers import acknowledged, alert, big_group, notify, ticket
from tests.alerts.channels.validators import check_teams_message
from tests.alerts.receiver import Reply


def _card(message):
    check_teams_message(message)
    return message["attachments"][0]["content"]


def test_an_alert_arrives_as_an_adaptive_card(receiver):
    receiver.default = Reply(202)
    dashboard = {"label": "Dashboard", "action": "open", "url": "https://grafana.test/d/1"}
    channel = TeamsChannel(Secret(receiver.url + "/workflows/abc?sig=secret"))
    channel.send(
        notify(alert("critical", actions=[dashboard, "Retrain"], labels={"feature": "age"}))
    )
    [request] = receiver.wait_for(1)
    assert request.path == "/workflows/abc" and request.query == {"sig": ["secret"]}
    card = _card(request.json())
    title, message, facts, suggested, footer = card["body"]
    assert title["text"] == "[CRITICAL] Model Drift Detected" and title["color"] == "Attention"
    assert message["text"] == "age moved by 0.5 sd"
    shown = {f["title"]: f["value"] for f in facts["facts"]}
    assert shown["Model"] == "churn" and shown["Labels"] == "feature=age"
    assert suggested["text"] == "Suggested: Retrain"
    assert footer["isSubtle"] is True
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Dashboard", "url": "https://grafana.test/d/1"}
    ]


def test_a_large_group_fits_teams_limits():
    channel = TeamsChannel("https://prod.logic.azure.com/workflows/x")
    card = _card(channel.payload(big_group(100)))
    shown = [b for b in card["body"] if b.get("weight") == "Bolder" and b.get("separator")]
    assert 1 <= len(shown) <= 10
    assert card["body"][-2]["text"] == f"… and {100 - len(shown)} more"
    assert len(card["actions"]) == 6


def test_resolved_acknowledged_and_ticket_cards():
    channel = TeamsChannel("https://prod.logic.azure.com/workflows/x")
    resolved = _card(channel.payload(notify(alert(resolved=True))))
    assert resolved["body"][0]["color"] == "Good"
    ack = _card(channel.payload(acknowledged("carol")))
    assert ack["body"][0]["text"] == "Model Drift Detected acknowledged by carol"
    issue = _card(channel.payload(ticket({"features": {"age": {"drifted": True}}})))
    assert issue["body"][0]["text"] == "Investigation: Investigate drift on churn"
    assert "- age: drifted=yes" in issue["body"][1]["text"]
