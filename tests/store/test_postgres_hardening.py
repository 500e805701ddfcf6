"""The PostgreSQL store under hostile data and a hostile server (issue 10): values text
cannot hold, wide models, repeated prediction ids, permanent versus temporary errors, and
servers that hang instead of failing."""

from __future__ import annotations

import math
import multiprocessing
import queue
import threading
import warnings
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pytest

from driftscope.errors import ConfigError, StoreError, StoreUnavailableError
from driftscope.store import CheckRecord, PostgresStore
from driftscope.store.postgres import _rows as rows_module
from driftscope.store.postgres._connection import Connections
from tests.store import pg_support
from tests.store.batches import T0, label_batch, prediction_batch
from tests.store.conftest import PG_URL

BAD = "\ufffd"  # what a NUL becomes


@pytest.fixture
def pg(pg_schema, tmp_path):
    store = PostgresStore(PG_URL, schema=pg_schema, archive_dir=tmp_path / "archive")
    yield store
    store.close()


def _with(batch: pa.Table, name: str, values: list) -> pa.Table:
    array = pa.array(values)
    if name in batch.column_names:
        return batch.set_column(batch.schema.get_field_index(name), name, array)
    return batch.append_column(name, array)


# ---------------------------------------------------------------------- NUL characters
def test_nul_in_values_and_names_is_kept_as_replacement_with_a_quality_issue(pg):
    n = 10_001
    batch = prediction_batch(n, features=("age", "plan"))
    bad = 5_000
    plan = batch["feature.plan"].to_pylist()
    plan[bad] = "pro\x00plus"
    batch = _with(batch, "feature.plan", plan)
    batch = _with(batch, "feature.co\x00de", [None] * bad + [7] + [None] * (n - bad - 1))
    meta = [None] * n
    meta[bad] = "\x00"
    batch = _with(batch, "metadata.note", meta)
    ids = batch["prediction_id"].to_pylist()
    ids[1] = "p\x001"
    batch = _with(batch, "prediction_id", ids)
    assert pg.write_predictions("churn", batch) > 0

    df = pg.read_predictions("churn")
    assert len(df) == n  # every good record landed, and the bad ones too
    assert f"co{BAD}de" in df.columns
    by_id = df.set_index("prediction_id")
    row = by_id.loc[f"p{bad}"]
    assert row["plan"] == f"pro{BAD}plus"
    assert row["metadata.note"] == BAD
    assert row[f"co{BAD}de"] == 7
    issues = row["quality_issues"].split("; ")
    assert set(issues) == {"nul_byte:plan", f"nul_in_name:co{BAD}de", "nul_byte:metadata.note"}
    assert by_id.loc[f"p{BAD}1", "quality_issues"] == "nul_byte:prediction_id"
    clean = by_id.drop(index=[f"p{bad}", f"p{BAD}1"])
    assert clean["quality_issues"].isna().all()
    expected = batch["feature.age"].to_pylist()
    assert df.sort_values("prediction_id")["age"].tolist() == [
        expected[int(i[1:].replace(BAD, ""))] for i in sorted(df["prediction_id"])
    ]


def test_existing_quality_issues_are_kept_and_joined(pg):
    batch = prediction_batch(3, features=("plan",))
    batch = _with(batch, "quality_issues", ["nan:x", None, "extra_feature:a\x00b"])
    batch = _with(batch, "feature.plan", ["a\x00", "b\x00", "c"])
    pg.write_predictions("m", batch)
    got = pg.read_predictions("m")["quality_issues"].tolist()
    assert got == ["nan:x; nul_byte:plan", "nul_byte:plan", f"extra_feature:a{BAD}b"]


def test_nul_in_labels_and_their_ids_still_joins(pg):
    batch = prediction_batch(2)
    batch = _with(batch, "prediction_id", ["a\x00", "b"])
    pg.write_predictions("m", batch)
    pg.write_labels("m", label_batch(["a\x00", "b"], ["yes\x00", "no"]))
    df = pg.read_predictions("m").set_index("prediction_id")
    assert df.loc[f"a{BAD}", "label"] == f"yes{BAD}"
    assert df.loc["b", "label"] == "no"


