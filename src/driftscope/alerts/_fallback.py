"""The channel an alert manager uses when no channel is configured: one line per alert on
standard error (and the log), so a first ``send_alert`` shows something. Any configured
channel replaces it."""

from __future__ import annotations

import contextlib
import logging
import sys
from typing import TextIO

from driftscope.alerts.channels.base import Channel
from driftscope.alerts.model import Notification

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
