"""State records and the audit log on PostgreSQL: what only this store has to get right
(text the server cannot hold, row locks, the column types, outages)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from driftscope.errors import ConfigError, StoreUnavailableError
from driftscope.store import PostgresStore
from driftscope.store.postgres._columns import MAX_KEY_BYTES
from driftscope.store.state import AuditEntry, StateRecord
from tests.store.conftest import PG_URL
from tests.store.pg_support import Proxy

T0 = datetime(2026, 12, 1, tzinfo=UTC)
NUL = "\x00"


@pytest.fixture
def pg(pg_schema, tmp_path):
    with PostgresStore(PG_URL, schema=pg_schema, archive_dir=tmp_path) as store:
        yield store


@pytest.mark.parametrize("field", ["kind", "key", "model", "state"])
def test_nul_or_overlong_identity_text_is_refused_naming_the_field(pg, field):
    fields = {"kind": "alert", "key": "k", "state": "firing", "model": "churn"}
    with pytest.raises(ConfigError, match=f"StateRecord.{field} .*NUL"):
        pg.put_state(StateRecord(**{**fields, field: "a" + NUL + "b"}))
    with pytest.raises(ConfigError, match=f"StateRecord.{field} .*at most {MAX_KEY_BYTES} bytes"):
        pg.put_state(StateRecord(**{**fields, field: "é" * (MAX_KEY_BYTES // 2 + 1)}))
    assert pg.find_state("alert") == []
    longest = pg.put_state(StateRecord(**{**fields, field: "x" * MAX_KEY_BYTES}))
    assert getattr(longest, field) == "x" * MAX_KEY_BYTES


def test_filters_the_server_cannot_hold_match_nothing(pg):
    pg.put_state(StateRecord("alert", "k", "firing", model="churn", due_at=T0))
    assert pg.get_state("alert", "k" + NUL) is None
    assert pg.get_state("alert" + NUL, "k") is None
    assert pg.delete_state("alert", "k" + NUL) is False
    assert pg.find_state("alert", model="churn" + NUL) == []
    assert pg.find_state("alert" + NUL) == []
    assert [r.key for r in pg.find_state("alert", states=["x" + NUL, "firing"])] == ["k"]
    lease = timedelta(minutes=1)
    assert pg.claim_due("alert", states=["firing" + NUL], now=T0, lease=lease, limit=5) == []
    assert [r.key for r in pg.claim_due("alert", states=["firing"], now=T0, lease=lease, limit=5)]


def test_audit_text_keeps_nul_as_replacement_and_long_subjects_are_found(pg):
    subject = "s" * 5000
    pg.append_audit(
        [
            AuditEntry(
                "alert.fired" + NUL,
                model="churn" + NUL,
                subject=subject,
                reason="category 'a" + NUL + "b' moved",
                actor="ana" + NUL,
            )
        ]
    )
    (entry,) = pg.read_audit(subject=subject)
    assert entry.action == "alert.fired\ufffd" and entry.actor == "ana\ufffd"
    assert entry.reason == "category 'a\ufffdb' moved"
    assert entry.model == "churn\ufffd"
    assert len(entry.subject.encode()) <= MAX_KEY_BYTES
    assert pg.read_audit(model="churn" + NUL) == [entry]
    assert pg.read_audit(action="alert.fired" + NUL) == [entry]
    assert pg.read_audit(action="alert.") == [entry]


def test_json_is_kept_as_written_and_times_as_timestamptz(pg):
    pg.put_state(StateRecord("alert", "k", "firing", {"b": 1e20, "a": [1]}))
    pg.append_audit([AuditEntry("alert.fired", details={"z": 1, "y": 2})])
    with psycopg.connect(PG_URL) as conn:
        types = dict(
            conn.execute(
                "SELECT table_name || '.' || column_name, data_type "
                "FROM information_schema.columns WHERE table_schema = %s",
                (pg.schema,),
            ).fetchall()
        )
        body, details = conn.execute(
            f'SELECT s.body::text, a.details::text FROM "{pg.schema}".state_records s, '
            f'"{pg.schema}".audit_log a'
        ).fetchone()
    assert types["state_records.body"] == types["audit_log.details"] == "json"
    for column in ("due_at", "created_at", "updated_at"):
        assert types[f"state_records.{column}"] == "timestamp with time zone"
    assert types["audit_log.at"] == "timestamp with time zone"
    assert body == '{"a":[1],"b":1e+20}' and details == '{"y":2,"z":1}'


def test_claim_due_skips_rows_another_transaction_holds_without_waiting(pg):
    for key in ("a", "b", "c"):
        pg.put_state(StateRecord("notification", key, "pending", due_at=T0))
    with psycopg.connect(PG_URL) as other:  # a worker in the middle of its claim
        other.execute(
            f"SELECT 1 FROM \"{pg.schema}\".state_records WHERE key = 'a' FOR UPDATE"
        ).fetchone()
        started = time.monotonic()
        got = pg.claim_due(
            "notification", states=["pending"], now=T0, lease=timedelta(minutes=1), limit=5
        )
        assert time.monotonic() - started < 2.0
        assert [r.key for r in got] == ["b", "c"]
        other.rollback()
    got = pg.claim_due(
        "notification", states=["pending"], now=T0, lease=timedelta(minutes=1), limit=5
    )
    assert [r.key for r in got] == ["a"]


def test_a_compare_and_set_waits_for_a_concurrent_writer_and_then_loses(pg):
    pg.put_state(StateRecord("run", "r", "open"))
    with psycopg.connect(PG_URL) as other:  # another process updating the row, uncommitted
        other.execute(
            f'UPDATE "{pg.schema}".state_records SET version = version + 1, '
            "state = 'claimed' WHERE key = 'r'"
        )
        import threading

        result = []
        t = threading.Thread(
            target=lambda: result.append(
                pg.put_state(StateRecord("run", "r", "mine"), if_version=1)
            )
        )
        t.start()
        time.sleep(0.2)
        assert t.is_alive()  # queued behind the row lock, not deciding on a stale version
        other.commit()
        t.join(10)
    assert result == [None]
    assert pg.get_state("run", "r").state == "claimed"


def test_state_calls_during_an_outage_are_unavailable_then_work_again(pg_schema, tmp_path):
    proxy = Proxy()
    proxy.start()
    try:
        store = PostgresStore(
            proxy.url(), schema=pg_schema, archive_dir=tmp_path, connect_timeout=2
        )
        store.put_state(StateRecord("alert", "k", "firing"))
        proxy.stop()
        where = f"127.0.0.1:{proxy.port}"
        with pytest.raises(StoreUnavailableError, match=where):
            store.put_state(StateRecord("alert", "k", "resolved"), if_version=1)
        with pytest.raises(StoreUnavailableError, match=where):
            store.claim_due("alert", states=["firing"], now=T0, lease=timedelta(1), limit=1)
        with pytest.raises(StoreUnavailableError, match=where):
            store.append_audit([AuditEntry("alert.resolved")])
        proxy.start()
        assert store.put_state(StateRecord("alert", "k", "resolved"), if_version=1).version == 2
        store.append_audit([AuditEntry("alert.resolved")])
        assert [e.action for e in store.read_audit()] == ["alert.resolved"]
        store.close()
    finally:
        proxy.stop()


def test_bad_arguments_are_config_errors_before_any_round_trip(pg):
    with pytest.raises(ConfigError, match="if_version"):
        pg.put_state(StateRecord("alert", "k", "x"), if_version="1")
    with pytest.raises(ConfigError, match="due_before"):
        pg.find_state("alert", due_before=datetime(2026, 1, 1))
    with pytest.raises(ConfigError, match="limit"):
        pg.read_audit(limit=-1)
    with pytest.raises(ConfigError, match="AuditEntry"):
        pg.append_audit(["alert.fired"])
    assert pg.get_state("alert", "k") is None


def test_a_compare_and_set_whose_answer_was_lost_after_the_commit_is_not_read_as_lost(pg):
    """The connection dies after the server committed the write and before the answer
    arrived: the store tries the work again, and the record's writer token tells the retry
    that the write it finds is its own (without it, a claim that won would read as lost)."""
    from driftscope.store.postgres._state import put

    pg.put_state(StateRecord("run", "w", "claimed", {}))
    seen: list[StateRecord | None] = []

    def work(conn, writer="token-of-this-call"):
        row = put(conn, pg._s, StateRecord("run", "w", "done"), "{}", 1, writer)
        seen.append(row)
        if len(seen) == 1:  # committed (autocommit); now the answer is lost
            conn.close()
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return row

    got = pg._run("a claim", work)
    assert len(seen) == 2 and seen[0] is not None
    assert got is not None and (got.state, got.version) == ("done", 2)
    # another writer's compare-and-set on the same old version still loses
    other = pg._run(
        "another claim",
        lambda conn: put(conn, pg._s, StateRecord("run", "w", "x"), "{}", 1, "other-token"),
    )
    assert other is None
    assert pg.get_state("run", "w").state == "done"
