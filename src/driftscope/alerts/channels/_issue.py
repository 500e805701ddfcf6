"""What the channels that open issues (GitHub, Jira) write the same way, whatever their
markup: an issue's body, assignee, labels and the key naming the ticket.

A ticket's issue says what the ticket is about (its model and labels), then its
description in the channel's markup; it goes to the ticket's assignee and carries the
channel's labels and the ticket's. An alert notification sent to such a channel opens an
issue listing its alerts, one line each, with the channel's labels only.

>>> from driftscope.alerts.model import Notification
>>> ticket = Notification("n-1", "github", "t-1", {}, kind="ticket", ticket={
...     "id": "t-1", "title": "Look at drift", "assignee": " ana ", "model": "churn",
...     "labels": ["drift"], "description": "age moved"})
>>> issue_of(ticket, ["ml"], str, "-")
Issue(body='Model: churn.\\n\\nage moved', assignee='ana', labels=['ml', 'drift'], key='t-1')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from driftscope.alerts.channels._text import alert_line, ticket_context, ticket_labels
from driftscope.alerts.model import Notification


@dataclass(frozen=True)
class Issue:
    """An issue's parts: ``body`` (before the channel's footer), ``assignee`` (empty for
    none), ``labels`` and ``key``, the ticket's id (the notification's for alerts) that
    the footer names so that an issue opened twice can be found."""

    body: str
    assignee: str
    labels: list[str]
    key: str


def issue_of(
    notification: Notification,
    labels: Iterable[str],
    describe: Callable[[Any], str],
    bullet: str,
) -> Issue:
    """The issue for ``notification``: ``labels`` are the channel's, ``describe`` writes a
    ticket's description in the channel's markup, ``bullet`` starts each alert's line."""
    if notification.kind != "ticket":
        lines = "\n".join(f"{bullet} {alert_line(a)}" for a in notification.alerts)
        return Issue(lines, "", list(labels), notification.id)
    ticket = notification.ticket
    context = ticket_context(ticket)
    body = describe(ticket.get("description"))
    return Issue(
        f"{context}\n\n{body}" if context else body,
        str(ticket.get("assignee") or "").strip(),
        [*labels, *ticket_labels(ticket)],
        str(ticket.get("id", notification.id)),
    )
