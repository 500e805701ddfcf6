"""Slack through an incoming webhook: a Block Kit message with a plain-text fallback.

A notification becomes a header (status and title), for each of its first ``max_alerts``
alerts a section with the message and fields for model, severity and labels, and the
alert's actions as buttons (a button with a ``url`` opens it; one without sends its
``action_id`` and ``value`` to a Slack app's interactivity endpoint, when the webhook
belongs to an app that has one), "… and N more" for a larger group, and a context line
with the time. Every text is cut (with an ellipsis) to Slack's limits: 50 blocks, 150
characters of header, 3,000 of section text, 2,000 of a field, 75 of a button, 25
elements in an actions block, 10 fields in a section; ``&``, ``<`` and ``>`` are escaped
so a message cannot mention ``@channel`` or forge a link.

The webhook URL is the secret (whoever has it can post): pass a :class:`Secret`, e.g.
``Secret.from_env("SLACK_WEBHOOK_URL")``.

>>> from driftscope.alerts.model import Alert, Notification
>>> channel = SlackChannel("https://hooks.slack.com/services/T0/B0/XYZ")
>>> alert = Alert.of("warning", "Model Drift Detected", "age moved", labels={"model": "churn"})
>>> message = channel.payload(Notification("n-1", "slack", "g", {}, (alert,)))
>>> message["text"], [b["type"] for b in message["blocks"]]
('[WARNING] Model Drift Detected: age moved', ['header', 'section', 'context'])
>>> channel
SlackChannel(name='slack')
"""

from __future__ import annotations

import json
from typing import Any

from driftscope.alerts.channels._describe import plain
from driftscope.alerts.channels._posted import PostedChannel
from driftscope.alerts.channels._text import (
    ack_text,
    labels_text,
    one_line,
    ticket_fields,
    truncate,
    when,
)
from driftscope.alerts.model import Alert, Notification

# Slack's limits (api.slack.com/reference/block-kit/blocks and .../block-elements)
MAX_BLOCKS = 50
HEADER_CHARS = 150
SECTION_CHARS = 3000
FIELD_CHARS = 2000
MAX_FIELDS = 10
BUTTON_CHARS = 75
MAX_ACTION_ELEMENTS = 25
ACTION_ID_CHARS = 255
VALUE_CHARS = 2000
URL_CHARS = 3000
CONTEXT_CHARS = 2000
#: The fallback ``text`` shows in notifications and is cut well below Slack's 40,000.
TEXT_CHARS = 3000

_ICONS = {"critical": ":red_circle:", "warning": ":warning:", "info": ":information_source:"}
_RESOLVED_ICON = ":white_check_mark:"


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: ``&``, ``<``, ``>``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str, limit: int) -> dict[str, str]:
    """A mrkdwn text object of ``text`` escaped, cut so the escaped text fits ``limit``."""
    escaped = escape(text)
    keep = len(text)
    while len(escaped) > limit:
        keep -= len(escaped) - limit
        escaped = escape(truncate(text, max(keep, 1)))
    return {"type": "mrkdwn", "text": escaped}


def plain_text(text: str, limit: int) -> dict[str, Any]:
    """A Slack ``plain_text`` object: ``text`` on one line, cut to ``limit`` characters."""
    return {"type": "plain_text", "text": truncate(one_line(text), limit) or " ", "emoji": True}


