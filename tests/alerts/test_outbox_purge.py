"""Delivered and dead notifications leave the outbox after a while; pending ones never do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from driftscope.alerts.model import Alert, Notification
from driftscope.alerts.outbox import DEAD, DELIVERED, KEEP, KIND, enqueue, purge
from driftscope.errors import ConfigError


def _put(store, key: str, state: str) -> None:
    alert = Alert.of("warning", "Drift", labels={"model": "churn"})
    enqueue(store, Notification(key, "slack", "g", {"model": "churn"}, (alert,)))
    if state != "pending":
        record = store.get_state(KIND, key)
        store.put_state(record.with_changes(state=state, due_at=None))


def test_purge_keeps_pending_and_recent_records(store):
    for key, state in [("a", DELIVERED), ("b", DEAD), ("c", "pending")]:
        _put(store, key, state)
    assert purge(store) == 0  # all changed just now
    later = datetime.now(UTC) + KEEP + timedelta(minutes=1)
    assert purge(store, now=later) == 2
    assert [r.key for r in store.find_state(KIND)] == ["c"]  # pending is never purged
    assert purge(store, now=later) == 0


def test_purge_checks_its_argument(store):
    with pytest.raises(ConfigError, match="older_than"):
        purge(store, older_than=timedelta(days=-1))
