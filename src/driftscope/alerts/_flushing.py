"""Groups speak: the groups that are due are looked at, notify, repeat and escalate.

:class:`Flusher` takes the groups due at a moment (``due_at <= now``), re-checks whether
each member is muted (a silence may have ended, an inhibiting alert resolved), folds the
repeats counted in memory into the alerts (one ``alert.deduplicated`` entry per group),
decides what the group says (:func:`~driftscope.alerts._grouping.plan_flush`), escalates
critical groups nobody acknowledged, and puts the notifications in the outbox before it
records that the group spoke. Notification ids are the group's key and its notification
count (``<group>:<n>:<channel>``; escalations ``<group>:esc<level>:<channel>``), so a
flush repeated after a crash, or by a second process, enqueues nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from driftscope.alerts import outbox
from driftscope.alerts._grouping import ACTIVE, CLOSED, SENT, Group, plan_flush
from driftscope.alerts._grouping import KIND as GROUP_KIND
from driftscope.alerts._muting import Muter, mute_entry
from driftscope.alerts.alertbook import FIRING, AlertBook, AlertRecord
from driftscope.alerts.inhibition import InhibitRule
from driftscope.alerts.model import Notification
from driftscope.store.state import AuditEntry, StateStore

log = logging.getLogger(__name__)


@dataclass
class FlushReport:
    """What one :meth:`Dispatcher.flush` did."""

    groups: int = 0
    notification_ids: list[str] = field(default_factory=list)
    escalations: int = 0
    by_group: dict[str, list[str]] = field(default_factory=dict)


class Flusher:
    """Flushes due groups over a store (see the module's text)."""

    def __init__(self, store: StateStore, book: AlertBook, inhibit_rules: Sequence[InhibitRule]):
        self.store, self.book = store, book
        self.inhibit_rules = tuple(inhibit_rules)

    def flush(self, now: datetime, keys: Sequence[str] | None = None) -> FlushReport:
        """Look at every group due at ``now`` (or the given ones, if due): notify,
        escalate, schedule the next look (see the module's text)."""
        if keys is None:
            found = self.store.find_state(GROUP_KIND, states=[ACTIVE], due_before=now)
        else:
            found = [r for k in keys if (r := self.store.get_state(GROUP_KIND, k)) is not None]
        groups = [
            Group.from_record(r)
            for r in found
            if r.state == ACTIVE and r.due_at is not None and r.due_at <= now
        ]
        report = FlushReport()
        if not groups:
            return report
        firing = {r.fingerprint: r for r in self.book.find(state=FIRING)}
        muter = Muter(self.store, self.inhibit_rules, now, [r.alert for r in firing.values()])
        updates: dict[str, AlertRecord] = {}
        notifications: list[Notification] = []
        audits: list[AuditEntry] = []
        for group in groups:
            members, folded = self._members(group, firing, updates, muter, audits, now)
            plan = plan_flush(group, members, now)
            sent = []
            if plan.send:
                group.notifications += 1
                sent = self._notify(group, plan.alerts, f"{group.notifications}", 0, now)
                for fp in plan.announced:
                    group.members[fp][0] = SENT
                group.first_notified_at = group.first_notified_at or now
                group.last_notified_at = now
                audits.append(self._notified_entry(group, plan, sent, now))
            if plan.escalate:
                group.escalation += 1
                group.last_escalated_at = now
                level = group.escalation
                now_firing = [m for fp in plan.announced if (m := members[fp]) is not None]
                esc = self._notify(group, now_firing, f"esc{level}", level, now, escalate=True)
                sent += esc
                report.escalations += 1
                audits.append(
                    AuditEntry(
                        "alert.escalated",
                        group.group_labels.get("model", ""),
                        group.key,
                        f"critical, unacknowledged for {now - (group.first_notified_at or now)}; "
                        f"sent to {', '.join(group.escalate_to)} (level {group.escalation})",
                        details={
                            "level": group.escalation,
                            "channels": group.escalate_to,
                            "notifications": [n.id for n in esc],
                        },
                        at=now,
                    )
                )
            if folded:
                audits.append(
                    AuditEntry(
                        "alert.deduplicated",
                        group.group_labels.get("model", ""),
                        group.key,
                        f"{folded:,} repeats folded",
                        details={"repeats": folded},
                        at=now,
                    )
                )
            for fp in plan.leaving:
                group.members.pop(fp, None)
            group.last_flushed_at = now
            group.due_at = plan.due_at
            if not group.members:
                group.state, group.due_at = CLOSED, None
            notifications += sent
            report.groups += 1
            report.by_group[group.key] = [n.id for n in sent]
            report.notification_ids += [n.id for n in sent]
        outbox.enqueue_many(self.store, notifications, now=now)  # before the groups say so
        if updates:
            self.book.put(list(updates.values()))  # a lost race: the next flush redoes it
        written = self.store.put_states(
            [g.to_record() for g in groups], if_versions=[g.version for g in groups]
        )
        for group, done in zip(groups, written, strict=True):
            if done is None:
                log.info("alert group %s was flushed by another process meanwhile", group.key)
        self.store.append_audit(audits)
        return report

    def _members(
        self,
        group: Group,
        firing: Mapping[str, AlertRecord],
        updates: dict[str, AlertRecord],
        muter: Muter,
        audits: list[AuditEntry],
        now: datetime,
    ) -> tuple[dict[str, AlertRecord | None], int]:
        """The group's members as they are now (muting re-checked, repeats folded in);
        and how many repeats were folded."""
        members: dict[str, AlertRecord | None] = {}
        folded = 0
        for fp in group.members:
            rec = updates.get(fp) or firing.get(fp)
            if rec is None:
                rec = self.book.get(fp)
            if rec is not None and rec.firing:
                muted = muter.muted_by(rec.alert)
                if muted != rec.muted_by:
                    audits.append(mute_entry(rec, muted, now))
                    rec = replace(rec, muted_by=muted)
                    updates[fp] = rec
                pending = self.book.folded(fp)
                if pending:
                    folded += pending
                    rec = self.book.take_fold(rec)
                    updates[fp] = rec
            members[fp] = rec
        return members, folded

    def _notify(
        self,
        group: Group,
        alerts: Sequence[AlertRecord],
        serial: str,
        escalation: int,
        now: datetime,
        *,
        escalate: bool = False,
    ) -> list[Notification]:
        channels = group.escalate_to if escalate else group.channels
        payload = tuple(r.alert for r in alerts)
        if not payload:
            return []
        return [
            Notification(
                f"{group.key}:{serial}:{channel}",
                channel,
                group.key,
                dict(group.group_labels),
                payload,
                escalation=escalation,
                created_at=now,
            )
            for channel in dict.fromkeys(channels)
        ]

    def _notified_entry(
        self, group: Group, plan: Any, sent: list[Notification], now: datetime
    ) -> AuditEntry:
        firing = sum(1 for r in plan.alerts if r.firing)
        resolved = len(plan.alerts) - firing
        what = "repeat: " if plan.repeat else ""
        return AuditEntry(
            "alert.notified",
            group.group_labels.get("model", ""),
            group.key,
            f"{what}{firing} firing, {resolved} resolved to {', '.join(group.channels)}",
            details={
                "notifications": [n.id for n in sent],
                "alerts": [r.fingerprint for r in plan.alerts],
                "repeat": plan.repeat,
                "group_labels": group.group_labels,
            },
            at=now,
        )
