"""PagerDutyChannel against a recording receiver answering as the Events API v2 does."""

from __future__ import annotations

import pytest

from driftscope.alerts.channels import DeliveryError, PagerDutyChannel
from tests.alerts.channels.helpers import acknowledged, alert, big_group, notify, ticket
from tests.alerts.channels.validators import check_pagerduty_event
from tests.alerts.receiver import Reply

KEY = "R0UT1NGKEY0123456789abcdefABCDEF"


@pytest.fixture
def pagerduty(receiver):
    """The receiver answering like PagerDuty (202 and the dedup key)."""

    def accept(request):
        return Reply(
            202,
            json={
                "status": "success",
                "message": "Event processed",
                "dedup_key": request.json()["dedup_key"],
            },
        )

    receiver.handler = accept
    return PagerDutyChannel(KEY, url=receiver.url + "/v2/enqueue")


def test_a_firing_group_triggers_with_the_groups_dedup_key(receiver, pagerduty):
    runbook = {"label": "Runbook", "action": "runbook", "url": "https://wiki.test/drift"}
    sent = notify(alert("critical", actions=[runbook, "Retrain"]), group_key="grp-7")
    receipt = pagerduty.send(sent)
    [request] = receiver.wait_for(1)
    assert request.path == "/v2/enqueue"
    event = request.json()
    check_pagerduty_event(event)
    assert event["routing_key"] == KEY
    assert event["event_action"] == "trigger"
    assert event["dedup_key"] == sent.dedup_key == "driftscope-grp-7"
    payload = event["payload"]
    assert payload["summary"] == "[CRITICAL] Model Drift Detected: age moved by 0.5 sd"
    assert (payload["source"], payload["component"]) == ("churn", "churn")
    assert payload["severity"] == "critical"
    assert payload["timestamp"] == "2026-12-08T03:00:00.000Z"
    details = payload["custom_details"]
    assert details["message"] == "age moved by 0.5 sd"
    assert details["labels"]["model"] == "churn"
    assert event["links"] == [{"href": "https://wiki.test/drift", "text": "Runbook"}]
    assert receipt == {"dedup_key": "driftscope-grp-7", "status": 202}


@pytest.mark.parametrize("severity", ["critical", "warning", "info"])
def test_severities_map_to_pagerdutys_names(pagerduty, severity):
    event = pagerduty.payload(notify(alert(severity)))
    check_pagerduty_event(event)
    assert event["payload"]["severity"] == severity


def test_resolve_and_acknowledge_carry_only_the_key(receiver, pagerduty):
    pagerduty.send(notify(alert(resolved=True)))
    pagerduty.send(acknowledged("bob"))
    resolve, ack = (r.json() for r in receiver.wait_for(2))
    for event in (resolve, ack):
        check_pagerduty_event(event)
        assert event["dedup_key"] == "driftscope-grp-1"
        assert "payload" not in event
    assert (resolve["event_action"], ack["event_action"]) == ("resolve", "acknowledge")


def test_a_huge_group_stays_within_pagerdutys_limits(pagerduty):
    event = pagerduty.payload(big_group(200))
    check_pagerduty_event(event)
    assert len(event["payload"]["summary"]) <= 1024
    assert event["payload"]["custom_details"]["more_alerts"] == 150
    hrefs = [link["href"] for link in event["links"]]
    assert len(hrefs) == len(set(hrefs)) == 10


def test_a_ticket_is_refused_without_retry(receiver, pagerduty):
    with pytest.raises(DeliveryError) as caught:
        pagerduty.send(ticket())
    assert not caught.value.retryable
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        (Reply(400, json={"status": "invalid event", "errors": ["'routing_key' invalid"]}), False),
        (Reply(429, json={"status": "throttled"}), True),
        (Reply(502), True),
    ],
)
def test_answers_are_classified(receiver, pagerduty, reply, retryable):
    receiver.handler = None
    receiver.default = reply
    with pytest.raises(DeliveryError) as caught:
        pagerduty.send(notify())
    assert caught.value.retryable is retryable
    assert str(reply.status) in str(caught.value)
