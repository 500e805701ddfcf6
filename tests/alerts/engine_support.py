"""Helpers for the alert engine's tests: a channel that records what it is sent, a clock
the test moves, check points and a manager wired to them on a real embedded store, and
days of predictions logged to a real monitor.

(Fixtures shared with the channel tests live in ``conftest.py``; these are plain helpers.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from driftscope.alerts.channels.base import Channel, DeliveryError
from driftscope.alerts.manager import AlertManager
from driftscope.alerts.model import Notification
from driftscope.core.checks import CheckRecord
from driftscope.monitor import ModelMonitor

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class RecordingChannel(Channel):
    """A real channel whose receiver is a list: every notification it is asked to send,
    in order. ``fail`` makes sends raise (retryable unless ``fail == "fatal"``);
    ``receipt`` is what ``send`` returns (ticket channels report the created issue)."""

    kind = "recording"

    def __init__(
        self,
        name: str = "recording",
        *,
        dedups: bool = False,
        tickets: bool = False,
        price_per_message: float = 0.0,
        receipt: dict[str, Any] | None = None,
    ):
        super().__init__(name=name, price_per_message=price_per_message)
        self.dedups = dedups  # type: ignore[misc]  # per instance here: one class, both kinds
        self.tickets = tickets  # type: ignore[misc]
        self.sent: list[Notification] = []
        self.fail: str | None = None
        self.receipt = receipt

    def send(self, notification: Notification) -> dict[str, Any] | None:
        if self.fail:
            raise DeliveryError(f"{self.name} is down", retryable=self.fail != "fatal")
        self.sent.append(notification)
        return None if self.receipt is None else dict(self.receipt)

    # what tests look at
    def alerts(self) -> list[list[tuple[str, str]]]:
        """Per notification: (alertname, status) of each alert in it."""
        return [
            [(a.labels["alertname"], "resolved" if a.resolved else "firing") for a in n.alerts]
            for n in self.sent
        ]

    def clear(self) -> None:
        self.sent.clear()


@dataclass
class Clock:
    """The time the manager sees; tests move it."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        self.now += timedelta(seconds=seconds, **delta)
        return self.now


def point(
    model: str,
    metric: str,
    value: float | None,
    day: int = 0,
    *,
    check: str = "performance",
    status: str = "ok",
    hours: int = 24,
    **details: Any,
) -> CheckRecord:
    """A check point of ``metric`` for window ``day`` (windows of ``hours`` from T0)."""
    start = T0 + timedelta(hours=hours * day)
    return CheckRecord(
        model,
        check,
        start,
        start + timedelta(hours=hours),
        metric,
        value,
        None,
        status,
        details=details,
    )


@dataclass
class Setup:
    manager: AlertManager
    clock: Clock
    channels: dict[str, RecordingChannel] = field(default_factory=dict)

    def __getitem__(self, name: str) -> RecordingChannel:
        return self.channels[name]


def setup(
    store: Any,
    names: Sequence[str] = ("slack",),
    *,
    clock: Clock | None = None,
    dedup: Sequence[str] = (),
    **options: Any,
) -> Setup:
    """A manager on ``store`` with recording channels ``names`` and a test clock."""
    clock = clock or Clock()
    channels = {n: RecordingChannel(n, dedups=n in dedup) for n in names}
    manager = AlertManager(list(channels.values()), store=store, clock=clock, **options)
    return Setup(manager, clock, channels)


def log_days(
    monitor: ModelMonitor,
    rng: np.random.Generator,
    shifts: Sequence[float],
    *,
    start: datetime,
    rows: int,
) -> None:
    """Log ``rows`` predictions a day from ``start``, one day per shift: ``age`` (mean 40,
    sd 10) moved by that day's shift, ``plan`` a or b; flushed."""
    for day, shift in enumerate(shifts):
        stamps = pd.Timestamp(start + timedelta(days=day)) + pd.to_timedelta(
            np.sort(rng.uniform(0, 86_000, rows)), unit="s"
        )
        frame = pd.DataFrame(
            {"age": rng.normal(40 + shift, 10, rows), "plan": rng.choice(["a", "b"], rows)}
        )
        monitor.log_predictions(frame, rng.random(rows), timestamps=stamps)
    monitor.flush()
