"""What an alert is, as every part of alerting sees it: severities, actions, alerts and the
notifications that carry them to a channel.

An :class:`Alert` is identified by its labels (Prometheus Alertmanager's model): two alerts
with the same labels are the same alert, whatever their text, and its
:attr:`~Alert.fingerprint` is a hash of the sorted labels. A :class:`Notification` is one
message to one channel about a group of alerts (or an investigation ticket); it is what
the outbox stores and a channel sends, and it round-trips through JSON
(:meth:`Notification.to_dict`, :meth:`Notification.from_dict`).

>>> alert = Alert.of("warning", "Model Drift Detected", "age moved", labels={"model": "churn"})
>>> alert.severity, alert.labels["alertname"], len(alert.fingerprint)
(<AlertSeverity.WARNING: 'warning'>, 'Model Drift Detected', 16)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from driftscope.errors import ConfigError

#: Label values longer than this are cut (Alertmanager and Prometheus keep labels short).
MAX_LABEL_CHARS = 256


class AlertSeverity(StrEnum):
    """How bad it is: ``INFO`` < ``WARNING`` < ``CRITICAL``.

    >>> AlertSeverity.parse("Critical") > AlertSeverity.parse(AlertSeverity.WARNING)
    True
    """

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for critical."""
        return _RANKS[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, AlertSeverity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, AlertSeverity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, AlertSeverity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, AlertSeverity):
            return NotImplemented
        return self.rank >= other.rank

    @classmethod
    def parse(cls, value: AlertSeverity | str) -> AlertSeverity:
        """The severity named by ``value`` (the enum or its name, any case; ``"error"``
        and ``"page"`` are not severities: a ConfigError lists the valid ones)."""
        if isinstance(value, AlertSeverity):
            return value
        if isinstance(value, str):
            try:
                return cls(value.strip().lower())
            except ValueError:
                pass
        names = ", ".join(s.value for s in cls)
        raise ConfigError(f"severity must be one of {names}, got {value!r}")


_RANKS = {AlertSeverity.INFO: 0, AlertSeverity.WARNING: 1, AlertSeverity.CRITICAL: 2}


