"""A chat channel that posts one JSON message per notification to a webhook whose URL is
the secret (Slack's incoming webhooks, Teams' Workflows webhooks): the options and the
sending they share. A subclass names its ``kind``, how many alerts of a group it shows
by default and at most, and writes the message in :meth:`PostedChannel.payload`.

>>> from driftscope.alerts.model import Notification
>>> class Echo(PostedChannel):
...     kind, default_alerts, most_alerts = "echo", 3, 5
...     def payload(self, notification):
...         return {"text": notification.title}
>>> Echo("https://chat.example.com/hooks/T0").max_alerts
3
>>> Echo("https://chat.example.com/hooks/T0", max_alerts=6)
Traceback (most recent call last):
...
driftscope.errors.ConfigError: echo channel: max_alerts must be a whole number from 1 to 5, got 6
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from driftscope.alerts.channels import _http
from driftscope.alerts.channels._options import (
    DEFAULT_TIMEOUT,
    Verify,
    count_option,
    http_url,
    secret_option,
    timeout_option,
    tls_context,
)
from driftscope.alerts.channels.base import Channel, Secret
from driftscope.alerts.model import Notification


class PostedChannel(Channel):
    """Posts :meth:`payload` to ``webhook_url`` (a :class:`Secret`, or text taken as one).

    ``max_alerts`` (1 to ``most_alerts``; default ``default_alerts``) alerts of a group
    are shown in full; ``timeout`` is in seconds; ``verify`` is True, False, a CA bundle
    path or an :class:`ssl.SSLContext`. A bad URL is refused without quoting it.
    """

    default_alerts: ClassVar[int]
    most_alerts: ClassVar[int]

    def __init__(
        self,
        webhook_url: Secret | str,
        *,
        name: str | None = None,
        price_per_message: float = 0.0,
        max_alerts: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        verify: Verify = True,
    ):
        super().__init__(name=name, price_per_message=price_per_message)
        self.webhook_url = secret_option(webhook_url, "webhook_url", self.kind)
        http_url(self.webhook_url.reveal(), "webhook_url", self.kind, secret=True)
        self.max_alerts = count_option(
            self.default_alerts if max_alerts is None else max_alerts,
            "max_alerts",
            self.kind,
            low=1,
            high=self.most_alerts,
        )
        self.timeout = timeout_option(timeout, self.kind)
        self.verify = tls_context(verify, self.kind)

    @abstractmethod
    def payload(self, notification: Notification) -> dict[str, Any]:
        """The JSON message posted for ``notification``."""

    def send(self, notification: Notification) -> None:
        _http.post_json(
            self,
            self.webhook_url.reveal(),
            self.payload(notification),
            timeout=self.timeout,
            verify=self.verify,
        )
        return None
