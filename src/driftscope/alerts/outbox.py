"""The outbox: every notification is stored before it is sent.

A notification becomes a :class:`~driftscope.store.state.StateRecord` of kind
``"notification"`` keyed by its id, in state ``"pending"`` and due now; the delivery worker
(:mod:`driftscope.alerts.delivery`) takes due records with
:meth:`~driftscope.store.state.StateStore.claim_due`, sends them and marks them
``"delivered"``, or sets the next attempt, or ``"dead"`` with the reason after the
configured age. So a notification survives a crash of the process that raised it, and a
retried ``enqueue`` of the same id is a no-op.

Record body: ``notification`` (:meth:`~driftscope.alerts.model.Notification.to_dict`),
``enqueued_at`` (ISO 8601; the age at which it is dead-lettered counts from it),
``attempts``, ``last_error``, ``delivered_at``, ``dead_reason``, and once delivered by a
channel that reports what it created (a ticket's url and id) its ``receipt``. The
record's ``model`` is the notification's model label (empty when it has none).
:class:`OutboxEntry` reads a record back.

>>> import tempfile
>>> from driftscope.store import open_store
>>> from driftscope.alerts.model import Alert, Notification
>>> n = Notification("n-1", "slack", "g", {}, (Alert.of("info", "Drift", labels={"model": "m"}),))
>>> with open_store(tempfile.mkdtemp()) as store:
...     enqueue(store, n), enqueue(store, n), store.get_state(KIND, "n-1").state
(True, False, 'pending')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from driftscope.alerts.model import Notification
from driftscope.errors import ConfigError
from driftscope.store.state import StateRecord, StateStore

KIND = "notification"
PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


def model_of(notification: Notification) -> str:
    """The model a notification is about: its group's, its first alert's or its ticket's."""
    if notification.group_labels.get("model"):
        return notification.group_labels["model"]
    for alert in notification.alerts:
        if alert.model:
            return alert.model
    return str(notification.ticket.get("model", ""))


def record_of(notification: Notification, now: datetime | None = None) -> StateRecord:
    """The outbox record of ``notification``: pending, due ``now``."""
    now = now or datetime.now(UTC)
    return StateRecord(
        KIND,
        notification.id,
        PENDING,
        {
            "notification": notification.to_dict(),
            "enqueued_at": now.isoformat(),
            "attempts": 0,
            "last_error": None,
            "delivered_at": None,
            "dead_reason": None,
        },
        model=model_of(notification),
        due_at=now,
    )


def enqueue(store: StateStore, notification: Notification, *, now: datetime | None = None) -> bool:
    """Store ``notification`` as pending, due ``now``; False when its id is already there."""
    return store.put_state(record_of(notification, now), if_version=0) is not None


def enqueue_many(
    store: StateStore, notifications: Sequence[Notification], *, now: datetime | None = None
) -> list[bool]:
    """:func:`enqueue` for each notification, in one write where the store can (one
    transaction on the embedded store); for each, whether it was new."""
    records = [record_of(n, now) for n in notifications]
    written = store.put_states(records, if_versions=[0] * len(records))
    return [r is not None for r in written]


#: How long delivered and dead notifications stay in the outbox: a month of notification
#: cost (:mod:`driftscope.alerts.measures`) and of dead letters to look at, and a few days.
KEEP = timedelta(days=35)


def purge(store: StateStore, *, older_than: timedelta = KEEP, now: datetime | None = None) -> int:
    """Remove delivered and dead notifications last changed more than ``older_than`` ago
    (pending ones are never removed); how many went. The audit log keeps what happened to
    them. Run it from a periodic job (``driftscope scheduler`` does, hourly).

    >>> import tempfile
    >>> from driftscope.store import open_store
    >>> from driftscope.alerts.model import Alert, Notification
    >>> n = Notification("n-1", "slack", "g", {}, (Alert.of("info", "Drift"),))
    >>> with open_store(tempfile.mkdtemp()) as store:
    ...     _ = enqueue(store, n)
    ...     record = store.get_state(KIND, "n-1")
    ...     _ = store.put_state(record.with_changes(state=DELIVERED, due_at=None))
    ...     kept = purge(store)  # delivered just now: kept
    ...     gone = purge(store, older_than=timedelta(0), now=datetime.now(UTC) + timedelta(1))
    >>> kept, gone
    (0, 1)
    """
    if not isinstance(older_than, timedelta) or older_than < timedelta(0):
        raise ConfigError(f"older_than must be a timedelta >= 0, got {older_than!r}")
    cutoff = (now or datetime.now(UTC)) - older_than
    removed = 0
    for record in store.find_state(KIND, states=[DELIVERED, DEAD]):
        if record.updated_at is not None and record.updated_at < cutoff:
            removed += store.delete_state(KIND, record.key)
    return removed


def _time(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


@dataclass(frozen=True)
class OutboxEntry:
    """One notification in the outbox, as read from its record.

    ``state`` is ``"pending"``, ``"delivered"`` or ``"dead"``; ``due_at`` is when a
    pending one is next tried; ``version`` is the record's (for a compare-and-set).

    >>> import tempfile
    >>> from driftscope.store import open_store
    >>> from driftscope.alerts.model import Alert, Notification
    >>> a = Alert.of("info", "Drift", labels={"model": "m"})
    >>> with open_store(tempfile.mkdtemp()) as store:
    ...     _ = enqueue(store, Notification("n-1", "slack", "g", {}, (a,)))
    ...     entry = OutboxEntry.from_record(store.get_state(KIND, "n-1"))
    >>> entry.id, entry.channel, entry.state, entry.attempts, entry.model
    ('n-1', 'slack', 'pending', 0, 'm')
    """

    id: str
    channel: str
    state: str
    attempts: int
    enqueued_at: datetime | None
    due_at: datetime | None
    last_error: str | None
    delivered_at: datetime | None
    dead_reason: str | None
    receipt: dict[str, Any] | None
    model: str
    body: dict[str, Any]
    version: int

    @classmethod
    def from_record(cls, record: StateRecord) -> OutboxEntry:
        body = record.body
        data = body.get("notification") or {}
        receipt = body.get("receipt")
        return cls(
            id=record.key,
            channel=str(data.get("channel", "")),
            state=record.state,
            attempts=int(body.get("attempts") or 0),
            enqueued_at=_time(body.get("enqueued_at")) or record.created_at,
            due_at=record.due_at,
            last_error=body.get("last_error"),
            delivered_at=_time(body.get("delivered_at")),
            dead_reason=body.get("dead_reason"),
            receipt=receipt if isinstance(receipt, dict) else None,
            model=record.model,
            body=body,
            version=record.version,
        )

    @property
    def notification(self) -> Notification:
        """The notification itself (a KeyError or ConfigError when the record is corrupt)."""
        return Notification.from_dict(self.body["notification"])