class SlackChannel(PostedChannel):
    """Posts to a Slack incoming webhook (see the module's text for the message).

    ``max_alerts`` (1 to 15, default 5) alerts of a group are shown in full; ``timeout`` is
    in seconds; ``verify`` is True, False, a CA bundle path or an :class:`ssl.SSLContext`.

    A bad webhook URL is refused without quoting it (it is the secret):

    >>> SlackChannel("hooks.slack.com/services/T0/B0/XYZ")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: slack channel: webhook_url must be an http(s) URL
    """

    kind = "slack"
    default_alerts = 5
    most_alerts = 15

    def payload(self, notification: Notification) -> dict[str, Any]:
        """The JSON message posted for ``notification``."""
        if notification.event == "acknowledge":
            text = f"{_RESOLVED_ICON} {ack_text(notification)}"
            return {"text": truncate(text, TEXT_CHARS), "blocks": [_section(text)]}
        if notification.kind == "ticket":
            return _ticket(notification)
        return self._alerts(notification)

    def _alerts(self, notification: Notification) -> dict[str, Any]:
        resolved = notification.status == "resolved"
        icon = _RESOLVED_ICON if resolved else _ICONS[notification.severity.value]
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": plain_text(f"{icon} {notification.title}", HEADER_CHARS)}
        ]
        shown = notification.alerts[: self.max_alerts]
        many = len(notification.alerts) > 1
        for index, alert in enumerate(shown):
            blocks.append(_alert_section(alert, titled=many))
            if alert.actions:
                blocks.append(_actions(alert, index))
        hidden = len(notification.alerts) - len(shown)
        if hidden:
            blocks.append(_section(f"… and {hidden} more"))
        context = f"driftscope · {when(notification.created_at)}"
        if notification.escalation:
            context += f" · escalation {notification.escalation}"
        group = labels_text(notification.group_labels, skip=())
        if group:
            context += f" · group {group}"
        blocks.append({"type": "context", "elements": [mrkdwn(context, CONTEXT_CHARS)]})
        first = notification.alerts[0]
        fallback = notification.title + (f": {first.message}" if first.message else "")
        return {"text": truncate(one_line(fallback), TEXT_CHARS), "blocks": blocks[:MAX_BLOCKS]}


def _section(text: str, fields: list[dict[str, str]] | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(text, SECTION_CHARS)}
    if fields:
        block["fields"] = fields[:MAX_FIELDS]
    return block


def _field(label: str, value: str) -> dict[str, str]:
    return mrkdwn(f"*{label}*\n{value}", FIELD_CHARS)


def _alert_section(alert: Alert, *, titled: bool) -> dict[str, Any]:
    head = f"*{escape(truncate(one_line(alert.title), HEADER_CHARS))}*\n" if titled else ""
    body = alert.message or "(no message)"
    section = _section(body, _alert_fields(alert))
    if head:
        # the title is already escaped; cut the whole so it stays within the limit
        room = SECTION_CHARS - len(head)
        section["text"] = {"type": "mrkdwn", "text": head + mrkdwn(body, room)["text"]}
    return section


def _alert_fields(alert: Alert) -> list[dict[str, str]]:
    fields = []
    if alert.model:
        fields.append(_field("Model", alert.model))
    fields.append(_field("Severity", alert.severity.value))
    labels = labels_text(alert.labels)
    if labels:
        fields.append(_field("Labels", labels))
    fields.append(_field("Started", when(alert.starts_at)))
    if alert.ends_at is not None:
        fields.append(_field("Resolved", when(alert.ends_at)))
    return fields


def _actions(alert: Alert, index: int) -> dict[str, Any]:
    elements = []
    for number, action in enumerate(alert.actions[:MAX_ACTION_ELEMENTS]):
        value = json.dumps({"action": action.action, "fingerprint": alert.fingerprint})
        button: dict[str, Any] = {
            "type": "button",
            "text": plain_text(action.label, BUTTON_CHARS),
            "action_id": truncate(f"driftscope-{index}-{number}-{action.action}", ACTION_ID_CHARS),
            "value": truncate(value, VALUE_CHARS),
        }
        if action.url and len(action.url) <= URL_CHARS:
            button["url"] = action.url
        elements.append(button)
    return {"type": "actions", "elements": elements}


def _ticket(notification: Notification) -> dict[str, Any]:
    title = f":memo: Investigation: {notification.title}"
    description = plain(notification.ticket.get("description")) or "(no description)"
    fields = [_field(k, v) for k, v in ticket_fields(notification).items()]
    blocks = [
        {"type": "header", "text": plain_text(title, HEADER_CHARS)},
        _section(description, fields),
        {
            "type": "context",
            "elements": [mrkdwn(f"driftscope · {when(notification.created_at)}", CONTEXT_CHARS)],
        },
    ]
    return {"text": truncate(one_line(title), TEXT_CHARS), "blocks": blocks}