def test_names_and_ids_too_long_for_an_index_are_shortened_and_still_join(pg):
    rng = np.random.default_rng(3)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    long_id = "".join(rng.choice(letters, 3_000))  # random: no compression saves it
    long_name = "".join(rng.choice(letters, 3_000))
    batch = prediction_batch(3, features=("age",))
    batch = _with(batch, "prediction_id", [long_id, long_id[:-1] + "!", "short"])
    batch = _with(batch, f"feature.{long_name}", [1.5, None, 2.5])
    pg.write_predictions("m", batch)
    pg.write_labels("m", label_batch([long_id], ["yes"]))
    df = pg.read_predictions("m")
    assert len(df) == 3
    ids = df["prediction_id"].tolist()
    assert len(set(ids)) == 3 and ids[2] == "short"
    assert ids[0].startswith(long_id[:900]) and len(ids[0].encode()) <= 1_000
    (name,) = [c for c in df.columns if c.startswith(long_name[:900])]
    assert df[name].tolist()[::2] == [1.5, 2.5]
    assert df["label"].tolist() == ["yes", None, None]
    assert df["quality_issues"].tolist() == [
        f"too_long:prediction_id; name_too_long:{name}",
        "too_long:prediction_id",
        f"name_too_long:{name}",
    ]
    # the same long name in a later batch lands in the same column
    later = _with(prediction_batch(1, id_prefix="z"), f"feature.{long_name}", [9.0])
    pg.write_predictions("m", later)
    assert pg.read_predictions("m").set_index("prediction_id").loc["z0", name] == 9.0
    with pytest.raises(ConfigError, match="at most"):
        pg.write_predictions("m" * 2_000, prediction_batch(1))


def test_nul_in_check_results_and_references(pg):
    record = CheckRecord(
        "m",
        "drift\x00",
        T0,
        T0 + timedelta(days=1),
        "score:pl\x00an",
        0.5,
        details={"top\x00": ["a\x00b"]},
        baseline_version="v\x00",
    )
    pg.write_check_results([record])
    got = pg.read_check_results("m", metric="score:pl\x00an")
    assert got["check"].tolist() == [f"drift{BAD}"]
    assert got["details"][0] == {f"top{BAD}": [f"a{BAD}b"]}
    assert got["baseline_version"].tolist() == [f"v{BAD}"]
    with pytest.raises(ConfigError, match="NUL"):
        pg.write_predictions("m\x00", prediction_batch(1))


def test_a_monitor_loses_no_good_record_to_a_nul(pg):
    from driftscope.monitor import ModelMonitor

    with ModelMonitor("churn", store=pg, max_retry_seconds=5) as monitor:
        for i in range(10_000):
            monitor.log_prediction({"age": i, "plan": "pro"}, 0.5)
        monitor.log_prediction(
            {"age": 1, "plan": "bad\x00", "na\x00me": 3}, "x\x00", metadata={"k": "v\x00"}
        )
        monitor.flush()
        assert monitor.cost_report().dropped_records == 0
    df = pg.read_predictions("churn")
    assert len(df) == 10_001
    last = df[df["quality_issues"].fillna("").str.contains("nul_byte:plan")]
    assert len(last) == 1
    assert last["plan"].iloc[0] == f"bad{BAD}"
    assert last["metadata.k"].iloc[0] == f"v{BAD}"
    assert "nul_byte:metadata.k" in last["quality_issues"].iloc[0]


# ---------------------------------------------------------------------- wide models
def _wide(names: list[str], n: int, *, start: datetime = T0, prefix: str = "w") -> pa.Table:
    batch = prediction_batch(n, features=(), start=start, id_prefix=prefix)
    rng = np.random.default_rng(len(names))
    columns = {f"feature.{name}": pa.array(rng.normal(size=n)) for name in names}
    columns["feature.tag"] = pa.array([f"t{i}" for i in range(n)])
    columns["feature.count"] = pa.array(np.arange(n))
    return pa.table({**{c: batch[c] for c in batch.column_names}, **columns})


