"""Embedded store upkeep: compaction, archive, corrupt segments and repair, failed writes."""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pyarrow.parquet as pq
import pytest

from driftscope.errors import StoreError, StoreUnavailableError
from driftscope.store.embedded import EmbeddedStore, SegmentCorrupt
from driftscope.store.embedded import _segments as segments
from tests.store.batches import T0, label_batch, prediction_batch

DAY = timedelta(days=1)


def _files(home, kind="predictions", top="segments"):
    return sorted(home.glob(f"{top}/*/{kind}/*/*.parquet"))


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def test_compaction_keeps_data_identical_and_reduces_files(home):
    store = EmbeddedStore(home, auto_compact=False)
    for k in range(6):  # overlapping times, changing schema, labels in between
        features = ("age", "income") if k % 2 else ("income", "plan")
        batch = prediction_batch(
            20, start=T0 + timedelta(minutes=k), id_prefix=f"b{k}-", seed=k, features=features
        )
        store.write_predictions("churn", batch)
        store.write_labels("churn", label_batch([f"b{k}-0"], [k], at=T0 + DAY))
    store.write_labels("churn", label_batch(["b1-0"], [9], at=T0 + 2 * DAY))
    before = store.read_predictions("churn")
    assert len(_files(home)) == 6 and len(_files(home, "labels")) == 7
    assert store.compact() == 5 + 5  # 6 -> 1 predictions, 7 -> 2 label days
    assert len(_files(home)) == 1 and len(_files(home, "labels")) == 2
    after = store.read_predictions("churn")
    pd.testing.assert_frame_equal(before, after)
    assert after.set_index("prediction_id").loc["b1-0", "label"] == 9
    assert store.compact() == 0
    store.close()


def test_auto_compaction_at_the_threshold(home):
    store = EmbeddedStore(home, compact_threshold=4)
    for k in range(4):
        store.write_predictions("churn", prediction_batch(5, id_prefix=f"b{k}-", seed=k))
    assert len(_files(home)) == 1
    store.write_predictions("churn", prediction_batch(5, id_prefix="late-"))
    assert len(_files(home)) == 2
    assert len(store.read_predictions("churn")) == 25
    store.close()


def test_a_finished_day_is_compacted_when_writes_move_on(home):
    store = EmbeddedStore(home)
    for k in range(3):
        store.write_predictions("churn", prediction_batch(5, id_prefix=f"b{k}-", seed=k))
    store.write_labels("churn", label_batch(["b0-0"], [1], at=T0))
    store.write_labels("churn", label_batch(["b1-0"], [1], at=T0))
    assert len(_files(home)) == 3 and len(_files(home, "labels")) == 2
    store.write_predictions("churn", prediction_batch(5, start=T0 + DAY, id_prefix="next-"))
    assert len(_files(home)) == 2  # day one merged, day two as written
    assert len(_files(home, "labels")) == 2  # labels move on only with label writes
    store.write_labels("churn", label_batch(["next-0"], [0], at=T0 + DAY))
    assert [p.parent.name for p in _files(home, "labels")] == ["2026-11-01", "2026-11-02"]
    assert len(store.read_predictions("churn")) == 20
    store.close()


def test_archive_splits_a_segment_straddling_the_cutoff(home):
    store = EmbeddedStore(home)
    now = datetime.now(UTC)
    cutoff = now - timedelta(days=30)
    day_start = cutoff.replace(hour=0, minute=0, second=0, microsecond=0)
    # one segment for the cutoff's day: rows each side of the cutoff, whatever the time of
    # day (the first row at midnight, the last a second before the next midnight)
    step = (timedelta(days=1) - timedelta(seconds=1)) / 23
    batch = prediction_batch(24, start=day_start, step=step, id_prefix="d")
    store.write_predictions("churn", batch)
    store.write_labels("churn", label_batch(["d0", "d23"], [1, 0], at=now))
    expected_old = int((pd.to_datetime(batch["timestamp"].to_pandas()) < cutoff).sum())
    report = store.archive(timedelta(days=30))
    assert 0 < report.predictions_archived <= expected_old <= 24
    assert report.labels_archived == 1  # d0's label went with it, d23's stayed
    for path in report.files:
        assert os.path.isabs(path) and os.path.isfile(path)
    archived = pd.concat([pq.read_table(p).to_pandas() for p in report.files if "predictions" in p])
    assert (archived["timestamp"] < pd.Timestamp(report.cutoff)).all()
    hot = store.read_predictions("churn")
    assert (hot["timestamp"] >= pd.Timestamp(report.cutoff)).all()
    assert len(hot) + report.predictions_archived == 24
    everything = store.read_predictions("churn", include_archive=True)
    assert everything["prediction_id"].tolist() == [f"d{i}" for i in range(24)]
    labels = everything.set_index("prediction_id")["label"]
    assert labels["d0"] == 1 and labels["d23"] == 0
    assert store.archive(timedelta(days=30)).predictions_archived == 0
    store.close()


