"""The embedded store never hides, destroys or trusts what it cannot prove (issue 10).

A deleted catalog is rebuilt from the segment files (at open, and under a running store);
repair never deletes a segment that is not provably garbage; a segment whose bytes changed
is caught by its checksum before any value is read; a prediction id stored twice reads as
its first record; a store on a read-only mount can be read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from datetime import timedelta

import pandas as pd
import pyarrow.parquet as pq
import pytest

from driftscope.errors import StoreError, StoreUnavailableError
from driftscope.store.embedded import EmbeddedStore
from driftscope.store.embedded._segments import SEGMENT_KEY, checksum_in_name, description_of
from tests.store.batches import T0, label_batch, prediction_batch

DAY = timedelta(days=1)


def _files(home, kind="predictions"):
    return sorted(home.glob(f"segments/*/{kind}/*/*.parquet"))


def _delete_catalog(home):
    for name in ("catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm"):
        (home / name).unlink(missing_ok=True)


def _fill(store, batches=3, rows=1000):
    for k in range(batches):
        store.write_predictions(
            "churn", prediction_batch(rows, start=T0 + k * DAY, id_prefix=f"b{k}-", seed=k)
        )
        store.write_labels("churn", label_batch([f"b{k}-0", f"b{k}-1"], [k % 2, 1]))


def test_every_segment_describes_and_checks_itself(tmp_path):
    store = EmbeddedStore(tmp_path / "home")
    batch = prediction_batch(10)
    store.write_predictions("churn/eu v2", batch)
    [path] = _files(tmp_path / "home")
    desc = description_of(pq.read_metadata(path).metadata)
    assert desc["model"] == "churn/eu v2" and desc["kind"] == "predictions"
    assert desc["tier"] == "hot" and desc["day"] == "2026-11-01" and desc["rows"] == 10
    assert desc["min_ts"] < desc["max_ts"] and desc["supersedes"] == []
    assert checksum_in_name(path.name) is not None
    assert SEGMENT_KEY in pq.read_metadata(path).metadata
    store.close()


def test_a_deleted_catalog_is_rebuilt_on_open_and_repair_destroys_nothing(tmp_path):
    home = tmp_path / "home"
    store = EmbeddedStore(home)
    _fill(store)
    before = store.read_predictions("churn")
    store.close()
    _delete_catalog(home)
    hours_ago = time.time() - 7200
    for path in home.rglob("*.parquet"):  # older than repair's grace period
        os.utime(path, (hours_ago, hours_ago))
    store = EmbeddedStore(home)
    assert store.models() == ["churn"]
    pd.testing.assert_frame_equal(store.read_predictions("churn"), before)
    assert store.count_predictions("churn") == 3000
    report = store.repair()
    assert report.quarantined == () and report.registered == ()
    assert report.superseded_removed == 0
    pd.testing.assert_frame_equal(store.read_predictions("churn"), before)
    store.close()


def test_a_catalog_deleted_under_a_running_store_loses_no_returned_write(tmp_path):
    home = tmp_path / "home"
    store = EmbeddedStore(home, auto_compact=False)
    _fill(store, batches=2)
    _delete_catalog(home)
    store.write_predictions("churn", prediction_batch(500, start=T0 + 5 * DAY, id_prefix="late-"))
    assert store.count_predictions("churn") == 2500
    _delete_catalog(home)  # and again, a read first this time
    assert len(store.read_predictions("churn")) == 2500
    store.write_labels("churn", label_batch(["late-0"], [1]))
    store.close()
    again = EmbeddedStore(home)
    df = again.read_predictions("churn").set_index("prediction_id")
    assert len(df) == 2500 and df.loc["late-0", "label"] == 1 and df.loc["b1-0", "label"] == 1
    again.close()


def test_a_rebuild_lists_a_merged_file_instead_of_its_inputs(tmp_path):
    home = tmp_path / "home"
    store = EmbeddedStore(home, auto_compact=False)
    for k in range(4):
        store.write_predictions("churn", prediction_batch(50, id_prefix=f"b{k}-", seed=k))
    before = store.read_predictions("churn")
    inputs = {p: p.read_bytes() for p in _files(home)}
    assert store.compact() == 3
    store.close()
    for path, data in inputs.items():  # as if killed before the inputs were unlinked
        path.write_bytes(data)
    _delete_catalog(home)
    store = EmbeddedStore(home)
    assert len(_files(home)) == 1  # the inputs, named by the merged file, are gone
    with store._catalog.read() as conn:
        assert conn.execute("SELECT count(*) FROM segments").fetchone()[0] == 1
    pd.testing.assert_frame_equal(store.read_predictions("churn"), before)
    store.close()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A home of one prediction segment (ints, floats, text, bools) and one label segment."""
    home = tmp_path_factory.mktemp("pristine") / "home"
    store = EmbeddedStore(home)
    store.write_predictions("churn", prediction_batch(3000, seed=3))
    store.write_labels("churn", label_batch([f"p{i}" for i in range(0, 3000, 7)], [1] * 429))
    expected = store.read_predictions("churn")
    store.close()
    return home, expected


