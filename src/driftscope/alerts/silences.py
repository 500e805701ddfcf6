"""Silences: mute the alerts that match some labels for a time window.

As in Prometheus Alertmanager: a silence has matchers, a start and an end, who made it and
why. While it is active (``starts_at <= now < ends_at``), an alert its matchers all match
is not notified (it still fires, is stored and shows in queries, marked silenced); when the
silence ends or is expired by hand, the alert is notified at its group's next check. A
silence must have a matcher that does not match an empty label (so no silence mutes every
alert by accident).

Silences are :class:`~driftscope.store.state.StateRecord` rows of kind ``"silence"``
(state ``"active"`` until it ends, then ``"expired"``; ``due_at`` is its end).

>>> from datetime import datetime, timedelta, UTC
>>> t = datetime(2026, 11, 1, tzinfo=UTC)
>>> s = Silence('model="churn"', t, t + timedelta(hours=2), "ana", "retraining", id="s1")
>>> s.active(t + timedelta(hours=1)), s.active(t + timedelta(hours=2))
(True, False)
>>> s.matches({"model": "churn", "severity": "critical"}), s.matches({"model": "fraud"})
(True, False)
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from driftscope.alerts.durations import from_iso, iso
from driftscope.alerts.matchers import Matcher, matchers_text, matches_all, parse_matchers
from driftscope.errors import ConfigError
from driftscope.store.state import AuditEntry, StateRecord, StateStore

KIND = "silence"
ACTIVE, EXPIRED = "active", "expired"


@dataclass(frozen=True)
class Silence:
    """One silence (see the module's text). ``id`` is made when not given.

    >>> import io, tempfile
    >>> from driftscope.alerts import AlertManager
    >>> from driftscope.alerts.channels import ConsoleChannel
    >>> with AlertManager([ConsoleChannel(io.StringIO())], store=tempfile.mkdtemp()) as alerts:
    ...     silence = alerts.silence({"model": "churn"}, created_by="ana", duration="2h",
    ...                              comment="retraining")
    ...     sent = alerts.send_alert("warning", "Drift", model="churn")
    >>> silence.ends_at - silence.starts_at, sent.outcome, sent.muted_by == f"silence:{silence.id}"
    (datetime.timedelta(seconds=7200), 'silenced', True)
    """

    matchers: Any
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        try:
            matchers = parse_matchers(self.matchers)
        except ConfigError as exc:
            raise ConfigError(f"silence: {exc}") from None
        if not any(not m.matches({}) for m in matchers):
            raise ConfigError(
                "a silence needs at least one matcher that does not match an empty label "
                f"(so it cannot mute every alert), got {matchers_text(matchers)}"
            )
        object.__setattr__(self, "matchers", matchers)
        for name in ("starts_at", "ends_at"):
            value = getattr(self, name)
            if not isinstance(value, datetime) or value.tzinfo is None:
                raise ConfigError(f"silence {name} must be a timezone-aware datetime")
        if self.ends_at <= self.starts_at:
            raise ConfigError("a silence must end after it starts")
        if not isinstance(self.created_by, str) or not self.created_by.strip():
            raise ConfigError("a silence needs created_by: who made it")
        if not isinstance(self.comment, str):
            raise ConfigError("a silence's comment must be text")
        if not self.id:
            object.__setattr__(self, "id", uuid.uuid4().hex[:16])

    def active(self, now: datetime) -> bool:
        """Whether it mutes alerts at ``now``."""
        return self.starts_at <= now < self.ends_at

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether it matches an alert's labels (active or not)."""
        return matches_all(self.matchers, labels)

    @property
    def model(self) -> str:
        """The model it is about, when a matcher names one (for the store's index)."""
        for m in self.matchers:
            assert isinstance(m, Matcher)
            if m.name == "model" and m.op == "=":
                return m.value
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "matchers": [m.to_dict() for m in self.matchers],
            "starts_at": iso(self.starts_at),
            "ends_at": iso(self.ends_at),
            "created_by": self.created_by,
            "comment": self.comment,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Silence:
        starts, ends = from_iso(data["starts_at"]), from_iso(data["ends_at"])
        assert starts is not None and ends is not None
        return cls(
            data["matchers"], starts, ends, data["created_by"], data.get("comment", ""), data["id"]
        )


def save(store: StateStore, silence: Silence, now: datetime) -> None:
    """Store a new silence (a ConfigError when its id is taken); audited as
    ``silence.created`` by its creator."""
    record = StateRecord(
        KIND, silence.id, ACTIVE, silence.to_dict(), model=silence.model, due_at=silence.ends_at
    )
    if store.put_state(record, if_version=0) is None:
        raise ConfigError(f"a silence with id {silence.id!r} exists already")
    why = silence.comment or matchers_text(silence.matchers)
    entry = AuditEntry(
        "silence.created",
        silence.model,
        silence.id,
        why,
        silence.created_by,
        silence.to_dict(),
        now,
    )
    store.append_audit([entry])


def stored(store: StateStore, *, include_expired: bool = False) -> list[Silence]:
    """The stored silences not expired (with ``include_expired``: all), soonest end first."""
    states = None if include_expired else [ACTIVE]
    return [Silence.from_dict(r.body) for r in store.find_state(KIND, states=states)]


def active(store: StateStore, now: datetime) -> list[Silence]:
    """The silences muting alerts at ``now``."""
    return [s for s in stored(store) if s.active(now)]


def expire(
    store: StateStore, silence_id: str, now: datetime, *, by: str = "driftscope"
) -> Silence | None:
    """End a silence now (it stays stored, expired; audited as ``silence.expired`` by
    ``by``); the silence as it ended, or None when there is no such silence or it had
    expired already."""
    while True:
        record = store.get_state(KIND, silence_id)
        if record is None or record.state == EXPIRED:
            return None
        silence = Silence.from_dict(record.body)
        if silence.ends_at > now:
            start = min(silence.starts_at, now)
            silence = replace(silence, starts_at=start, ends_at=max(now, start + _TICK))
        changed = record.with_changes(state=EXPIRED, body=silence.to_dict(), due_at=None)
        if store.put_state(changed, if_version=record.version) is not None:
            store.append_audit(
                [AuditEntry("silence.expired", silence.model, silence.id, "expired", by, at=now)]
            )
            return silence


def expire_ended(store: StateStore, now: datetime) -> list[Silence]:
    """Mark every silence whose end has passed as expired; those silences."""
    out = []
    for record in store.find_state(KIND, states=[ACTIVE], due_before=now):
        changed = record.with_changes(state=EXPIRED, due_at=None)
        if store.put_state(changed, if_version=record.version) is not None:
            out.append(Silence.from_dict(record.body))
    store.append_audit(
        [AuditEntry("silence.expired", s.model, s.id, "its time ended", at=now) for s in out]
    )
    return out


_TICK = datetime.resolution
