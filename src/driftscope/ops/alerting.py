"""The alerting and response a configuration builds, as one object the runner and the
scheduler drive: after a model's checks, evaluate its rules and run its response; on each
tick, flush groups, escalate and deliver; at the end of a run, deliver until the outbox is
empty or the time is up.

This is the only module of ``ops`` that turns configuration into alerting objects
(:mod:`driftscope.ops.build` makes them); with no channel, rule or response configured it
does nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from driftscope.ops._schema_models import ModelConfig
from driftscope.ops.schema import MonitoringConfig
from driftscope.store import Store

log = logging.getLogger(__name__)

#: The kind of the alert groups' state records (:mod:`driftscope.alerts._grouping`).
GROUP_KIND = "alert_group"


class Alerting:
    """The alert manager, channels and responses of ``config`` on ``store``.

    After a model's checks, its rules are evaluated on the run's summary:

    >>> import tempfile
    >>> from datetime import UTC
    >>> from driftscope.core.checks import CheckRecord
    >>> from driftscope.health.summary import HealthSummary
    >>> from driftscope.ops import parse_config
    >>> from driftscope.store import open_store
    >>> config = parse_config('''
    ... channels: {log: {kind: console}}
    ... models:
    ...   - name: churn
    ...     rules: [{name: low-accuracy, metric: accuracy, threshold: 0.85, direction: below}]
    ... ''')
    >>> t0, t1 = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)
    >>> low = HealthSummary("churn", None, (
    ...     CheckRecord("churn", "performance", t0, t1, "accuracy", 0.71, 0.85, "critical"),))
    >>> with open_store(tempfile.mkdtemp()) as store:
    ...     alerting = Alerting(config, store, clock=lambda: t1)
    ...     done = alerting.after_checks(config.model("churn"), low)
    ...     firing = [alert["alertname"] for alert in alerting.firing()]
    ...     alerting.close()
    >>> done, firing
    (['1 alert(s) fired'], ['low-accuracy'])
    """

    def __init__(
        self,
        config: MonitoringConfig,
        store: Store,
        *,
        clock: Callable[[], datetime],
    ):
        self.config = config
        self.store = store
        self.clock = clock
        self.notes: tuple[str, ...] = ()
        self.manager: Any = None
        self.deliverer: Any = None
        self.responses: dict[str, Any] = {}
        # the scheduler's check jobs and its tick job run on different threads
        self._lock = threading.RLock()
        wanted = bool(config.channels) or any(m.rules or m.response for m in config.models)
        if not wanted:
            return
        from driftscope.ops import build

        channels = build.channels(config)
        self.manager = build.alert_manager(config, store, channels, clock=clock)
        self.deliverer = build.deliverer(config, store, channels, clock=clock)
        build.silences(config, store, clock())
        for model in config.models:
            if model.response is not None:
                self.responses[model.name] = build.response(
                    config, model, store, self.manager, clock=clock
                )

    def wants_concept_drift(self, model: str) -> bool:
        """Whether ``model``'s response retrains on concept drift."""
        response = self.responses.get(model)
        return response is not None and response.wants_concept_drift

    def after_checks(self, model: ModelConfig, summary: Any, concept: Any = None) -> list[str]:
        """Evaluate the rules on ``summary``; run the model's response (with ``concept``,
        the concept-drift report, when it wants one). What was done."""
        done: list[str] = []
        if self.manager is None:
            return done
        with self._lock:
            result = self.manager.evaluate(summary)
            done.extend(_describe(result))
            response = self.responses.get(model.name)
            if response is not None:
                done.extend(response.respond(summary, concept))
        return done

    def tick(self) -> dict[str, int]:
        """Due groups, escalations and delivery, once."""
        if self.manager is None:
            return {}
        return self._tick()

    def _tick(self) -> dict[str, int]:
        with self._lock:
            flushed = _counts(self.manager.tick(self.clock()))
        sent = _counts(self.deliverer.deliver_due())
        return {**flushed, **sent}

    def flush(self, timeout: timedelta, *, poll: float = 0.2) -> dict[str, int]:
        """Tick until no alert group and no notification's first attempt is due before
        ``timeout`` from now (a group's first notification waits its ``group_wait``), or
        ``timeout`` has passed; the counts at the end: ``delivered`` by these ticks,
        ``pending`` (still in the outbox: a channel down is retried later, by the next run
        or the scheduler) and ``dead``."""
        if self.manager is None:
            return {}
        deadline = time.monotonic() + timeout.total_seconds()
        delivered = 0
        while True:
            delivered += self._tick().get("delivered", 0)
            left = max(0.0, deadline - time.monotonic())
            if left <= 0 or not self._due_within(timedelta(seconds=left)):
                break
            time.sleep(min(poll, left))
        return {"delivered": delivered, "pending": self.pending(), "dead": self.dead()}

    def _due_within(self, span: timedelta) -> bool:
        """Whether a notification or a group's first notification is due within ``span``."""
        from driftscope.alerts.outbox import KIND, PENDING

        horizon = self.clock() + span
        # first attempts only: a notification whose channel already failed is retried with
        # backoff by the next run or the scheduler; waiting for it here would hold a
        # one-shot run for minutes while the receiver is down
        due = self.store.find_state(KIND, states=[PENDING], due_before=horizon)
        if any(not record.body.get("attempts") for record in due):
            return True
        for group in self.store.find_state(GROUP_KIND, due_before=horizon):
            if group.state == "active" and not group.body.get("last_flushed_at"):
                return True  # a new group waiting out its group_wait
        return False

    def pending(self) -> int:
        """Notifications not delivered yet."""
        from driftscope.alerts.outbox import KIND, PENDING

        return len(self.store.find_state(KIND, states=[PENDING]))

    def dead(self) -> int:
        """Notifications dead-lettered (given up on)."""
        from driftscope.alerts.outbox import DEAD, KIND

        return len(self.store.find_state(KIND, states=[DEAD]))

    def firing(self) -> list[dict[str, Any]]:
        """The alerts firing now, as plain dicts."""
        if self.manager is None:
            return []
        out = []
        for record in self.manager.alerts(state="firing"):
            labels = record.alert.labels
            out.append(
                {
                    "fingerprint": record.fingerprint,
                    "alertname": labels.get("alertname", ""),
                    "severity": labels.get("severity", ""),
                    "model": labels.get("model", ""),
                    "fired_at": record.fired_at.isoformat(),
                    "muted_by": record.muted_by,
                    "acknowledged_by": record.acknowledged_by,
                    "labels": dict(labels),
                }
            )
        return out

    def close(self) -> None:
        """Close the alert manager (when it has a ``close``)."""
        close = getattr(self.manager, "close", None)
        if callable(close):
            close()


def _describe(result: Any) -> list[str]:
    fired = getattr(result, "fired", None)
    resolved = getattr(result, "resolved", None)
    out = []
    if fired:
        out.append(f"{len(fired)} alert(s) fired")
    if resolved:
        out.append(f"{len(resolved)} alert(s) resolved")
    return out


def _counts(result: Any) -> dict[str, int]:
    if isinstance(result, dict):
        return {k: int(v) for k, v in result.items() if isinstance(v, int | float)}
    if result is None:
        return {}
    return {
        k: int(getattr(result, k))
        for k in ("delivered", "retried", "dead", "postponed", "groups_flushed", "escalations")
        if isinstance(getattr(result, k, None), int)
    }