def test_a_model_with_3000_features_writes_and_reads(pg, tmp_path):
    first = [f"f{i}" for i in range(2_000)]
    second = [f"f{i}" for i in range(1_000, 3_000)]  # 1,000 new columns
    a = _wide(first, 20)
    b = _wide(second, 20, start=T0 + timedelta(days=1), prefix="v")
    pg.write_predictions("wide", a)
    pg.write_predictions("wide", b)
    df = pg.read_predictions("wide")
    assert len(df) == 40
    assert {f"f{i}" for i in range(3_000)} <= set(df.columns)
    np.testing.assert_array_equal(df["f0"].to_numpy()[:20], a["feature.f0"].to_numpy())
    assert df["f0"].iloc[20:].isna().all()
    np.testing.assert_array_equal(df["f2999"].to_numpy()[20:], b["feature.f2999"].to_numpy())
    np.testing.assert_array_equal(df["f1500"].to_numpy()[20:], b["feature.f1500"].to_numpy())
    assert df["tag"].tolist() == a["feature.tag"].to_pylist() + b["feature.tag"].to_pylist()
    assert df["count"].tolist() == list(range(20)) * 2
    later = pg.read_predictions("wide", since=T0 + timedelta(days=1))
    assert later["prediction_id"].tolist() == b["prediction_id"].to_pylist()
    assert pg.count_predictions("wide") == 40
    # archived and read back with the hot rows
    pg.archive(timedelta(0), model="wide")
    again = pg.read_predictions("wide", include_archive=True)
    pd.testing.assert_frame_equal(again[df.columns], df)


def test_a_monitor_logs_and_reads_a_3000_feature_model(pg):
    from driftscope.monitor import ModelMonitor

    names = [f"f{i}" for i in range(3_000)]
    with ModelMonitor("wide", store=pg, max_retry_seconds=5) as monitor:
        for k in range(5):
            monitor.log_prediction({n: float(k + i) for i, n in enumerate(names)}, 0.5)
        monitor.flush()
        recent = monitor.get_recent_predictions(days=36_500)
    assert len(recent) == 5
    assert recent["f2999"].tolist() == [2999.0 + k for k in range(5)]
    assert recent["f0"].tolist() == [float(k) for k in range(5)]


AWKWARD_TEXT = ["", None, "NULL", 'say "hi"', "back\\slash", "{a,b}", " pad ", "new\nline", "é€😀"]


def _awkward_batches() -> list[pa.Table]:
    n = len(AWKWARD_TEXT)
    first = prediction_batch(n, features=("age", "income", "plan", "is_member"))
    first = _with(first, "feature.plan", AWKWARD_TEXT)
    first = _with(first, "feature.mixed", [1, None, 3, 2**63 - 1, -(2**63), 0, 5, 6, 7])
    floats = [math.nan, math.inf, -math.inf, None, 5e-324, 1.7976931348623157e308, -0.0, 0.1, 1.0]
    first = _with(first, "feature.x", floats)
    later = prediction_batch(4, id_prefix="q", start=T0 + timedelta(hours=1))
    later = _with(later, "feature.mixed", [1.5, None, 2.0, -1.0])  # int64 + float64 -> float64
    later = _with(later, "feature.income", ["high", None, "", "NULL"])  # float64 + string
    later = _with(later, "feature.empty", pa.nulls(4).to_pylist())
    later = _with(later, "feature.is_member", [True, None, False, True])
    return [first, later]


def test_packed_writes_and_reads_equal_a_column_each(pg, monkeypatch):
    """Wide models pack a row's values of a kind into one array, both ways; on awkward
    values that gives exactly what a column each gives."""
    for batch in _awkward_batches():
        pg.write_predictions("plain", batch)
    pg.write_labels("plain", label_batch(["p1", "q2"], [True, False]))
    plain = pg.read_predictions("plain")
    monkeypatch.setattr(rows_module, "PACK_ABOVE", 0)
    for batch in _awkward_batches():
        pg.write_predictions("packed", batch)
    pg.write_labels("packed", label_batch(["p1", "q2"], [True, False]))
    pd.testing.assert_frame_equal(pg.read_predictions("packed"), plain)
    pd.testing.assert_frame_equal(pg.read_predictions("plain"), plain)  # packed read
    monkeypatch.undo()
    pd.testing.assert_frame_equal(pg.read_predictions("packed"), plain)
    assert plain["plan"].tolist()[: len(AWKWARD_TEXT)] == AWKWARD_TEXT
    assert plain["income"].tolist()[-4:] == ["high", None, "", "NULL"]
    mixed = plain["mixed"].tolist()
    assert mixed[:3] == [1.0, None, 3.0] or (mixed[0] == 1.0 and math.isnan(mixed[1]))
    assert mixed[-4] == 1.5 and math.isnan(mixed[-3]) and mixed[-1] == -1.0


