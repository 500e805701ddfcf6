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
from dataclasses import dataclass, field
from typing import Any, Self

from driftscope.alerts.model import Alert


class Awaitable:
    """Mixin: ``await obj`` returns ``obj`` (the work was done when it was made)."""

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
    (recorded, not notified). ``repeats`` counts the repeats of a firing alert."""

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
    written and how many points were looked at."""

    fired: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()
    repeats: int = 0
    states_written: int = 0
    points: int = 0
    silenced: tuple[str, ...] = ()
    inhibited: tuple[str, ...] = ()


@dataclass(frozen=True)
class TickReport:
    """What one ``tick`` did."""

    groups_flushed: int = 0
    notification_ids: tuple[str, ...] = ()
    escalations: int = 0
    resolved: tuple[str, ...] = ()
    silences_expired: tuple[str, ...] = ()
    delivered: int = 0
    failed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
