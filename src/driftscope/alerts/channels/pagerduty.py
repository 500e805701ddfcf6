"""PagerDuty through the Events API v2: trigger, acknowledge and resolve one incident per
alert group.

Every event carries ``dedup_key`` = the notification's
:attr:`~driftscope.alerts.model.Notification.dedup_key`, so PagerDuty folds all messages of
a group (and a message sent twice after a crash) into one incident: the channel
``dedups``. A firing notification is a ``trigger`` whose payload has the summary (the
title and, for one alert, its message; at most 1,024 characters), ``source`` (the model, or
``source=``), ``severity`` (critical, warning and info map to PagerDuty's names of the
same spelling), the start time, ``component`` (the model), ``class`` (the alert's name)
and ``custom_details`` (message, labels, the group's labels and every alert); the
alerts' action URLs become ``links``. A resolved notification is a ``resolve``, an
acknowledgement (``notification.event == "acknowledge"``) an ``acknowledge``. PagerDuty
answers 202 when it accepted the event. Tickets are not PagerDuty's: sending one is an
error that is not retried.

The routing key (an integration key of a service) is the secret.

>>> from driftscope.alerts.model import Alert, Notification
>>> channel = PagerDutyChannel("R0UT1NGKEY")
>>> alert = Alert.of("critical", "Accuracy low", "0.81 < 0.85", labels={"model": "churn"})
>>> event = channel.payload(Notification("n-1", "pagerduty", "g1", {}, (alert,)))
>>> event["event_action"], event["dedup_key"], event["payload"]["severity"]
('trigger', 'driftscope-g1', 'critical')
>>> event["payload"]["summary"], event["payload"]["source"]
('[CRITICAL] Accuracy low: 0.81 < 0.85', 'churn')
"""

from __future__ import annotations

from typing import Any

from driftscope.alerts.channels import _http
from driftscope.alerts.channels._options import (
    DEFAULT_TIMEOUT,
    Verify,
    http_url,
    secret_option,
    text_option,
    timeout_option,
    tls_context,
)
from driftscope.alerts.channels._text import one_line, rfc3339, truncate
from driftscope.alerts.channels.base import Channel, DeliveryError, Secret
from driftscope.alerts.model import Notification
from driftscope.alerts.outbox import model_of

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
SUMMARY_CHARS = 1024
DEDUP_KEY_CHARS = 255
#: Alerts of a group written out in ``custom_details``, and characters of a message
#: there: with labels cut at 256 characters, an event stays far below PagerDuty's 512 KB.
MAX_DETAILED_ALERTS = 50
DETAIL_CHARS = 1000
#: Links (the actions' URLs, each once) an event carries.
MAX_LINKS = 10


class PagerDutyChannel(Channel):
    """Sends Events API v2 events (see the module's text). ``source`` names the origin when
    an alert has no model label; ``url`` is the events endpoint (a local receiver in
    tests).

    A group whose alerts resolved closes its incident (same ``dedup_key``):

    >>> from driftscope.alerts.model import Alert, Notification
    >>> alert = Alert.of("critical", "Accuracy low")
    >>> done = Notification("n-2", "pagerduty", "g1", {}, (alert.with_end(alert.starts_at),))
    >>> PagerDutyChannel("R0UT1NGKEY").payload(done)
    {'routing_key': 'R0UT1NGKEY', 'dedup_key': 'driftscope-g1', 'event_action': 'resolve'}
    """

    kind = "pagerduty"
    dedups = True

    def __init__(
        self,
        routing_key: Secret | str,
        *,
        url: str = EVENTS_URL,
        name: str | None = None,
        price_per_message: float = 0.0,
        source: str = "driftscope",
        timeout: float = DEFAULT_TIMEOUT,
        verify: Verify = True,
    ):
        super().__init__(name=name, price_per_message=price_per_message)
        self.routing_key = secret_option(routing_key, "routing_key", self.kind)
        self.url = http_url(url, "url", self.kind)
        self.source = text_option(source, "source", self.kind)
        self.timeout = timeout_option(timeout, self.kind)
        self.verify = tls_context(verify, self.kind)

    def send(self, notification: Notification) -> dict[str, Any] | None:
        event = self.payload(notification)
        response = _http.post_json(self, self.url, event, timeout=self.timeout, verify=self.verify)
        return {"dedup_key": event["dedup_key"], "status": response.status_code}

    def payload(self, notification: Notification) -> dict[str, Any]:
        """The event posted for ``notification`` (it holds the routing key)."""
        if notification.kind == "ticket":
            raise DeliveryError(
                f"{_http.where(self)}: PagerDuty takes alerts, not tickets; route tickets "
                "to a GitHub or Jira channel",
                retryable=False,
            )
        event: dict[str, Any] = {
            "routing_key": self.routing_key.reveal(),
            "dedup_key": truncate(notification.dedup_key, DEDUP_KEY_CHARS),
        }
        if notification.event == "acknowledge":
            return {**event, "event_action": "acknowledge"}
        if notification.status == "resolved":
            return {**event, "event_action": "resolve"}
        first = notification.alerts[0]
        summary = notification.title
        if len(notification.alerts) == 1 and first.message:
            summary += f": {first.message}"
        model = model_of(notification)
        body: dict[str, Any] = {
            "summary": truncate(one_line(summary), SUMMARY_CHARS),
            "source": model or self.source,
            "severity": notification.severity.value,  # PagerDuty's names are ours
            "timestamp": rfc3339(min(a.starts_at for a in notification.alerts)),
            "class": first.labels["alertname"],
            "custom_details": _details(notification),
        }
        if model:
            body["component"] = model
        links: dict[str, str] = {}
        for alert in notification.alerts:
            for action in alert.actions:
                if action.url and len(links) < MAX_LINKS:
                    links.setdefault(action.url, action.label)
        event.update(event_action="trigger", payload=body, client="driftscope")
        if links:
            event["links"] = [{"href": url, "text": text} for url, text in links.items()]
        return event


def _details(notification: Notification) -> dict[str, Any]:
    first = notification.alerts[0]
    details: dict[str, Any] = {
        "message": truncate(first.message, 4 * DETAIL_CHARS),
        "labels": dict(first.labels),
        "group": dict(notification.group_labels),
        "alerts": [
            {
                "title": a.title,
                "message": truncate(a.message, DETAIL_CHARS),
                "severity": a.severity.value,
                "labels": dict(a.labels),
                "starts_at": rfc3339(a.starts_at),
                "resolved": a.resolved,
            }
            for a in notification.alerts[:MAX_DETAILED_ALERTS]
        ],
    }
    if len(notification.alerts) > MAX_DETAILED_ALERTS:
        details["more_alerts"] = len(notification.alerts) - MAX_DETAILED_ALERTS
    if notification.escalation:
        details["escalation"] = notification.escalation
    return details
