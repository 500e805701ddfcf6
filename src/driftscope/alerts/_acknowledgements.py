"""Acknowledgements: someone is on it.

An acknowledged alert is not repeated or escalated while it fires; the acknowledgement
lasts until the alert resolves (a new firing is a new cycle, unacknowledged). Receivers
that de-duplicate (PagerDuty: ``Channel.dedups``) and were told about the alert's group get
an ``acknowledge`` event for the same incident. Each acknowledgement is audited
(``alert.acknowledged``) with who, the note, whether it was a real problem, and the
response time from firing, which :mod:`driftscope.alerts.measures` reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from driftscope.alerts import outbox
from driftscope.alerts._grouping import KIND as GROUP_KIND
from driftscope.alerts._grouping import Group
from driftscope.alerts.alertbook import AlertBook, AlertRecord
from driftscope.alerts.channels.base import Channel
from driftscope.alerts.durations import iso
from driftscope.alerts.model import Notification
from driftscope.errors import ConfigError, StoreError
from driftscope.store.state import AuditEntry, StateStore

_ATTEMPTS = 5  # compare-and-set retries before giving up on a contended record


class Acknowledger:
    """Records acknowledgements and tells de-duplicating receivers (see the module)."""

    def __init__(self, store: StateStore, book: AlertBook, channels: Mapping[str, Channel]):
        self.store, self.book, self.channels = store, book, channels

    def acknowledge(
        self,
        target: str,
        by: str,
        note: str,
        real_problem: bool,
        now: datetime,
    ) -> list[AlertRecord]:
        """Acknowledge an alert (by fingerprint) or every firing alert of a group (by its
        key): no more repeats or escalations for them until they resolve and fire again;
        an ``acknowledge`` event goes to the group's channels that de-duplicate
        (PagerDuty). The alerts acknowledged now (already acknowledged ones are left)."""
        if self.book.get(target) is not None:
            fps = [target]
        else:
            found = self.store.get_state(GROUP_KIND, target)
            if found is None:
                raise ConfigError(f"no alert or alert group {target!r}")
            fps = list(Group.from_record(found).members)
        acked: list[AlertRecord] = []
        audits: list[AuditEntry] = []
        notifications: list[Notification] = []
        for fp in fps:
            rec = self._ack_one(fp, by, note, real_problem, now)
            if rec is None:
                continue
            acked.append(rec)
            response = (now - rec.fired_at).total_seconds()
            audits.append(
                AuditEntry(
                    "alert.acknowledged",
                    rec.model,
                    fp,
                    note or f"acknowledged by {by}",
                    by,
                    {
                        "rule": rec.source,
                        "severity": str(rec.severity),
                        "response_seconds": response,
                        "real_problem": real_problem,
                        "fired_at": iso(rec.fired_at),
                    },
                    now,
                )
            )
            notifications += self._ack_events(rec, by, now)
        outbox.enqueue_many(self.store, notifications, now=now)
        self.store.append_audit(audits)
        return acked

    def _ack_one(
        self, fp: str, by: str, note: str, real_problem: bool, now: datetime
    ) -> AlertRecord | None:
        for _ in range(_ATTEMPTS):
            rec = self.book.get(fp)
            if rec is None or not rec.firing or rec.acknowledged:
                return None
            new = replace(rec, acknowledged_by=by, acknowledged_at=now, ack_note=note)
            new = replace(new, real_problem=real_problem)
            written = self.book.put([new])[0]
            if written is not None:
                return written
        raise StoreError(f"alert {fp} kept changing under this process")

    def _ack_events(self, rec: AlertRecord, by: str, now: datetime) -> list[Notification]:
        out = []
        for key in rec.groups:
            found = self.store.get_state(GROUP_KIND, key)
            if found is None:
                continue
            group = Group.from_record(found)
            if group.first_notified_at is None:
                continue  # nobody was told: nothing to acknowledge outside
            names = group.channels + (group.escalate_to if group.escalation else [])
            for name in dict.fromkeys(names):
                channel = self.channels.get(name)
                if channel is None or not getattr(channel, "dedups", False):
                    continue
                out.append(
                    Notification(
                        f"{key}:ack:{rec.fingerprint}:{rec.cycle}:{name}",
                        name,
                        key,
                        dict(group.group_labels),
                        (rec.alert,),
                        event="acknowledge",
                        acknowledged_by=by,
                        created_at=now,
                    )
                )
        return out
