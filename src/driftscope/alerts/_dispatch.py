"""From alert events to alert records and groups: de-duplication, muting, grouping.

The :class:`Dispatcher` takes alert events (:class:`Incoming`: an alert fires, or
resolves) and:

1. **de-duplicates** - an alert already firing (same labels) is a repeat: folded into it
   (:class:`~driftscope.alerts.alertbook.AlertBook`), nothing else happens;
2. **records** a new firing (or the end of one) in the alert's record, checking whether an
   active silence or an inhibiting alert **mutes** it (:mod:`driftscope.alerts._muting`);
3. **groups** it into the aggregation group of each route it reached
   (:mod:`driftscope.alerts._grouping`), which says when the group must next speak.

Groups speak in :meth:`Dispatcher.flush` (:mod:`driftscope.alerts._flushing`: notify,
repeat, escalate); people acknowledge in :meth:`Dispatcher.acknowledge`
(:mod:`driftscope.alerts._acknowledgements`). Every decision goes to the audit log
(``alert.fired``, ``alert.grouped``, ``alert.silenced``, ``alert.inhibited``,
``alert.resolved`` here).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from driftscope.alerts._acknowledgements import Acknowledger
from driftscope.alerts._flushing import Flusher, FlushReport
from driftscope.alerts._grouping import CLOSED, Group, group_key
from driftscope.alerts._grouping import KIND as GROUP_KIND
from driftscope.alerts._muting import Muter, mute_entry
from driftscope.alerts.alertbook import FIRING, RESOLVED, AlertBook, AlertRecord
from driftscope.alerts.alertbook import KIND as ALERT_KIND
from driftscope.alerts.channels.base import Channel
from driftscope.alerts.inhibition import InhibitRule
from driftscope.alerts.model import Alert
from driftscope.alerts.routing import Target
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
        self._flusher = Flusher(store, book, self.inhibit_rules)
        self._acks = Acknowledger(store, book, channels)

    def flush(self, now: datetime, keys: Sequence[str] | None = None) -> FlushReport:
        """Let the groups due at ``now`` (or the given ones, if due) speak
        (:class:`~driftscope.alerts._flushing.Flusher`)."""
        return self._flusher.flush(now, keys)

    def acknowledge(
        self, target: str, by: str, note: str, real_problem: bool, now: datetime
    ) -> list[AlertRecord]:
        """Acknowledge an alert or a group
        (:class:`~driftscope.alerts._acknowledgements.Acknowledger`)."""
        return self._acks.acknowledge(target, by, note, real_problem, now)

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
        muter = Muter(self.store, self.inhibit_rules, now, book=self.book)
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
        muter: Muter,
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
            audits.append((fp, mute_entry(new, muted, now)))
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
