"""The delivery worker: takes due notifications from the outbox and sends them.

:meth:`Deliverer.deliver_due` takes (leases) the due ``"pending"`` notification records
with :meth:`~driftscope.store.state.StateStore.claim_due`, sends each through its channel
and marks it: ``"delivered"``; or pending again with the next attempt after a backoff
(:class:`~driftscope.alerts.retry.RetryPolicy`); or ``"dead"`` with the reason, at once
for an error that says trying again cannot help (a 4xx, a channel that is not
configured) and for the others once the notification is ``dead_after`` old. A channel over
its :class:`~driftscope.alerts.rate_limit.RateLimit` has its notifications postponed to
when the window allows: not dropped, not counted as failures.

Guarantees. A lease keeps a notification to the one worker that took it, across threads
and processes, until the lease runs out (the worker died): then another takes it. Every
mark is a compare-and-set on the version the worker took, so a worker that was overtaken
writes nothing. A worker does not start a send when half its lease is gone: it gives the
notification back instead. So a notification is sent twice only when a process dies
between a send that arrived and its mark (or a single send outlasts half the lease:
channels time out long before). Channels whose receiver de-duplicates by
``dedup_key`` (``dedups = True``: PagerDuty, Alertmanager) fold that second send; the
others may show it twice: delivery is at-least-once, with that one window.

Every decision goes to the audit log: ``notification.delivered``, ``notification.retry``
(on the first failure and every ``audit_retry_every``-th, so a day-long outage does not
fill the log), ``notification.dead``, ``notification.requeued``. Errors and reasons are
stored and logged with every secret of the configured channels replaced by ``***``.

>>> import tempfile
>>> from driftscope.store import open_store
>>> from driftscope.alerts.channels.base import Channel
>>> from driftscope.alerts.model import Alert, Notification
>>> from driftscope.alerts.outbox import enqueue
>>> class Printer(Channel):
...     kind = "printer"
...     def send(self, notification):
...         print("sent", notification.title)
>>> n = Notification("n-1", "printer", "g", {}, (Alert.of("warning", "Drift"),))
>>> with open_store(tempfile.mkdtemp()) as store:
...     _ = enqueue(store, n)
...     report = Deliverer(store, [Printer()]).deliver_due()
...     state = Deliverer(store, [Printer()]).entry("n-1").state
sent [WARNING] Drift
>>> report.delivered, state
(1, 'delivered')
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from driftscope.alerts._scrub import Scrubber
from driftscope.alerts.channels.base import Channel, DeliveryError
from driftscope.alerts.durations import Clock, checked_now, utc_now
from driftscope.alerts.outbox import DEAD, DELIVERED, KIND, PENDING, OutboxEntry
from driftscope.alerts.rate_limit import RateLimit
from driftscope.alerts.retry import RetryPolicy
from driftscope.errors import ConfigError, printable
from driftscope.store.state import AuditEntry, StateRecord, StateStore

log = logging.getLogger(__name__)

#: Longest error text kept in a record or an audit entry.
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class DeliveryReport:
    """What one :meth:`Deliverer.deliver_due` (or a :meth:`Deliverer.drain`) did.

    ``claimed`` notifications were taken; each was ``delivered``, ``retried`` (failed,
    tried again later), ``dead`` (dead-lettered), ``postponed`` (its channel was over its
    rate limit), ``released`` (given back unsent: half the lease was gone) or
    ``overtaken`` (another worker had taken it after the lease ran out: nothing written).

    >>> DeliveryReport(claimed=2, delivered=1) + DeliveryReport(claimed=1, dead=1)
    DeliveryReport(claimed=3, delivered=1, retried=0, dead=1, postponed=0, released=0, overtaken=0)
    """

    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    postponed: int = 0
    released: int = 0
    overtaken: int = 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


@dataclass(frozen=True)
class _Failure:
    """A send that failed: what happened, whether to try again, and when the receiver
    asked to be tried again (seconds, from its Retry-After)."""

    message: str
    retryable: bool
    retry_after: float | None


def _channel_map(channels: Mapping[str, Channel] | Sequence[Channel]) -> dict[str, Channel]:
    pairs: list[tuple[Any, Any]]
    if isinstance(channels, Mapping):
        pairs = list(channels.items())
    elif isinstance(channels, Sequence) and not isinstance(channels, str):
        pairs = [(getattr(c, "name", None), c) for c in channels]
    else:
        raise ConfigError(
            f"channels must be a list of channels or a mapping of names to channels, "
            f"got {type(channels).__name__}"
        )
    out: dict[str, Channel] = {}
    for name, channel in pairs:
        if not isinstance(channel, Channel):
            raise ConfigError(f"channel {name!r} is not a Channel: {type(channel).__name__}")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"a channel name must be non-empty text, got {name!r}")
        if name in out:
            raise ConfigError(f"two channels are named {name!r}: give one another name")
        out[name] = channel
    return out


def _span(age: timedelta) -> str:
    """``age`` in words: ``"90 s"``, ``"10 min"``, ``"24 h"``, ``"3 d"``."""
    seconds = age.total_seconds()
    for unit, size, below in (("s", 1, 120), ("min", 60, 7200), ("h", 3600, 172800)):
        if seconds < below:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds / 86400:.3g} d"


class Deliverer:
    """Sends the outbox's due notifications through their channels (see the module).

    ``channels``: a list of channels (each under its ``name``) or a mapping of names to
    channels. ``rate_limits``: channel name to a :class:`RateLimit` (or its text, like
    ``"1/s"``). ``clock``: a function giving the current UTC time (tests move it).
    ``rng``: the random generator of the retry jitter (seed it for repeatable delays).

    >>> import tempfile
    >>> from driftscope.store import open_store
    >>> with open_store(tempfile.mkdtemp()) as store:
    ...     Deliverer(store, [], rate_limits={"slack": "1/s"})
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: rate limit for 'slack': no channel named 'slack' is configured
    """

    def __init__(
        self,
        store: StateStore,
        channels: Mapping[str, Channel] | Sequence[Channel],
        *,
        retry: RetryPolicy | None = None,
        rate_limits: Mapping[str, RateLimit | str] | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        audit_retry_every: int = 10,
    ):
        if not isinstance(store, StateStore):
            raise ConfigError(f"store must be a driftscope store, got {type(store).__name__}")
        self.store = store
        self.channels = _channel_map(channels)
        self.retry = RetryPolicy() if retry is None else retry
        if not isinstance(self.retry, RetryPolicy):
            raise ConfigError(f"retry must be a RetryPolicy, got {type(self.retry).__name__}")
        self.rate_limits: dict[str, RateLimit] = {}
        for name, limit in (rate_limits or {}).items():
            if name not in self.channels:
                raise ConfigError(
                    f"rate limit for {name!r}: no channel named {name!r} is configured"
                )
            self.rate_limits[name] = (
                limit if isinstance(limit, RateLimit) else RateLimit.parse(limit)
            )
        every = audit_retry_every
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ConfigError(f"audit_retry_every must be an int >= 1, got {audit_retry_every!r}")
        self.audit_retry_every = audit_retry_every
        self._clock: Clock = clock or utc_now
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._scrub = Scrubber(self.channels.values())
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    def __repr__(self) -> str:
        return f"Deliverer(channels={sorted(self.channels)!r}, retry={self.retry!r})"

    def now(self) -> datetime:
        """The current time by the deliverer's clock (timezone-aware UTC)."""
        return checked_now(self._clock)

    # ------------------------------------------------------------------ delivering
    def deliver_due(
        self, now: datetime | None = None, limit: int = 100, *, stop: threading.Event | None = None
    ) -> DeliveryReport:
        """Take up to ``limit`` due notifications, send each and mark it; ``now`` fixes
        the time of the whole round (default: the clock, read before each send). Once
        ``stop`` is set, the notifications not yet sent are given back, due at once."""
        fixed = None if now is None else checked_now(self._clock, now)

        def at() -> datetime:
            return fixed if fixed is not None else self.now()

        claimed = self.store.claim_due(
            KIND, states=[PENDING], now=at(), lease=self.retry.lease, limit=limit
        )
        counts = dict.fromkeys(
            ("delivered", "retried", "dead", "postponed", "released", "overtaken"), 0
        )
        audit: list[AuditEntry] = []
        waiting: dict[str, tuple[datetime, int]] = {}
        try:
            for record in claimed:
                if stop is not None and stop.is_set():
                    counts[self._release(record, at())] += 1
                else:
                    counts[self._deliver_one(record, at, audit, waiting)] += 1
        finally:
            self._append_audit(audit)
        return DeliveryReport(claimed=len(claimed), **counts)

    def _deliver_one(
        self,
        record: StateRecord,
        at: Clock,
        audit: list[AuditEntry],
        waiting: dict[str, tuple[datetime, int]],
    ) -> str:
        entry = OutboxEntry.from_record(record)
        try:
            notification = entry.notification
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            reason = f"the record cannot be read: {type(exc).__name__}: {exc}"
            return self._dead(record, entry, reason, at(), audit)
        channel = self.channels.get(notification.channel)
        if channel is None:
            reason = f"no channel named {notification.channel!r} is configured"
            return self._dead(record, entry, reason, at(), audit)
        now = at()
        if record.due_at is not None and now >= record.due_at - self.retry.lease / 2:
            # the round took half the lease: give it back rather than risk a second sender
            return self._release(record, now)
        rate = self.rate_limits.get(notification.channel)
        if rate is not None:
            free_at = self._slot(rate, notification.channel, now, waiting)
            if free_at is not None:
                moved = self.store.put_state(
                    record.with_changes(due_at=free_at), if_version=record.version
                )
                return "postponed" if moved is not None else "overtaken"
        try:
            result: Any = channel.send(notification)
        except DeliveryError as exc:
            failure = _Failure(str(exc), exc.retryable, exc.retry_after)
            return self._failed(record, entry, failure, at(), audit)
        except Exception as exc:  # a channel's bug or a library's error: tried again
            failure = _Failure(f"{type(exc).__name__}: {exc}", True, None)
            return self._failed(record, entry, failure, at(), audit)
        return self._delivered(record, entry, result, at(), audit)

    def _release(self, record: StateRecord, now: datetime) -> str:
        """Give a claimed notification back unsent, due ``now``."""
        back = self.store.put_state(record.with_changes(due_at=now), if_version=record.version)
        return "released" if back is not None else "overtaken"

    def _slot(
        self,
        rate: RateLimit,
        name: str,
        now: datetime,
        waiting: dict[str, tuple[datetime, int]],
    ) -> datetime | None:
        """None when a send on ``name`` may go now (its slot is taken), else when the
        notification should be tried again. Within one round, once the window is full,
        the next ones queue behind at the limit's pace without asking the store again."""
        if name in waiting:
            opens, queued = waiting[name]
            waiting[name] = (opens, queued + 1)
            return opens + rate.per * (queued // rate.messages)
        free_at = rate.reserve(self.store, name, now)
        if free_at is not None:
            waiting[name] = (free_at, 1)
        return free_at

    def _delivered(
        self,
        record: StateRecord,
        entry: OutboxEntry,
        result: Any,
        now: datetime,
        audit: list[AuditEntry],
    ) -> str:
        body = {**record.body, "attempts": entry.attempts + 1, "delivered_at": now.isoformat()}
        receipt = self._receipt(result)
        if receipt is not None:
            body["receipt"] = receipt
        marked = self.store.put_state(
            record.with_changes(state=DELIVERED, due_at=None, body=body),
            if_version=record.version,
        )
        if marked is None:
            log.warning(
                "notification %s was sent, but its lease had run out and another worker "
                "has taken it: it may be sent twice",
                entry.id,
            )
            return "overtaken"
        details: dict[str, Any] = {"channel": entry.channel, "attempts": entry.attempts + 1}
        if receipt is not None:
            details["receipt"] = receipt
        audit.append(
            AuditEntry(
                "notification.delivered",
                model=record.model,
                subject=entry.id,
                reason=f"sent to {entry.channel}",
                details=details,
                at=now,
            )
        )
        return "delivered"

    def _receipt(self, result: Any) -> dict[str, Any] | None:
        if not isinstance(result, dict):
            return None
        try:
            plain = json.loads(json.dumps(result, default=str, allow_nan=False))
        except (TypeError, ValueError):
            return {"note": "the channel's receipt was not plain JSON"}
        return self._scrub.json(plain)

    def _failed(
        self,
        record: StateRecord,
        entry: OutboxEntry,
        failure: _Failure,
        now: datetime,
        audit: list[AuditEntry],
    ) -> str:
        error = self._clean(failure.message)
        attempts = entry.attempts + 1
        if not failure.retryable:
            return self._dead(record, entry, error, now, audit, attempts=attempts, error=error)
        enqueued = entry.enqueued_at or now
        deadline = enqueued + self.retry.dead_after
        if now >= deadline:
            reason = (
                f"still undelivered {_span(now - enqueued)} after it was enqueued, after "
                f"{attempts} attempts; last error: {error}"
            )
            return self._dead(record, entry, reason, now, audit, attempts=attempts, error=error)
        with self._rng_lock:
            wait = self.retry.delay(attempts, self._rng)
        if failure.retry_after is not None and failure.retry_after > 0:
            # the receiver said when to come back (Retry-After): not sooner, and within a day
            wait = max(wait, timedelta(seconds=min(failure.retry_after, 86400.0)))
        next_at = min(now + wait, deadline)
        body = {**record.body, "attempts": attempts, "last_error": error}
        marked = self.store.put_state(
            record.with_changes(due_at=next_at, body=body), if_version=record.version
        )
        if marked is None:
            return "overtaken"
        log.warning(
            "notification %s to %s failed (attempt %d), next try at %s: %s",
            entry.id,
            entry.channel,
            attempts,
            next_at.isoformat(),
            error,
        )
        if attempts == 1 or attempts % self.audit_retry_every == 0:
            audit.append(
                AuditEntry(
                    "notification.retry",
                    model=record.model,
                    subject=entry.id,
                    reason=error,
                    details={
                        "channel": entry.channel,
                        "attempts": attempts,
                        "next_at": next_at.isoformat(),
                    },
                    at=now,
                )
            )
        return "retried"

    def _dead(
        self,
        record: StateRecord,
        entry: OutboxEntry,
        reason: str,
        now: datetime,
        audit: list[AuditEntry],
        *,
        attempts: int | None = None,
        error: str | None = None,
    ) -> str:
        reason = self._clean(reason)
        body = {
            **record.body,
            "attempts": entry.attempts if attempts is None else attempts,
            "dead_reason": reason,
            "dead_at": now.isoformat(),
        }
        if error is not None:
            body["last_error"] = error
        marked = self.store.put_state(
            record.with_changes(state=DEAD, due_at=None, body=body), if_version=record.version
        )
        if marked is None:
            return "overtaken"
        log.error("notification %s to %s is dead: %s", entry.id, entry.channel or "?", reason)
        audit.append(
            AuditEntry(
                "notification.dead",
                model=record.model,
                subject=entry.id,
                reason=reason,
                details={"channel": entry.channel, "attempts": body["attempts"]},
                at=now,
            )
        )
        return "dead"

    def _clean(self, text: str) -> str:
        text = printable(self._scrub.text(text))
        return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"

    def _append_audit(self, entries: list[AuditEntry]) -> None:
        if not entries:
            return
        try:
            self.store.append_audit(entries)
        except Exception as exc:  # the marks are stored; a lost audit line must not undo them
            log.error("could not write %d audit entries: %s", len(entries), self._clean(str(exc)))

    # ------------------------------------------------------------------ the outbox
    def entry(self, id: str) -> OutboxEntry | None:
        """The outbox entry of notification ``id``, or None."""
        record = self.store.get_state(KIND, id)
        return None if record is None else OutboxEntry.from_record(record)

    def pending(self, limit: int | None = None) -> list[OutboxEntry]:
        """Notifications not yet delivered nor dead, the next due first."""
        return [
            OutboxEntry.from_record(r)
            for r in self.store.find_state(KIND, states=[PENDING], limit=limit)
        ]

    def dead_letters(self, limit: int | None = None) -> list[OutboxEntry]:
        """Dead-lettered notifications, with their ``dead_reason``."""
        return [
            OutboxEntry.from_record(r)
            for r in self.store.find_state(KIND, states=[DEAD], limit=limit)
        ]

    def requeue(
        self, id: str, *, actor: str = "driftscope", now: datetime | None = None
    ) -> OutboxEntry:
        """Put dead notification ``id`` back in the outbox, due now; its age and its
        attempts count from zero again (a ConfigError when there is no such dead one)."""
        moment = now or self.now()
        for _ in range(20):
            record = self.store.get_state(KIND, id)
            if record is None:
                raise ConfigError(f"no notification {id!r} is in the outbox")
            if record.state != DEAD:
                raise ConfigError(
                    f"notification {id!r} is {record.state}, not dead: only a dead letter "
                    "is requeued"
                )
            old = record.body.get("dead_reason") or ""
            body = {
                **record.body,
                "enqueued_at": moment.isoformat(),
                "attempts": 0,
                "dead_reason": None,
                "dead_at": None,
                "requeued": int(record.body.get("requeued") or 0) + 1,
            }
            stored = self.store.put_state(
                record.with_changes(state=PENDING, due_at=moment, body=body),
                if_version=record.version,
            )
            if stored is not None:
                self._append_audit(
                    [
                        AuditEntry(
                            "notification.requeued",
                            model=record.model,
                            subject=id,
                            reason=f"was dead: {old}" if old else "was dead",
                            actor=actor,
                            at=moment,
                        )
                    ]
                )
                return OutboxEntry.from_record(stored)
        raise ConfigError(f"notification {id!r} keeps changing under requeue; try again")

    # ------------------------------------------------------------------ running
    def drain(self, timeout: float = 30.0, *, wait_for_retries: bool = False) -> DeliveryReport:
        """Deliver until nothing is due (or ``timeout`` seconds have passed). With
        ``wait_for_retries``, also wait (in real time) for retries that fall due before
        the timeout."""
        deadline = time.monotonic() + timeout
        total = DeliveryReport()
        while time.monotonic() < deadline:
            report = self.deliver_due()
            total += report
            if report.claimed:
                continue
            if not wait_for_retries:
                break
            upcoming = self.store.find_state(KIND, states=[PENDING], limit=1)
            if not upcoming or upcoming[0].due_at is None:
                break
            wait = (upcoming[0].due_at - self.now()).total_seconds()
            left = deadline - time.monotonic()
            if wait > left:
                break
            time.sleep(min(max(wait, 0.01), left))
        return total

    def run_forever(self, stop: threading.Event, poll: float = 1.0, limit: int = 100) -> None:
        """Deliver until ``stop`` is set, looking for due notifications every ``poll``
        seconds (at once again while there are more than ``limit`` due). A failing store
        is logged and tried again at the next poll."""
        while not stop.is_set():
            try:
                busy = self.deliver_due(limit=limit, stop=stop).claimed >= limit
            except Exception as exc:
                log.error("outbox delivery failed, trying again: %s", self._clean(str(exc)))
                busy = False
            if not busy:
                stop.wait(poll)

    def start(self, *, threads: int = 1, poll: float = 1.0, limit: int = 100) -> None:
        """Run :meth:`run_forever` in ``threads`` background threads (daemons)."""
        if self.running:
            raise ConfigError("this deliverer is already running: stop() it first")
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ConfigError(f"threads must be an int >= 1, got {threads!r}")
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(
                target=self.run_forever,
                args=(self._stopping, poll, limit),
                name=f"driftscope-delivery-{i}",
                daemon=True,
            )
            for i in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the background threads: each finishes the send it is in and gives back
        the notifications it took and has not sent. Whether they all stopped within
        ``timeout`` seconds."""
        self._stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not self.running
