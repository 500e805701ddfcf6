"""The outbox: every notification is stored before it is sent.

A notification becomes a :class:`~driftscope.store.state.StateRecord` of kind
``"notification"`` keyed by its id, in state ``"pending"`` and due now; the delivery worker
(:mod:`driftscope.alerts.delivery`) takes due records with
:meth:`~driftscope.store.state.StateStore.claim_due`, sends them and marks them
``"delivered"``, or sets the next attempt, or ``"dead"`` with the reason after the
configured age. So a notification survives a crash of the process that raised it, and a
retried ``enqueue`` of the same id is a no-op.

Record body: ``notification`` (:meth:`~driftscope.alerts.model.Notification.to_dict`),
``attempts``, ``last_error``, ``delivered_at``, ``dead_reason``. The record's ``model`` is
the notification's model label (empty when it has none).

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
from datetime import UTC, datetime

from driftscope.alerts.model import Notification
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
    return StateRecord(
        KIND,
        notification.id,
        PENDING,
        {
            "notification": notification.to_dict(),
            "attempts": 0,
            "last_error": None,
            "delivered_at": None,
            "dead_reason": None,
        },
        model=model_of(notification),
        due_at=now or datetime.now(UTC),
    )


def enqueue(store: StateStore, notification: Notification, *, now: datetime | None = None) -> bool:
    """Store ``notification`` as pending, due ``now``; False when its id is already there."""
    return store.put_state(record_of(notification, now), if_version=0) is not None


def enqueue_many(
    store: StateStore, notifications: Sequence[Notification], *, now: datetime | None = None
) -> list[bool]:
    """:func:`enqueue` for each notification, in one write where the store can; for each,
    whether it was new."""
    records = [record_of(n, now) for n in notifications]
    written = store.put_states(records, if_versions=[0] * len(records))
    return [r is not None for r in written]
