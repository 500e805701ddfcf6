"""Schema migrations of the PostgreSQL store, against the real server."""

from __future__ import annotations

import multiprocessing

import psycopg
import pytest

from driftscope.errors import ConfigError, StoreError
from driftscope.store import PostgresStore
from driftscope.store.postgres._migrations import MIGRATIONS, latest_version, migrate
from tests.store import pg_support
from tests.store.conftest import PG_URL


def _versions(schema: str) -> list[tuple[int, object, str]]:
    with psycopg.connect(PG_URL) as conn:
        return conn.execute(
            f'SELECT version, applied_at, description FROM "{schema}".schema_migrations '
            "ORDER BY version"
        ).fetchall()


def test_a_fresh_schema_gets_every_version_once(pg_schema, tmp_path):
    PostgresStore(PG_URL, schema=pg_schema, archive_dir=tmp_path).close()
    rows = _versions(pg_schema)
    assert [v for v, _, _ in rows] == [m.version for m in MIGRATIONS]
    assert rows[-1][2] == MIGRATIONS[-1].description
    with psycopg.connect(PG_URL) as conn:
        tables = {
            t
            for (t,) in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (pg_schema,),
            )
        }
    assert {
        "predictions",
        "labels",
        "columns",
        "check_results",
        "archive_files",
        "state_records",
        "audit_log",
    } <= tables


def test_reopening_applies_nothing(pg_schema, tmp_path):
    PostgresStore(PG_URL, schema=pg_schema, archive_dir=tmp_path).close()
    before = _versions(pg_schema)
    PostgresStore(PG_URL, schema=pg_schema, archive_dir=tmp_path).close()
    assert _versions(pg_schema) == before
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        assert migrate(conn, pg_schema) == []


def test_migrate_reports_what_it_applied(pg_schema):
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        assert migrate(conn, pg_schema) == [m.version for m in MIGRATIONS]
        assert migrate(conn, pg_schema) == []


def test_processes_opening_a_fresh_schema_at_once_do_not_race(pg_schema, tmp_path):
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Barrier(4)
    procs = [
        ctx.Process(target=pg_support.open_store, args=(pg_schema, str(tmp_path), ready))
        for _ in range(4)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 4
    assert [v for v, _, _ in _versions(pg_schema)] == [m.version for m in MIGRATIONS]


def test_a_newer_database_is_refused(pg_schema, tmp_path):
    PostgresStore(PG_URL, schema=pg_schema, archive_dir=tmp_path).close()
    future = latest_version() + 1
    with psycopg.connect(PG_URL) as conn:
        conn.execute(
            f'INSERT INTO "{pg_schema}".schema_migrations (version, description) '
            "VALUES (%s, 'from a later driftscope')",
            (future,),
        )
    with pytest.raises(StoreError, match=rf"{pg_schema}.*version {future}.*newer"):
        PostgresStore(PG_URL, schema=pg_schema, archive_dir=tmp_path)


@pytest.mark.parametrize("schema", ["", "drop table x", "a" * 64, 'x"y'])
def test_schema_names_are_plain_sql_names(schema):
    with pytest.raises(ConfigError, match="schema"):
        PostgresStore(PG_URL, schema=schema)


def test_a_version_2_schema_gains_the_state_tables_and_keeps_its_data(
    pg_schema, tmp_path, monkeypatch
):
    from datetime import UTC, datetime

    from driftscope.store import CheckRecord
    from driftscope.store.postgres import _migrations
    from driftscope.store.state import StateRecord

    with monkeypatch.context() as m:  # the schema as the previous driftscope left it
        m.setattr(_migrations, "MIGRATIONS", MIGRATIONS[:2])
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            assert migrate(conn, pg_schema) == [1, 2]
        old = PostgresStore(PG_URL, schema=pg_schema, archive_dir=tmp_path)
        at, end = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC)
        old.write_check_results([CheckRecord("churn", "psi", at, end, "age", 0.1, 0.2)])
        old.close()
    store = PostgresStore(PG_URL, schema=pg_schema, archive_dir=tmp_path)
    assert [v for v, _, _ in _versions(pg_schema)] == [m.version for m in MIGRATIONS]
    assert store.read_check_results("churn")["value"].tolist() == [0.1]
    assert store.put_state(StateRecord("alert", "a", "firing")).version == 1
    store.close()
