"""From alert events to notifications in the outbox: de-duplication, grouping, muting,
escalation and acknowledgements, all kept in the store.

The :class:`Dispatcher` takes alert events (:class:`Incoming`: an alert fires, or
resolves) and:

1. **de-duplicates** - an alert already firing (same labels) is a repeat: folded into it
   (:class:`~driftscope.alerts.alertbook.AlertBook`), nothing else happens;
2. **records** a new firing (or the end of one) in the alert's record, checking whether an
   active silence or an inhibiting alert **mutes** it;
3. **groups** it into the aggregation group of each route it reached
   (:mod:`driftscope.alerts.grouping`), which says when the group must next be looked at.

:meth:`Dispatcher.flush` looks at the groups that are due: it checks muting again (a
silence may have ended, an inhibiting alert resolved), decides what each group says
(:func:`~driftscope.alerts.grouping.plan_flush`), escalates critical groups nobody
acknowledged, and puts the notifications in the outbox
(:func:`~driftscope.alerts.outbox.enqueue_many`) before it records that the group spoke.
Notification ids are the group's key and its notification count, so a flush repeated after
a crash (or by a second process) enqueues nothing twice. Every decision goes to the audit
log (``alert.fired``, ``alert.grouped``, ``alert.silenced``, ``alert.inhibited``,
``alert.notified``, ``alert.deduplicated``, ``alert.escalated``, ``alert.acknowledged``,
``alert.resolved``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from driftscope.alerts import outbox
from driftscope.alerts.alertbook import FIRING, RESOLVED, AlertBook, AlertRecord
from driftscope.alerts.alertbook import KIND as ALERT_KIND
from driftscope.alerts.channels.base import Channel
from driftscope.alerts.durations import iso
from driftscope.alerts.grouping import ACTIVE, CLOSED, SENT, Group, group_key, plan_flush
from driftscope.alerts.grouping import KIND as GROUP_KIND
from driftscope.alerts.inhibition import Inhibitor, InhibitRule
from driftscope.alerts.model import Alert, Notification
from driftscope.alerts.routing import Target
from driftscope.alerts.silences import Silence
from driftscope.alerts.silences import active as active_silences
from driftscope.errors import ConfigError, StoreError
from driftscope.store.state import AuditEntry, StateStore

log = logging.getLogger(__name__)
_ATTEMPTS = 5  # compare-and-set retries before giving up on a contended record


@dataclass(frozen=True)
class Incoming:
    """One alert event: ``action`` ``"fire"`` (raised, maybe again) or ``"resolve"``.
    ``targets`` are the routes it reached; ``immediate`` lets a group it opens speak at once
    (``send_alert``); ``resolve_timeout`` makes a firing alert resolve by itself when it
    is not raised again for that long; ``reason`` says why it resolved."""

    alert: Alert
    action: str = "fire"
    targets: tuple[Target, ...] = ()
    immediate: bool = False
    rule: str = ""
    resolve_timeout: timedelta | None = None
    actor: str = "driftscope"
    reason: str = ""


@dataclass(frozen=True)
class Outcome:
    """What happened to one event: ``"notified"`` (its group spoke at once),
    ``"grouped"`` (it waits in its group), ``"deduplicated"`` (a repeat of a firing
    alert), ``"silenced"`` or ``"inhibited"`` (recorded, not notified), ``"resolved"``,
    or ``"not_firing"`` (a resolve of an alert that was not firing)."""

    fingerprint: str
    outcome: str
    group_keys: tuple[str, ...] = ()
    muted_by: str = ""
    notification_ids: tuple[str, ...] = ()
    repeats: int = 0


@dataclass
class FlushReport:
    """What one :meth:`Dispatcher.flush` did."""

    groups: int = 0
    notification_ids: list[str] = field(default_factory=list)
    escalations: int = 0
    by_group: dict[str, list[str]] = field(default_factory=dict)


class _Muter:
    """Active silences and inhibiting alerts at one moment, loaded when first asked."""

    def __init__(
        self,
        store: StateStore,
        rules: Sequence[InhibitRule],
        now: datetime,
        firing: Iterable[Alert] | None = None,
        book: AlertBook | None = None,
    ):
        self._store, self._rules, self._now, self._book = store, rules, now, book
        self._silences: list[Silence] | None = None
        self._inhibitor = None if firing is None else Inhibitor(rules, firing)

    def _inhibiting(self) -> Inhibitor:
        if self._inhibitor is None:
            assert self._book is not None
            self._inhibitor = Inhibitor(
                self._rules, [r.alert for r in self._book.find(state=FIRING)]
            )
        return self._inhibitor

    def muted_by(self, alert: Alert) -> str:
        """``"silence:<id>"``, ``"inhibited:<fingerprint>"`` or ``""``."""
        if self._silences is None:
            self._silences = active_silences(self._store, self._now)
        for silence in self._silences:
            if silence.matches(alert.labels):
                return f"silence:{silence.id}"
        if self._rules:
            source = self._inhibiting().muted_by(alert)
            if source is not None:
                return f"inhibited:{source}"
        return ""

    def firing(self, alert: Alert) -> None:
        if self._rules:
            self._inhibiting().add(alert)


def _mute_entry(rec: AlertRecord, muted_by: str, now: datetime) -> AuditEntry:
    kind, _, by = muted_by.partition(":")
    if not muted_by:
        action, reason = "alert.unmuted", "no silence or inhibiting alert mutes it any more"
    elif kind == "silence":
        action, reason = "alert.silenced", f"silence {by}"
    else:
        action, reason = "alert.inhibited", f"inhibited by alert {by}"
    return AuditEntry(
        action, rec.model, rec.fingerprint, reason, details={"muted_by": muted_by}, at=now
    )


class Dispatcher:
    """Alert events in, notifications in the outbox out (see the module's text)."""

    def __init__(
        self,
        store: StateStore,
        book: AlertBook,
        inhibit_rules: Sequence[InhibitRule],
        channels: Mapping[str, Channel],
    ):
        self.store, self.book = store, book
        self.inhibit_rules = tuple(inhibit_rules)
        self.channels = channels

    # ------------------------------------------------------------------ events
    def ingest(self, incoming: Sequence[Incoming], now: datetime) -> list[Outcome]:
        """Take alert events in order (see the module's text); what happened to each.
        Groups that an ``immediate`` event opened are flushed before returning."""
        outcomes: dict[int, Outcome] = {}
        todo = list(enumerate(incoming))
        speak_now: set[str] = set()
        for _ in range(_ATTEMPTS):
            if not todo:
                break
            todo = self._ingest_once(todo, now, outcomes, speak_now)
        if todo:
            raise StoreError(f"{len(todo)} alert(s) kept changing under this process; try again")
        if speak_now:
            report = self.flush(now, keys=sorted(speak_now))
            for i, out in outcomes.items():
                ids = tuple(n for k in out.group_keys for n in report.by_group.get(k, ()))
                if ids and out.outcome == "grouped":
                    outcomes[i] = replace(out, outcome="notified", notification_ids=ids)
        return [outcomes[i] for i in range(len(incoming))]

    def _ingest_once(
        self,
        todo: list[tuple[int, Incoming]],
        now: datetime,
        outcomes: dict[int, Outcome],
        speak_now: set[str],
    ) -> list[tuple[int, Incoming]]:
        loaded: dict[str, AlertRecord | None] = {}
        changed: dict[str, AlertRecord] = {}
        ops: dict[str, list[tuple[Any, ...]]] = {}
        audits: list[tuple[str, AuditEntry]] = []
        muter = _Muter(self.store, self.inhibit_rules, now, book=self.book)
        mine: dict[int, str] = {}
        for i, inc in todo:
            fp = inc.alert.fingerprint
            mine[i] = fp
            if fp not in loaded:
                loaded[fp] = self.book.get(fp)
            rec = changed.get(fp, loaded[fp])
            if inc.action == "fire":
                outcomes[i] = self._fire(inc, rec, fp in changed, now, changed, ops, audits, muter)
            elif inc.action == "resolve":
                outcomes[i] = self._resolve(inc, rec, fp in changed, now, changed, ops, audits)
            else:
                raise ConfigError(f"an alert event is 'fire' or 'resolve', got {inc.action!r}")
        order = list(changed)
        written = self.book.put([changed[fp] for fp in order])
        lost = {fp for fp, w in zip(order, written, strict=True) if w is None}
        for key in list(ops):
            ops[key] = [op for op in ops[key] if op[3] not in lost]
        speak, joined = self._apply_group_ops(ops, now)
        speak_now |= speak
        self.store.append_audit([e for fp, e in audits if fp not in lost] + joined)
        return [(i, inc) for i, inc in todo if mine[i] in lost]

    def _fire(
        self,
        inc: Incoming,
        rec: AlertRecord | None,
        touched: bool,
        now: datetime,
        changed: dict[str, AlertRecord],
        ops: dict[str, list[tuple[Any, ...]]],
        audits: list[tuple[str, AuditEntry]],
        muter: _Muter,
    ) -> Outcome:
        fp = inc.alert.fingerprint
        if rec is not None and rec.firing:  # the same alert again: a repeat
            if touched:
                changed[fp] = replace(rec, repeats=rec.repeats + 1, last_seen=now)
                repeats = rec.repeats + 1
            else:
                self.book.fold(inc.alert, now)
                repeats = rec.repeats + self.book.folded(fp)
            return Outcome(fp, "deduplicated", rec.groups, rec.muted_by, repeats=repeats)
        keys = tuple(dict.fromkeys(group_key(t, inc.alert.labels) for t in inc.targets))
        alert = replace(inc.alert, starts_at=now, ends_at=None)
        muted = muter.muted_by(alert)
        new = AlertRecord(
            alert,
            FIRING,
            now,
            now,
            groups=keys,
            rule=inc.rule,
            muted_by=muted,
            cycle=1 if rec is None else rec.cycle + 1,
            resolve_timeout=inc.resolve_timeout,
            version=0 if rec is None else rec.version,
        )
        changed[fp] = new
        muter.firing(alert)
        audits.append(
            (
                fp,
                AuditEntry(
                    "alert.fired",
                    new.model,
                    fp,
                    alert.title,
                    inc.actor,
                    {"labels": alert.labels, "groups": list(keys), "rule": inc.rule},
                    now,
                ),
            )
        )
        if muted:
            audits.append((fp, _mute_entry(new, muted, now)))
        for target, key in zip(inc.targets, keys, strict=False):
            ops.setdefault(key, []).append(
                ("add", target, alert.labels, fp, new.cycle, inc.immediate)
            )
        kind = "grouped"
        if muted:
            kind = "silenced" if muted.startswith("silence:") else "inhibited"
        return Outcome(fp, kind, keys, muted)

    def _resolve(
        self,
        inc: Incoming,
        rec: AlertRecord | None,
        touched: bool,
        now: datetime,
        changed: dict[str, AlertRecord],
        ops: dict[str, list[tuple[Any, ...]]],
        audits: list[tuple[str, AuditEntry]],
    ) -> Outcome:
        fp = inc.alert.fingerprint
        if rec is None or not rec.firing:
            return Outcome(fp, "not_firing", () if rec is None else rec.groups)
        if not touched:
            rec = self.book.take_fold(rec)
        done = replace(
            rec, state=RESOLVED, alert=rec.alert.with_end(now), resolved_by=inc.reason or "manual"
        )
        changed[fp] = done
        for key in rec.groups:
            ops.setdefault(key, []).append(("changed", None, None, fp, rec.cycle, False))
        took = (now - rec.fired_at).total_seconds()
        audits.append(
            (
                fp,
                AuditEntry(
                    "alert.resolved",
                    rec.model,
                    fp,
                    f"{done.resolved_by}: {rec.alert.title}",
                    inc.actor,
                    {"resolved_by": done.resolved_by, "firing_seconds": took, "rule": rec.rule},
                    now,
                ),
            )
        )
        return Outcome(fp, "resolved", rec.groups, repeats=done.repeats)

    def _apply_group_ops(
        self, ops: dict[str, list[tuple[Any, ...]]], now: datetime
    ) -> tuple[set[str], list[AuditEntry]]:
        """Apply member changes to their groups (compare-and-set, retried); the keys of
        groups due now because an immediate event opened them, and the ``alert.grouped``
        entries of alerts that joined a group holding others."""
        todo = {k: v for k, v in ops.items() if v}
        speak: set[str] = set()
        joined: dict[tuple[str, str], AuditEntry] = {}
        for _ in range(_ATTEMPTS):
            if not todo:
                return speak, list(joined.values())
            groups: list[Group] = []
            for key, items in todo.items():
                found = self.store.get_state(GROUP_KIND, key)
                group = None if found is None else Group.from_record(found)
                for op, target, labels, fp, cycle, immediate in items:
                    if op == "add":
                        if group is None:
                            group = Group.open(target, labels, now, immediate=immediate)
                        else:
                            group.refresh_settings(target)
                        group.add(fp, cycle, now, immediate=immediate)
                        others = len(group.members) - 1
                        if others:
                            joined[(key, fp)] = AuditEntry(
                                "alert.grouped",
                                group.group_labels.get("model", ""),
                                fp,
                                f"joined group {key} with {others} other alert(s)",
                                details={"group": key, "group_labels": group.group_labels},
                                at=now,
                            )
                        if immediate and group.due_at is not None and group.due_at <= now:
                            speak.add(key)
                    elif group is not None and group.state != CLOSED:
                        group.changed(now)
                if group is not None:
                    groups.append(group)
            written = self.store.put_states(
                [g.to_record() for g in groups], if_versions=[g.version for g in groups]
            )
            lost = {g.key for g, w in zip(groups, written, strict=True) if w is None}
            todo = {k: v for k, v in todo.items() if k in lost}
        if todo:
            raise StoreError(f"alert groups {sorted(todo)} kept changing under this process")
        return speak, list(joined.values())

    # ------------------------------------------------------------------ groups speak
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
        muter = _Muter(self.store, self.inhibit_rules, now, [r.alert for r in firing.values()])
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
        muter: _Muter,
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
                    audits.append(_mute_entry(rec, muted, now))
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

    # ------------------------------------------------------------------ people
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

    # ------------------------------------------------------------------ time passes
    def timed_out(self, now: datetime) -> list[AlertRecord]:
        """Firing alerts whose ``resolve_timeout`` has passed since they were last seen
        (repeats counted in memory written first, since they move that time)."""
        due = self.store.find_state(ALERT_KIND, states=[FIRING], due_before=now)
        if not due:
            return []
        fps = [r.key for r in due]
        self.store.append_audit(self.book.persist_folds(now, fps))
        out = []
        for fp in fps:
            rec = self.book.get(fp)
            timeout = None if rec is None or not rec.firing else rec.resolve_timeout
            if rec is not None and timeout is not None and rec.last_seen + timeout <= now:
                out.append(rec)
        return out
