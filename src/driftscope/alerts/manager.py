"""``AlertManager``: raise alerts (by hand or by rules over the health checks), and let the
right people hear about them once, on their channel.

The manager puts the parts of :mod:`driftscope.alerts` together: rules
(:mod:`~driftscope.alerts.rules`), routes (:mod:`~driftscope.alerts.routing`), groups
(:mod:`~driftscope.alerts._grouping`), silences, inhibition, escalation and
acknowledgements (:mod:`~driftscope.alerts._dispatch`), and the outbox. All its state is in
the store, so a new manager on the same store (after a restart, or in the scheduler)
carries on where the last one stopped: it neither notifies twice nor forgets an alert.

**Delivery.** Every notification is stored in the outbox first. With ``deliver=True``
(the default) the manager sends what is due itself, at the end of each call that made
notifications and in :meth:`AlertManager.tick`; with ``deliver="background"`` a thread
calls :meth:`~AlertManager.tick` every second; with ``deliver=False`` another process (the
scheduler) delivers.

**Time.** Groups wait and repeat on the manager's clock: :meth:`~AlertManager.tick`
flushes the groups that are due, escalates, resolves alerts that timed out and delivers.
Call it from a scheduled job, or use ``deliver="background"``.

>>> import io, tempfile
>>> from driftscope.alerts.channels import ConsoleChannel
>>> out = io.StringIO()
>>> with AlertManager([ConsoleChannel(out)], store=tempfile.mkdtemp()) as alerts:
...     first = alerts.send_alert("warning", "Model Drift Detected", "age moved",
...                               actions=["Review model"], model="churn")
...     again = alerts.send_alert("warning", "Model Drift Detected", "age moved",
...                               model="churn")
>>> first.outcome, again.outcome, again.repeats
('notified', 'deduplicated', 1)
>>> print(out.getvalue().split(" UTC ")[1], end="")
[WARNING] Model Drift Detected (model=churn): age moved | actions: Review model
"""

from __future__ import annotations

import inspect
import logging
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from driftscope.alerts import silences as silence_store
from driftscope.alerts._channel_table import channel_table
from driftscope.alerts._dispatch import Dispatcher, Incoming
from driftscope.alerts._evaluation import KIND as RULE_KIND
from driftscope.alerts._evaluation import Points, evaluate_rules
from driftscope.alerts.alertbook import FIRING, AlertBook, AlertRecord
from driftscope.alerts.channels.base import Channel
from driftscope.alerts.defaults import configured_defaults
from driftscope.alerts.delivery import Deliverer, DeliveryReport
from driftscope.alerts.durations import Clock, as_duration, checked_now, utc_now
from driftscope.alerts.inhibition import DEFAULT_INHIBIT_RULES, InhibitRule
from driftscope.alerts.measures import (
    MONTH,
    FalseAlertRate,
    NotificationCost,
    ResponseTimes,
    alert_response_times,
    false_alert_rate,
    notification_cost,
)
from driftscope.alerts.model import Action, Alert, AlertSeverity
from driftscope.alerts.rate_limit import RateLimit
from driftscope.alerts.results import EvaluationReport, SendResult, TickReport
from driftscope.alerts.retry import RetryPolicy
from driftscope.alerts.routing import Route, RouteSettings, RouteTree, Target
from driftscope.alerts.rules import AlertRule, checked_rules
from driftscope.alerts.silences import Silence
from driftscope.alerts.tickets import KIND as TICKET_KIND
from driftscope.alerts.tickets import OPEN, Ticket, checked, open_ticket, with_receipt
from driftscope.errors import ConfigError
from driftscope.store import open_store
from driftscope.store.state import AuditEntry, StateStore

log = logging.getLogger(__name__)
#: Repeats folded in memory are written at least this often (of the manager's clock).
FOLD_FLUSH = timedelta(seconds=10)
#: Stored rule states are read per model up to this many models, else all at once.
PER_MODEL_READS = 20


