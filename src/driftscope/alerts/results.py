"""What the alert manager's calls return: plain results that can also be awaited.

``send_alert`` and ``create_investigation_ticket`` do their work when called; their results
are also awaitable, so ``await manager.send_alert(...)`` in async code and the plain call
in a script both work (awaiting gives back the same object at once).

>>> import asyncio
>>> from driftscope.alerts.model import Alert
>>> result = SendResult(Alert.of("info", "Drift"), "grouped")
>>> asyncio.run(_awaited(result)) is result
True
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Self

from driftscope.alerts.model import Alert


class Awaitable:
    """Mixin: ``await obj`` returns ``obj`` (the work was done when it was made).

    >>> import asyncio
    >>> class Done(Awaitable):
    ...     pass
    >>> done = Done()
    >>> asyncio.run(_awaited(done)) is done
    True
    """

    def __await__(self) -> Generator[Any, None, Self]:
        yield from ()
        return self


async def _awaited(value: Any) -> Any:
    return await value


@dataclass(frozen=True)
class SendResult(Awaitable):
    """What ``send_alert`` did with the alert. ``outcome``: ``"notified"`` (its group was
    notified now: the notifications are in the outbox, and delivered when the manager
    delivers), ``"grouped"`` (it waits in a group that speaks later), ``"deduplicated"``
    (the same alert is firing: counted as a repeat), ``"silenced"`` or ``"inhibited"``
    (recorded, not notified). ``repeats`` counts the repeats of a firing alert.

    >>> import asyncio, io, tempfile
    >>> from driftscope.alerts import AlertManager
    >>> from driftscope.alerts.channels import ConsoleChannel
    >>> async def page(alerts):
    ...     return await alerts.send_alert("critical", "Accuracy low", model="churn")
    >>> with AlertManager([ConsoleChannel(io.StringIO())], store=tempfile.mkdtemp()) as alerts:
    ...     result = asyncio.run(page(alerts))
    >>> result.notified, result.alert.model, len(result.notification_ids)
    (True, 'churn', 1)
    """

    alert: Alert
    outcome: str
    group_keys: tuple[str, ...] = ()
    notification_ids: tuple[str, ...] = ()
    muted_by: str = ""
    repeats: int = 0

    @property
    def fingerprint(self) -> str:
        return self.alert.fingerprint

    @property
    def notified(self) -> bool:
        return self.outcome == "notified"


@dataclass(frozen=True)
class EvaluationReport:
    """What one ``evaluate`` did: the alerts that fired and resolved (fingerprints), how
    many firing alerts were seen bad again (folded as repeats), how many rule states were
    written and how many points were looked at.

    >>> import io, tempfile
    >>> from datetime import datetime, UTC
    >>> from driftscope.alerts import AlertManager, AlertRule
    >>> from driftscope.alerts.channels import ConsoleChannel
    >>> from driftscope.core.checks import CheckRecord
    >>> t0, t1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    >>> low = CheckRecord("churn", "performance", t0, t1, "accuracy", 0.81)
    >>> rule = AlertRule("accuracy_low", "accuracy", 0.85, "below")
    >>> with AlertManager([ConsoleChannel(io.StringIO())], store=tempfile.mkdtemp(),
    ...                   rules=[rule]) as alerts:
    ...     report = alerts.evaluate([low])
    >>> len(report.fired), report.resolved, report.points
    (1, (), 1)
    """

    fired: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()
    repeats: int = 0
    states_written: int = 0
    points: int = 0
    silenced: tuple[str, ...] = ()
    inhibited: tuple[str, ...] = ()


@dataclass(frozen=True)
class TickReport:
    """What one ``tick`` did.

    An alert not raised again for ``resolve_timeout`` resolves at the next tick, and its
    group says so:

    >>> import io, tempfile
    >>> from datetime import datetime, timedelta, UTC
    >>> from driftscope.alerts import AlertManager
    >>> from driftscope.alerts.channels import ConsoleChannel
    >>> t = datetime(2026, 11, 1, tzinfo=UTC)
    >>> with AlertManager([ConsoleChannel(io.StringIO())], store=tempfile.mkdtemp(),
    ...                   resolve_timeout="1h", clock=lambda: t) as alerts:
    ...     sent = alerts.send_alert("warning", "Drift", model="churn")
    ...     report = alerts.tick(t + timedelta(hours=2))
    >>> report.resolved == (sent.fingerprint,), report.delivered
    (True, 1)
    """

    groups_flushed: int = 0
    notification_ids: tuple[str, ...] = ()
    escalations: int = 0
    resolved: tuple[str, ...] = ()
    silences_expired: tuple[str, ...] = ()
    delivered: int = 0
    failed: int = 0
