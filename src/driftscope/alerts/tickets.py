"""Investigation tickets: stored, then sent to the ticket channels (GitHub issues, Jira).

A ticket is a :class:`~driftscope.store.state.StateRecord` of kind ``"ticket"`` (state
``"open"``) and one notification of kind ``"ticket"`` per channel, through the outbox like
every notification. The description may be text or a mapping (a drift result, say): a
mapping is kept as JSON (numbers, lists, nested mappings; NaN becomes null) and each
channel lays it out. Once a channel has delivered it, the receiver's answer (the issue's
url and id, when the channel reports it) is the ticket's ``url`` and ``external_id``.

>>> import numpy as np
>>> json_ready({"drift_score": np.float64(0.31), "features": ("age",), "p": float("nan")})
{'drift_score': 0.31, 'features': ['age'], 'p': None}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from driftscope.alerts import outbox
from driftscope.alerts.durations import from_iso, iso
from driftscope.alerts.model import Notification
from driftscope.alerts.results import Awaitable
from driftscope.errors import ConfigError
from driftscope.store.state import AuditEntry, StateRecord, StateStore

KIND = "ticket"
OPEN = "open"


def json_ready(value: Any) -> Any:
    """``value`` as plain JSON: numpy scalars and arrays to numbers and lists, tuples and
    sets to lists, times to ISO text, NaN and infinities to None, other objects to text."""
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_ready(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy arrays and scalars
        return json_ready(value.tolist())
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return str(value)


@dataclass(frozen=True)
class Ticket(Awaitable):
    """An investigation ticket (see the module's text); awaitable like ``send_alert``'s
    result. ``url`` is None until a channel delivered it and reported where it is.

    >>> import io, tempfile
    >>> from driftscope.alerts import AlertManager
    >>> from driftscope.alerts.channels import ConsoleChannel
    >>> out = io.StringIO()
    >>> with AlertManager([ConsoleChannel(out)], store=tempfile.mkdtemp()) as alerts:
    ...     ticket = alerts.create_investigation_ticket(
    ...         "Investigate drift", {"drifted_features": ["age", "plan"]}, "ana",
    ...         model="churn", channels="console")
    >>> ticket.state, ticket.notification_ids == (f"ticket-{ticket.id}:console",)
    ('open', True)
    >>> print(out.getvalue().split(" UTC ")[1], end="")
    [TICKET] Investigate drift (assignee=ana): drifted_features: age, plan
    """

    id: str
    title: str
    description: str | dict[str, Any]
    assignee: str
    model: str
    state: str
    created_at: datetime
    channels: tuple[str, ...]
    notification_ids: tuple[str, ...] = ()
    url: str | None = None
    external_id: str | None = None
    labels: tuple[str, ...] = ()

    def to_payload(self) -> dict[str, Any]:
        """What a ticket notification carries (``Notification.ticket``)."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "assignee": self.assignee,
            "model": self.model,
            "labels": list(self.labels),
        }

    def to_record(self) -> StateRecord:
        body = {
            **self.to_payload(),
            "created_at": iso(self.created_at),
            "channels": list(self.channels),
            "notification_ids": list(self.notification_ids),
            "url": self.url,
            "external_id": self.external_id,
        }
        return StateRecord(KIND, self.id, self.state, body, model=self.model)

    @classmethod
    def from_record(cls, record: StateRecord) -> Ticket:
        b = record.body
        created = from_iso(b["created_at"])
        assert created is not None
        return cls(
            b["id"],
            b["title"],
            b["description"],
            b.get("assignee", ""),
            b.get("model", ""),
            record.state,
            created,
            tuple(b.get("channels", ())),
            tuple(b.get("notification_ids", ())),
            b.get("url"),
            b.get("external_id"),
            tuple(b.get("labels", ())),
        )


def checked(title: Any, description: Any, assignee: Any) -> tuple[str, str | dict[str, Any], str]:
    """The ticket's fields, checked: non-empty title, text or mapping description."""
    if not isinstance(title, str) or not title.strip():
        raise ConfigError(f"a ticket needs a non-empty title, got {title!r}")
    if isinstance(description, Mapping):
        text: str | dict[str, Any] = json_ready(description)
    elif isinstance(description, str):
        text = description
    else:
        raise ConfigError(
            f"a ticket's description is text or a mapping, got {type(description).__name__}"
        )
    if assignee is None:
        assignee = ""
    if not isinstance(assignee, str):
        raise ConfigError(f"a ticket's assignee is a name, got {assignee!r}")
    return title.strip(), text, assignee


def receipt_fields(receipt: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """The url and id a channel reported for a ticket it created."""
    if not receipt:
        return None, None
    url = receipt.get("url") or receipt.get("html_url")
    found = receipt.get("id") or receipt.get("key") or receipt.get("number")
    return (None if url is None else str(url)), (None if found is None else str(found))


def open_ticket(store: StateStore, ticket: Ticket, now: datetime) -> Ticket:
    """Store a new ticket and put one ticket notification per channel in the outbox
    (ids ``ticket-<id>:<channel>``); audited as ``ticket.opened``. The ticket as stored."""
    ids = tuple(f"ticket-{ticket.id}:{name}" for name in ticket.channels)
    ticket = replace(ticket, notification_ids=ids)
    group = {"model": ticket.model} if ticket.model else {}
    notes = [
        Notification(
            nid,
            name,
            f"ticket-{ticket.id}",
            group,
            kind="ticket",
            ticket=ticket.to_payload(),
            created_at=now,
        )
        for nid, name in zip(ids, ticket.channels, strict=True)
    ]
    if store.put_state(ticket.to_record(), if_version=0) is None:
        raise ConfigError(f"a ticket with id {ticket.id!r} exists already")
    outbox.enqueue_many(store, notes, now=now)
    names = list(ticket.channels)
    reason = f"to {', '.join(names)}" if names else "stored only: no ticket channel"
    details = {"title": ticket.title, "assignee": ticket.assignee, "channels": names}
    store.append_audit(
        [AuditEntry("ticket.opened", ticket.model, ticket.id, reason, details=details, at=now)]
    )
    return ticket


def with_receipt(store: StateStore, ticket: Ticket) -> Ticket:
    """``ticket`` with the url and id a channel reported when it delivered it (stored
    with the ticket the first time), or as it is."""
    if ticket.url is not None:
        return ticket
    for nid in ticket.notification_ids:
        record = store.get_state(outbox.KIND, nid)
        url, found = receipt_fields(None if record is None else record.body.get("receipt"))
        if url or found:
            updated = replace(ticket, url=url, external_id=found)
            stored = store.get_state(KIND, ticket.id)
            if stored is not None:
                store.put_state(updated.to_record(), if_version=stored.version)
            return updated
    return ticket
