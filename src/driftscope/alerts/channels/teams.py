"""Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request
is received"): a message whose one attachment is an Adaptive Card (version 1.4).

The card has the title (coloured by severity, green when resolved), for each of the first
``max_alerts`` alerts its title, message and a FactSet (model, severity, labels, start
and end), "… and N more" for a larger group, the actions without a link as a line of
suggestions, a line with the time, and an ``Action.OpenUrl`` button per action with a
``url`` (Teams shows at most six). Texts are cut so the card stays well below Teams'
28 KB per message. Acknowledgements and tickets are cards too.

The webhook URL is the secret (it holds a signature): pass a :class:`Secret`.

>>> from driftscope.alerts.model import Alert, Notification
>>> channel = TeamsChannel("https://prod.westeurope.logic.azure.com/workflows/abc")
>>> alert = Alert.of("warning", "Drift", "age moved", labels={"model": "churn"},
...                  actions=[{"label": "Dashboard", "action": "open", "url": "https://d/x"}])
>>> message = channel.payload(Notification("n-1", "teams", "g", {}, (alert,)))
>>> card = message["attachments"][0]["content"]
>>> card["type"], card["version"], [a["type"] for a in card["actions"]]
('AdaptiveCard', '1.4', ['Action.OpenUrl'])
"""

from __future__ import annotations

import json
from typing import Any

from driftscope.alerts.channels._describe import plain
from driftscope.alerts.channels._posted import PostedChannel
from driftscope.alerts.channels._text import (
    ack_text,
    alert_facts,
    one_line,
    ticket_fields,
    truncate,
    when,
)
from driftscope.alerts.model import Alert, Notification

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
TITLE_CHARS = 200
MESSAGE_CHARS = 2000
FACT_CHARS = 500
#: Teams renders at most six actions on a card.
MAX_ACTIONS = 6
#: Bytes of JSON the alerts of one card may take: Teams takes 28 KB a message.
ALERTS_BYTES = 20_000

_COLORS = {"critical": "Attention", "warning": "Warning", "info": "Accent"}


def text_block(text: str, **style: Any) -> dict[str, Any]:
    """An Adaptive Card ``TextBlock`` of ``text`` that wraps, with ``style`` (weight, size...)."""
    return {"type": "TextBlock", "text": text or " ", "wrap": True, **style}


def fact_set(facts: dict[str, str]) -> dict[str, Any]:
    """An Adaptive Card ``FactSet`` of ``facts`` (title: value), each value cut to fit."""
    return {
        "type": "FactSet",
        "facts": [{"title": k, "value": truncate(v, FACT_CHARS)} for k, v in facts.items()],
    }


def card_message(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    """The webhook message carrying one Adaptive Card."""
    card: dict[str, Any] = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_TYPE, "contentUrl": None, "content": card}],
    }


class TeamsChannel(PostedChannel):
    """Posts an Adaptive Card to a Teams Workflows webhook (see the module's text).
    ``max_alerts`` (1 to 25, default 10) alerts of a group are shown in full; ``timeout``
    and ``verify`` as for :class:`~driftscope.alerts.channels.slack.SlackChannel`.

    >>> from driftscope.alerts.model import Alert, Notification
    >>> channel = TeamsChannel("https://prod.westeurope.logic.azure.com/workflows/abc")
    >>> alert = Alert.of("critical", "Accuracy low")
    >>> done = Notification("n-2", "teams", "g", {}, (alert.with_end(alert.starts_at),))
    >>> title = channel.payload(done)["attachments"][0]["content"]["body"][0]
    >>> title["text"], title["color"]
    ('[RESOLVED] Accuracy low', 'Good')
    """

    kind = "teams"
    default_alerts = 10
    most_alerts = 25

    def payload(self, notification: Notification) -> dict[str, Any]:
        """The JSON message posted for ``notification``."""
        footer = text_block(
            f"driftscope · {when(notification.created_at)}", isSubtle=True, size="Small"
        )
        if notification.event == "acknowledge":
            return card_message([text_block(ack_text(notification), color="Good"), footer], [])
        if notification.kind == "ticket":
            title = f"Investigation: {notification.title}"
            description = plain(notification.ticket.get("description")) or "(no description)"
            body = [
                text_block(truncate(one_line(title), TITLE_CHARS), size="Large", weight="Bolder"),
                text_block(truncate(description, MESSAGE_CHARS)),
                fact_set(ticket_fields(notification)),
                footer,
            ]
            return card_message(body, [])
        return self._alerts(notification, footer)

    def _alerts(self, notification: Notification, footer: dict[str, Any]) -> dict[str, Any]:
        resolved = notification.status == "resolved"
        color = "Good" if resolved else _COLORS[notification.severity.value]
        body = [
            text_block(
                truncate(one_line(notification.title), TITLE_CHARS),
                size="Large",
                weight="Bolder",
                color=color,
            )
        ]
        shown, size = 0, 0
        for alert in notification.alerts[: self.max_alerts]:
            blocks = _alert_blocks(alert, titled=len(notification.alerts) > 1)
            size += len(json.dumps(blocks).encode())
            if shown and size > ALERTS_BYTES:
                break
            body.extend(blocks)
            shown += 1
        hidden = len(notification.alerts) - shown
        if hidden:
            body.append(text_block(f"… and {hidden} more", isSubtle=True))
        suggestions = sorted(
            {a.label for alert in notification.alerts for a in alert.actions if not a.url}
        )
        if suggestions:
            body.append(text_block(truncate("Suggested: " + ", ".join(suggestions), FACT_CHARS)))
        body.append(footer)
        actions: list[dict[str, Any]] = []
        for alert in notification.alerts:
            for action in alert.actions:
                if action.url and all(a["url"] != action.url for a in actions):
                    actions.append(
                        {
                            "type": "Action.OpenUrl",
                            "title": truncate(one_line(action.label), 100),
                            "url": action.url,
                        }
                    )
        return card_message(body, actions[:MAX_ACTIONS])


def _alert_blocks(alert: Alert, *, titled: bool) -> list[dict[str, Any]]:
    blocks = []
    if titled:
        blocks.append(
            text_block(
                truncate(one_line(alert.title), TITLE_CHARS), weight="Bolder", separator=True
            )
        )
    if alert.message:
        blocks.append(text_block(truncate(alert.message, MESSAGE_CHARS)))
    blocks.append(fact_set(alert_facts(alert)))
    return blocks
