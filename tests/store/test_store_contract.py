"""The contract every Store implementation passes (embedded and PostgreSQL alike)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from driftscope.drift.reference import Reference
from driftscope.errors import ConfigError, StoreError
from driftscope.store import CheckRecord, ReferenceBlob
from tests.store.batches import T0, label_batch, prediction_batch

DAY = timedelta(days=1)


def test_round_trip_keeps_values_types_and_order(store):
    batch = prediction_batch(50, seed=1)
    written = store.write_predictions("churn", batch)
    assert written > 0
    df = store.read_predictions("churn")
    assert len(df) == 50
    head = ["prediction_id", "timestamp", "model_version", "sampling_weight", "sample_reason"]
    assert list(df.columns[:5]) == head
    for col in ("age", "income", "plan", "is_member", "prediction", "metadata.customer_id"):
        assert col in df.columns, col
    assert {"label", "labeled_at"} <= set(df.columns)
    # sorted by timestamp, values equal to what was written
    expected = batch.to_pandas()
    assert df["prediction_id"].tolist() == expected["prediction_id"].tolist()
    np.testing.assert_allclose(df["income"].to_numpy(float), expected["feature.income"])
    assert df["age"].tolist() == expected["feature.age"].tolist()
    assert df["plan"].tolist() == expected["feature.plan"].tolist()
    assert df["is_member"].tolist() == expected["feature.is_member"].tolist()
    assert df["metadata.customer_id"].tolist() == expected["metadata.customer_id"].tolist()
    np.testing.assert_allclose(df["prediction"].to_numpy(float), expected["prediction"])
    ts = pd.to_datetime(df["timestamp"])
    assert str(ts.dt.tz) == "UTC"
    assert ts.iloc[0] == pd.Timestamp(T0)
    assert df["label"].isna().all()


def test_time_window_version_and_model_filters(store):
    store.write_predictions("churn", prediction_batch(48, step=timedelta(hours=1)))
    store.write_predictions(
        "churn",
        prediction_batch(
            24, start=T0 + 2 * DAY, step=timedelta(hours=1), id_prefix="q", model_version="v2"
        ),
    )
    store.write_predictions("fraud", prediction_batch(5, id_prefix="f"))
    day2 = store.read_predictions("churn", since=T0 + DAY, until=T0 + 2 * DAY)
    assert len(day2) == 24
    assert (pd.to_datetime(day2["timestamp"]) >= pd.Timestamp(T0 + DAY)).all()
    assert len(store.read_predictions("churn", model_version="v2")) == 24
    assert len(store.read_predictions("churn", since=T0 + 2 * DAY)) == 24
    assert len(store.read_predictions("fraud")) == 5
    assert store.models() == ["churn", "fraud"]
    assert store.count_predictions("churn") == 72
    assert store.count_predictions("churn", until=T0 + DAY) == 24


def test_naive_datetimes_are_refused(store):
    with pytest.raises(ConfigError, match="timezone"):
        store.read_predictions("churn", since=datetime(2026, 11, 1))


def test_empty_read_has_the_base_columns(store):
    df = store.read_predictions("nobody")
    assert len(df) == 0
    for col in ("prediction_id", "timestamp", "label"):
        assert col in df.columns


def test_late_labels_join_latest_wins_and_may_come_first(store):
    store.write_labels("churn", label_batch(["p3"], [0], at=T0 + DAY))
    store.write_predictions("churn", prediction_batch(10))
    store.write_labels("churn", label_batch(["p1", "p2"], [1, 0], at=T0 + DAY))
    store.write_labels("churn", label_batch(["p1"], [0], at=T0 + 2 * DAY))  # a correction
    store.write_labels("churn", label_batch(["unknown"], [1]))
    df = store.read_predictions("churn").set_index("prediction_id")
    assert df.loc["p1", "label"] == 0
    assert df.loc["p2", "label"] == 0
    assert df.loc["p3", "label"] == 0
    assert pd.isna(df.loc["p4", "label"])
    assert pd.Timestamp(df.loc["p1", "labeled_at"]) == pd.Timestamp(T0 + 2 * DAY)
    assert len(df) == 10


def test_labels_without_a_prediction_are_counted(store):
    assert store.unmatched_labels("churn").labelled == 0
    store.write_labels("churn", label_batch(["zz", "p1", "ghost", "p1"], [1, 0, 1, 1]))
    only_labels = store.unmatched_labels("churn")
    assert (only_labels.labelled, only_labels.unmatched) == (3, 3)
    store.write_predictions("churn", prediction_batch(5))
    store.write_predictions("fraud", prediction_batch(5, id_prefix="g"))
    store.write_labels("churn", label_batch(["p2"], [0]))
    found = store.unmatched_labels("churn", limit=1)
    assert (found.labelled, found.unmatched, found.examples) == (4, 2, ("ghost",))
    assert found.share == 0.5
    assert store.unmatched_labels("fraud").labelled == 0


def test_string_labels(store):
    store.write_predictions("churn", prediction_batch(3))
    store.write_labels("churn", label_batch(["p0", "p1"], ["yes", "no"]))
    df = store.read_predictions("churn").set_index("prediction_id")
    assert df.loc["p0", "label"] == "yes"
    assert df.loc["p1", "label"] == "no"


def test_schema_may_change_between_batches(store):
    store.write_predictions("churn", prediction_batch(5, features=("age", "income")))
    store.write_predictions(
        "churn",
        prediction_batch(5, start=T0 + DAY, id_prefix="q", features=("income", "tenure")),
    )
    df = store.read_predictions("churn")
    assert len(df) == 10
    assert df["age"].isna().sum() == 5
    assert df["tenure"].isna().sum() == 5
    assert df["income"].notna().all()


def test_mapping_predictions_and_feature_name_clashes(store):
    batch = prediction_batch(4, features=("income", "label"), prediction_keys=("value", "conf"))
    store.write_predictions("churn", batch)
    df = store.read_predictions("churn")
    assert {"prediction.value", "prediction.conf", "feature.label", "income"} <= set(df.columns)


def test_weights_and_quality_issues_round_trip(store):
    batch = prediction_batch(4, weight=10.0)
    issues = pa.array(["nan:income", None, "missing_feature:age", None], pa.string())
    batch = batch.set_column(
        batch.schema.get_field_index("quality_issues"), "quality_issues", issues
    )
    store.write_predictions("churn", batch)
    df = store.read_predictions("churn")
    assert df["sampling_weight"].tolist() == [10.0] * 4
    assert df["sample_reason"].tolist() == ["sampled"] * 4
    assert df["quality_issues"].tolist()[:3] == ["nan:income", None, "missing_feature:age"]


def test_bad_batches_are_refused_with_the_column_named(store):
    batch = prediction_batch(3).drop_columns(["sampling_weight"])
    with pytest.raises((ValueError, StoreError), match="sampling_weight"):
        store.write_predictions("churn", batch)
    bad = prediction_batch(3).append_column("oops", pa.array([1, 2, 3]))
    with pytest.raises((ValueError, StoreError), match="oops"):
        store.write_predictions("churn", bad)
    assert len(store.read_predictions("churn")) == 0


def test_records_survive_close_and_reopen(store_factory):
    first = store_factory()
    first.write_predictions("churn", prediction_batch(20))
    first.write_labels("churn", label_batch(["p0"], [1]))
    first.close()
    again = store_factory()
    df = again.read_predictions("churn")
    assert len(df) == 20
    assert df.set_index("prediction_id").loc["p0", "label"] == 1


def test_concurrent_writers_lose_nothing(store):
    def write(k: int) -> None:
        for j in range(5):
            store.write_predictions(
                "churn",
                prediction_batch(
                    40, id_prefix=f"t{k}-{j}-", seed=k * 10 + j, start=T0 + timedelta(minutes=k)
                ),
            )

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    df = store.read_predictions("churn")
    assert len(df) == 4 * 5 * 40
    assert df["prediction_id"].is_unique


# ---------------------------------------------------------------------- references
def _reference(seed: int) -> Reference:
    rng = np.random.default_rng(seed)
    return Reference.fit(
        pd.DataFrame({"x": rng.normal(size=200), "c": rng.choice(["a", "b"], 200)})
    )


def test_reference_history_and_versions(store):
    first, second = _reference(1), _reference(2)
    rec1 = store.save_reference("churn", first, note="training set")
    rec2 = store.save_reference("churn", second)
    assert (rec1.version, rec2.version) == (first.version, second.version)
    assert rec1.note == "training set"
    assert rec1.rows == 200 and set(rec1.columns) == {"x", "c"}
    assert store.load_reference("churn").version == second.version
    assert store.load_reference("churn", first.version).version == first.version
    assert [r.version for r in store.reference_history("churn")] == [first.version, second.version]
    store.save_reference("churn", first)  # back to the first one: current again, kept once
    assert store.load_reference("churn").version == first.version
    assert len(store.reference_history("churn")) == 2
    blob = store.load_reference("churn", second.version)
    # the bytes as saved (zip entries carry the time they were written, so compare what
    # they say, not a fresh to_bytes())
    assert isinstance(blob, ReferenceBlob) and blob.header().version == second.version
    assert (blob.model, blob.rows, blob.columns) == ("churn", 200, ("x", "c"))
    assert blob.stored_at == rec2.stored_at and blob.note == "" and blob.label
    loaded = Reference.from_blob(blob)
    np.testing.assert_array_equal(
        loaded.columns["x"].sample.to_arrays()["values"],
        second.columns["x"].sample.to_arrays()["values"],
    )


def test_missing_reference_names_model_and_version(store):
    with pytest.raises(StoreError, match="churn"):
        store.load_reference("churn")
    store.save_reference("churn", _reference(1))
    with pytest.raises(StoreError, match="deadbeef"):
        store.load_reference("churn", "deadbeef")


class _Storable:
    """Not a driftscope Reference: what a store needs of one (version, rows, columns,
    to_bytes), nothing more. The store keeps and returns the bytes undecoded."""

    def __init__(self, version: str, data: bytes):
        self.version, self.rows, self.columns, self._data = version, 7, {"a": 1, "b": 2}, data

    def to_bytes(self) -> bytes:
        return self._data


def test_any_storable_reference_is_kept_and_given_back_as_its_bytes(store):
    record = store.save_reference("churn", _Storable("00aa", b"opaque bytes"), note="n")
    assert (record.version, record.rows, record.columns, record.note) == (
        "00aa",
        7,
        ("a", "b"),
        "n",
    )
    blob = store.load_reference("churn")
    assert (blob.version, blob.rows, blob.columns, blob.note) == ("00aa", 7, ("a", "b"), "n")
    assert blob.data == b"opaque bytes" and blob.model == "churn"
    with pytest.raises(StoreError, match=r"reference '00aa' of model 'churn': .*not a readable"):
        Reference.from_blob(blob)  # decoding checks the file: not the store


def test_a_blob_whose_content_is_another_version_is_refused_on_decoding(store):
    real = _reference(3)
    store.save_reference("churn", _Storable("00bb", real.to_bytes()))
    with pytest.raises(
        StoreError, match=rf"'00bb' of model 'churn': .* holds version '{real.version}'"
    ):
        Reference.from_blob(store.load_reference("churn"))


@pytest.mark.parametrize("bad", [object(), "a reference", None])
def test_saving_what_is_not_a_reference_is_a_config_error(store, bad):
    with pytest.raises(ConfigError, match="version, rows, columns and to_bytes"):
        store.save_reference("churn", bad)
    assert store.reference_history("churn") == []


# ---------------------------------------------------------------------- check results
def _check(day: int, metric: str, value: float, status: str = "ok", **kw) -> CheckRecord:
    return CheckRecord(
        "churn",
        kw.pop("check", "drift"),
        T0 + day * DAY,
        T0 + (day + 1) * DAY,
        metric,
        value,
        0.2,
        status,
        baseline_version="abc",
        **kw,
    )


def test_check_results_are_a_time_series_with_upsert(store):
    store.write_check_results(
        [
            _check(0, "score", 0.1),
            _check(1, "score", 0.3, "warning"),
            _check(1, "accuracy", 0.9, check="performance", details={"n": 1000}),
        ]
    )
    store.write_check_results([_check(1, "score", 0.35, "critical")])  # re-run of day 1
    df = store.read_check_results("churn")
    assert len(df) == 3
    day1 = df[(df["check"] == "drift") & (df["metric"] == "score")].iloc[-1]
    assert day1["value"] == 0.35 and day1["status"] == "critical"
    assert day1["baseline_version"] == "abc" and day1["threshold"] == 0.2
    perf = store.read_check_results("churn", check="performance")
    assert perf["details"].iloc[0] == {"n": 1000}
    assert len(store.read_check_results("churn", since=T0 + DAY)) == 2
    assert len(store.read_check_results("churn", metric="score", until=T0 + DAY)) == 1
    assert pd.Timestamp(df["window_start"].iloc[0]) == pd.Timestamp(T0)
    assert len(store.read_check_results("other")) == 0


# ---------------------------------------------------------------------- retention
def test_archive_moves_old_records_to_compressed_parquet(store, tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    old = prediction_batch(
        30, start=now - timedelta(days=40), step=timedelta(hours=1), id_prefix="old"
    )
    new = prediction_batch(
        10, start=now - timedelta(days=1), step=timedelta(minutes=1), id_prefix="new"
    )
    store.write_predictions("churn", old)
    store.write_predictions("churn", new)
    store.write_labels("churn", label_batch(["old0", "new0"], [1, 0], at=now))
    report = store.archive(timedelta(days=30))
    assert report.predictions_archived == 30
    assert report.labels_archived >= 1
    assert report.bytes_written > 0 and report.files
    for path in report.files:
        meta = pq.ParquetFile(path).metadata
        assert meta.row_group(0).column(0).compression.lower() != "uncompressed"
    hot = store.read_predictions("churn")
    assert len(hot) == 10 and hot["prediction_id"].str.startswith("new").all()
    assert store.count_predictions("churn") == 10
    everything = store.read_predictions("churn", include_archive=True)
    assert len(everything) == 40
    assert everything.set_index("prediction_id").loc["old0", "label"] == 1
    assert store.archive(timedelta(days=30)).predictions_archived == 0  # nothing left to move


def test_a_prediction_id_stored_twice_reads_as_its_first_record(store):
    first = prediction_batch(4, start=T0 + timedelta(hours=2), seed=1)
    later = prediction_batch(4, start=T0 + timedelta(hours=5), seed=2)  # same ids, new values
    store.write_predictions("churn", first)
    store.write_predictions("churn", later)
    store.write_predictions("churn", prediction_batch(2, start=T0, seed=3))  # timed first
    df = store.read_predictions("churn").set_index("prediction_id")
    assert sorted(df.index) == ["p0", "p1", "p2", "p3"]
    assert df["income"].tolist() == first.column("feature.income").to_pylist()
    assert pd.to_datetime(df["timestamp"]).min() == pd.Timestamp(T0 + timedelta(hours=2))
