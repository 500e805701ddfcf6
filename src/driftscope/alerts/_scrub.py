"""Keeping channel secrets out of what the outbox stores and logs.

Channels write their :class:`~driftscope.alerts.channels.base.DeliveryError` messages
without secrets; the outbox still replaces every secret value of the configured channels
(as written, and URL-encoded) with ``***`` in each error, reason and receipt before it
stores or logs it: a library error quoting a webhook URL cannot leak it either.

>>> from driftscope.alerts.channels.base import Channel, Secret
>>> class Hook(Channel):
...     kind = "hook"
...     def __init__(self, url):
...         super().__init__()
...         self.url = Secret(url)
...     def send(self, notification):
...         pass
>>> scrubber = Scrubber([Hook("https://hooks.example/T0/abc?k=1")])
>>> scrubber.text("POST https://hooks.example/T0/abc?k=1 timed out")
'POST *** timed out'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

from driftscope.alerts.channels.base import Channel, Secret


def secret_values(channel: Channel) -> set[str]:
    """The values of the secrets ``channel`` holds (:meth:`Channel.secrets`), as written
    and URL-encoded."""
    found = {secret.reveal() for secret in channel.secrets() if isinstance(secret, Secret)}
    forms = set(found)
    for value in found:
        forms.update({quote(value), quote(value, safe=""), quote_plus(value)})
    return {v for v in forms if v}


class Scrubber:
    """Replaces the secrets of some channels with ``***`` in text and JSON values."""

    def __init__(self, channels: Iterable[Channel]):
        values: set[str] = set()
        for channel in channels:
            values |= secret_values(channel)
        # longest first: a secret that contains another is replaced whole
        self._values = sorted(values, key=len, reverse=True)

    def text(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, "***")
        return text

    def json(self, value: Any) -> Any:
        """``value`` (plain JSON) with every string scrubbed."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.json(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.json(v) for v in value]
        return value
