"""Plain-text pieces every channel formats the same way: cutting to a limit, one-line text,
labels, times, an alert's line, an acknowledgement and a ticket in words.

>>> truncate("Model Drift Detected", 10)
'Model Dri…'
>>> from driftscope.alerts.model import Alert
>>> alert = Alert.of("warning", "Drift", "age moved", labels={"model": "churn", "feature": "age"})
>>> alert_line(alert)
'[WARNING] Drift (feature=age, model=churn): age moved'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from driftscope.alerts.model import Alert, Notification
from driftscope.errors import printable

ELLIPSIS = "…"

#: Labels every alert has, shown on their own rather than among "labels".
SHOWN_APART = ("alertname", "severity", "model")


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def one_line(text: str) -> str:
    """``text`` on one line: runs of whitespace (line breaks too) become one space, and
    control characters are written as escapes."""
    return printable(re.sub(r"\s+", " ", text).strip())


def labels_text(labels: Mapping[str, str], *, skip: tuple[str, ...] = SHOWN_APART) -> str:
    """``feature=age, team=ml``: the labels not shown apart, sorted."""
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k not in skip)


def when(moment: datetime) -> str:
    """``2026-12-08 03:37:43 UTC``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def rfc3339(moment: datetime) -> str:
    """``2026-12-08T03:37:43.123Z``: the form Go and JSON APIs parse."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def status_tag(alert: Alert) -> str:
    return "RESOLVED" if alert.resolved else alert.severity.value.upper()


def alert_line(alert: Alert) -> str:
    """One line for one alert: tag, title, labels, message."""
    labels = labels_text(alert.labels, skip=("alertname", "severity"))
    where = f" ({labels})" if labels else ""
    message = f": {alert.message}" if alert.message else ""
    return one_line(f"[{status_tag(alert)}] {alert.title}{where}{message}")


def alert_facts(alert: Alert, *, severity: str | None = None) -> dict[str, str]:
    """An alert's facts for a fact list, in order: ``Severity`` (``severity``, default the
    alert's), ``Model``, ``Labels`` (those not shown apart), ``Started`` and, once it
    ended, ``Resolved``; the ones that are empty are left out.

    >>> alert_facts(Alert.of("info", "Drift", labels={"model": "churn", "team": "ml"}))["Labels"]
    'team=ml'
    """
    facts = {"Severity": severity or alert.severity.value}
    if alert.model:
        facts["Model"] = alert.model
    labels = labels_text(alert.labels)
    if labels:
        facts["Labels"] = labels
    facts["Started"] = when(alert.starts_at)
    if alert.ends_at is not None:
        facts["Resolved"] = when(alert.ends_at)
    return facts


def subject(notification: Notification) -> str:
    """What the notification is about, without its status tag."""
    if notification.kind == "ticket":
        return str(notification.ticket.get("title", "Investigation"))
    first = notification.alerts[0].title
    more = len(notification.alerts) - 1
    return f"{first} (+{more} more)" if more else first


def ack_text(notification: Notification) -> str:
    """``Drift acknowledged by alice``."""
    who = notification.acknowledged_by or "someone"
    return one_line(f"{subject(notification)} acknowledged by {who}")


def ticket_fields(notification: Notification) -> dict[str, str]:
    """A ticket's short fields (assignee, model, id) that are set, for a fact list."""
    ticket = notification.ticket
    fields = {
        "Assignee": str(ticket.get("assignee") or ""),
        "Model": str(ticket.get("model") or ""),
        "Ticket": str(ticket.get("id") or ""),
    }
    return {k: v for k, v in fields.items() if v}


def ticket_labels(ticket: dict[str, Any]) -> list[str]:
    """A ticket's own labels when they are a list of names (labels as a mapping are shown
    by :func:`ticket_context` instead)."""
    labels = ticket.get("labels")
    if isinstance(labels, list | tuple):
        return [str(label) for label in labels if str(label).strip()]
    return []


def ticket_context(ticket: dict[str, Any]) -> str:
    """``Model: churn. Labels: team=ml.``: what a ticket is about, for an issue's first line
    (empty when it names neither)."""
    parts = []
    if ticket.get("model"):
        parts.append(f"Model: {ticket['model']}.")
    labels = ticket.get("labels")
    if isinstance(labels, Mapping) and labels:
        named = {str(k): str(v) for k, v in labels.items()}
        parts.append(f"Labels: {labels_text(named, skip=())}.")
    return one_line(" ".join(parts))
