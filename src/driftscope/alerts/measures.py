"""How alerting is doing, measured from the store: response time, false alerts, cost.

- :func:`alert_response_times`: from firing to acknowledgement, per rule and overall
  (median and 90th percentile, linear interpolation between the nearest ranks), from the
  ``alert.acknowledged`` entries of the audit log.
- :func:`false_alert_rate`: the share of acknowledged alerts marked "not a real problem"
  (``acknowledge(..., real_problem=False)``), per rule with the noisiest rules first (most
  false alerts, then highest rate). Alerts nobody acknowledged are not counted either way.
- :func:`notification_cost`: delivered notifications times each channel's
  ``price_per_message`` (or the manager's ``prices``), per channel and in total, over a
  period and scaled to a 30-day month.

The "rule" of an alert raised by ``send_alert`` is its name (title).

>>> spread([60.0, 120.0, 600.0, 1800.0])
Spread(count=4, median_s=360.0, p90_s=1440.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from driftscope.alerts.outbox import DELIVERED
from driftscope.alerts.outbox import KIND as NOTIFICATION_KIND
from driftscope.store.state import AuditEntry, StateStore

MONTH = timedelta(days=30)


@dataclass(frozen=True)
class Spread:
    """How many values, their median and 90th percentile (seconds; None when empty).

    >>> s = spread([60.0, 120.0, 600.0])
    >>> s.count, s.median_s / 60, spread([]).median_s
    (3, 2.0, None)
    """

    count: int
    median_s: float | None
    p90_s: float | None


def spread(values: list[float]) -> Spread:
    if not values:
        return Spread(0, None, None)
    data = np.asarray(values, dtype=np.float64)
    return Spread(len(values), float(np.percentile(data, 50)), float(np.percentile(data, 90)))


@dataclass(frozen=True)
class ResponseTimes:
    """Time from firing to acknowledgement, overall and per rule.

    >>> print(ResponseTimes(spread([120.0, 600.0]), {"drift": spread([120.0, 600.0])}))
    Alert response time: median 6.0 min, p90 9.2 min (2 acknowledged)
      drift: median 6.0 min, p90 9.2 min (2 acknowledged)
    """

    overall: Spread
    by_rule: dict[str, Spread] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [f"Alert response time: {_spread_text(self.overall)}"]
        lines += [f"  {rule}: {_spread_text(s)}" for rule, s in self.by_rule.items()]
        return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _minutes(value: float | None) -> str:
    return "-" if value is None else f"{value / 60:.1f} min"


def _spread_text(s: Spread) -> str:
    return f"median {_minutes(s.median_s)}, p90 {_minutes(s.p90_s)} ({s.count} acknowledged)"


def _acks(
    store: StateStore, since: datetime | None, until: datetime | None, model: str | None
) -> list[AuditEntry]:
    return store.read_audit(action="alert.acknowledged", since=since, until=until, model=model)


def alert_response_times(
    store: StateStore,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    model: str | None = None,
) -> ResponseTimes:
    """Firing to acknowledgement (see the module's text), rules sorted by name."""
    overall: list[float] = []
    by_rule: dict[str, list[float]] = {}
    for entry in _acks(store, since, until, model):
        seconds = entry.details.get("response_seconds")
        if not isinstance(seconds, int | float):
            continue
        overall.append(float(seconds))
        by_rule.setdefault(str(entry.details.get("rule", "")), []).append(float(seconds))
    return ResponseTimes(spread(overall), {r: spread(v) for r, v in sorted(by_rule.items())})


@dataclass(frozen=True)
class RuleNoise:
    """One rule's acknowledged alerts and how many were not a real problem.

    >>> RuleNoise("drift", acknowledged=4, false_alerts=1).rate
    0.25
    """

    rule: str
    acknowledged: int
    false_alerts: int

    @property
    def rate(self) -> float:
        return self.false_alerts / self.acknowledged if self.acknowledged else 0.0


@dataclass(frozen=True)
class FalseAlertRate:
    """The share of acknowledged alerts that were not a real problem (None when nothing
    was acknowledged), with each rule, noisiest first.

    >>> print(FalseAlertRate(4, 1, (RuleNoise("drift", 3, 1), RuleNoise("accuracy", 1, 0))))
    False alert rate: 25.0% (1 of 4)
      drift: 33.3% (1 of 3)
      accuracy: 0.0% (0 of 1)
    >>> FalseAlertRate(0, 0).rate is None
    True
    """

    acknowledged: int
    false_alerts: int
    by_rule: tuple[RuleNoise, ...] = ()

    @property
    def rate(self) -> float | None:
        return self.false_alerts / self.acknowledged if self.acknowledged else None

    def __str__(self) -> str:
        rate = "-" if self.rate is None else f"{self.rate:.1%}"
        lines = [f"False alert rate: {rate} ({self.false_alerts} of {self.acknowledged})"]
        lines += [
            f"  {r.rule}: {r.rate:.1%} ({r.false_alerts} of {r.acknowledged})" for r in self.by_rule
        ]
        return "\n".join(lines)


def false_alert_rate(
    store: StateStore,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    model: str | None = None,
) -> FalseAlertRate:
    """False alerts among acknowledged ones (see the module's text)."""
    counts: dict[str, list[int]] = {}
    for entry in _acks(store, since, until, model):
        rule = str(entry.details.get("rule", ""))
        found = counts.setdefault(rule, [0, 0])
        found[0] += 1
        found[1] += entry.details.get("real_problem") is False
    rules = [RuleNoise(rule, acked, false) for rule, (acked, false) in counts.items()]
    rules.sort(key=lambda r: (-r.false_alerts, -r.rate, r.rule))
    return FalseAlertRate(
        sum(r.acknowledged for r in rules), sum(r.false_alerts for r in rules), tuple(rules)
    )


@dataclass(frozen=True)
class NotificationCost:
    """Delivered notifications and what they cost (USD): over ``period`` and per 30-day
    month, per channel and in total.

    >>> cost = NotificationCost(timedelta(days=7), {"pagerduty": 14}, {"pagerduty": 14 * 0.05})
    >>> print(cost)
    Alert notification cost: $3.00/month
      pagerduty: 14 messages, $3.00/month
    """

    period: timedelta
    messages: dict[str, int]
    by_channel: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.by_channel.values())

    @property
    def per_month(self) -> float:
        """The total scaled to a 30-day month."""
        return self.total * (MONTH / self.period)

    def by_channel_per_month(self) -> dict[str, float]:
        return {name: cost * (MONTH / self.period) for name, cost in self.by_channel.items()}

    def __str__(self) -> str:
        lines = [f"Alert notification cost: ${self.per_month:.2f}/month"]
        monthly = self.by_channel_per_month()
        lines += [
            f"  {name}: {_count(self.messages[name], 'message')}, ${monthly[name]:.2f}/month"
            for name in sorted(self.messages)
        ]
        return "\n".join(lines)


def notification_cost(
    store: StateStore,
    prices: Mapping[str, float],
    now: datetime,
    *,
    period: timedelta = MONTH,
    model: str | None = None,
) -> NotificationCost:
    """Notifications delivered in ``[now - period, now]`` times ``prices[channel]`` (USD
    per message; a channel without a price costs 0)."""
    start = now - period
    messages: dict[str, int] = {}
    for record in store.find_state(NOTIFICATION_KIND, model=model, states=[DELIVERED]):
        when = record.body.get("delivered_at")
        at = datetime.fromisoformat(when) if when else record.updated_at
        if at is None or not start <= at <= now:
            continue
        channel = str(record.body.get("notification", {}).get("channel", ""))
        messages[channel] = messages.get(channel, 0) + 1
    costs = {name: n * float(prices.get(name, 0.0)) for name, n in messages.items()}
    return NotificationCost(period, messages, costs)