@pytest.mark.parametrize("kind", ["predictions", "labels"])
def test_flipped_bytes_anywhere_never_read_as_other_values(pristine, tmp_path, kind):
    source, _ = pristine  # every flip changes the file's CRC-32: none may read at all
    size = _files(source, kind)[0].stat().st_size
    offsets = sorted({*range(0, size - 16, max(1, size // 40)), size - 16, size // 2})
    for offset in offsets:
        home = tmp_path / f"h{offset}"
        shutil.copytree(source, home)
        [path] = _files(home, kind)
        data = bytearray(path.read_bytes())
        data[offset : offset + 16] = bytes(b ^ 0x5A for b in data[offset : offset + 16])
        path.write_bytes(bytes(data))
        store = EmbeddedStore(home)
        try:
            got = store.read_predictions("churn")
        except StoreError as exc:
            assert path.name in str(exc), offset
            assert (home / "quarantine" / path.relative_to(home)).is_file(), offset
        else:
            pytest.fail(f"a flip at offset {offset} went unnoticed: {got.shape}")
        store.close()
        shutil.rmtree(home)


def test_repair_finds_every_flipped_segment(pristine, tmp_path):
    source, _ = pristine
    size = _files(source)[0].stat().st_size
    for offset in range(0, size - 16, max(1, size // 12)):
        home = tmp_path / f"h{offset}"
        shutil.copytree(source, home)
        [path] = _files(home)
        data = bytearray(path.read_bytes())
        data[offset : offset + 16] = bytes(16) if any(data[offset : offset + 16]) else b"x" * 16
        path.write_bytes(bytes(data))
        store = EmbeddedStore(home)
        report = store.repair()
        assert [os.path.basename(p) for p in report.quarantined] == [path.name], offset
        assert len(store.read_predictions("churn")) == 0
        store.close()
        shutil.rmtree(home)


def test_a_repeated_prediction_id_reads_as_the_first_stored(tmp_path):
    store = EmbeddedStore(tmp_path / "home", auto_compact=False)
    hour = timedelta(hours=1)
    first = prediction_batch(5, start=T0 + 2 * hour, seed=1)
    again = prediction_batch(5, start=T0 + 5 * hour, seed=2)  # same ids, later, other values
    store.write_predictions("churn", first)
    store.write_predictions("churn", again)
    # written last, timed first
    store.write_predictions("churn", prediction_batch(3, start=T0, id_prefix="p", seed=4))
    df = store.read_predictions("churn").set_index("prediction_id")
    assert len(df) == 5
    assert df["income"].tolist() == first.column("feature.income").to_pylist()
    # the rule holds within the window read: a window holding only a later copy shows it...
    assert len(store.read_predictions("churn", since=T0 + 4 * hour)) == 5
    assert store.compact() == 2  # ...until a merge keeps only the first stored
    df2 = store.read_predictions("churn").set_index("prediction_id")
    pd.testing.assert_frame_equal(df, df2)
    assert len(store.read_predictions("churn", since=T0 + 4 * hour)) == 0
    store.close()


def _mount_read_only(source, target) -> bool:
    target.mkdir()
    done = subprocess.run(["mount", "--bind", str(source), str(target)], capture_output=True)
    if done.returncode:
        return False
    again = subprocess.run(["mount", "-o", "remount,bind,ro", str(target)], capture_output=True)
    if again.returncode:
        subprocess.run(["umount", str(target)], capture_output=True)
        return False
    return True


@pytest.fixture
def read_only_mount(tmp_path):
    source, target = tmp_path / "rw", tmp_path / f"ro-{uuid.uuid4().hex[:6]}"
    source.mkdir()
    if not _mount_read_only(source, target):
        pytest.skip("mount --bind / remount,ro is not permitted here (needs CAP_SYS_ADMIN)")
    yield source, target
    subprocess.run(["umount", str(target)], check=True)


def test_a_store_on_a_read_only_mount_reads_and_refuses_writes(read_only_mount):
    source, target = read_only_mount
    store = EmbeddedStore(source / "home")
    _fill(store, batches=2, rows=50)
    expected = store.read_predictions("churn")
    store.close()
    ro = EmbeddedStore(target / "home")
    pd.testing.assert_frame_equal(ro.read_predictions("churn"), expected)
    assert ro.models() == ["churn"] and ro.count_predictions("churn") == 100
    with pytest.raises(StoreUnavailableError, match="read-only"):
        ro.write_predictions("churn", prediction_batch(5, id_prefix="x"))
    with pytest.raises(StoreUnavailableError, match="read-only"):
        ro.repair()
    ro.close()
    with pytest.raises(StoreUnavailableError, match="read-only"):
        EmbeddedStore(target)  # a folder holding no store


def test_a_monitor_whose_catalog_is_deleted_keeps_every_flushed_record(tmp_path):
    import driftscope as ds

    home = tmp_path / "home"
    with ds.ModelMonitor("churn", store=str(home)) as monitor:
        first = [monitor.log_prediction({"age": i}, 0.5, timestamp=T0) for i in range(100)]
        monitor.flush()
        _delete_catalog(home)
        second = [monitor.log_prediction({"age": i}, 0.5, timestamp=T0) for i in range(100)]
        monitor.flush()
    again = EmbeddedStore(home)
    assert sorted(again.read_predictions("churn")["prediction_id"]) == sorted(first + second)
    again.close()


def test_an_id_twice_in_one_batch_keeps_its_first_record(tmp_path):
    import pyarrow as pa

    batch = prediction_batch(3, seed=5)
    ids = pa.array(["a", "b", "a"])  # the second "a" is a later row, at a later time
    batch = batch.set_column(0, "prediction_id", ids)
    store = EmbeddedStore(tmp_path / "home")
    store.write_predictions("churn", batch.take([2, 1, 0]))  # "a" first in batch: row 2
    df = store.read_predictions("churn").set_index("prediction_id")
    assert sorted(df.index) == ["a", "b"]
    assert df.loc["a", "income"] == batch.column("feature.income")[2].as_py()
    store.close()


def test_a_rebuilt_catalog_lists_the_stored_references(tmp_path):
    import numpy as np

    from driftscope.drift.reference import Reference

    home = tmp_path / "home"
    store = EmbeddedStore(home)
    rng = np.random.default_rng(0)
    old = Reference.fit(pd.DataFrame({"x": rng.normal(0, 1, 200)}))
    new = Reference.fit(pd.DataFrame({"x": rng.normal(1, 1, 300), "y": rng.random(300)}))
    store.save_reference("churn v2", old)
    store.save_reference("churn v2", new)
    store.close()
    _delete_catalog(home)
    store = EmbeddedStore(home)
    versions = [r.version for r in store.reference_history("churn v2")]
    assert sorted(versions) == sorted([old.version, new.version])
    blob = store.load_reference("churn v2", old.version)
    assert (blob.rows, blob.columns) == (200, ("x",))
    assert Reference.from_blob(blob).version == old.version
    assert store.load_reference("churn v2", new.version).columns == ("x", "y")
    assert store.models() == ["churn v2"]
    store.close()


def _as_version_1(home):
    import sqlite3

    with sqlite3.connect(home / "catalog.sqlite") as conn:
        conn.execute("ALTER TABLE segments DROP COLUMN checksum")
        conn.execute("ALTER TABLE segments DROP COLUMN seq")
        conn.execute("PRAGMA user_version = 1")


def test_a_catalog_of_the_first_version_is_migrated(tmp_path):
    home = tmp_path / "home"
    store = EmbeddedStore(home)
    _fill(store, batches=2, rows=20)
    expected = store.read_predictions("churn")
    store.close()
    _as_version_1(home)
    store = EmbeddedStore(home)
    assert store._catalog.schema_version() == 2
    pd.testing.assert_frame_equal(store.read_predictions("churn"), expected)
    store.write_predictions("churn", prediction_batch(5, id_prefix="new-"))
    assert len(store.read_predictions("churn")) == 45
    store.close()


def test_a_first_version_catalog_on_a_read_only_mount_is_read(read_only_mount):
    source, target = read_only_mount
    store = EmbeddedStore(source / "home")
    _fill(store, batches=2, rows=20)
    expected = store.read_predictions("churn")
    store.close()
    _as_version_1(source / "home")
    ro = EmbeddedStore(target / "home")
    pd.testing.assert_frame_equal(ro.read_predictions("churn"), expected)
    ro.close()


def _archive_home(home):
    from datetime import UTC, datetime

    store = EmbeddedStore(home, auto_compact=False)
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - 40 * DAY
    for k in range(3):
        batch = prediction_batch(30, start=start + k * 20 * DAY, id_prefix=f"d{k}-", seed=k)
        store.write_predictions("churn", batch)
        store.write_labels("churn", label_batch([f"d{k}-0"], [k], at=start + 50 * DAY))
    return store


def _rows_listed(store):
    with store._catalog.read() as conn:
        return conn.execute("SELECT sum(rows) FROM segments WHERE kind = 'predictions'").fetchone()[
            0
        ]


@pytest.mark.parametrize("catalog_lost", [False, True])
def test_an_archive_pass_killed_before_its_swap_leaves_copies_that_are_never_listed(
    tmp_path, monkeypatch, catalog_lost
):
    from driftscope.store.embedded import _retention as retention

    home = tmp_path / "home"
    store = _archive_home(home)
    before = store.read_predictions("churn", include_archive=True)

    def killed(self, home, inputs):
        raise RuntimeError("killed")

    monkeypatch.setattr(retention.ArchivePass, "manifest", killed)
    monkeypatch.setattr(retention.ArchivePass, "abandon", lambda self: None)
    with pytest.raises(RuntimeError):
        store.archive(timedelta(days=30))
    monkeypatch.undo()
    store.close()
    outputs = sorted(home.glob("archive/*/*/*/*.parquet"))
    assert outputs  # left behind, unlisted
    hours_ago = time.time() - 7200
    for path in home.rglob("*.parquet"):
        os.utime(path, (hours_ago, hours_ago))
    if catalog_lost:
        _delete_catalog(home)
    store = EmbeddedStore(home)
    report = store.repair()
    assert all(not p.exists() for p in outputs)
    assert (home / "quarantine" / outputs[0].relative_to(home)).is_file()
    assert not catalog_lost or report.quarantined == ()  # the rebuild at open did it
    assert _rows_listed(store) == 90
    pd.testing.assert_frame_equal(store.read_predictions("churn", include_archive=True), before)
    store.close()


def test_an_archive_pass_killed_after_its_swap_is_rebuilt_without_copies(tmp_path, monkeypatch):
    from driftscope.store.embedded import _retention as retention

    home = tmp_path / "home"
    store = _archive_home(home)
    before = store.read_predictions("churn", include_archive=True)
    inputs = sorted(home.glob("segments/*/*/*/*.parquet"))

    def killed(catalog, home):
        raise RuntimeError("killed")

    monkeypatch.setattr(retention, "empty_trash", killed)
    with pytest.raises(RuntimeError):
        store.archive(timedelta(days=30))
    monkeypatch.undo()
    store.close()
    assert all(p.exists() for p in inputs)  # swapped out, not yet unlinked
    _delete_catalog(home)
    store = EmbeddedStore(home)
    assert _rows_listed(store) == 90
    pd.testing.assert_frame_equal(store.read_predictions("churn", include_archive=True), before)
    assert list((home / "passes").glob("*.json")) == []
    store.close()