# ---------------------------------------------------------------------- repeated ids
def test_the_first_record_of_a_prediction_id_is_kept(store):
    """The one rule of both stores: a prediction id names one prediction; the first stored
    record with that id is kept, later ones are ignored (within a batch and across)."""
    batch = prediction_batch(4, features=("plan",))
    batch = _with(batch, "prediction_id", ["a", "b", "a", "a"])
    batch = _with(batch, "feature.plan", ["first", "b", "second", "third"])
    store.write_predictions("m", batch)
    again = prediction_batch(2, features=("plan",), start=T0 - timedelta(days=1))
    again = _with(again, "prediction_id", ["b", "c"])
    again = _with(again, "feature.plan", ["later b", "c"])
    store.write_predictions("m", again)
    df = store.read_predictions("m").set_index("prediction_id")
    assert sorted(df.index) == ["a", "b", "c"]
    assert df.loc["a", "plan"] == "first"
    assert df.loc["b", "plan"] == "b"
    assert df.loc["a", "timestamp"] == pd.Timestamp(T0)
    if isinstance(store, PostgresStore):  # the embedded store still counts a duplicate
        assert store.count_predictions("m") == 3  # across batches (4 on 2026-12-07)


# ---------------------------------------------------------------------- error classes
def test_permanent_errors_are_store_errors_and_temporary_ones_unavailable(pg_schema):
    db = Connections(PG_URL, connect_timeout=2, statement_timeout=1)
    try:
        permanent = {
            "division by zero": "SELECT 1/0",
            "target lists can have at most 1664": "SELECT " + ", ".join(["1"] * 1700),
            "does not exist": "SELECT * FROM no_such_table_here",
        }
        for message, sql in permanent.items():
            with pytest.raises(StoreError, match=message) as caught:
                db.run("probing", lambda c, q=sql: c.execute(q).fetchall())
            assert not isinstance(caught.value, StoreUnavailableError), message
        with pytest.raises(StoreUnavailableError, match="statement_timeout"):
            db.run("sleeping", lambda c: c.execute("SELECT pg_sleep(10)").fetchall())
        assert db.run("after", lambda c: c.execute("SELECT 2").fetchone()) == (2,)
    finally:
        db.close()


