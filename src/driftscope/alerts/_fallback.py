"""The channel an alert manager uses when no channel is configured: one line per alert on
standard error (and the log), so a first ``send_alert`` shows something. Any configured
channel replaces it."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from driftscope.alerts.channels.base import Channel
from driftscope.alerts.model import Notification
from driftscope.errors import ConfigError

log = logging.getLogger("driftscope.alerts")


class FallbackChannel(Channel):
    """Writes notifications as text lines to ``stream`` (default: standard error at send
    time); never fails.

    >>> import io
    >>> from driftscope.alerts.model import Alert
    >>> out = io.StringIO()
    >>> n = Notification("n1", "console", "g", {}, (Alert.of("warning", "Drift", "age moved"),))
    >>> FallbackChannel(out).send(n); out.getvalue()
    '[WARNING] Drift: age moved\\n'
    """

    kind = "console"

    def __init__(self, stream: TextIO | None = None, *, name: str | None = None):
        super().__init__(name=name)
        self._stream = stream

    def send(self, notification: Notification) -> None:
        lines = _lines(notification)
        stream = self._stream if self._stream is not None else sys.stderr
        for line in lines:
            log.info("%s", line)
            with contextlib.suppress(OSError, ValueError):  # a closed stream: the log stays
                print(line, file=stream, flush=True)


def _lines(n: Notification) -> list[str]:
    if n.kind == "ticket":
        t = n.ticket
        who = f" -> {t['assignee']}" if t.get("assignee") else ""
        return [f"[TICKET] {t.get('title', 'Investigation')}{who} ({t.get('id', n.id)})"]
    if n.event == "acknowledge":
        return [f"[ACK] {a.title} acknowledged by {n.acknowledged_by}" for a in n.alerts]
    out = []
    for a in n.alerts:
        tag = "RESOLVED" if a.resolved else a.severity.value.upper()
        if n.escalation:
            tag += f", ESCALATION {n.escalation}"
        text = " ".join(a.message.split())
        out.append(f"[{tag}] {a.title}" + (f": {text}" if text else ""))
    return out


def channel_table(given: Any) -> tuple[dict[str, Channel], bool]:
    """Channels by name from a list or mapping of channels (names must be unique), and
    whether it is the fallback (nothing given: one console channel)."""
    if given is None:
        return {"console": FallbackChannel()}, True
    items = list(given.values()) if isinstance(given, Mapping) else list(given)
    if isinstance(given, Mapping):
        for name, channel in given.items():
            if isinstance(channel, Channel) and channel.name != name:
                raise ConfigError(
                    f"channels[{name!r}] is named {channel.name!r}: use the same name"
                )
    found: dict[str, Channel] = {}
    for channel in items:
        if not isinstance(channel, Channel):
            raise ConfigError(f"channels must be Channel objects, got {channel!r}")
        if channel.name in found:
            raise ConfigError(f"two channels are named {channel.name!r}: give one of them name=...")
        found[channel.name] = channel
    if not found:
        return {"console": FallbackChannel()}, True
    return found, False
