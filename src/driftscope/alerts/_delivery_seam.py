"""A stand-in for the outbox's delivery worker (:mod:`driftscope.alerts.delivery`), used
by :class:`~driftscope.alerts.manager.AlertManager` until that worker is wired in: it
takes due notifications with ``claim_due``, sends each once through its channel and marks
it delivered, to retry (exponential backoff, at most 10 minutes), or dead (an error the
channel says will not pass). A notification for a channel this process does not have is
left for a process that has it (it comes back when its lease ends)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from driftscope.alerts.channels.base import Channel, DeliveryError
from driftscope.alerts.model import Notification
from driftscope.alerts.outbox import DEAD, DELIVERED, KIND, PENDING
from driftscope.store.state import AuditEntry, StateStore

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
MAX_DELAY = timedelta(minutes=10)


@dataclass(frozen=True)
class Delivered:
    """How many notifications were delivered and failed; receipts by notification id."""

    delivered: int
    failed: int
    receipts: dict[str, dict[str, Any]]


def deliver_due(
    store: StateStore, channels: Mapping[str, Channel], now: datetime, *, limit: int = 100
) -> Delivered:
    """Send every notification due at ``now`` (see the module's text)."""
    delivered = failed = 0
    receipts: dict[str, dict[str, Any]] = {}
    while True:
        claimed = store.claim_due(KIND, states=[PENDING], now=now, lease=LEASE, limit=limit)
        audits = []
        for record in claimed:
            body = dict(record.body)
            notification = Notification.from_dict(body["notification"])
            channel = channels.get(notification.channel)
            if channel is None:
                continue
            body["attempts"] = int(body.get("attempts", 0)) + 1
            try:
                receipt = channel.send(notification)
            except Exception as exc:  # a channel's bug must not stop the others
                retry = exc.retryable if isinstance(exc, DeliveryError) else True
                error = str(exc) if isinstance(exc, DeliveryError) else type(exc).__name__
                body["last_error"] = error
                failed += 1
                if retry:
                    delay = min(timedelta(seconds=5 * 2 ** body["attempts"]), MAX_DELAY)
                    changed = record.with_changes(body=body, due_at=now + delay)
                else:
                    body["dead_reason"] = error
                    changed = record.with_changes(state=DEAD, body=body, due_at=None)
                    audits.append(
                        AuditEntry(
                            "notification.dead", record.model, notification.id, error, at=now
                        )
                    )
            else:
                body["delivered_at"] = now.isoformat()
                if isinstance(receipt, dict):
                    body["receipt"] = receipt
                    receipts[notification.id] = receipt
                changed = record.with_changes(state=DELIVERED, body=body, due_at=None)
                delivered += 1
                audits.append(
                    AuditEntry(
                        "notification.delivered",
                        record.model,
                        notification.id,
                        f"to {notification.channel}",
                        at=now,
                    )
                )
            if store.put_state(changed, if_version=record.version) is None:
                log.info("notification %s was taken over by another worker", notification.id)
        store.append_audit(audits)
        if len(claimed) < limit:
            return Delivered(delivered, failed, receipts)