def test_a_batch_the_server_refuses_for_good_is_a_store_error(pg):
    batch = prediction_batch(2)
    far = pa.array([-(2**62), 0], pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    batch = batch.set_column(1, "timestamp", far)  # before 4713 BC: PostgreSQL refuses it
    with pytest.raises(StoreError, match="out of range") as caught:
        pg.write_predictions("m", batch)
    assert not isinstance(caught.value, StoreUnavailableError)


def test_a_lock_held_elsewhere_times_out_as_unavailable(pg_schema, tmp_path):
    store = PostgresStore(PG_URL, schema=pg_schema, archive_dir=tmp_path / "a", statement_timeout=1)
    locked, done = threading.Event(), threading.Event()

    def hold_lock() -> None:  # for 30 s at most: without timeouts the calls block, then pass
        with psycopg.connect(PG_URL) as other:
            other.execute(f'LOCK TABLE "{pg_schema}".predictions IN ACCESS EXCLUSIVE MODE')
            locked.set()
            done.wait(30)
            other.rollback()

    holder = threading.Thread(target=hold_lock)
    try:
        store.write_predictions("m", prediction_batch(3))
        holder.start()
        assert locked.wait(30)
        with pytest.raises(StoreUnavailableError, match="timeout"):
            store.write_predictions("m", prediction_batch(3, id_prefix="x"))
        with pytest.raises(StoreUnavailableError, match="lock timeout"):  # reads lift only
            store.read_predictions("m")  # the statement limit
        done.set()
        holder.join()
        assert len(store.read_predictions("m")) == 3
    finally:
        done.set()
        if holder.is_alive():
            holder.join()
        store.close()


# ---------------------------------------------------------------------- a frozen server
def _frozen_store_calls(schema: str, archive: str, out: multiprocessing.Queue) -> None:
    """Child: every store call against a frozen server raises StoreUnavailableError."""
    proxy = pg_support.Proxy()
    proxy.start()
    store = PostgresStore(
        proxy.url(),
        schema=schema,
        archive_dir=archive,
        connect_timeout=1,
        statement_timeout=1,
    )
    store.write_predictions("m", prediction_batch(3))
    proxy.freeze()
    calls = {
        "write": lambda: store.write_predictions("m", prediction_batch(3, id_prefix="x")),
        "labels": lambda: store.write_labels("m", label_batch(["p0"], [1])),
        "read": lambda: store.read_predictions("m"),
        "count": lambda: store.count_predictions("m"),
        "models": store.models,
    }
    for name, call in calls.items():
        try:
            call()
            out.put((name, "returned"))
        except StoreUnavailableError:
            out.put((name, "unavailable"))
        except Exception as exc:
            out.put((name, f"{type(exc).__name__}: {exc}"))
    proxy.thaw()
    out.put(("after thaw", len(store.read_predictions("m"))))


def _frozen_monitor(schema: str, archive: str, out: multiprocessing.Queue) -> None:
    """Child: a monitor on a frozen server keeps serving, flush() fails, records pending
    are dropped and counted once max_retry_seconds has passed."""
    from driftscope.monitor import ModelMonitor

    proxy = pg_support.Proxy()
    proxy.start()
    store = PostgresStore(
        proxy.url(), schema=schema, archive_dir=archive, connect_timeout=1, statement_timeout=1
    )
    # an attempt on the frozen server fails within about 6 s: 2 s of silence twice (the
    # watchdog), then a connect timing out after 2 s (libpq's least)
    monitor = ModelMonitor("m", store=store, max_retry_seconds=10, flush_interval=0.05)
    for i in range(50):
        monitor.log_prediction({"x": i}, 0.5)
    monitor.flush()
    proxy.freeze()
    for i in range(100):  # serving calls return while the server hangs
        monitor.log_prediction({"x": i}, 0.5)
    out.put(("logged", 100))
    try:
        monitor.flush()
        out.put(("flush", "returned"))
    except StoreUnavailableError as exc:
        out.put(("flush", f"unavailable: {'records are not in the store' in str(exc)}"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            monitor.flush(timeout=60)
            out.put(("flush timeout", "returned"))
        except StoreUnavailableError:
            out.put(("flush timeout", "still pending"))
        except StoreError as exc:  # records were dropped (counted below)
            out.put(("flush timeout", "dropped" if "dropped" in str(exc) else str(exc)))
        out.put(("dropped", monitor.cost_report().dropped_records))
        proxy.thaw()
        monitor.close(timeout=10)
    out.put(("stored", len(store.read_predictions("m"))))
    store.close()


def _run_child(target, *args, deadline: float = 150.0) -> dict:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    child = ctx.Process(target=target, args=(*args, out))
    child.start()
    child.join(deadline)
    hung = child.is_alive()
    if hung:
        child.kill()
        child.join()
    results = {}
    while True:
        try:
            key, value = out.get(timeout=1)
        except queue.Empty:
            break
        results[key] = value
    assert not hung, f"the child hung on a frozen server; it got as far as {results}"
    return results


def test_every_call_on_a_frozen_server_fails_as_unavailable(pg_schema, tmp_path):
    results = _run_child(_frozen_store_calls, pg_schema, str(tmp_path / "a"))
    assert results == {
        "write": "unavailable",
        "labels": "unavailable",
        "read": "unavailable",
        "count": "unavailable",
        "models": "unavailable",
        "after thaw": 3,
    }


def test_a_monitor_on_a_frozen_server_keeps_serving_and_drops_after_its_budget(pg_schema, tmp_path):
    results = _run_child(_frozen_monitor, pg_schema, str(tmp_path / "a"))
    assert results["logged"] == 100
    assert results["flush"] == "unavailable: True"
    assert results["flush timeout"] == "dropped"
    assert results["dropped"] == 100
    assert results["stored"] == 50


def test_timeouts_must_be_positive_numbers():
    for bad in (0, -1, math.inf, "5", True):
        with pytest.raises(ConfigError, match="statement_timeout"):
            Connections(PG_URL, statement_timeout=bad)  # type: ignore[arg-type]