def test_a_corrupt_segment_names_the_file_and_goes_to_quarantine(home):
    store = EmbeddedStore(home)
    store.write_predictions("churn", prediction_batch(10, id_prefix="a"))
    store.write_predictions("churn", prediction_batch(10, start=T0 + 2 * DAY, id_prefix="b"))
    bad = _files(home)[0]
    data = bad.read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    assert len(store.read_predictions("churn", since=T0 + DAY)) == 10  # pruned: unaffected
    with pytest.raises(SegmentCorrupt, match=bad.name) as caught:
        store.read_predictions("churn")
    assert "churn" in str(caught.value) and "quarantine" in str(caught.value)
    assert not bad.exists() and (home / "quarantine" / bad.relative_to(home)).is_file()
    df = store.read_predictions("churn")
    assert df["prediction_id"].str.startswith("b").all() and len(df) == 10
    assert store.repair().quarantined == ()
    store.write_labels("churn", label_batch(["b1"], [1]))  # a damaged label file too
    labels = _files(home, "labels")[0]
    labels.write_bytes(b"PAR1 not really")
    with pytest.raises(StoreError, match=labels.name):
        store.read_predictions("churn")
    assert store.read_predictions("churn")["label"].isna().all()
    store.close()


def test_repair_quarantines_what_reads_have_not_met(home):
    store = EmbeddedStore(home)
    store.write_predictions("churn", prediction_batch(10, id_prefix="a"))
    bad = _files(home)[0]
    data = bytearray(bad.read_bytes())
    data[100:116] = bytes(16)
    bad.write_bytes(bytes(data))
    report = store.repair()
    assert len(report.quarantined) == 1 and report.quarantined[0].endswith(bad.name)
    assert len(store.read_predictions("churn")) == 0
    store.close()


def test_a_full_disk_is_unavailable_names_the_path_and_harms_nothing(home, monkeypatch):
    store = EmbeddedStore(home)
    store.write_predictions("churn", prediction_batch(10, id_prefix="ok"))
    real = segments._write_all

    def half_then_enospc(fd, data):
        real(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(segments, "_write_all", half_then_enospc)
    with pytest.raises(StoreUnavailableError, match="No space left") as caught:
        store.write_predictions("churn", prediction_batch(10, id_prefix="lost"))
    assert str(home / "segments") in str(caught.value)
    assert list((home / "tmp").iterdir()) == []
    monkeypatch.setattr(segments, "_write_all", real)
    assert store.read_predictions("churn")["prediction_id"].str.startswith("ok").all()
    store.write_predictions("churn", prediction_batch(10, id_prefix="next"))
    assert len(store.read_predictions("churn")) == 20
    assert len(_files(home)) == 2
    store.close()


def test_a_failed_catalog_commit_leaves_no_segment_behind(home, monkeypatch):
    store = EmbeddedStore(home)

    def locked(*args, **kwargs):
        raise StoreUnavailableError("catalog: database is locked")

    monkeypatch.setattr(store._catalog, "add_segments", locked)
    with pytest.raises(StoreUnavailableError):
        store.write_predictions("churn", prediction_batch(10, start=T0, step=DAY / 10))
    assert _files(home) == []
    store.close()


def test_a_reader_with_a_stale_snapshot_reads_again(home, monkeypatch):
    store = EmbeddedStore(home, auto_compact=False)
    for k in range(3):
        store.write_predictions("churn", prediction_batch(5, id_prefix=f"b{k}-"))
    stale = store._snapshot
    window = store._window(None, None)
    old = stale("churn", window, ("hot",), True)
    store.compact()  # the files of `old` are gone now
    calls = []

    def first_stale(*args, **kwargs):
        calls.append(1)
        return old if len(calls) == 1 else stale(*args, **kwargs)

    monkeypatch.setattr(store, "_snapshot", first_stale)
    assert len(store.read_predictions("churn")) == 15
    assert len(calls) == 2
    store.close()


def test_old_temporary_files_are_cleaned_on_open(home):
    EmbeddedStore(home).close()
    old, fresh = home / "tmp" / "old.tmp", home / "tmp" / "fresh.tmp"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    hours_ago = time.time() - 7200
    os.utime(old, (hours_ago, hours_ago))
    EmbeddedStore(home).close()
    assert not old.exists() and fresh.exists()


def test_a_catalog_from_a_newer_driftscope_is_refused(home):
    EmbeddedStore(home).close()
    with sqlite3.connect(home / "catalog.sqlite") as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="version 99"):
        EmbeddedStore(home)


def test_repair_never_deletes_an_unlisted_segment(home):
    store = EmbeddedStore(home)
    store.write_predictions("churn", prediction_batch(5))
    listed = _files(home)[0]
    junk = listed.with_name("orphan.parquet")
    junk.write_bytes(b"left by a crash between rename and commit")
    unlisted = listed.with_name("unlisted" + listed.name)  # a whole segment nothing lists
    unlisted.write_bytes(listed.read_bytes())
    with sqlite3.connect(home / "catalog.sqlite") as conn:
        conn.execute("DELETE FROM segments")
    hours_ago = time.time() - 7200
    for path in (listed, junk, unlisted):
        os.utime(path, (hours_ago, hours_ago))
    report = store.repair()
    assert sorted(report.registered) == sorted(str(p.relative_to(home)) for p in (listed, unlisted))
    assert report.superseded_removed == 0 and not junk.exists()
    assert (home / "quarantine" / junk.relative_to(home)).read_bytes().startswith(b"left by")
    # the same records twice: one row per prediction id
    assert len(store.read_predictions("churn")) == 5
    store.close()
