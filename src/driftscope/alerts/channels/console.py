"""The console: one readable line per alert, on standard error or through logging.

For a first try, for development, and for the logs of a scheduled job. It never raises:
a stream that cannot be written to loses the line, nothing else.

>>> import io
>>> from datetime import UTC, datetime
>>> from driftscope.alerts.model import Alert, Notification
>>> out = io.StringIO()
>>> start = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
>>> alert = Alert.of("warning", "Drift", "age moved\\nplan moved", labels={"model": "churn"},
...                  actions=["Review model"], starts_at=start)
>>> ConsoleChannel(out).send(Notification("n-1", "console", "g", {}, (alert,), created_at=start))
>>> print(out.getvalue(), end="")
2026-12-08 03:00:00 UTC [WARNING] Drift (model=churn): age moved plan moved | actions: Review model
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from driftscope.alerts.channels._describe import plain
from driftscope.alerts.channels._text import ack_text, alert_line, one_line, truncate, when
from driftscope.alerts.channels.base import Channel
from driftscope.alerts.model import Notification
from driftscope.errors import ConfigError

#: Characters of a ticket's description on its line.
DESCRIPTION_CHARS = 300

_LEVELS = {"critical": logging.CRITICAL, "warning": logging.WARNING, "info": logging.INFO}


class ConsoleChannel(Channel):
    """Writes each alert as one line to ``stream`` (standard error when None, looked up at
    each send), or, when ``logger`` is given (a :class:`logging.Logger` or its name), logs
    it at the alert's severity (critical, warning, info; resolved and acknowledged at
    info).

    >>> import logging
    >>> from driftscope.alerts.model import Alert, Notification
    >>> n = Notification("n-1", "console", "g", {}, (Alert.of("critical", "Accuracy low"),))
    >>> [(logging.getLevelName(level), line.split(" UTC ")[1])
    ...  for level, line in ConsoleChannel(logger="driftscope.alerts").lines(n)]
    [('CRITICAL', '[CRITICAL] Accuracy low')]
    """

    kind = "console"

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        logger: logging.Logger | str | None = None,
        name: str | None = None,
        price_per_message: float = 0.0,
    ):
        super().__init__(name=name, price_per_message=price_per_message)
        if stream is not None and logger is not None:
            raise ConfigError(f"{self.kind} channel: give a stream or a logger, not both")
        if stream is not None and not callable(getattr(stream, "write", None)):
            raise ConfigError(f"{self.kind} channel: stream must have a write() method")
        self.stream = stream
        self.logger = logging.getLogger(logger) if isinstance(logger, str) else logger

    def lines(self, notification: Notification) -> list[tuple[int, str]]:
        """The (log level, line) pairs written for ``notification``."""
        stamp = when(notification.created_at)
        if notification.event == "acknowledge":
            return [(logging.INFO, f"{stamp} [ACK] {ack_text(notification)}")]
        if notification.kind == "ticket":
            ticket = notification.ticket
            who = f" (assignee={ticket['assignee']})" if ticket.get("assignee") else ""
            text = one_line(plain(ticket.get("description")))
            about = f": {truncate(text, DESCRIPTION_CHARS)}" if text else ""
            return [(logging.INFO, one_line(f"{stamp} [TICKET] {notification.title}{who}{about}"))]
        lines = []
        for alert in notification.alerts:
            line = f"{stamp} {alert_line(alert)}"
            if alert.actions:
                line += " | actions: " + ", ".join(one_line(a.label) for a in alert.actions)
            level = logging.INFO if alert.resolved else _LEVELS[alert.severity.value]
            lines.append((level, line))
        return lines

    def send(self, notification: Notification) -> None:
        try:
            for level, line in self.lines(notification):
                if self.logger is not None:
                    self.logger.log(level, "%s", line)
                else:
                    stream = self.stream or sys.stderr
                    stream.write(line + "\n")
                    stream.flush()
        except Exception:  # the console loses a line rather than fail
            pass
        return None
