"""What the alerting and response layers keep in a store: state records and the audit log.

Alerts, notifications waiting in the outbox, silences, investigation tickets, retraining
jobs and scheduler claims are all :class:`StateRecord` rows: a ``kind`` (``"alert"``,
``"notification"``, ...), a ``key`` unique within the kind, a ``state`` the kind defines
(``"firing"``, ``"pending"``, ...), an optional ``due_at`` (when the record next needs
attention: a notification's next attempt, a silence's end) and a JSON ``body``. Every write
bumps the record's ``version``, so a writer can compare-and-set
(:meth:`StateStore.put_state` with ``if_version``): that is how two processes never
deliver the same notification at once nor run the same scheduled window twice. The
:class:`AuditEntry` log is append-only: every decision the alerting and response layers
take, and why.

Bodies are plain JSON (strings, numbers, booleans, None, lists, dicts); they never hold a
secret (channels are named, their URLs and keys live in the configuration).

>>> import tempfile
>>> from driftscope.store import open_store
>>> with open_store(tempfile.mkdtemp()) as store:
...     first = store.put_state(StateRecord("silence", "s1", "active", {"by": "ana"}))
...     again = store.put_state(StateRecord("silence", "s1", "expired", {}), if_version=0)
...     (first.version, again, store.get_state("silence", "s1").state)
(1, None, 'active')
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from driftscope.errors import ConfigError


def _now() -> datetime:
    return datetime.now(UTC)


def body_json(body: dict[str, Any], what: str) -> str:
    """``body`` as compact, sorted JSON; anything that is not plain JSON (NaN included) is a
    :class:`~driftscope.errors.ConfigError` naming ``what``.

    >>> body_json({"b": 1, "a": [True, None]}, "alert x")
    '{"a":[true,null],"b":1}'
    """
    if not isinstance(body, dict):
        raise ConfigError(f"{what}: body must be a dict, got {type(body).__name__}")
    try:
        return json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{what}: body is not plain JSON ({exc})") from exc


@dataclass(frozen=True)
class StateRecord:
    """One record of alerting or response state (see the module's text).

    ``created_at``, ``updated_at`` and ``version`` are set by the store; the values given
    when writing are ignored.

    >>> StateRecord("notification", "n-1", "pending", {"channel": "slack"}).version
    0
    """

    kind: str
    key: str
    state: str
    body: dict[str, Any] = field(default_factory=dict)
    model: str = ""
    due_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0

    def __post_init__(self) -> None:
        for name in ("kind", "key", "state"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ConfigError(f"StateRecord.{name} must be a non-empty string, got {value!r}")
        if not isinstance(self.model, str):
            raise ConfigError(f"StateRecord.model must be a string, got {self.model!r}")
        for name in ("due_at", "created_at", "updated_at"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                raise ConfigError(f"StateRecord.{name} must be a timezone-aware datetime")

    def with_changes(self, **changes: Any) -> StateRecord:
        """A copy with ``changes`` (e.g. a new ``state`` or ``body``), same version: give it
        to :meth:`StateStore.put_state` with ``if_version=record.version``."""
        return replace(self, **changes)


@dataclass(frozen=True)
class AuditEntry:
    """One decision of the alerting or response layers, and why; append-only.

    ``action`` is dotted (``"alert.fired"``, ``"alert.silenced"``, ``"retrain.refused"``,
    ...); ``subject`` what it is about (an alert fingerprint, a ticket or job id);
    ``actor`` who decided (``"driftscope"``, a user name from an acknowledgement). ``id``
    is set by the store and grows with the order entries were appended.

    >>> AuditEntry("alert.fired", model="churn", subject="3f2a", reason="accuracy low").actor
    'driftscope'
    """

    action: str
    model: str = ""
    subject: str = ""
    reason: str = ""
    actor: str = "driftscope"
    details: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=_now)
    id: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.action, str) or not self.action:
            raise ConfigError(f"AuditEntry.action must be a non-empty string, got {self.action!r}")
        if not isinstance(self.at, datetime) or self.at.tzinfo is None:
            raise ConfigError("AuditEntry.at must be a timezone-aware datetime")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, the time as ISO 8601 text."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "action": self.action,
            "model": self.model,
            "subject": self.subject,
            "reason": self.reason,
            "actor": self.actor,
            "details": self.details,
        }


class StateStore(ABC):
    """The state-record and audit-log part of a :class:`~driftscope.store.Store`.

    Both stores implement it and pass the same contract tests
    (``tests/store/test_state_contract.py``). Writes are durable when they return.

    A record taken by :meth:`claim_due` is not due for anyone else while its lease runs:

    >>> import tempfile
    >>> from driftscope.store import open_store
    >>> t, lease = datetime(2026, 11, 1, tzinfo=UTC), timedelta(minutes=1)
    >>> with open_store(tempfile.mkdtemp()) as store:
    ...     _ = store.put_state(StateRecord("notification", "n-1", "pending", due_at=t))
    ...     take = lambda: store.claim_due("notification", states=["pending"], now=t,
    ...                                    lease=lease, limit=10)
    ...     isinstance(store, StateStore), [r.due_at - t for r in take()], take()
    (True, [datetime.timedelta(seconds=60)], [])
    """

    @abstractmethod
    def put_state(
        self, record: StateRecord, *, if_version: int | None = None
    ) -> StateRecord | None:
        """Write ``record`` (insert, or replace the record with its kind and key) and return
        it as stored, its ``version`` one more than before (1 for a new record).

        With ``if_version``, write only when the stored version equals it (``0``: only
        when there is no such record) and return ``None`` when it does not: a
        compare-and-set, atomic across threads and processes.
        """

    def put_states(
        self,
        records: Sequence[StateRecord],
        *,
        if_versions: Sequence[int | None] | None = None,
    ) -> list[StateRecord | None]:
        """:meth:`put_state` for each record (with the matching ``if_versions`` entry, if
        given), in order; the results in the same order. A store may write them in one
        transaction (both stores do: one durable commit for the lot); each
        compare-and-set is still decided record by record. This default writes them one
        at a time."""
        versions = check_versions(records, if_versions)
        return [self.put_state(r, if_version=v) for r, v in zip(records, versions, strict=True)]

    @abstractmethod
    def get_state(self, kind: str, key: str) -> StateRecord | None:
        """The record with that kind and key, or ``None``."""

    @abstractmethod
    def find_state(
        self,
        kind: str,
        *,
        model: str | None = None,
        states: Sequence[str] | None = None,
        due_before: datetime | None = None,
        updated_since: datetime | None = None,
        limit: int | None = None,
    ) -> list[StateRecord]:
        """Records of ``kind``, optionally of one model, in some ``states``, with
        ``due_at <= due_before`` (records without ``due_at`` never match a ``due_before``),
        or updated at or after ``updated_since``; sorted by ``due_at`` (records without
        one last), then ``key``; at most ``limit``."""

    @abstractmethod
    def claim_due(
        self,
        kind: str,
        *,
        states: Sequence[str],
        now: datetime,
        lease: timedelta,
        limit: int,
    ) -> list[StateRecord]:
        """Atomically take up to ``limit`` records of ``kind`` in ``states`` whose
        ``due_at <= now`` (earliest first): their ``due_at`` becomes ``now + lease`` and
        their version is bumped, and they are returned as stored. A record taken by one
        caller is not due for another until the lease runs out, so a worker that dies
        holding it gives it back by itself."""

    @abstractmethod
    def delete_state(self, kind: str, key: str) -> bool:
        """Remove a record; whether there was one."""

    @abstractmethod
    def append_audit(self, entries: Sequence[AuditEntry]) -> None:
        """Append entries to the audit log, all or none."""

    @abstractmethod
    def read_audit(
        self,
        *,
        model: str | None = None,
        action: str | None = None,
        subject: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Audit entries in the order appended, filtered: ``action`` matches exactly, or
        as a prefix when it ends with ``"."`` (``"alert."``: every alert decision);
        ``since <= at < until``. With ``limit``, the last ``limit`` entries that match."""


def check_limit(limit: int | None, name: str = "limit") -> None:
    """``limit`` must be None or an int >= 0 (a shared rule of both stores)."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ConfigError(f"{name} must be None or an int >= 0, got {limit!r}")


def check_lease(lease: timedelta, limit: int) -> None:
    """``claim_due``'s arguments: a positive lease and a positive limit."""
    if not isinstance(lease, timedelta) or lease <= timedelta(0):
        raise ConfigError(f"lease must be a positive timedelta, got {lease!r}")
    check_limit(limit)
    if limit == 0:
        raise ConfigError("limit must be at least 1")


def check_versions(
    records: Sequence[StateRecord], if_versions: Sequence[int | None] | None
) -> list[int | None]:
    """``records`` checked to be :class:`StateRecord` objects and ``if_versions`` against
    them (all None when not given; each None or an int); both stores call it."""
    for record in records:
        if not isinstance(record, StateRecord):
            raise ConfigError(f"put_state takes a StateRecord, got {type(record).__name__}")
    if if_versions is None:
        return [None] * len(records)
    if len(if_versions) != len(records):
        raise ConfigError(f"if_versions has {len(if_versions)} entries for {len(records)} records")
    for version in if_versions:
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise ConfigError(f"if_version must be None or an int, got {version!r}")
    return list(if_versions)


def check_entries(entries: Sequence[AuditEntry]) -> None:
    """Every entry an :class:`AuditEntry` (both stores call it before writing any)."""
    for entry in entries:
        if not isinstance(entry, AuditEntry):
            raise ConfigError(f"append_audit takes AuditEntry, got {type(entry).__name__}")


def like_prefix(text: str) -> str:
    r"""``text`` with LIKE's wildcards and its escape character escaped (both stores match
    an audit action prefix with ``LIKE ... ESCAPE '\'``).

    >>> print(like_prefix("a_b%c\\."))
    a\_b\%c\\.
    """
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