@dataclass(frozen=True)
class Action:
    """A button or link offered with an alert: what a person can do about it.

    ``action`` is a short verb the receiver acts on (``"ack"``, ``"retrain"``,
    ``"dashboard"``); ``url``, when set, is where the button leads.

    >>> Action.parse({"label": "Trigger Retraining", "action": "retrain"}).action
    'retrain'
    >>> Action.parse("Review model")
    Action(label='Review model', action='review_model', url=None)
    """

    label: str
    action: str
    url: str | None = None

    @classmethod
    def parse(cls, value: Action | str | Mapping[str, Any]) -> Action:
        """An action from a string (its label; the action is the label in snake case) or
        a ``{"label", "action"[, "url"]}`` mapping."""
        if isinstance(value, Action):
            return value
        if isinstance(value, str) and value.strip():
            text = value.strip()
            return cls(text, "_".join(text.lower().split()))
        if isinstance(value, Mapping):
            label: Any = value.get("label")
            action: Any = value.get("action")
            url: Any = value.get("url")
            unknown = set(value) - {"label", "action", "url"}
            if (
                not unknown
                and isinstance(label, str)
                and label.strip()
                and (action is None or isinstance(action, str))
                and (url is None or isinstance(url, str))
            ):
                return cls(label.strip(), action or "_".join(label.lower().split()), url)
        raise ConfigError(
            'an action must be a non-empty string or a {"label", "action", "url"} mapping, '
            f"got {value!r}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "action": self.action, "url": self.url}


def _clean_labels(labels: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in labels.items():
        if not isinstance(key, str) or not key:
            raise ConfigError(f"alert label names must be non-empty strings, got {key!r}")
        if value is None:
            continue
        out[key] = str(value)[:MAX_LABEL_CHARS]
    return dict(sorted(out.items()))


def fingerprint(labels: Mapping[str, str]) -> str:
    """16 hex digits identifying a label set (order does not matter).

    >>> fingerprint({"a": "1", "b": "2"}) == fingerprint({"b": "2", "a": "1"})
    True
    """
    text = "\x1f".join(f"{k}\x1e{v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Alert:
    """One alert: labels that identify it, text for people, when it started and, once
    resolved, when it ended.

    ``labels`` always hold ``alertname`` and ``severity``; ``annotations`` hold the text
    (``title``, ``message``, and whatever else a rule adds, e.g. ``runbook``). The
    severity is also a label so that routes, silences and inhibitions can match it.

    >>> a = Alert.of("critical", "Accuracy low", "0.81 < 0.85", labels={"model": "churn"})
    >>> a.resolved, a.with_end(a.starts_at).resolved
    (False, True)
    """

    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None = None
    actions: tuple[Action, ...] = ()
    generator: str = ""  # what raised it: "send_alert", "rule:<name>", ...

    def __post_init__(self) -> None:
        labels = _clean_labels(self.labels)
        if "alertname" not in labels:
            raise ConfigError("an alert needs an 'alertname' label (its title)")
        AlertSeverity.parse(labels.get("severity", ""))
        object.__setattr__(self, "labels", labels)
        object.__setattr__(
            self, "annotations", {str(k): str(v) for k, v in self.annotations.items()}
        )
        for name in ("starts_at", "ends_at"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                raise ConfigError(f"Alert.{name} must be a timezone-aware datetime")

    @classmethod
    def of(
        cls,
        severity: AlertSeverity | str,
        title: str,
        message: str = "",
        *,
        labels: Mapping[str, Any] | None = None,
        annotations: Mapping[str, Any] | None = None,
        actions: Iterable[Action | str | Mapping[str, Any]] = (),
        starts_at: datetime | None = None,
        generator: str = "send_alert",
    ) -> Alert:
        """An alert from the arguments of ``send_alert``."""
        if not isinstance(title, str) or not title.strip():
            raise ConfigError(f"an alert needs a non-empty title, got {title!r}")
        if not isinstance(message, str):
            raise ConfigError(f"an alert's message must be text, got {type(message).__name__}")
        level = AlertSeverity.parse(severity)
        all_labels = {**(labels or {}), "alertname": title.strip(), "severity": level.value}
        text = {**(annotations or {}), "title": title.strip(), "message": message}
        return cls(
            all_labels,
            text,
            starts_at or datetime.now(UTC),
            actions=tuple(Action.parse(a) for a in actions),
            generator=generator,
        )

    @property
    def severity(self) -> AlertSeverity:
        return AlertSeverity.parse(self.labels["severity"])

    @property
    def title(self) -> str:
        return self.annotations.get("title", self.labels["alertname"])

    @property
    def message(self) -> str:
        return self.annotations.get("message", "")

    @property
    def model(self) -> str:
        return self.labels.get("model", "")

    @cached_property
    def fingerprint(self) -> str:
        return fingerprint(self.labels)  # computed once: the labels never change

    @property
    def resolved(self) -> bool:
        return self.ends_at is not None

    def with_end(self, ends_at: datetime | None) -> Alert:
        return replace(self, ends_at=ends_at)

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": dict(self.labels),
            "annotations": dict(self.annotations),
            "starts_at": self.starts_at.isoformat(),
            "ends_at": None if self.ends_at is None else self.ends_at.isoformat(),
            "actions": [a.to_dict() for a in self.actions],
            "generator": self.generator,
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Alert:
        return cls(
            dict(data["labels"]),
            dict(data.get("annotations", {})),
            datetime.fromisoformat(data["starts_at"]),
            None if data.get("ends_at") is None else datetime.fromisoformat(data["ends_at"]),
            tuple(Action.parse(a) for a in data.get("actions", ())),
            data.get("generator", ""),
        )


@dataclass(frozen=True)
class Notification:
    """One message to one channel: a group of alerts (firing or resolved), or a ticket.

    ``id`` is unique and stable: the outbox stores it under that key, and channels whose
    receiver de-duplicates send ``dedup_key`` (the group's key for alerts, so PagerDuty
    folds every message of a group into one incident). ``kind`` is ``"alerts"`` or
    ``"ticket"``; a ticket's fields are in ``ticket`` (``id``, ``title``, ``description``,
    ``assignee``, ``model``, ``labels``). ``escalation`` counts how many times a critical
    group was escalated (0: the first notification).

    >>> a = Alert.of("warning", "Drift", labels={"model": "churn"})
    >>> n = Notification("n-1", "slack", "grp", {"model": "churn"}, (a,))
    >>> n.status, Notification.from_dict(n.to_dict()) == n
    ('firing', True)
    """

    id: str
    channel: str
    group_key: str
    group_labels: dict[str, str]
    alerts: tuple[Alert, ...] = ()
    kind: str = "alerts"
    ticket: dict[str, Any] = field(default_factory=dict)
    escalation: int = 0
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    event: str = "notify"
    acknowledged_by: str = ""

    def __post_init__(self) -> None:
        if self.event not in ("notify", "acknowledge"):
            raise ConfigError(
                f"Notification.event must be 'notify' or 'acknowledge', got {self.event!r}"
            )
        if self.kind not in ("alerts", "ticket"):
            raise ConfigError(f"Notification.kind must be 'alerts' or 'ticket', got {self.kind!r}")
        if self.kind == "alerts" and not self.alerts:
            raise ConfigError("a notification of alerts needs at least one alert")

    @property
    def status(self) -> str:
        """``"firing"`` when any alert in it is firing, else ``"resolved"`` (a ticket is
        ``"firing"``)."""
        if self.kind == "ticket":
            return "firing"
        return "resolved" if all(a.resolved for a in self.alerts) else "firing"

    @property
    def severity(self) -> AlertSeverity:
        """The worst severity of its alerts (a ticket's is warning)."""
        if not self.alerts:
            return AlertSeverity.WARNING
        return worst([a.severity for a in self.alerts])

    @property
    def dedup_key(self) -> str:
        """What a de-duplicating receiver keys on: the group, or the ticket's id."""
        if self.kind == "ticket":
            return f"driftscope-ticket-{self.ticket.get('id', self.id)}"
        return f"driftscope-{self.group_key}"

    @property
    def title(self) -> str:
        """One line for a subject or a header."""
        if self.kind == "ticket":
            return str(self.ticket.get("title", "Investigation"))
        first = self.alerts[0]
        tag = "[RESOLVED] " if self.status == "resolved" else f"[{self.severity.value.upper()}] "
        more = f" (+{len(self.alerts) - 1} more)" if len(self.alerts) > 1 else ""
        return f"{tag}{first.title}{more}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel": self.channel,
            "group_key": self.group_key,
            "group_labels": dict(self.group_labels),
            "alerts": [a.to_dict() for a in self.alerts],
            "kind": self.kind,
            "ticket": dict(self.ticket),
            "escalation": self.escalation,
            "created_at": self.created_at.isoformat(),
            "event": self.event,
            "acknowledged_by": self.acknowledged_by,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Notification:
        return cls(
            data["id"],
            data["channel"],
            data["group_key"],
            dict(data.get("group_labels", {})),
            tuple(Alert.from_dict(a) for a in data.get("alerts", ())),
            data.get("kind", "alerts"),
            dict(data.get("ticket", {})),
            int(data.get("escalation", 0)),
            datetime.fromisoformat(data["created_at"]),
            data.get("event", "notify"),
            data.get("acknowledged_by", ""),
        )


def worst(severities: Sequence[AlertSeverity]) -> AlertSeverity:
    """The highest of ``severities`` (info when there is none)."""
    return max(severities, key=lambda s: s.rank, default=AlertSeverity.INFO)
