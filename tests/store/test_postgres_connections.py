"""The PostgreSQL store when the server is unreachable, goes away or kills connections."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from datetime import timedelta

import psycopg
import pytest

from driftscope.errors import StoreError, StoreUnavailableError
from driftscope.store import PostgresStore, open_store
from tests.store.batches import T0, label_batch, prediction_batch
from tests.store.conftest import PG_URL
from tests.store.pg_support import Proxy


def test_an_unreachable_server_fails_fast_naming_host_and_port(pg_schema):
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match=r"127\.0\.0\.1:1\b"):
        PostgresStore("postgresql://postgres@127.0.0.1:1/test", schema=pg_schema)
    assert time.monotonic() - started < 3


def test_a_server_that_never_answers_times_out(pg_schema):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # the kernel completes the handshake; nobody ever speaks
    port = silent.getsockname()[1]
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError, match=f"127.0.0.1:{port}"):
            PostgresStore(
                f"postgresql://postgres@127.0.0.1:{port}/test", schema=pg_schema, connect_timeout=1
            )
        assert time.monotonic() - started < 6
    finally:
        silent.close()


def test_open_store_takes_a_url(pg_schema, tmp_path):
    store = open_store(PG_URL, schema=pg_schema, archive_dir=tmp_path)
    try:
        assert isinstance(store, PostgresStore)
        assert store.models() == []
    finally:
        store.close()


def test_close_is_idempotent_and_final(pg_schema, tmp_path):
    store = PostgresStore(PG_URL, schema=pg_schema, archive_dir=tmp_path)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.models()


def _backends(app: str) -> list[int]:
    with psycopg.connect(PG_URL) as conn:
        return [
            pid
            for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (app,)
            )
        ]


def _terminate(pids: list[int]) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for pid in pids:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_terminated_connection_is_replaced_and_nothing_is_lost(pg_schema, tmp_path):
    app = f"ds_kill_{uuid.uuid4().hex[:8]}"
    with PostgresStore(
        f"{PG_URL}?application_name={app}", schema=pg_schema, archive_dir=tmp_path
    ) as store:
        store.write_predictions("churn", prediction_batch(20))
        pids = _backends(app)
        assert pids
        _terminate(pids)
        # the pooled connection is dead: the call retries on a fresh one
        store.write_predictions(
            "churn", prediction_batch(20, id_prefix="q", start=T0 + timedelta(hours=1))
        )
        store.write_labels("churn", label_batch(["p1", "q1"], [1, 0]))
        assert set(_backends(app)).isdisjoint(pids)
        df = store.read_predictions("churn").set_index("prediction_id")
        assert len(df) == 40
        assert df.loc["q1", "label"] == 0


def test_a_connection_killed_mid_call_is_retried(pg_schema, tmp_path):
    app = f"ds_mid_{uuid.uuid4().hex[:8]}"
    store = PostgresStore(
        f"{PG_URL}?application_name={app}", schema=pg_schema, archive_dir=tmp_path
    )
    store.write_predictions("churn", prediction_batch(30))
    outcome: list[object] = []
    with psycopg.connect(PG_URL) as locker:
        locker.execute(f'LOCK TABLE "{pg_schema}".predictions IN ACCESS EXCLUSIVE MODE')
        reader = threading.Thread(target=lambda: outcome.append(store.count_predictions("churn")))
        reader.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # wait until the call is blocked on the lock
            with psycopg.connect(PG_URL) as probe:
                waiting = probe.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s "
                    "AND wait_event_type = 'Lock'",
                    (app,),
                ).fetchall()
            if waiting:
                break
            time.sleep(0.05)
        assert waiting, "the store's call never blocked on the lock"
        _terminate([pid for (pid,) in waiting])
        locker.commit()  # releases the lock: the retried call can finish
    reader.join(15)
    store.close()
    assert outcome == [30]


def test_the_server_going_away_and_coming_back(pg_schema, tmp_path):
    proxy = Proxy()
    proxy.start()
    store = PostgresStore(proxy.url(), schema=pg_schema, archive_dir=tmp_path, connect_timeout=2)
    try:
        store.write_predictions("churn", prediction_batch(10))
        proxy.stop()
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError, match=f"127.0.0.1:{proxy.port}"):
            store.write_predictions("churn", prediction_batch(10, id_prefix="q"))
        with pytest.raises(StoreUnavailableError, match=f"127.0.0.1:{proxy.port}"):
            store.read_predictions("churn")
        assert time.monotonic() - started < 5
        proxy.start()
        store.write_predictions("churn", prediction_batch(10, id_prefix="q"))
        df = store.read_predictions("churn")
        assert len(df) == 20
    finally:
        store.close()
        proxy.stop()
