"""Embedded store reads beyond the contract: partial segments, ordering, odd types, names."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from driftscope.errors import ConfigError, DataError, StoreError
from driftscope.store import CheckRecord
from driftscope.store.embedded import EmbeddedStore
from driftscope.store.embedded import _segments as segments
from tests.store.batches import T0, label_batch, prediction_batch

DAY = timedelta(days=1)


@pytest.fixture
def store(tmp_path):
    s = EmbeddedStore(tmp_path / "home", auto_compact=False)
    yield s
    s.close()


def test_windows_over_row_groups_match_a_brute_force_filter(store, monkeypatch):
    monkeypatch.setattr(segments, "ROW_GROUP_ROWS", 7)  # many row groups per segment
    step = timedelta(minutes=17)
    store.write_predictions("m", prediction_batch(120, step=step, id_prefix="a", seed=1))
    store.write_predictions(
        "m", prediction_batch(80, start=T0 + 3 * step, step=step, id_prefix="b", model_version="v2")
    )
    ids = [f"a{i}" for i in range(0, 120, 3)] + [f"b{i}" for i in range(0, 80, 5)]
    store.write_labels("m", label_batch(ids, list(range(len(ids)))))
    store.write_labels("m", label_batch(["a3", "b5"], [-1, -2], at=T0 + 3 * DAY))
    full = store.read_predictions("m")
    assert len(full) == 200
    order = list(zip(full["timestamp"], full["prediction_id"], strict=True))
    assert order == sorted(order)
    for since, until, version in [
        (T0 + 5 * step, T0 + 40 * step, None),
        (T0 + 41 * step, None, "v2"),
        (None, T0 + 11 * step, "v1"),
        (T0 + 500 * step, None, None),
    ]:
        df = store.read_predictions("m", since=since, until=until, model_version=version)
        in_time = pd.Series(True, index=full.index)
        if since is not None:
            in_time &= full["timestamp"] >= pd.Timestamp(since)
        if until is not None:
            in_time &= full["timestamp"] < pd.Timestamp(until)
        keep = in_time if version is None else in_time & (full["model_version"] == version)
        expected = full[keep].reset_index(drop=True)
        pd.testing.assert_frame_equal(df, expected, check_dtype=False)
        assert store.count_predictions("m", since=since, until=until) == int(in_time.sum())
    labels = full.set_index("prediction_id")["label"]
    assert labels["a3"] == -1 and labels["b5"] == -2 and labels["a6"] == 2
    assert labels.isna().sum() == 200 - len(ids)


def test_overlapping_segments_with_equal_times_come_out_sorted(store):
    # three writers interleaved in time; writers 0 and 2 log at the same instants, and the
    # ids of the later-written one sort first
    for k in range(3):
        batch = prediction_batch(
            60, start=T0 + k * timedelta(seconds=1), step=timedelta(seconds=2),
            id_prefix=f"w{2 - k}-", seed=k, model_version=f"v{k % 2}",
        )  # fmt: skip
        store.write_predictions("m", batch)
    store.write_labels("m", label_batch(["w0-5", "w1-7", "w2-9"], [1, 2, 3]))
    full = store.read_predictions("m")
    keys = list(zip(full["timestamp"], full["prediction_id"], strict=True))
    assert keys == sorted(keys) and len(full) == 180
    assert full.set_index("prediction_id")["label"].dropna().to_dict() == {
        "w0-5": 1, "w1-7": 2, "w2-9": 3,
    }  # fmt: skip
    since, until = T0 + timedelta(seconds=30), T0 + timedelta(seconds=90)
    part = store.read_predictions("m", since=since, until=until, model_version="v0")
    stamps = full["timestamp"]
    keep = (stamps >= since) & (stamps < until) & (full["model_version"] == "v0")
    pd.testing.assert_frame_equal(part, full[keep].reset_index(drop=True), check_dtype=False)


@pytest.mark.parametrize("rows", [10, 3000])  # few ties: run by run; many: one sort
def test_many_rows_at_one_instant_come_out_by_id(store, rows):
    for k in range(2):
        batch = prediction_batch(rows, step=timedelta(0), seed=k)
        ids = pa.array([f"{i:05d}-{1 - k}" for i in range(rows)])
        store.write_predictions("m", batch.set_column(0, "prediction_id", ids))
    df = store.read_predictions("m")
    assert df["prediction_id"].tolist() == sorted(df["prediction_id"])


def test_equal_labeled_at_the_label_written_later_wins(store):
    store.write_predictions("m", prediction_batch(3))
    store.write_labels("m", label_batch(["p0"], [1]))
    store.write_labels("m", label_batch(["p0"], [0]))
    assert store.read_predictions("m").set_index("prediction_id").loc["p0", "label"] == 0
    store.compact()
    assert store.read_predictions("m").set_index("prediction_id").loc["p0", "label"] == 0


def test_types_that_differ_between_batches(store):
    ints = prediction_batch(3, features=("age", "is_member"), id_prefix="a")
    text = prediction_batch(3, start=T0 + DAY, features=("income",), id_prefix="b")
    text = text.append_column("feature.age", pa.array(["x", "y", "z"]))
    store.write_predictions("m", ints)
    store.write_predictions("m", text)
    df = store.read_predictions("m")
    assert df["age"].tolist()[3:] == ["x", "y", "z"]
    assert df["is_member"].tolist()[3:] == [None] * 3 and df["is_member"].dtype == object
    assert df["income"].isna().sum() == 3


def test_empty_window_keeps_the_columns_and_types(store):
    store.write_predictions("m", prediction_batch(4))
    df = store.read_predictions("m", since=T0 + 10 * DAY)
    assert len(df) == 0 and "income" in df.columns and "label" in df.columns
    assert str(df["timestamp"].dtype) == "datetime64[us, UTC]"


def test_any_model_name_is_kept_apart_and_inside_the_home(store, tmp_path):
    names = ["churn/eu", "..", "a b", "ünï", "x" * 300, "churn%2Feu"]
    for k, name in enumerate(names):
        store.write_predictions(name, prediction_batch(k + 1, id_prefix=f"n{k}-"))
    assert store.models() == sorted(names)
    for k, name in enumerate(names):
        assert len(store.read_predictions(name)) == k + 1
    for path in (tmp_path / "home").rglob("*.parquet"):
        assert path.resolve().is_relative_to((tmp_path / "home" / "segments").resolve())


def test_bad_input_is_refused_before_anything_is_written(store):
    batch = prediction_batch(3)
    ids = pa.array(["a", None, "c"], pa.string())
    with pytest.raises(DataError, match="prediction_id"):
        store.write_predictions("m", batch.set_column(0, "prediction_id", ids))
    with pytest.raises(DataError, match="label batch"):
        store.write_labels("m", pa.table({"prediction_id": ["a"], "label": [1]}))
    with pytest.raises(ConfigError, match="model"):
        store.write_predictions("", batch)
    assert store.models() == []
    assert store.write_predictions("m", batch.slice(0, 0)) == 0


def test_close_is_idempotent_and_final(tmp_path):
    s = EmbeddedStore(tmp_path / "home")
    s.close()
    s.close()
    with pytest.raises(StoreError, match="closed"):
        s.read_predictions("m")


def test_check_results_keep_numpy_details_nan_values_and_utc_times(store):
    rec = CheckRecord(
        "m", "drift", T0, T0 + DAY, "score", float("nan"), None, "unknown",
        details={"n": np.int64(3), "columns": np.array(["a", "b"])},
    )  # fmt: skip
    store.write_check_results([rec])
    df = store.read_check_results("m")
    row = df.iloc[0]
    assert np.isnan(row["value"]) and np.isnan(row["threshold"])
    assert row["details"] == {"n": 3, "columns": ["a", "b"]}
    for col in ("window_start", "window_end", "computed_at"):
        assert str(df[col].dtype).endswith("UTC]")
    assert list(df.columns) == [
        "model", "check", "window_start", "window_end", "metric", "value", "threshold",
        "status", "baseline_version", "details", "computed_at",
    ]  # fmt: skip
    assert store.models() == ["m"]
