"""Alerts as stored: one record per alert (its fingerprint), and the repeats folded into it.

An alert record (kind ``"alert"``, keyed by fingerprint, state ``"firing"`` or
``"resolved"``) holds the alert as last seen, when this firing began (``fired_at``; an
alert that resolves and fires again starts a new ``cycle``), how many times it was raised
again while firing (``repeats``), the groups it joined, whether a silence or another alert
mutes it, and its acknowledgement. An alert raised by ``send_alert`` is due (``due_at``) to
resolve by itself ``resolve_timeout`` after it was last seen.

**Repeats are folded in memory.** The same alert raised again while it fires changes
nothing anyone is told, so a flood of repeats must not become a flood of writes: each
repeat is counted in memory (:class:`AlertBook` ``fold``) and written with the others at the
next :meth:`AlertBook.persist_folds` (the manager's tick, a flush of the alert's group, or
every few seconds under a flood), with one audit entry saying how many were folded. A
process killed in between loses only those counts, never the alert.

>>> import tempfile
>>> from datetime import datetime, timedelta, UTC
>>> from driftscope.store import open_store
>>> from driftscope.alerts.model import Alert
>>> t = datetime(2026, 11, 1, tzinfo=UTC)
>>> a = Alert.of("warning", "Drift", labels={"model": "churn"}, starts_at=t)
>>> with open_store(tempfile.mkdtemp()) as store:
...     book = AlertBook(store)
...     _ = book.put([AlertRecord(a, FIRING, t, t)])
...     for i in range(1000):
...         book.fold(a, t + timedelta(seconds=i))
...     entries = book.persist_folds(t + timedelta(seconds=1000))
...     stored = book.get(a.fingerprint)
>>> stored.repeats, stored.last_seen - t, entries[0].reason
(1000, datetime.timedelta(seconds=999), '1,000 repeats folded')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from driftscope.alerts.durations import from_iso, from_seconds, iso, seconds
from driftscope.alerts.model import Alert, AlertSeverity
from driftscope.store.state import AuditEntry, StateRecord, StateStore

KIND = "alert"
FIRING, RESOLVED = "firing", "resolved"


@dataclass(frozen=True)
class AlertRecord:
    """An alert as stored, with what happened to it (see the module's text).

    ``muted_by`` is ``"silence:<id>"`` or ``"inhibited:<fingerprint>"`` while something
    mutes it, else ``""``; ``resolved_by`` says what ended it (``"rule"``, ``"manual"``,
    ``"timeout"``). ``version`` is the stored record's (0: not stored yet).

    >>> from datetime import datetime, UTC
    >>> t = datetime(2026, 11, 1, tzinfo=UTC)
    >>> rec = AlertRecord(Alert.of("warning", "Drift", labels={"model": "churn"}), FIRING, t, t,
    ...                   muted_by="silence:s1")
    >>> rec.silenced, rec.source, AlertRecord.from_record(rec.to_record()) == rec
    (True, 'Drift', True)
    """

    alert: Alert
    state: str
    fired_at: datetime
    last_seen: datetime
    repeats: int = 0
    groups: tuple[str, ...] = ()
    rule: str = ""
    muted_by: str = ""
    acknowledged_by: str = ""
    acknowledged_at: datetime | None = None
    ack_note: str = ""
    real_problem: bool | None = None
    resolved_by: str = ""
    cycle: int = 1
    resolve_timeout: timedelta | None = None
    version: int = field(default=0, compare=False)

    @property
    def fingerprint(self) -> str:
        return self.alert.fingerprint

    @property
    def model(self) -> str:
        return self.alert.model

    @property
    def severity(self) -> AlertSeverity:
        return self.alert.severity

    @property
    def firing(self) -> bool:
        return self.state == FIRING

    @property
    def acknowledged(self) -> bool:
        return bool(self.acknowledged_by)

    @property
    def silenced(self) -> bool:
        return self.muted_by.startswith("silence:")

    @property
    def inhibited(self) -> bool:
        return self.muted_by.startswith("inhibited:")

    @property
    def source(self) -> str:
        """What raised it: the rule's name, or the alert's name for ``send_alert``."""
        return self.rule or self.alert.labels["alertname"]

    def to_record(self) -> StateRecord:
        """The store record (``due_at``: when it resolves by itself, if it does)."""
        due = None
        if self.firing and self.resolve_timeout is not None:
            due = self.last_seen + self.resolve_timeout
        return StateRecord(KIND, self.fingerprint, self.state, self._body(), self.model, due)

    def _body(self) -> dict[str, Any]:
        return {
            "alert": self.alert.to_dict(),
            "fired_at": iso(self.fired_at),
            "last_seen": iso(self.last_seen),
            "repeats": self.repeats,
            "groups": list(self.groups),
            "rule": self.rule,
            "muted_by": self.muted_by,
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": iso(self.acknowledged_at),
            "ack_note": self.ack_note,
            "real_problem": self.real_problem,
            "resolved_by": self.resolved_by,
            "cycle": self.cycle,
            "resolve_timeout": seconds(self.resolve_timeout),
        }

    @classmethod
    def from_record(cls, record: StateRecord) -> AlertRecord:
        b = record.body
        fired, seen = from_iso(b["fired_at"]), from_iso(b["last_seen"])
        assert fired is not None and seen is not None
        return cls(
            Alert.from_dict(b["alert"]),
            record.state,
            fired,
            seen,
            int(b.get("repeats", 0)),
            tuple(b.get("groups", ())),
            b.get("rule", ""),
            b.get("muted_by", ""),
            b.get("acknowledged_by", ""),
            from_iso(b.get("acknowledged_at")),
            b.get("ack_note", ""),
            b.get("real_problem"),
            b.get("resolved_by", ""),
            int(b.get("cycle", 1)),
            from_seconds(b.get("resolve_timeout")),
            record.version,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for queries and the API."""
        return {"fingerprint": self.fingerprint, "state": self.state, **self._body()}


@dataclass
class _Fold:
    count: int
    last_seen: datetime
    alert: Alert
    since: datetime


def _newer(old: Alert, new: Alert) -> Alert:
    """The alert whose text to keep: the later window for rule alerts (a window evaluated
    again later must not take the text back), else the latest raised."""
    before, after = old.annotations.get("window_end"), new.annotations.get("window_end")
    if before and after and after < before:
        return old
    return new


class AlertBook:
    """Reads and writes alert records; folds repeats in memory (see the module's text).
    Not thread-safe by itself: the manager serialises calls.

    Writes are compare-and-set: a record written from a stale version is not written.

    >>> import tempfile
    >>> from driftscope.store import open_store
    >>> alert = Alert.of("warning", "Drift")
    >>> rec = AlertRecord(alert, FIRING, alert.starts_at, alert.starts_at)
    >>> with open_store(tempfile.mkdtemp()) as store:
    ...     book = AlertBook(store)
    ...     [stored], stale = book.put([rec]), book.put([rec])
    ...     stored.version, stale, book.get(alert.fingerprint).firing
    (1, [None], True)
    """

    def __init__(self, store: StateStore):
        self.store = store
        self._folds: dict[str, _Fold] = {}

    def get(self, fingerprint: str) -> AlertRecord | None:
        record = self.store.get_state(KIND, fingerprint)
        return None if record is None else AlertRecord.from_record(record)

    def find(self, *, state: str | None = None, model: str | None = None) -> list[AlertRecord]:
        states = None if state is None else [state]
        found = self.store.find_state(KIND, model=model, states=states)
        return [AlertRecord.from_record(r) for r in found]

    def put(self, records: Sequence[AlertRecord]) -> list[AlertRecord | None]:
        """Write records, each by compare-and-set on its ``version``; the stored ones (None
        where another writer got there first)."""
        written = self.store.put_states(
            [r.to_record() for r in records], if_versions=[r.version for r in records]
        )
        return [
            None if w is None else replace(r, version=w.version)
            for r, w in zip(records, written, strict=True)
        ]

    # ------------------------------------------------------------------ repeats
    def fold(self, alert: Alert, now: datetime) -> None:
        """Count one repeat of a firing alert (written at the next :meth:`persist_folds`)."""
        fp = alert.fingerprint
        found = self._folds.get(fp)
        if found is None:
            self._folds[fp] = _Fold(1, now, alert, now)
        else:
            found.count += 1
            found.last_seen = max(found.last_seen, now)
            found.alert = _newer(found.alert, alert)

    def folded(self, fingerprint: str) -> int:
        """Repeats counted in memory, not written yet."""
        found = self._folds.get(fingerprint)
        return 0 if found is None else found.count

    def with_folds(self, record: AlertRecord) -> AlertRecord:
        """``record`` with the repeats counted in memory (for queries)."""
        found = self._folds.get(record.fingerprint)
        if found is None or not record.firing:
            return record
        return _applied(record, found)

    def oldest_fold(self) -> datetime | None:
        return min((f.since for f in self._folds.values()), default=None)

    def take_fold(self, record: AlertRecord) -> AlertRecord:
        """``record`` with its repeats applied, and those repeats forgotten (the caller
        writes the record)."""
        found = self._folds.pop(record.fingerprint, None)
        return record if found is None or not record.firing else _applied(record, found)

    def persist_folds(
        self, now: datetime, fingerprints: Sequence[str] | None = None
    ) -> list[AuditEntry]:
        """Write the repeats counted in memory (of ``fingerprints``, default all) into
        their alerts; the audit entries that say so (the caller appends them)."""
        chosen = list(self._folds) if fingerprints is None else fingerprints
        pending = {fp: self._folds.pop(fp) for fp in chosen if fp in self._folds}
        entries: list[AuditEntry] = []
        for _ in range(5):  # compare-and-set: retried when another writer got there first
            if not pending:
                break
            current = {fp: self.get(fp) for fp in pending}
            todo = [(fp, rec) for fp, rec in current.items() if rec is not None and rec.firing]
            for fp in [fp for fp, rec in current.items() if rec is None or not rec.firing]:
                del pending[fp]  # resolved meanwhile: the repeats are moot
            written = self.put([_applied(rec, pending[fp]) for fp, rec in todo])
            for (fp, rec), done in zip(todo, written, strict=True):
                if done is None:
                    continue
                fold = pending.pop(fp)
                entries.append(
                    AuditEntry(
                        "alert.deduplicated",
                        model=rec.model,
                        subject=fp,
                        reason=f"{fold.count:,} repeats folded",
                        details={"repeats": fold.count, "total_repeats": done.repeats},
                        at=now,
                    )
                )
        for fp, fold in pending.items():  # still contended: keep for the next time
            self._folds[fp] = fold
        return entries


def _applied(record: AlertRecord, fold: _Fold) -> AlertRecord:
    alert = _newer(record.alert, fold.alert)
    alert = replace(alert, starts_at=record.alert.starts_at, ends_at=None)
    return replace(
        record,
        alert=alert,
        repeats=record.repeats + fold.count,
        last_seen=max(record.last_seen, fold.last_seen),
    )
