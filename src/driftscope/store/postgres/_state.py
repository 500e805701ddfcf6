"""State records and the audit log in PostgreSQL: the tables ``state_records`` and
``audit_log`` (migration 3 of :mod:`~driftscope.store.postgres._migrations`).

Every write is one statement (or one transaction), so it is atomic across threads and
processes without any lock held in Python:

* :meth:`PostgresState.put_state` is an upsert; with ``if_version=0`` an insert that does
  nothing on a conflict, with a higher ``if_version`` an update ``WHERE version = ...``.
  Two writers racing on one record queue on its row (or its key in the index), and the
  second sees the first's version, so exactly one compare-and-set wins;
* :meth:`PostgresState.claim_due` picks due records ``FOR UPDATE SKIP LOCKED`` and moves
  their ``due_at`` in the same statement: concurrent workers never take the same record,
  nor wait for each other.

Times are ``timestamptz`` (microseconds, as the embedded store keeps them);
``created_at`` and ``updated_at`` are the server's clock, one clock for every writer.
Bodies and details are kept as ``json`` (the text as written, so a body reads back exactly:
``jsonb`` would turn ``1e+20`` into an integer and refuse an escaped NUL).

PostgreSQL text cannot hold the NUL character. In a record's ``kind``, ``key``, ``model``
or ``state`` it is a :class:`~driftscope.errors.ConfigError` naming the field (replacing it
could make two keys one), as is one longer than
:data:`~driftscope.store.postgres._columns.MAX_KEY_BYTES` bytes (the index could not hold
it); a filter with one matches nothing. In an audit entry's text it becomes U+FFFD, and a
``model`` or ``subject`` too long for the index is shortened, as in check results
(:func:`~driftscope.store.postgres._columns.storable_name`); filters are mapped the same way.

An example against the server the tests use (a throw-away schema, dropped at the end):

>>> import os, tempfile, uuid
>>> from driftscope.store.postgres import PostgresStore
>>> from driftscope.store.state import AuditEntry, StateRecord
>>> url = os.environ.get("DRIFTSCOPE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
>>> store = PostgresStore(url, schema=f"doc_{uuid.uuid4().hex[:8]}",
...                       archive_dir=tempfile.mkdtemp())
>>> first = store.put_state(StateRecord("silence", "s1", "active", {"by": "ana"}))
>>> store.put_state(first.with_changes(state="expired"), if_version=0) is None
True
>>> store.put_state(first.with_changes(state="expired"), if_version=1).version
2
>>> store.append_audit([AuditEntry("silence.expired", subject="s1")])
>>> [(e.action, e.subject) for e in store.read_audit(action="silence.")]
[('silence.expired', 's1')]
>>> store.close()
>>> import psycopg
>>> with psycopg.connect(url, autocommit=True) as conn:
...     _ = conn.execute(f'DROP SCHEMA "{store.schema}" CASCADE')
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from driftscope.errors import ConfigError
from driftscope.store.base import utc
from driftscope.store.postgres._columns import MAX_KEY_BYTES, NUL, storable_name
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

if TYPE_CHECKING:
    import psycopg

    from driftscope.store.postgres._rows import Schema

T = TypeVar("T")

_COLUMNS = "kind, key, model, state, due_at, created_at, updated_at, version, body::text"
_AUDIT_COLUMNS = "id, at, action, model, subject, reason, actor, details::text"


def record_text(record: StateRecord) -> None:
    """Refuse a record whose ``kind``, ``key``, ``model`` or ``state`` PostgreSQL cannot
    keep as it is (see the module docstring).

    >>> record_text(StateRecord("alert", "a" * 1001, "firing"))
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: StateRecord.key of alert 'aaa...': at most 1000 bytes ...
    """
    for name in ("kind", "key", "model", "state"):
        value: str = getattr(record, name)
        if NUL in value:
            raise ConfigError(
                f"StateRecord.{name} of {record.kind} {record.key!r}: PostgreSQL text cannot "
                "hold the NUL character"
            )
        size = len(value.encode("utf-8", "surrogatepass"))
        if size > MAX_KEY_BYTES:
            raise ConfigError(
                f"StateRecord.{name} of {record.kind} {record.key[:40]!r}: at most "
                f"{MAX_KEY_BYTES} bytes in UTF-8, got {size}"
            )


def _matchable(value: str) -> bool:
    """Whether a state filter value could be stored at all (else it matches nothing)."""
    return NUL not in value and len(value.encode("utf-8", "surrogatepass")) <= MAX_KEY_BYTES


def _text(value: str) -> str:
    """Audit text as PostgreSQL can keep it: NUL -> U+FFFD."""
    return value.replace(NUL, "\ufffd")


def _moment(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _at(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _record(row: tuple[Any, ...]) -> StateRecord:
    kind, key, model, state, due, created, updated, version, body = row
    return StateRecord(
        kind,
        key,
        state,
        json.loads(body),
        model=model,
        due_at=_moment(due),
        created_at=_moment(created),
        updated_at=_moment(updated),
        version=int(version),
    )


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    id_, at, action, model, subject, reason, actor, details = row
    return AuditEntry(
        action, model, subject, reason, actor, json.loads(details), _at(at), id=int(id_)
    )


# ---------------------------------------------------------------------- statements
def put(
    conn: psycopg.Connection,
    s: Schema,
    record: StateRecord,
    body: str,
    if_version: int | None,
    writer: str,
) -> StateRecord | None:
    """Write ``record`` (its body as ``body``, JSON text) as :meth:`StateStore.put_state`
    says; one statement. ``writer`` (one token per call, the same on a retry) is kept with
    the record: a compare-and-set that finds the record already written by its own token
    is the retry of a write that committed before its answer was lost, and returns that
    record instead of reading as lost."""
    table = s.table("state_records")
    due = utc(record.due_at, "due_at")
    values = (record.kind, record.key, record.model, record.state, due, body, writer)
    insert = (
        f"INSERT INTO {table} AS r (kind, key, model, state, due_at, created_at, updated_at, "
        "version, body, writer) VALUES (%s, %s, %s, %s, %s, now(), now(), 1, %s::json, %s)"
    )
    returning = f" RETURNING {_COLUMNS}"
    if if_version is None:
        row = conn.execute(
            f"{insert} ON CONFLICT (kind, key) DO UPDATE SET model = EXCLUDED.model, "
            "state = EXCLUDED.state, due_at = EXCLUDED.due_at, updated_at = EXCLUDED.updated_at, "
            f"version = r.version + 1, body = EXCLUDED.body, writer = EXCLUDED.writer{returning}",
            values,
        ).fetchone()
    elif if_version == 0:
        row = conn.execute(
            f"{insert} ON CONFLICT (kind, key) DO NOTHING{returning}", values
        ).fetchone()
    else:
        row = conn.execute(
            f"UPDATE {table} SET model = %s, state = %s, due_at = %s, updated_at = now(), "
            "version = version + 1, body = %s::json, writer = %s "
            f"WHERE kind = %s AND key = %s AND version = %s{returning}",
            (record.model, record.state, due, body, writer, record.kind, record.key, if_version),
        ).fetchone()
    if row is None and if_version is not None:  # lost, unless it is our own earlier write
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM {table} WHERE kind = %s AND key = %s AND writer = %s",
            (record.kind, record.key, writer),
        ).fetchone()
    return None if row is None else _record(row)


def claim(
    conn: psycopg.Connection,
    s: Schema,
    kind: str,
    states: list[str],
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[StateRecord]:
    """Take due records as :meth:`StateStore.claim_due` says; one statement."""
    table = s.table("state_records")
    rows = conn.execute(
        f"""WITH due AS (
            SELECT kind, key, due_at AS was_due FROM {table}
            WHERE kind = %s AND state = ANY(%s) AND due_at <= %s
            ORDER BY due_at, key LIMIT %s
            FOR UPDATE SKIP LOCKED)
        UPDATE {table} AS r SET due_at = %s, updated_at = now(), version = r.version + 1
        FROM due WHERE r.kind = due.kind AND r.key = due.key
        RETURNING due.was_due, {", ".join(f"r.{c}" for c in _COLUMNS.split(", "))}""",
        (kind, states, now, int(limit), now + lease),
    ).fetchall()
    rows.sort(key=lambda row: (row[0], row[2]))  # earliest first, then key (as "C" sorts)
    return [_record(row[1:]) for row in rows]


def find(
    conn: psycopg.Connection,
    s: Schema,
    kind: str,
    *,
    model: str | None,
    states: list[str] | None,
    due_before: datetime | None,
    updated_since: datetime | None,
    limit: int | None,
) -> list[StateRecord]:
    """Records as :meth:`StateStore.find_state` says (filters already matchable)."""
    where: list[str] = ["kind = %s"]
    params: list[Any] = [kind]
    for sql, value in (
        ("model = %s", model),
        ("state = ANY(%s)", states),
        ("due_at <= %s", due_before),
        ("updated_at >= %s", updated_since),
    ):
        if value is not None:
            where.append(sql)
            params.append(value)
    query = (
        f"SELECT {_COLUMNS} FROM {s.table('state_records')} WHERE {' AND '.join(where)} "
        "ORDER BY due_at NULLS LAST, key"
    )
    if limit is not None:
        query += " LIMIT %s"
        params.append(limit)
    return [_record(row) for row in conn.execute(query, params).fetchall()]


def audit_row(entry: AuditEntry) -> tuple[Any, ...]:
    """The values :func:`append` inserts for ``entry`` (a ConfigError for details that
    are not plain JSON)."""
    return (
        entry.at,
        _text(entry.action),
        storable_name(entry.model),
        storable_name(entry.subject),
        _text(entry.reason),
        _text(entry.actor),
        body_json(entry.details, f"audit entry {entry.action!r}"),
    )


def append(conn: psycopg.Connection, s: Schema, rows: Sequence[tuple[Any, ...]]) -> None:
    """Append :func:`audit_row` rows in one transaction, in their order."""
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {s.table('audit_log')} (at, action, model, subject, reason, actor, "
            "details) VALUES (%s, %s, %s, %s, %s, %s, %s::json)",
            rows,
        )


def read(
    conn: psycopg.Connection,
    s: Schema,
    *,
    model: str | None,
    action: str | None,
    subject: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int | None,
) -> list[AuditEntry]:
    """Entries as :meth:`StateStore.read_audit` says, in the order appended."""
    where: list[str] = []
    params: list[Any] = []
    if action is not None:
        action = _text(action)
        if action.endswith("."):
            where.append("action LIKE %s ESCAPE '\\'")
            params.append(like_prefix(action) + "%")
        else:
            where.append("action = %s")
            params.append(action)
    for sql, value in (
        ("model = %s", None if model is None else storable_name(model)),
        ("subject = %s", None if subject is None else storable_name(subject)),
        ("at >= %s", since),
        ("at < %s", until),
    ):
        if value is not None:
            where.append(sql)
            params.append(value)
    query = f"SELECT {_AUDIT_COLUMNS} FROM {s.table('audit_log')}"
    if where:
        query += " WHERE " + " AND ".join(where)
    query += " ORDER BY id DESC"
    if limit is not None:
        query += " LIMIT %s"
        params.append(limit)
    rows = conn.execute(query, params).fetchall()
    return [_entry(row) for row in reversed(rows)]


# ---------------------------------------------------------------------- the mixin
class PostgresState(StateStore):
    """The :class:`~driftscope.store.state.StateStore` methods of
    :class:`~driftscope.store.postgres.PostgresStore`. The class using it sets ``_s`` (the
    :class:`~driftscope.store.postgres._rows.Schema`) and has ``_run(what, work)``, which
    runs ``work(conn)`` on a pooled connection and turns a lost or busy server into
    :class:`~driftscope.errors.StoreUnavailableError` (see
    :mod:`~driftscope.store.postgres._connection`).

    A write whose connection is lost after the server committed it but before the answer
    arrived is tried again. A compare-and-set then recognises its own committed write by
    the token it keeps with the record (``writer``) and returns it, so a claim that won is
    never read as lost; an audit entry may still be appended twice.

    >>> PostgresState.__abstractmethods__ == StateStore.__abstractmethods__ - {
    ...     "put_state", "get_state", "find_state", "claim_due", "delete_state",
    ...     "append_audit", "read_audit"}
    True
    """

    _s: Schema

    def _run(self, what: str, work: Callable[[psycopg.Connection], T]) -> T:
        raise NotImplementedError  # provided by the store class

    def put_state(
        self, record: StateRecord, *, if_version: int | None = None
    ) -> StateRecord | None:
        check_versions([record], [if_version])
        record_text(record)
        body = body_json(record.body, f"{record.kind} {record.key!r}")
        writer = uuid.uuid4().hex  # the same on a retry of the work
        return self._run(
            f"writing {record.kind} {record.key!r}",
            lambda conn: put(conn, self._s, record, body, if_version, writer),
        )

    def put_states(
        self,
        records: Sequence[StateRecord],
        *,
        if_versions: Sequence[int | None] | None = None,
    ) -> list[StateRecord | None]:
        """:meth:`put_state` for each record, all in one transaction (an evaluation cycle's
        changes: one commit); each compare-and-set is still decided record by record."""
        versions = check_versions(records, if_versions)
        prepared = []
        for record in records:
            record_text(record)
            prepared.append((record, body_json(record.body, f"{record.kind} {record.key!r}")))
        if not prepared:
            return []
        writer = uuid.uuid4().hex  # the same on a retry of the work

        def work(conn: psycopg.Connection) -> list[StateRecord | None]:
            with conn.transaction():
                return [  # a token per record: one key twice in a batch is two writes
                    put(conn, self._s, record, body, version, f"{writer}:{i}")
                    for i, ((record, body), version) in enumerate(
                        zip(prepared, versions, strict=True)
                    )
                ]

        return self._run(f"writing {len(prepared)} state records", work)

    def get_state(self, kind: str, key: str) -> StateRecord | None:
        if not (_matchable(kind) and _matchable(key)):
            return None
        query = f"SELECT {_COLUMNS} FROM {self._s.table('state_records')} "
        query += "WHERE kind = %s AND key = %s"
        row = self._run(
            f"reading {kind} {key!r}", lambda conn: conn.execute(query, (kind, key)).fetchone()
        )
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
        due_before = utc(due_before, "due_before")
        updated_since = utc(updated_since, "updated_since")
        wanted = None if states is None else [x for x in states if _matchable(x)]
        if not _matchable(kind) or (model is not None and not _matchable(model)):
            return []
        if wanted == [] or limit == 0:
            return []
        return self._run(
            f"finding {kind} records",
            lambda conn: find(
                conn,
                self._s,
                kind,
                model=model,
                states=wanted,
                due_before=due_before,
                updated_since=updated_since,
                limit=limit,
            ),
        )

    def claim_due(
        self, kind: str, *, states: Sequence[str], now: datetime, lease: timedelta, limit: int
    ) -> list[StateRecord]:
        check_lease(lease, limit)
        moment = utc(now, "now")
        assert moment is not None
        wanted = [x for x in states if _matchable(x)]
        if not wanted or not _matchable(kind):
            return []
        return self._run(
            f"claiming due {kind} records",
            lambda conn: claim(conn, self._s, kind, wanted, moment, lease, limit),
        )

    def delete_state(self, kind: str, key: str) -> bool:
        if not (_matchable(kind) and _matchable(key)):
            return False
        query = f"DELETE FROM {self._s.table('state_records')} WHERE kind = %s AND key = %s"
        return self._run(
            f"deleting {kind} {key!r}",
            lambda conn: conn.execute(query, (kind, key)).rowcount > 0,
        )

    def append_audit(self, entries: Sequence[AuditEntry]) -> None:
        check_entries(entries)
        rows = [audit_row(e) for e in entries]
        if rows:
            self._run("appending to the audit log", lambda conn: append(conn, self._s, rows))

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
        since, until = utc(since, "since"), utc(until, "until")
        if limit == 0:
            return []
        return self._run(
            "reading the audit log",
            lambda conn: read(
                conn,
                self._s,
                model=model,
                action=action,
                subject=subject,
                since=since,
                until=until,
                limit=limit,
            ),
        )
