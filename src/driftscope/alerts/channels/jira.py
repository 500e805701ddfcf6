"""Investigation tickets as Jira issues: ``POST {base_url}/rest/api/2/issue`` with basic
auth (an account's e-mail and an API token on Jira Cloud; a user name and a password or
personal token on Jira Server/Data Center).

The issue's fields: ``project`` (``project_key``), ``issuetype`` (``issue_type``, e.g.
Task or Bug), ``summary`` (the ticket's title, one line, at most 255 characters),
``description`` in Jira's wiki markup (a text description as it is; a mapping such as a
drift result as tables), ``labels`` (the channel's and the ticket's; Jira labels cannot
hold spaces, so spaces become ``-``) and ``assignee``: by ``accountId`` on Jira Cloud
(an id such as ``5b10ac8d82e05b22cc7d4ef5`` or ``557058:f58131cb-...``) or by ``name`` on
Jira Server; ``assignee_by="auto"`` tells them apart by their form.
:meth:`JiraChannel.send` returns ``{"id": "OPS-12", "url": <the issue's page>, ...}``.

As with GitHub there is no idempotency key: a retried send after a lost answer can open
a second issue (its description names the ticket, to find it).

>>> from driftscope.alerts.model import Notification
>>> channel = JiraChannel("https://acme.atlassian.net", "OPS", email="bot@acme.com",
...                       api_token="tok", labels=["model drift"])
>>> ticket = Notification("n-1", "jira", "t-1", {}, kind="ticket", ticket={
...     "id": "t-1", "title": "Investigate drift", "assignee": "5b10ac8d82e05b22cc7d4ef5",
...     "description": "age moved by 0.5 sd"})
>>> fields = channel.payload(ticket)["fields"]
>>> fields["project"], fields["issuetype"], fields["assignee"], fields["labels"]
({'key': 'OPS'}, {'name': 'Task'}, {'accountId': '5b10ac8d82e05b22cc7d4ef5'}, ['model-drift'])
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from driftscope.alerts.channels import _http
from driftscope.alerts.channels._describe import Table, written
from driftscope.alerts.channels._issue import issue_of
from driftscope.alerts.channels._options import (
    DEFAULT_TIMEOUT,
    Verify,
    http_url,
    secret_option,
    text_option,
    texts_option,
    timeout_option,
    tls_context,
)
from driftscope.alerts.channels._text import one_line, truncate, when
from driftscope.alerts.channels.base import Channel, Secret
from driftscope.alerts.model import Notification
from driftscope.errors import ConfigError

ISSUE_PATH = "/rest/api/2/issue"
SUMMARY_CHARS = 255
DESCRIPTION_CHARS = 32_000

_ACCOUNT_ID = re.compile(r"[0-9a-f]{24}|\d+:[0-9a-f-]{36}|[0-9A-Za-z-]{10,}:[0-9A-Za-z-]+")
_PROJECT_KEY = re.compile(r"[A-Z][A-Z0-9_]*")


def wiki_table(table: Table) -> str:
    """A table in Jira wiki markup (``||head||`` / ``|cell|``; ``|`` and braces escaped)."""

    def cells(values: Sequence[str]) -> list[str]:
        out = []
        for value in values:
            escaped = re.sub(r"([|{}\[\]])", r"\\\1", value.replace("\n", " "))
            out.append(escaped or " ")
        return out

    lines = ["||" + "||".join(cells(table.columns)) + "||"]
    lines += ["|" + "|".join(cells(row)) + "|" for row in table.rows]
    if table.omitted:
        lines.append(f"… and {table.omitted} more")
    return "\n".join(lines)


def wiki_description(description: Any) -> str:
    """A ticket description as Jira wiki markup (tables under ``h3.`` headings)."""
    return written(description, wiki_table, "h3. {}")


class JiraChannel(Channel):
    """Opens a Jira issue per ticket in the project ``project_key`` (see the module's
    text). ``email`` with ``api_token`` (the secret) authenticate.

    >>> from driftscope.alerts.model import Notification
    >>> channel = JiraChannel("https://jira.acme.com", "OPS", email="bot", api_token="tok",
    ...                       assignee_by="name")
    >>> ticket = Notification("n-1", "jira", "t-1", {}, kind="ticket",
    ...                       ticket={"id": "t-1", "title": "Look at drift", "assignee": "ana"})
    >>> channel.payload(ticket)["fields"]["assignee"]
    {'name': 'ana'}
    """

    kind = "jira"
    tickets = True

    def __init__(
        self,
        base_url: str,
        project_key: str,
        *,
        email: str,
        api_token: Secret | str,
        issue_type: str = "Task",
        labels: Iterable[str] = (),
        assignee_by: str = "auto",
        name: str | None = None,
        price_per_message: float = 0.0,
        timeout: float = DEFAULT_TIMEOUT,
        verify: Verify = True,
    ):
        super().__init__(name=name, price_per_message=price_per_message)
        self.base_url = http_url(base_url, "base_url", self.kind).rstrip("/")
        if not isinstance(project_key, str) or not _PROJECT_KEY.fullmatch(project_key):
            raise ConfigError(
                f"{self.kind} channel: project_key must be a Jira project key such as 'OPS', "
                f"got {project_key!r}"
            )
        self.project_key = project_key
        self.email = text_option(email, "email", self.kind)
        self.api_token = secret_option(api_token, "api_token", self.kind)
        self.issue_type = text_option(issue_type, "issue_type", self.kind)
        self.labels = texts_option(labels, "labels", self.kind)
        if assignee_by not in ("auto", "accountId", "name"):
            raise ConfigError(
                f'{self.kind} channel: assignee_by must be "auto", "accountId" or "name", '
                f"got {assignee_by!r}"
            )
        self.assignee_by = assignee_by
        self.timeout = timeout_option(timeout, self.kind)
        self.verify = tls_context(verify, self.kind)

    def _assignee(self, who: str) -> dict[str, str]:
        by = self.assignee_by
        if by == "auto":
            by = "accountId" if _ACCOUNT_ID.fullmatch(who) else "name"
        return {by: who}

    def payload(self, notification: Notification) -> dict[str, Any]:
        """The issue created for ``notification``: ``{"fields": {...}}``."""
        issue = issue_of(notification, self.labels, wiki_description, "*")
        footer = (
            f"\n\n----\n_Opened by driftscope at {when(notification.created_at)} "
            f"(driftscope-ticket: {one_line(issue.key)})._"
        )
        fields: dict[str, Any] = {
            "project": {"key": self.project_key},
            "issuetype": {"name": self.issue_type},
            "summary": truncate(one_line(notification.title), SUMMARY_CHARS),
            "description": truncate(issue.body, DESCRIPTION_CHARS - len(footer)) + footer,
            "labels": list(
                dict.fromkeys(re.sub(r"\s+", "-", label.strip()) for label in issue.labels)
            ),
        }
        if issue.assignee:
            fields["assignee"] = self._assignee(issue.assignee)
        return {"fields": fields}

    def send(self, notification: Notification) -> dict[str, Any] | None:
        if notification.event == "acknowledge":
            return None
        response = _http.post_json(
            self,
            self.base_url + ISSUE_PATH,
            self.payload(notification),
            timeout=self.timeout,
            verify=self.verify,
            headers={"Accept": "application/json"},
            auth=(self.email, self.api_token.reveal()),
        )
        created = _http.json_object(response)
        key = created.get("key")
        return {
            "id": key,
            "key": key,
            "url": f"{self.base_url}/browse/{key}" if key else None,
            "api_id": created.get("id"),
        }