class AlertManager:
    """Alerts, rules, routes, groups, silences, escalation and acknowledgements over a
    store (see the module's text).

    ``channels``: :class:`~driftscope.alerts.channels.base.Channel` objects (or a mapping
    of name to channel); None takes them from the configuration
    (:mod:`driftscope.alerts.defaults`), and with none at all notifications are written to
    standard error. ``store``: a store or where one is (None: the configuration's, else
    ``$DRIFTSCOPE_HOME``; :meth:`watch` adopts the monitor's store when none was given).
    ``routes``: a :class:`~driftscope.alerts.routing.Route` (the root: its unset settings
    are the manager's) or a list of routes under a root that sends to every alert channel.
    ``rules``: :class:`~driftscope.alerts.rules.AlertRule` objects evaluated by
    :meth:`evaluate`. ``inhibit_rules``: default
    :data:`~driftscope.alerts.inhibition.DEFAULT_INHIBIT_RULES` (a critical alert on a
    model mutes its warnings); ``[]`` for none. ``group_by``, ``group_wait``,
    ``group_interval``, ``repeat_interval``, ``send_resolved``, ``escalate_after`` and
    ``escalate_to`` are the root route's settings. ``resolve_timeout``: an alert raised
    with :meth:`send_alert` and not raised again for this long resolves by itself.
    ``prices``: USD per message by channel name, over each channel's
    ``price_per_message``. ``rate_limits`` (channel name to a ``RateLimit`` or text like
    ``"1/s"``) and ``retry`` (a ``RetryPolicy``) tune the outbox's delivery
    (:mod:`driftscope.alerts.delivery`). ``clock``: a function giving the time (tests).

    >>> import io, tempfile
    >>> from driftscope.alerts.channels import ConsoleChannel
    >>> with AlertManager([ConsoleChannel(io.StringIO())], store=tempfile.mkdtemp()) as alerts:
    ...     sent = alerts.send_alert("critical", "Accuracy low", model="churn")
    ...     acked = alerts.acknowledge(sent.fingerprint, by="ana", note="retraining")
    ...     [r.acknowledged_by for r in acked], len(alerts.audit("alert.acknowledged"))
    (['ana'], 1)
    """

    def __init__(
        self,
        channels: Sequence[Channel] | Mapping[str, Channel] | None = None,
        *,
        store: StateStore | str | Any = None,
        routes: Route | Sequence[Route] | None = None,
        rules: Iterable[AlertRule] = (),
        inhibit_rules: Iterable[InhibitRule] | None = None,
        group_by: Sequence[str] = ("alertname", "model"),
        group_wait: timedelta | float | str = timedelta(seconds=30),
        group_interval: timedelta | float | str = timedelta(minutes=5),
        repeat_interval: timedelta | float | str = timedelta(hours=4),
        send_resolved: bool = True,
        escalate_after: timedelta | float | str | None = None,
        escalate_to: Sequence[str] | None = None,
        resolve_timeout: timedelta | float | str = timedelta(hours=24),
        deliver: bool | str = True,
        clock: Clock | None = None,
        prices: Mapping[str, float] | None = None,
        rate_limits: Mapping[str, RateLimit | str] | None = None,
        retry: RetryPolicy | None = None,
    ):
        if channels is None:  # the configuration's settings, where the caller gave none
            given = {k: v for k, v in locals().items() if k in _DEFAULTS or k == "channels"}
            chosen = _configured(given)
            channels, store, routes = chosen["channels"], chosen["store"], chosen["routes"]
            rules, inhibit_rules = chosen["rules"], chosen["inhibit_rules"]
            group_by, group_wait = chosen["group_by"], chosen["group_wait"]
            group_interval, repeat_interval = chosen["group_interval"], chosen["repeat_interval"]
            send_resolved, resolve_timeout = chosen["send_resolved"], chosen["resolve_timeout"]
            escalate_after, escalate_to = chosen["escalate_after"], chosen["escalate_to"]
            deliver, clock, prices = chosen["deliver"], chosen["clock"], chosen["prices"]
            rate_limits, retry = chosen["rate_limits"], chosen["retry"]
        self._channels, self.fallback = channel_table(channels)
        self.rules: tuple[AlertRule, ...] = checked_rules(rules)
        self.inhibit_rules: tuple[InhibitRule, ...] = (
            DEFAULT_INHIBIT_RULES if inhibit_rules is None else tuple(inhibit_rules)
        )
        for rule in self.inhibit_rules:
            if not isinstance(rule, InhibitRule):
                raise ConfigError(f"inhibit_rules must hold InhibitRule objects, got {rule!r}")
        alert_channels = tuple(n for n, c in self._channels.items() if not c.tickets)
        if isinstance(group_by, str) or not all(isinstance(g, str) and g for g in group_by):
            raise ConfigError(f"group_by must be a list of label names, got {group_by!r}")
        for name, value in (
            ("group_interval", group_interval),
            ("repeat_interval", repeat_interval),
        ):
            if as_duration(value, name) <= timedelta(0):  # as a route's settings
                raise ConfigError(f"{name} must be more than 0, got {value!r}")
        defaults = RouteSettings(
            channels=alert_channels or tuple(self._channels),
            group_by=tuple(group_by),
            group_wait=as_duration(group_wait, "group_wait"),
            group_interval=as_duration(group_interval, "group_interval"),
            repeat_interval=as_duration(repeat_interval, "repeat_interval"),
            send_resolved=bool(send_resolved),
            escalate_after=None
            if escalate_after is None
            else as_duration(escalate_after, "escalate_after"),
            escalate_to=tuple(escalate_to or ()),
        )
        root = routes if isinstance(routes, Route) else Route(routes=tuple(routes or ()))
        self.routes = root
        self._tree = RouteTree(root, defaults)
        self._check_channel_names(root.channel_names() | set(defaults.escalate_to), "routes")
        self.resolve_timeout = as_duration(resolve_timeout, "resolve_timeout")
        if deliver not in (True, False, "background"):
            raise ConfigError(f"deliver must be True, False or 'background', got {deliver!r}")
        self.deliver = deliver
        self._clock: Clock = clock or utc_now
        self._prices = {name: c.price_per_message for name, c in self._channels.items()}
        for name, price in (prices or {}).items():
            if isinstance(price, bool) or not isinstance(price, int | float) or price < 0:
                raise ConfigError(f"prices[{name!r}] must be a number >= 0, got {price!r}")
            self._prices[name] = float(price)
        self._location: Any = store
        self._store: StateStore | None = store if isinstance(store, StateStore) else None
        self._owns_store = False
        self._check_channel_names(rate_limits or {}, "rate_limits")
        self._rate_limits, self._retry = dict(rate_limits or {}), retry
        self._lock = threading.RLock()
        self._parts: tuple[AlertBook, Dispatcher, Deliverer] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if deliver == "background":
            self._thread = threading.Thread(target=self._run, name="driftscope-alerts", daemon=True)
            self._thread.start()

    # ------------------------------------------------------------------ wiring
    @property
    def channels(self) -> dict[str, Channel]:
        """The channels by name (the fallback console channel when none is configured)."""
        return dict(self._channels)

    @property
    def store(self) -> StateStore:
        """The store (opened now if it was not yet)."""
        with self._lock:
            if self._store is None:
                self._store = open_store(self._location)
                self._owns_store = True
            return self._store

    @property
    def _book(self) -> AlertBook:
        return self._wired()[0]

    @property
    def _dispatch(self) -> Dispatcher:
        return self._wired()[1]

    def _wired(self) -> tuple[AlertBook, Dispatcher, Deliverer]:
        if self._parts is None:
            store = self.store
            book = AlertBook(store)
            self._parts = (
                book,
                Dispatcher(store, book, self.inhibit_rules, self._channels),
                Deliverer(
                    store,
                    self._channels,
                    retry=self._retry,
                    rate_limits=self._rate_limits,
                    clock=self._clock,
                ),
            )
        return self._parts

    def _now(self, now: datetime | None = None) -> datetime:
        return checked_now(self._clock, now)

    def _check_channel_names(self, names: Iterable[str], where: str) -> None:
        unknown = sorted(set(names) - set(self._channels))
        if unknown:
            known = ", ".join(sorted(self._channels)) or "none"
            raise ConfigError(
                f"{where}: no channel named {', '.join(map(repr, unknown))} is configured "
                f"(configured: {known})"
            )

    def _named(self, channels: str | Sequence[str], where: str) -> list[str]:
        names = [channels] if isinstance(channels, str) else list(channels)
        if not names or not all(isinstance(n, str) and n for n in names):
            raise ConfigError(f"{where}: channels must be channel names, got {channels!r}")
        if self.fallback:  # nothing configured: everything goes to the console
            return list(self._channels)
        self._check_channel_names(names, where)
        return list(dict.fromkeys(names))

    def _targets(self, labels: Mapping[str, str], channels: Any) -> tuple[Target, ...]:
        if channels is None:
            return tuple(self._tree.match(labels))
        return (self._tree.direct(self._named(channels, "send_alert")),)

    def watch(self, monitor: Any) -> None:
        """Evaluate the rules after every ``monitor.run_checks(...)``, and add this
        manager's notification cost (for that model) to ``monitor.cost_report()``. Adopts
        the monitor's store when the manager was given none."""
        if not hasattr(monitor, "add_check_listener"):
            raise ConfigError(
                f"watch() takes a ModelMonitor (with add_check_listener), got "
                f"{type(monitor).__name__}"
            )
        with self._lock:
            if self._store is None and self._location is None:
                self._store = monitor.store
        monitor.add_check_listener(self.evaluate)
        if hasattr(monitor, "set_notification_cost_source"):
            monitor.set_notification_cost_source(self._monthly_cost)

    def _monthly_cost(self, model: str) -> float:
        return self.notification_cost(model=model).per_month

    # ------------------------------------------------------------------ raising alerts
    def send_alert(
        self,
        severity: AlertSeverity | str,
        title: str,
        message: str = "",
        actions: Iterable[Action | str | Mapping[str, Any]] = (),
        channels: str | Sequence[str] | None = None,
        labels: Mapping[str, Any] | None = None,
        model: str | None = None,
    ) -> SendResult:
        """Raise an alert now. ``severity``: an :class:`AlertSeverity` or its name;
        ``actions``: labels or ``{"label", "action"}`` mappings; ``channels``: names that
        replace routing for this alert (an unknown name is a ConfigError listing the
        configured ones); ``labels``/``model``: what identifies and routes it besides its
        title and severity. A group this alert opens is notified at once; the same alert
        sent again while it fires is a repeat (counted, not notified); it resolves by
        :meth:`resolve` or after ``resolve_timeout`` without a repeat. Returns a
        :class:`~driftscope.alerts.results.SendResult`, which can also be awaited."""
        with self._lock:
            now = self._now()
            extra = dict(labels or {})
            if model is not None:
                extra["model"] = model
            alert = Alert.of(severity, title, message, labels=extra, actions=actions, starts_at=now)
            incoming = Incoming(
                alert,
                "fire",
                self._targets(alert.labels, channels),
                immediate=True,
                resolve_timeout=self.resolve_timeout,
            )
            out = self._dispatch.ingest([incoming], now)[0]
            self._after(now, delivered=bool(out.notification_ids))
            return SendResult(
                alert, out.outcome, out.group_keys, out.notification_ids, out.muted_by, out.repeats
            )

    def resolve(self, fingerprint: str, *, by: str = "driftscope") -> AlertRecord | None:
        """Resolve a firing alert by hand (for alerts raised with :meth:`send_alert`, which
        no rule resolves); its groups send a resolved notification at their next
        interval. The alert as resolved, or None when it was not firing."""
        with self._lock:
            now = self._now()
            rec = self._book.get(fingerprint)
            if rec is None or not rec.firing:
                return None
            incoming = Incoming(rec.alert, "resolve", actor=by, reason="manual")
            self._dispatch.ingest([incoming], now)
            return self._book.get(fingerprint)

    # ------------------------------------------------------------------ rules
    def evaluate(self, source: Any, *, now: datetime | None = None) -> EvaluationReport:
        """Run the rules over a health summary (``run_checks``' result), check records or
        a frame of stored check results: store how each (rule, model, metric) pair moved,
        fire and resolve alerts. Groups speak on :meth:`tick`, after their wait."""
        with self._lock:
            points = Points.of(source)
            if not self.rules or not len(points):
                return EvaluationReport(points=len(points))
            now = self._now(now)
            models = set(points.models)
            if len(models) <= PER_MODEL_READS:
                found = [
                    r for m in sorted(models) for r in self.store.find_state(RULE_KIND, model=m)
                ]
            else:
                found = self.store.find_state(RULE_KIND)
            result = evaluate_rules(self.rules, points, {r.key: r for r in found})
            incoming = []
            for event in result.events:
                alert = event.alert(now)
                action = "resolve" if event.kind == "resolve" else "fire"
                targets = self._tree.match(alert.labels) if action == "fire" else []
                incoming.append(
                    Incoming(alert, action, tuple(targets), rule=event.rule.name, reason="rule")
                )
            outcomes = self._dispatch.ingest(incoming, now) if incoming else []
            states = [r for r, _ in result.states]
            written = self.store.put_states(states, if_versions=[v for _, v in result.states])
            lost = sum(1 for w in written if w is None)
            if lost:
                log.warning("%d rule states changed under this process; left as stored", lost)
            self._after(now, delivered=False)
            fresh = [o for o in outcomes if o.outcome in ("grouped", "silenced", "inhibited")]
            return EvaluationReport(
                fired=tuple(o.fingerprint for o in fresh),
                resolved=tuple(o.fingerprint for o in outcomes if o.outcome == "resolved"),
                repeats=sum(1 for o in outcomes if o.outcome == "deduplicated"),
                states_written=len(states) - lost,
                points=len(points),
                silenced=tuple(o.fingerprint for o in outcomes if o.outcome == "silenced"),
                inhibited=tuple(o.fingerprint for o in outcomes if o.outcome == "inhibited"),
            )

    # ------------------------------------------------------------------ time passes
    def tick(self, now: datetime | None = None) -> TickReport:
        """Write folded repeats, end silences whose time is up, resolve alerts that
        timed out, flush the groups that are due (notify, repeat, escalate) and, with
        ``deliver=True``, deliver the outbox's due notifications."""
        with self._lock:
            now = self._now(now)
            book, dispatch, _ = self._wired()
            audits = book.persist_folds(now)
            self.store.append_audit(audits)
            ended = silence_store.expire_ended(self.store, now)
            timed = dispatch.timed_out(now)
            if timed:
                reason = f"not raised again for {self.resolve_timeout}"
                dispatch.ingest(
                    [Incoming(r.alert, "resolve", reason="timeout", actor=reason) for r in timed],
                    now,
                )
            report = dispatch.flush(now)
            sent = self._deliver(now) if self.deliver is True else DeliveryReport()
            return TickReport(
                groups_flushed=report.groups,
                notification_ids=tuple(report.notification_ids),
                escalations=report.escalations,
                resolved=tuple(r.fingerprint for r in timed),
                silences_expired=tuple(s.id for s in ended),
                delivered=sent.delivered,
                failed=sent.retried + sent.dead,
            )

    def _after(self, now: datetime, *, delivered: bool) -> None:
        """After a call: write folded repeats now and then; deliver what it made."""
        oldest = self._book.oldest_fold()
        if oldest is not None and now - oldest >= FOLD_FLUSH:
            self.store.append_audit(self._book.persist_folds(now))
        if delivered and self.deliver is True:
            self._deliver(now)

    def _deliver(self, now: datetime) -> DeliveryReport:
        """Send the outbox's due notifications with the outbox's delivery worker
        (:class:`~driftscope.alerts.delivery.Deliverer`: retries with backoff, rate
        limits, dead letters)."""
        deliverer = self._wired()[2]
        total = DeliveryReport()
        for _ in range(100):  # rounds of 100; what failed is due later, not again now
            report = deliverer.deliver_due(now)
            total += report
            if report.claimed < 100:
                break
        return total

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            try:
                with self._lock:
                    self.tick()
                    self._deliver(self._now())
            except Exception:  # the thread must outlive a bad tick (a store outage)
                log.exception("alert manager background tick failed")

    # ------------------------------------------------------------------ people
    def acknowledge(
        self, target: str, by: str, note: str = "", real_problem: bool = True
    ) -> list[AlertRecord]:
        """Acknowledge an alert (its fingerprint) or a whole group (its key): it is not
        repeated or escalated again while it fires; receivers that de-duplicate
        (PagerDuty) are told. ``real_problem=False`` marks a false alert (see
        :meth:`false_alert_rate`). The alerts acknowledged now."""
        if not isinstance(by, str) or not by.strip():
            raise ConfigError("acknowledge needs by: who acknowledges")
        if not isinstance(real_problem, bool):
            raise ConfigError(f"real_problem must be True or False, got {real_problem!r}")
        with self._lock:
            now = self._now()
            acked = self._dispatch.acknowledge(target, by.strip(), note, real_problem, now)
            self._after(now, delivered=bool(acked))
            return acked

    def silence(
        self,
        matchers: Any,
        *,
        created_by: str,
        comment: str = "",
        duration: timedelta | float | str | None = None,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
    ) -> Silence:
        """Mute the alerts ``matchers`` match from ``starts_at`` (default now) for
        ``duration`` or until ``ends_at``; stored and audited."""
        with self._lock:
            now = self._now()
            start = starts_at or now
            if (duration is None) == (ends_at is None):
                raise ConfigError("a silence needs a duration or ends_at (one of them)")
            if ends_at is not None:
                end = ends_at
            else:
                assert duration is not None
                end = start + as_duration(duration, "duration")
            found = Silence(matchers, start, end, created_by, comment)
            silence_store.save(self.store, found, now)
            return found

    def expire_silence(self, silence_id: str, *, by: str = "driftscope") -> Silence | None:
        """End a silence now; the silence, or None if there was none active by that id.
        Alerts it muted are notified at their group's next check."""
        with self._lock:
            now = self._now()
            return silence_store.expire(self.store, silence_id, now, by=by)

    def silences(self, *, include_expired: bool = False) -> list[Silence]:
        """The stored silences (active and future; with ``include_expired``, all)."""
        return silence_store.stored(self.store, include_expired=include_expired)

    # ------------------------------------------------------------------ tickets
    def create_investigation_ticket(
        self,
        title: str,
        description: str | Mapping[str, Any],
        assignee: str = "",
        *,
        model: str | None = None,
        channels: str | Sequence[str] | None = None,
        labels: Sequence[str] = (),
    ) -> Ticket:
        """Store an investigation ticket and send it to the ticket channels (those that
        take tickets, e.g. GitHub issues or Jira; or the named ``channels``). Returns the
        :class:`~driftscope.alerts.tickets.Ticket` (awaitable); its ``url`` is filled in
        when a channel delivered it and said where it is."""
        title, description, assignee = checked(title, description, assignee)
        with self._lock:
            now = self._now()
            if channels is not None:
                names = self._named(channels, "create_investigation_ticket")
            elif self.fallback:
                names = list(self._channels)
            else:
                names = [n for n, c in self._channels.items() if c.tickets]
            ticket = Ticket(
                uuid.uuid4().hex[:12],
                title,
                description,
                assignee,
                model or "",
                OPEN,
                now,
                tuple(names),
                labels=tuple(labels),
            )
            ticket = open_ticket(self.store, ticket, now)
            if self.deliver is True and names:
                self._deliver(now)
                return with_receipt(self.store, ticket)
            return ticket

    def ticket(self, ticket_id: str) -> Ticket | None:
        """A stored ticket, with its url once a channel reported one."""
        record = self.store.get_state(TICKET_KIND, ticket_id)
        return None if record is None else with_receipt(self.store, Ticket.from_record(record))

    def tickets(self, *, state: str | None = None, model: str | None = None) -> list[Ticket]:
        states = None if state is None else [state]
        found = self.store.find_state(TICKET_KIND, model=model, states=states)
        return sorted((Ticket.from_record(r) for r in found), key=lambda t: t.created_at)

    # ------------------------------------------------------------------ queries
    def alerts(self, state: str | None = FIRING, model: str | None = None) -> list[AlertRecord]:
        """Stored alerts (``state`` ``"firing"``, ``"resolved"`` or None for all), firing
        first, newest first; repeats counted in memory included."""
        with self._lock:
            found = [self._book.with_folds(r) for r in self._book.find(state=state, model=model)]
        return sorted(found, key=lambda r: (not r.firing, -r.fired_at.timestamp(), r.fingerprint))

    def alert(self, fingerprint: str) -> AlertRecord | None:
        with self._lock:
            found = self._book.get(fingerprint)
            return None if found is None else self._book.with_folds(found)

    def audit(
        self,
        action: str | None = None,
        *,
        model: str | None = None,
        subject: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """The audit log: every decision (``"alert."`` for all alert decisions, or an
        exact action such as ``"alert.silenced"``)."""
        return self.store.read_audit(
            model=model, action=action, subject=subject, since=since, until=until, limit=limit
        )

    # ------------------------------------------------------------------ measures
    def response_times(self, **filters: Any) -> ResponseTimes:
        """Firing to acknowledgement (``since``, ``until``, ``model`` filters)."""
        return alert_response_times(self.store, **filters)

    def false_alert_rate(self, **filters: Any) -> FalseAlertRate:
        """Acknowledged alerts that were not a real problem, noisiest rules first."""
        return false_alert_rate(self.store, **filters)

    def notification_cost(
        self, period: timedelta | float | str = MONTH, *, model: str | None = None
    ) -> NotificationCost:
        """Delivered notifications times their channel's price, per month."""
        span = as_duration(period, "period")
        if span <= timedelta(0):
            raise ConfigError("period must be more than 0")
        return notification_cost(self.store, self._prices, self._now(), period=span, model=model)

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Stop the background thread, write folded repeats, close a store it opened."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            if self._parts is not None:
                try:
                    now = self._now()
                    self.store.append_audit(self._book.persist_folds(now))
                except Exception:
                    log.exception("could not write the repeats folded in memory")
            if self._owns_store and self._store is not None:
                close = getattr(self._store, "close", None)
                if close is not None:
                    close()
                self._store = None
                self._parts = None

    def __enter__(self) -> AlertManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"AlertManager(channels={list(self._channels)}, rules={len(self.rules)}, "
            f"deliver={self.deliver!r})"
        )


#: The keyword arguments of AlertManager and their defaults.
_DEFAULTS = {
    name: p.default
    for name, p in inspect.signature(AlertManager.__init__).parameters.items()
    if p.kind is p.KEYWORD_ONLY
}


def _configured(given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` with the configuration's settings (:mod:`driftscope.alerts.defaults`)
    where ``given`` holds the default."""
    loaded = configured_defaults()
    unknown = sorted(set(loaded) - set(_DEFAULTS) - {"channels"})
    if unknown:
        raise ConfigError(f"the configuration gives unknown alert settings: {', '.join(unknown)}")
    out = dict(given)
    for name, value in loaded.items():
        if name == "channels" or given[name] is _DEFAULTS[name] or given[name] == _DEFAULTS[name]:
            out[name] = value
    return out


__all__ = ["AlertManager"]
