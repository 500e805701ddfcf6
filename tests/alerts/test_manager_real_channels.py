"""The manager through real channels to the recording HTTP receiver: a PagerDuty incident
triggered, acknowledged and resolved under one dedup key; a GitHub issue whose url comes
back to the ticket; no secret in anything stored."""

from __future__ import annotations

import json

from driftscope.alerts.channels import GitHubIssueChannel, PagerDutyChannel, WebhookChannel
from driftscope.alerts.manager import AlertManager
from driftscope.store import open_store
from tests.alerts.engine_support import Clock
from tests.alerts.receiver import Reply

ROUTING_KEY = "R0UT1NG-KEY-6f1d"
TOKEN = "ghp_T0KEN_9a8b7c"


def test_pagerduty_hears_trigger_acknowledge_and_resolve_as_one_incident(receiver, tmp_path):
    receiver.default = Reply(202, json={"status": "success"})
    pagerduty = PagerDutyChannel(ROUTING_KEY, url=f"{receiver.url}/v2/enqueue")
    clock = Clock()
    with open_store(tmp_path) as store:
        alerts = AlertManager([pagerduty], store=store, clock=clock, group_interval="1m")
        fired = alerts.send_alert("critical", "Accuracy low", "0.71 < 0.85", model="churn")
        for _ in range(50):  # a storm of the same alert: no new incident, no new event
            alerts.send_alert("critical", "Accuracy low", "0.70 < 0.85", model="churn")
        clock.advance(minutes=3)
        alerts.acknowledge(fired.fingerprint, by="ana")
        alerts.resolve(fired.fingerprint)
        clock.advance(minutes=1)
        alerts.tick()
        stored = json.dumps([r.body for r in store.find_state("notification")])
        audit = json.dumps([e.to_dict() for e in alerts.audit()])
    events = [r.json() for r in receiver.requests]
    assert [e["event_action"] for e in events] == ["trigger", "acknowledge", "resolve"]
    assert len({e["dedup_key"] for e in events}) == 1
    assert {e["routing_key"] for e in events} == {ROUTING_KEY}
    assert ROUTING_KEY not in stored and ROUTING_KEY not in audit


def test_a_ticket_gets_the_url_of_the_issue_github_created(receiver, tmp_path):
    page = "https://github.com/acme/models/issues/12"
    receiver.reply(
        Reply(201, json={"number": 12, "html_url": page}), path="/repos/acme/models/issues"
    )
    github = GitHubIssueChannel("acme/models", TOKEN, api_url=receiver.url)
    webhook = WebhookChannel(f"{receiver.url}/hook")
    with open_store(tmp_path) as store:
        alerts = AlertManager([webhook, github], store=store)
        ticket = alerts.create_investigation_ticket(
            "Model Drift Investigation - churn",
            {"drift_score": 0.31, "drifted_features": ["age", "plan"]},
            "ml-ops-team",
            model="churn",
        )
        assert (ticket.url, ticket.external_id) == (page, "acme/models#12")
        assert alerts.ticket(ticket.id).url == page
        assert TOKEN not in json.dumps(store.get_state("ticket", ticket.id).body)
    (created,) = [r for r in receiver.requests if r.path == "/repos/acme/models/issues"]
    issue = created.json()
    assert issue["title"] == "Model Drift Investigation - churn"
    assert "drift_score" in issue["body"] and issue["assignees"] == ["ml-ops-team"]
    assert not [r for r in receiver.requests if r.path == "/hook"]  # alerts only there
