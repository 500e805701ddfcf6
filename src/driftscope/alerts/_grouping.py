"""Aggregation groups: alerts of one route with the same ``group_by`` values travel
together, and when a group speaks is decided here.

As in Prometheus Alertmanager:

- a new group waits ``group_wait`` before its first notification, so alerts that fire
  together arrive as one message (a group opened by ``send_alert`` speaks at once: that
  alert is news already);
- after that, a change (an alert joins, or one that was announced resolves) is notified at
  most every ``group_interval``;
- while nothing changes, the group is notified again every ``repeat_interval`` as long as
  an alert in it fires and is not acknowledged;
- a resolved notification goes out when announced alerts resolve (``send_resolved``, on by
  default); once every alert of a group has resolved, the group closes.

Silenced or inhibited alerts are left out of notifications; a critical group whose
alerts stay unacknowledged is escalated every ``escalate_after`` (see
:mod:`driftscope.alerts.routing`).

A group is a :class:`~driftscope.store.state.StateRecord` of kind ``"alert_group"``
(state ``"active"`` or ``"closed"``, ``due_at`` when it must next be looked at): its
members and what each was last announced as, so a restarted process neither re-notifies
nor forgets. :func:`plan_flush` is pure: the group and its alerts in, what to send out.

>>> from datetime import datetime, timedelta, UTC
>>> from driftscope.alerts.routing import Route, RouteTree, RouteSettings
>>> target = RouteTree(Route(channels=["slack"]), RouteSettings()).match({})[0]
>>> t = datetime(2026, 11, 1, tzinfo=UTC)
>>> g = Group.open(target, {"alertname": "Drift", "model": "churn"}, t, immediate=False)
>>> g.due_at - t
datetime.timedelta(seconds=30)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from driftscope.alerts.alertbook import AlertRecord
from driftscope.alerts.durations import from_iso, from_seconds, iso
from driftscope.alerts.model import AlertSeverity, fingerprint
from driftscope.alerts.routing import Target
from driftscope.store.state import StateRecord

KIND = "alert_group"
ACTIVE, CLOSED = "active", "closed"
#: What a member was last announced as: never, or firing.
UNSENT, SENT = "", "firing"


def group_key(target: Target, labels: Mapping[str, str]) -> str:
    """The key of the group an alert with ``labels`` joins on ``target``.

    >>> from driftscope.alerts.routing import Route, RouteTree, RouteSettings
    >>> t = RouteTree(Route(channels=["slack"]), RouteSettings()).match({})[0]
    >>> group_key(t, {"alertname": "a", "model": "m", "x": "1"}) == group_key(
    ...     t, {"alertname": "a", "model": "m", "x": "2"})
    True
    """
    digest = hashlib.sha256(target.key.encode()).hexdigest()[:8]
    return f"{digest}-{fingerprint(target.group_labels(labels))}"


@dataclass
class Group:
    """One aggregation group, as worked on (see the module's text). ``members`` maps each
    alert's fingerprint to ``[announced, cycle]``: what it was last announced as
    (:data:`UNSENT` or :data:`SENT`) and in which firing cycle of the alert."""

    key: str
    target_key: str
    settings: dict[str, Any]
    group_labels: dict[str, str]
    members: dict[str, list[Any]] = field(default_factory=dict)
    state: str = ACTIVE
    opened_at: datetime | None = None
    due_at: datetime | None = None
    last_flushed_at: datetime | None = None
    first_notified_at: datetime | None = None
    last_notified_at: datetime | None = None
    notifications: int = 0
    escalation: int = 0
    last_escalated_at: datetime | None = None
    version: int = 0

    # ------------------------------------------------------------------ settings
    @property
    def channels(self) -> list[str]:
        return list(self.settings["channels"])

    @property
    def escalate_to(self) -> list[str]:
        return list(self.settings.get("escalate_to") or self.settings["channels"])

    def _duration(self, name: str) -> timedelta | None:
        return from_seconds(self.settings.get(name))

    @property
    def group_wait(self) -> timedelta:
        value = self._duration("group_wait")
        return timedelta(0) if value is None else value

    @property
    def group_interval(self) -> timedelta:
        value = self._duration("group_interval")
        return timedelta(minutes=5) if value is None else value

    @property
    def repeat_interval(self) -> timedelta:
        value = self._duration("repeat_interval")
        return timedelta(hours=4) if value is None else value

    @property
    def escalate_after(self) -> timedelta | None:
        return self._duration("escalate_after")

    # ------------------------------------------------------------------ changes
    @classmethod
    def open(
        cls, target: Target, labels: Mapping[str, str], now: datetime, *, immediate: bool
    ) -> Group:
        """A new group for an alert with ``labels`` on ``target``."""
        group = cls(group_key(target, labels), target.key, target.settings(), {})
        group.group_labels = target.group_labels(labels)
        group.reopen(now, immediate=immediate)
        return group

    def reopen(self, now: datetime, *, immediate: bool) -> None:
        """Start the group afresh (new, or closed before): it waits ``group_wait``."""
        self.state = ACTIVE
        self.opened_at = now
        self.due_at = now if immediate else now + self.group_wait
        self.last_flushed_at = self.first_notified_at = self.last_notified_at = None
        self.escalation, self.last_escalated_at = 0, None

    def refresh_settings(self, target: Target) -> None:
        """Take the route's current settings (the configuration may have changed)."""
        self.settings = target.settings()

    def add(self, fp: str, cycle: int, now: datetime, *, immediate: bool) -> bool:
        """An alert starts firing in this group; whether the group was (re)opened by it."""
        opened = self.state == CLOSED
        if opened:
            self.members = {}
            self.reopen(now, immediate=immediate)
        entry = self.members.get(fp)
        if entry is None or entry[1] != cycle:
            self.members[fp] = [UNSENT, cycle]  # new, or fired again after resolving
        self.changed(now)
        return opened

    def changed(self, now: datetime) -> None:
        """Something in the group changed: look at it at the next ``group_interval``
        after the last flush (or at the end of ``group_wait`` for a group that has not
        spoken yet)."""
        if self.last_flushed_at is None:
            if self.due_at is None:
                self.due_at = now + self.group_wait
            return
        when = max(now, self.last_flushed_at + self.group_interval)
        self.due_at = when if self.due_at is None else min(self.due_at, when)

    # ------------------------------------------------------------------ storing
    def to_record(self) -> StateRecord:
        model = self.group_labels.get("model", "")
        return StateRecord(KIND, self.key, self.state, self._body(), model, self.due_at)

    def _body(self) -> dict[str, Any]:
        return {
            "target": self.target_key,
            "settings": self.settings,
            "group_labels": self.group_labels,
            "members": self.members,
            "opened_at": iso(self.opened_at),
            "last_flushed_at": iso(self.last_flushed_at),
            "first_notified_at": iso(self.first_notified_at),
            "last_notified_at": iso(self.last_notified_at),
            "notifications": self.notifications,
            "escalation": self.escalation,
            "last_escalated_at": iso(self.last_escalated_at),
        }

    @classmethod
    def from_record(cls, record: StateRecord) -> Group:
        b = record.body
        return cls(
            record.key,
            b["target"],
            dict(b["settings"]),
            dict(b["group_labels"]),
            {fp: list(v) for fp, v in b.get("members", {}).items()},
            record.state,
            from_iso(b.get("opened_at")),
            record.due_at,
            from_iso(b.get("last_flushed_at")),
            from_iso(b.get("first_notified_at")),
            from_iso(b.get("last_notified_at")),
            int(b.get("notifications", 0)),
            int(b.get("escalation", 0)),
            from_iso(b.get("last_escalated_at")),
            record.version,
        )


@dataclass(frozen=True)
class FlushPlan:
    """What one look at a group decided: the alerts to notify (``alerts``: firing ones,
    then resolved ones), whether that is only a repeat, whether to escalate, and which
    members are done (resolved, leaving the group)."""

    send: bool
    repeat: bool
    alerts: tuple[AlertRecord, ...]
    announced: tuple[str, ...]
    leaving: tuple[str, ...]
    escalate: bool
    due_at: datetime | None


def _critical_unacked(rec: AlertRecord) -> bool:
    return rec.severity == AlertSeverity.CRITICAL and not rec.acknowledged


def plan_flush(group: Group, records: Mapping[str, AlertRecord | None], now: datetime) -> FlushPlan:
    """Decide what ``group`` says at ``now`` given its members' current records (muting
    already applied to them: a record's ``muted_by``)."""
    firing: list[tuple[str, AlertRecord, str]] = []
    muted: list[str] = []
    resolved: list[AlertRecord] = []
    leaving: list[str] = []
    for fp, (announced, cycle) in group.members.items():
        rec = records.get(fp)
        if rec is None or not rec.firing:
            leaving.append(fp)
            if announced == SENT and rec is not None:
                resolved.append(rec)
            continue
        if rec.cycle != cycle:
            announced = UNSENT  # it resolved and fired again: news
        if rec.muted_by:
            muted.append(fp)
        else:
            firing.append((fp, rec, announced))
    news = [rec for fp, rec, announced in firing if announced != SENT]
    resolved_news = resolved if group.settings.get("send_resolved", True) else []
    changed = bool(news) or bool(resolved_news)
    unacked = [rec for _, rec, _ in firing if not rec.acknowledged]
    repeat = (
        not changed
        and bool(unacked)
        and group.last_notified_at is not None
        and now - group.last_notified_at >= group.repeat_interval
    )
    send = changed or repeat
    alerts = tuple(rec for _, rec, _ in firing) + tuple(resolved_news)
    escalate = False
    after = group.escalate_after
    critical = [rec for _, rec, _ in firing if _critical_unacked(rec)]
    first_notified = group.first_notified_at or (now if send else None)
    if after is not None and critical and first_notified is not None:
        since = group.last_escalated_at or first_notified
        escalate = now - since >= after
    due = _next_due(group, now, send, bool(unacked), bool(muted), critical, escalate)
    return FlushPlan(
        send,
        repeat,
        alerts,
        tuple(fp for fp, _, _ in firing),
        tuple(leaving),
        escalate,
        due,
    )


def _next_due(
    group: Group,
    now: datetime,
    sent: bool,
    unacked: bool,
    muted: bool,
    critical: list[AlertRecord],
    escalated: bool,
) -> datetime | None:
    last = now if sent else group.last_notified_at
    found = []
    if unacked and last is not None:
        found.append(last + group.repeat_interval)
    after = group.escalate_after
    first = group.first_notified_at or (now if sent else None)
    if after is not None and critical and first is not None:
        since = now if escalated else (group.last_escalated_at or first)
        found.append(since + after)
    if muted:
        found.append(now + group.group_interval)  # a silence may end; an inhibitor resolve
    return min(found, default=None)
