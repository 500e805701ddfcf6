"""The format validators catch what they are for: each one fails on a payload that breaks
the receiver's documented rules (a validator that cannot fail proves nothing)."""

from __future__ import annotations

import copy

import pytest

from tests.alerts.channels import validators as v

SLACK = {
    "text": "fallback",
    "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "Title"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "body"},
         "fields": [{"type": "mrkdwn", "text": "*a*\nb"}]},
        {"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": "a1"}]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "time"}]},
    ],
}  # fmt: skip

CARD = {
    "type": "message",
    "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive",
        "content": {"type": "AdaptiveCard", "version": "1.4",
                    "body": [{"type": "TextBlock", "text": "t", "wrap": True},
                             {"type": "FactSet", "facts": [{"title": "a", "value": "b"}]}],
                    "actions": [{"type": "Action.OpenUrl", "title": "Go", "url": "https://x.test"}]},
    }],
}  # fmt: skip

PAGERDUTY = {
    "routing_key": "k",
    "event_action": "trigger",
    "dedup_key": "d",
    "payload": {"summary": "s", "source": "src", "severity": "warning"},
}

ALERTS = [{"labels": {"alertname": "a"}, "startsAt": "2026-12-08T03:00:00.000Z"}]


def _broken(document, change):
    copied = copy.deepcopy(document)
    change(copied)
    return copied


def test_the_valid_examples_pass():
    v.check_slack_message(SLACK)
    v.check_teams_message(CARD)
    v.check_pagerduty_event(PAGERDUTY)
    v.check_alertmanager_alerts(ALERTS)
    v.check_github_issue({"title": "t", "body": "b", "labels": ["x"]})
    v.check_jira_issue(
        {"fields": {"project": {"key": "O"}, "summary": "s", "issuetype": {"name": "Task"}}}
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m["blocks"][0]["text"].update(text="x" * 151),
        lambda m: m["blocks"].extend([{"type": "divider"}] * 47),
        lambda m: m["blocks"][1]["text"].update(text="<!channel>"),
        lambda m: m["blocks"][1]["text"].update(text="x" * 3001),
        lambda m: m["blocks"][1].update(fields=[{"type": "mrkdwn", "text": "f"}] * 11),
        lambda m: m["blocks"][2]["elements"][0]["text"].update(text="x" * 76),
        lambda m: m["blocks"][2].update(elements=m["blocks"][2]["elements"] * 2),  # same action_id
        lambda m: m["blocks"][2].update(elements=[]),
        lambda m: m["blocks"][0].update(text={"type": "mrkdwn", "text": "x"}),
        lambda m: m["blocks"].append({"type": "table"}),
        lambda m: m.pop("text"),
    ],
)
def test_slack_violations_fail(change):
    with pytest.raises(AssertionError):
        v.check_slack_message(_broken(SLACK, change))


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m["attachments"][0]["content"].update(version="1.2"),
        lambda m: m["attachments"][0].update(contentType="application/json"),
        lambda m: m["attachments"][0]["content"]["body"][0].update(color="Red"),
        lambda m: m["attachments"][0]["content"]["body"][1].update(facts=[]),
        lambda m: m["attachments"][0]["content"]["actions"][0].update(type="Action.Submit"),
        lambda m: m["attachments"][0]["content"]["actions"][0].update(url="/relative"),
        lambda m: m["attachments"][0]["content"]["body"][0].update(text="x" * 30_000),
    ],
)
def test_adaptive_card_violations_fail(change):
    with pytest.raises(AssertionError):
        v.check_teams_message(_broken(CARD, change))


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.update(event_action="page"),
        lambda e: e["payload"].update(severity="high"),
        lambda e: e["payload"].pop("source"),
        lambda e: e["payload"].update(summary="x" * 1025),
        lambda e: e.update(event_action="resolve") or e.pop("dedup_key"),
        lambda e: e.update(extra=1),
    ],
)
def test_pagerduty_violations_fail(change):
    with pytest.raises(AssertionError):
        v.check_pagerduty_event(_broken(PAGERDUTY, change))


@pytest.mark.parametrize(
    "change",
    [
        lambda a: a[0]["labels"].update({"feature.name": "x"}),
        lambda a: a[0].update(labels={}),
        lambda a: a[0].update(startsAt="2026-12-08 03:00"),
        lambda a: a[0].update(endsAt="2026-12-08T02:00:00Z"),
        lambda a: a[0].update(generatorURL="not a url"),
    ],
)
def test_alertmanager_violations_fail(change):
    with pytest.raises(AssertionError):
        v.check_alertmanager_alerts(_broken(ALERTS, change))


def test_ticket_violations_fail():
    with pytest.raises(AssertionError):
        v.check_github_issue({"title": "two\nlines"})
    with pytest.raises(AssertionError):
        v.check_jira_issue(
            {"fields": {"project": {"key": "O"}, "summary": "s", "issuetype": {"name": "T"},
                        "labels": ["has space"]}}
        )  # fmt: skip
