"""Investigation tickets as GitHub issues: ``POST /repos/{owner}/{repo}/issues``.

A ticket notification (``Notification.kind == "ticket"``) becomes an issue with the
ticket's title, a Markdown body (a text description as it is; a mapping such as a drift
result as tables: its plain fields, then a table per nested part, e.g. a row per feature
with its method, p-value and reason), the ticket's assignee as the issue's assignee, and
the channel's ``labels`` plus the ticket's. :meth:`GitHubIssueChannel.send` returns
``{"id": "owner/repo#12", "number": 12, "url": <the issue's page>}``.

An alert notification sent here opens an issue about the alert. GitHub has no
idempotency key, so a send retried after a lost answer can open a second issue: the body
ends with a hidden ``driftscope-ticket`` marker naming the ticket, to find such twins.

The token (a fine-grained token with "Issues: read and write" on the repository) is the
secret.

>>> from driftscope.alerts.model import Notification
>>> channel = GitHubIssueChannel("acme/models", "ghp_example", labels=["drift"])
>>> ticket = Notification("n-1", "github", "t-1", {}, kind="ticket", ticket={
...     "id": "t-1", "title": "Investigate drift", "assignee": "octocat",
...     "description": {"has_drift": True, "drifted_features": ["age", "plan"]}})
>>> issue = channel.payload(ticket)
>>> issue["title"], issue["assignees"], issue["labels"]
('Investigate drift', ['octocat'], ['drift'])
>>> print(issue["body"].split("\\n\\n")[0])
| field | value |
| --- | --- |
| has_drift | yes |
| drifted_features | age, plan |
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import httpx

from driftscope.alerts.channels import _http
from driftscope.alerts.channels._describe import Table, written
from driftscope.alerts.channels._issue import issue_of
from driftscope.alerts.channels._options import (
    DEFAULT_TIMEOUT,
    Verify,
    http_url,
    secret_option,
    texts_option,
    timeout_option,
    tls_context,
)
from driftscope.alerts.channels._text import one_line, truncate, when
from driftscope.alerts.channels.base import Channel, Secret
from driftscope.alerts.model import Notification
from driftscope.errors import ConfigError

API_URL = "https://api.github.com"
TITLE_CHARS = 256
BODY_CHARS = 65_000


def markdown_table(table: Table) -> str:
    """A GitHub-flavoured Markdown table (``|`` escaped, line breaks as ``<br>``)."""

    def row(cells: Sequence[str]) -> str:
        escaped = (c.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>") for c in cells)
        return "| " + " | ".join(escaped) + " |"

    lines = [row(table.columns), "| " + " | ".join("---" for _ in table.columns) + " |"]
    lines += [row(r) for r in table.rows]
    if table.omitted:
        lines.append(f"\n… and {table.omitted} more")
    return "\n".join(lines)


def markdown_description(description: Any) -> str:
    """A ticket description as GitHub Markdown (tables under ``###`` headings)."""
    return written(description, markdown_table, "### {}")


class GitHubIssueChannel(Channel):
    """Opens a GitHub issue per ticket in ``repo`` (``owner/name``) (see the module's text).
    ``api_url`` is GitHub Enterprise's API root (``https://github.example.com/api/v3``)
    or a local receiver in tests.

    >>> GitHubIssueChannel("acme/models", "ghp_example").token
    Secret('***')
    >>> GitHubIssueChannel("models", "ghp_example")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: github channel: repo must be 'owner/name', got 'models'
    """

    kind = "github"
    tickets = True

    def __init__(
        self,
        repo: str,
        token: Secret | str,
        *,
        api_url: str = API_URL,
        labels: Iterable[str] = (),
        name: str | None = None,
        price_per_message: float = 0.0,
        timeout: float = DEFAULT_TIMEOUT,
        verify: Verify = True,
    ):
        super().__init__(name=name, price_per_message=price_per_message)
        parts = repo.strip().split("/") if isinstance(repo, str) else []
        if len(parts) != 2 or not all(parts):
            raise ConfigError(f"{self.kind} channel: repo must be 'owner/name', got {repo!r}")
        self.repo = "/".join(parts)
        self.token = secret_option(token, "token", self.kind)
        self.api_url = http_url(api_url, "api_url", self.kind).rstrip("/")
        self.labels = texts_option(labels, "labels", self.kind)
        self.timeout = timeout_option(timeout, self.kind)
        self.verify = tls_context(verify, self.kind)

    def payload(self, notification: Notification) -> dict[str, Any]:
        """The issue created for ``notification``."""
        issue = issue_of(notification, self.labels, markdown_description, "-")
        footer = (
            f"\n\n---\n_Opened by driftscope at {when(notification.created_at)}._\n"
            f"<!-- driftscope-ticket: {one_line(issue.key)} -->"
        )
        opened: dict[str, Any] = {
            "title": truncate(one_line(notification.title), TITLE_CHARS),
            "body": truncate(issue.body, BODY_CHARS - len(footer)) + footer,
            "labels": list(dict.fromkeys(issue.labels)),
        }
        assignee = issue.assignee.lstrip("@")
        if assignee:
            opened["assignees"] = [assignee]
        return opened

    def send(self, notification: Notification) -> dict[str, Any] | None:
        if notification.event == "acknowledge":
            return None
        response = _http.post_json(
            self,
            f"{self.api_url}/repos/{self.repo}/issues",
            self.payload(notification),
            timeout=self.timeout,
            verify=self.verify,
            headers={
                "Authorization": f"Bearer {self.token.reveal()}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
            retryable=_rate_limited,
        )
        return receipt(response, self.repo)


def receipt(response: httpx.Response, repo: str) -> dict[str, Any]:
    """What GitHub created: the issue's number, ``owner/repo#number`` and its page (a 2xx
    answer is a delivery even when its body is not the expected JSON)."""
    created = _http.json_object(response)
    number = created.get("number")
    url = created.get("html_url") or response.headers.get("location")
    return {"id": f"{repo}#{number}" if number else None, "number": number, "url": url}


def _rate_limited(response: httpx.Response) -> bool:
    """GitHub answers 403 (or 429) when a rate limit is hit: wait and try again."""
    if response.status_code != 403:
        return False
    return (
        response.headers.get("x-ratelimit-remaining") == "0"
        or "retry-after" in response.headers
        or "rate limit" in response.text.lower()
    )
