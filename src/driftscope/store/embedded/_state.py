"""The embedded store's state records and audit log: one SQLite file, ``state.sqlite``.

Kept apart from the segment catalog: a catalog rebuilt from the segment files would lose
them, and alert traffic never waits behind prediction writes. Same connection discipline
as the catalog (:class:`~driftscope.store.embedded._catalog.Catalog`: WAL journal,
``synchronous=FULL``, ``BEGIN IMMEDIATE`` writers), so several processes share it safely.
Times are stored as microseconds since the epoch.

>>> import tempfile, pathlib
>>> from driftscope.store.state import AuditEntry
>>> state = StateFile(pathlib.Path(tempfile.mkdtemp()) / "state.sqlite")
>>> state.append_audit([AuditEntry("alert.fired", model="churn", subject="ab12")])
>>> [e.action for e in state.read_audit(model="churn")]
['alert.fired']
>>> state.close()
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from driftscope.store._span import from_us, to_us
from driftscope.store.base import utc
from driftscope.store.embedded._catalog import Catalog
from driftscope.store.state import (
    AuditEntry,
    StateRecord,
    StateStore,
    body_json,
    check_entries,
    check_lease,
    check_limit,
    check_versions,
    like_prefix,
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE state_records (
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            model TEXT NOT NULL,
            state TEXT NOT NULL,
            due_at INTEGER,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            version INTEGER NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (kind, key)
        )""",
        "CREATE INDEX state_due ON state_records (kind, state, due_at)",
        "CREATE INDEX state_model ON state_records (kind, model, state)",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            action TEXT NOT NULL,
            model TEXT NOT NULL,
            subject TEXT NOT NULL,
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            details TEXT NOT NULL
        )""",
        "CREATE INDEX audit_by_model ON audit_log (model, id)",
        "CREATE INDEX audit_by_subject ON audit_log (subject, id)",
    ),
)

_COLUMNS = "kind, key, model, state, due_at, created_at, updated_at, version, body"
_AUDIT_COLUMNS = "id, at, action, model, subject, reason, actor, details"


def _us(moment: datetime | None) -> int | None:
    return None if moment is None else to_us(moment.astimezone(UTC))


def _record(row: tuple[Any, ...]) -> StateRecord:
    kind, key, model, state, due, created, updated, version, body = row
    return StateRecord(
        kind,
        key,
        state,
        json.loads(body),
        model=model,
        due_at=None if due is None else from_us(due),
        created_at=from_us(created),
        updated_at=from_us(updated),
        version=version,
    )


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    id_, at, action, model, subject, reason, actor, details = row
    return AuditEntry(
        action, model, subject, reason, actor, json.loads(details), from_us(at), id=id_
    )


class StateFile:
    """State records and the audit log in the SQLite file at ``path`` (see the module)."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 60.0, read_only: bool = False):
        self._db = Catalog(
            path, busy_timeout_s=busy_timeout_s, read_only=read_only, migrations=MIGRATIONS
        )

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ records
    def put_state(
        self, record: StateRecord, *, if_version: int | None = None
    ) -> StateRecord | None:
        return self.put_states([record], if_versions=[if_version])[0]

    def put_states(
        self, records: Sequence[StateRecord], if_versions: Sequence[int | None]
    ) -> list[StateRecord | None]:
        """Each record written (or refused by its compare-and-set) in one transaction."""
        rows = [
            (r, body_json(r.body, f"{r.kind} {r.key!r}"), _us(utc(r.due_at, "due_at")))
            for r in records
        ]
        now = to_us(datetime.now(UTC))
        out: list[StateRecord | None] = []
        if not rows:
            return out
        with self._db.write() as conn:
            for (record, body, due), if_version in zip(rows, if_versions, strict=True):
                row = conn.execute(
                    "SELECT version, created_at FROM state_records WHERE kind = ? AND key = ?",
                    (record.kind, record.key),
                ).fetchone()
                version, created = (0, now) if row is None else row
                if if_version is not None and version != if_version:
                    out.append(None)
                    continue
                conn.execute(
                    f"INSERT OR REPLACE INTO state_records ({_COLUMNS}) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.kind,
                        record.key,
                        record.model,
                        record.state,
                        due,
                        created,
                        now,
                        version + 1,
                        body,
                    ),
                )
                out.append(
                    StateRecord(
                        record.kind,
                        record.key,
                        record.state,
                        json.loads(body),
                        model=record.model,
                        due_at=None if due is None else from_us(due),
                        created_at=from_us(created),
                        updated_at=from_us(now),
                        version=version + 1,
                    )
                )
        return out

    def get_state(self, kind: str, key: str) -> StateRecord | None:
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM state_records WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        return None if row is None else _record(row)

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
        check_limit(limit)
        where: list[str] = ["kind = ?"]
        args: list[Any] = [kind]
        if model is not None:
            where.append("model = ?")
            args.append(model)
        if states is not None:
            states = list(states)
            if not states:
                return []
            where.append(f"state IN ({', '.join('?' * len(states))})")
            args.extend(states)
        if due_before is not None:
            where.append("due_at IS NOT NULL AND due_at <= ?")
            args.append(_us(utc(due_before, "due_before")))
        if updated_since is not None:
            where.append("updated_at >= ?")
            args.append(_us(utc(updated_since, "updated_since")))
        sql = (
            f"SELECT {_COLUMNS} FROM state_records WHERE {' AND '.join(where)} "
            "ORDER BY due_at IS NULL, due_at, key"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._db.read() as conn:
            return [_record(r) for r in conn.execute(sql, args).fetchall()]

    def claim_due(
        self,
        kind: str,
        *,
        states: Sequence[str],
        now: datetime,
        lease: timedelta,
        limit: int,
    ) -> list[StateRecord]:
        check_lease(lease, limit)
        states = list(states)
        at = utc(now, "now")
        if not states or at is None:
            return []
        marks = ", ".join("?" * len(states))
        until = to_us(at + lease)
        stamp = to_us(datetime.now(UTC))
        with self._db.write() as conn:
            keys = [
                k
                for (k,) in conn.execute(
                    f"SELECT key FROM state_records WHERE kind = ? AND state IN ({marks}) "
                    "AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, key LIMIT ?",
                    (kind, *states, to_us(at), int(limit)),
                ).fetchall()
            ]
            claimed = []
            for key in keys:
                conn.execute(
                    "UPDATE state_records SET due_at = ?, version = version + 1, "
                    "updated_at = ? WHERE kind = ? AND key = ?",
                    (until, stamp, kind, key),
                )
                row = conn.execute(
                    f"SELECT {_COLUMNS} FROM state_records WHERE kind = ? AND key = ?",
                    (kind, key),
                ).fetchone()
                claimed.append(_record(row))
        return claimed

    def delete_state(self, kind: str, key: str) -> bool:
        with self._db.write() as conn:
            cur = conn.execute("DELETE FROM state_records WHERE kind = ? AND key = ?", (kind, key))
            return cur.rowcount > 0

    # ------------------------------------------------------------------ audit
    def append_audit(self, entries: Sequence[AuditEntry]) -> None:
        rows = [
            (
                to_us(e.at.astimezone(UTC)),
                e.action,
                e.model,
                e.subject,
                e.reason,
                e.actor,
                body_json(e.details, f"audit entry {e.action!r}"),
            )
            for e in entries
        ]
        if not rows:
            return
        with self._db.write() as conn:
            conn.executemany(
                "INSERT INTO audit_log (at, action, model, subject, reason, actor, details) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

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
        check_limit(limit)
        where: list[str] = []
        args: list[Any] = []
        if model is not None:
            where.append("model = ?")
            args.append(model)
        if action is not None:
            if action.endswith("."):
                where.append("action LIKE ? ESCAPE '\\'")
                args.append(like_prefix(action) + "%")
            else:
                where.append("action = ?")
                args.append(action)
        if subject is not None:
            where.append("subject = ?")
            args.append(subject)
        if since is not None:
            where.append("at >= ?")
            args.append(_us(utc(since, "since")))
        if until is not None:
            where.append("at < ?")
            args.append(_us(utc(until, "until")))
        sql = f"SELECT {_AUDIT_COLUMNS} FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._db.read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [_entry(r) for r in reversed(rows)]


class EmbeddedState(StateStore):
    """The :class:`~driftscope.store.state.StateStore` methods of the embedded store: the
    state file is opened on first use, so a store that only logs predictions never makes
    one. The class using it sets ``_state_path``, ``_state_read_only`` and
    ``_state_lock``."""

    _state_path: Path
    _state_read_only: bool
    _state_lock: threading.Lock
    _state_file: StateFile | None = None

    def _states(self) -> StateFile:
        with self._state_lock:
            if self._state_file is None:
                self._state_file = StateFile(self._state_path, read_only=self._state_read_only)
            return self._state_file

    def _close_states(self) -> None:
        with self._state_lock:
            if self._state_file is not None:
                self._state_file.close()

    def put_state(
        self, record: StateRecord, *, if_version: int | None = None
    ) -> StateRecord | None:
        return self.put_states([record], if_versions=[if_version])[0]

    def put_states(
        self,
        records: Sequence[StateRecord],
        *,
        if_versions: Sequence[int | None] | None = None,
    ) -> list[StateRecord | None]:
        return self._states().put_states(records, check_versions(records, if_versions))

    def get_state(self, kind: str, key: str) -> StateRecord | None:
        return self._states().get_state(kind, key)

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
        return self._states().find_state(
            kind,
            model=model,
            states=states,
            due_before=due_before,
            updated_since=updated_since,
            limit=limit,
        )

    def claim_due(
        self, kind: str, *, states: Sequence[str], now: datetime, lease: timedelta, limit: int
    ) -> list[StateRecord]:
        return self._states().claim_due(kind, states=states, now=now, lease=lease, limit=limit)

    def delete_state(self, kind: str, key: str) -> bool:
        return self._states().delete_state(kind, key)

    def append_audit(self, entries: Sequence[AuditEntry]) -> None:
        check_entries(entries)
        self._states().append_audit(entries)

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
        return self._states().read_audit(
            model=model, action=action, subject=subject, since=since, until=until, limit=limit
        )
