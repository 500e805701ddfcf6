"""Every HTTP channel pointed at one receiver, each holding secrets that tests then look
for in errors, reprs and logs."""

from __future__ import annotations

from typing import Any

from driftscope.alerts.channels import (
    AlertmanagerChannel,
    Channel,
    GitHubIssueChannel,
    JiraChannel,
    PagerDutyChannel,
    Secret,
    SlackChannel,
    TeamsChannel,
    WebhookChannel,
)
from driftscope.alerts.model import Notification
from tests.alerts.channels.helpers import notify, ticket

SECRETS = {
    "slack": "slack-path-s3cr3t",
    "teams": "teams-sig-s3cr3t",
    "pagerduty": "pd-routing-s3cr3t",
    "webhook": "hmac-s3cr3t",
    "webhook_header": "bearer-s3cr3t",
    "alertmanager": "am-password-s3cr3t",
    "github": "ghp_s3cr3t",
    "jira": "jira-token-s3cr3t",
}

KINDS = ("slack", "teams", "pagerduty", "webhook", "alertmanager", "github", "jira")


def http_channel(kind: str, url: str, **options: Any) -> Channel:
    if kind == "slack":
        return SlackChannel(Secret(f"{url}/services/T0/B0/{SECRETS['slack']}"), **options)
    if kind == "teams":
        return TeamsChannel(f"{url}/workflows/x?sig={SECRETS['teams']}", **options)
    if kind == "pagerduty":
        return PagerDutyChannel(SECRETS["pagerduty"], url=f"{url}/v2/enqueue", **options)
    if kind == "webhook":
        return WebhookChannel(
            f"{url}/hook",
            secret=SECRETS["webhook"],
            headers={"Authorization": f"Bearer {SECRETS['webhook_header']}"},
            **options,
        )
    if kind == "alertmanager":
        return AlertmanagerChannel(url, username="am", password=SECRETS["alertmanager"], **options)
    if kind == "github":
        return GitHubIssueChannel("acme/models", SECRETS["github"], api_url=url, **options)
    if kind == "jira":
        return JiraChannel(url, "OPS", email="bot@acme.test", api_token=SECRETS["jira"], **options)
    raise ValueError(kind)


def notification_for(kind: str) -> Notification:
    return ticket() if kind in ("github", "jira") else notify()
