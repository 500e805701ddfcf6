"""ModelMonitor end to end: log -> flush -> read back, with labels, ids, windows, batches."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from driftscope.drift.reference import Reference
from driftscope.errors import ConfigError, DataError
from driftscope.monitor import ModelMonitor, SamplingPolicy


def test_round_trip_keeps_values_types_ids_and_joins_labels(make_monitor):
    monitor = make_monitor(model_version="v3")
    t0 = datetime.now(UTC).replace(microsecond=123456) - timedelta(minutes=5)
    ids = [
        monitor.log_prediction(
            {"age": 30 + i, "income": 1000.5 * i, "plan": "pro", "member": i % 2 == 0},
            0.1 * i,
            timestamp=t0 + timedelta(seconds=i),
            metadata={"customer_id": f"c{i}", "region": "eu"},
        )
        for i in range(5)
    ]
    assert len(set(ids)) == 5
    monitor.log_ground_truth(ids[1], 1)
    monitor.log_ground_truth(ids[3], 0)
    df = monitor.get_recent_predictions(days=1)
    assert df["prediction_id"].tolist() == ids
    assert df["age"].tolist() == [30, 31, 32, 33, 34]
    assert df["income"].tolist() == [1000.5 * i for i in range(5)]
    assert df["plan"].tolist() == ["pro"] * 5
    assert df["member"].tolist() == [True, False, True, False, True]
    np.testing.assert_allclose(df["prediction"].to_numpy(float), [0.1 * i for i in range(5)])
    assert df["metadata.customer_id"].tolist() == [f"c{i}" for i in range(5)]
    assert (df["model_version"] == "v3").all()
    assert (df["sampling_weight"] == 1.0).all() and (df["sample_reason"] == "all").all()
    assert df["quality_issues"].isna().all()
    stamps = pd.to_datetime(df["timestamp"])
    assert stamps.iloc[0] == pd.Timestamp(t0)
    labels = df.set_index("prediction_id")["label"]
    assert labels[ids[1]] == 1 and labels[ids[3]] == 0
    assert labels[[ids[0], ids[2], ids[4]]].isna().all()


def test_caller_reusing_its_dicts_does_not_change_logged_records(make_monitor):
    monitor = make_monitor()
    features = {"x": 0.0, "plan": "a"}
    prediction = {"label": 0, "confidence": 0.0}
    metadata = {"request": 0}
    for i in range(50):
        features["x"] = float(i)
        features["plan"] = f"p{i}"
        prediction["confidence"] = i / 100
        metadata["request"] = i
        monitor.log_prediction(features, prediction, metadata=metadata)
    features.clear()
    df = monitor.get_recent_predictions()
    assert df["x"].tolist() == [float(i) for i in range(50)]
    assert df["plan"].tolist() == [f"p{i}" for i in range(50)]
    assert df["prediction.confidence"].tolist() == [i / 100 for i in range(50)]
    assert df["metadata.request"].tolist() == list(range(50))


def test_feature_shapes_series_frame_sequence_and_names(make_monitor):
    monitor = make_monitor(feature_names=["a", "b"])
    monitor.log_prediction(pd.Series({"a": 1.0, "b": 2.0}), 0.1)
    monitor.log_prediction(pd.DataFrame({"a": [3.0], "b": [4.0]}), 0.2)
    monitor.log_prediction([5.0, 6.0], 0.3)
    monitor.log_prediction(np.array([[7.0, 8.0]]), np.float32(0.4))
    df = monitor.get_recent_predictions()
    assert df["a"].tolist() == [1.0, 3.0, 5.0, 7.0]
    assert df["b"].tolist() == [2.0, 4.0, 6.0, 8.0]
    np.testing.assert_allclose(df["prediction"].to_numpy(float), [0.1, 0.2, 0.3, 0.4], rtol=1e-6)
    assert df["quality_issues"].isna().all()


def test_prediction_shapes_mapping_probabilities_and_one_element(make_monitor):
    monitor = make_monitor()
    monitor.log_prediction({"x": 1}, {"label": "yes", "score": 0.7})
    monitor.log_prediction({"x": 2}, np.array([0.2, 0.5, 0.3]))
    monitor.log_prediction({"x": 3}, [0.9])
    df = monitor.get_recent_predictions()
    assert df["prediction.label"].tolist()[0] == "yes"
    assert df["prediction.score"].tolist()[0] == 0.7
    assert df[["prediction.0", "prediction.1", "prediction.2"]].iloc[1].tolist() == [0.2, 0.5, 0.3]
    assert df["prediction"].iloc[2] == 0.9


def test_naive_timestamps_are_local_time(make_monitor):
    monitor = make_monitor()
    naive = datetime.now() - timedelta(hours=2)  # local wall-clock time
    monitor.log_prediction({"x": 1.0}, 0.5, timestamp=naive)
    monitor.log_prediction({"x": 2.0}, 0.5, timestamp=1_700_000_000.25)  # epoch seconds
    df = monitor.get_recent_predictions(days=10_000)
    stamps = pd.to_datetime(df["timestamp"]).tolist()
    assert pd.Timestamp(naive.astimezone(UTC)) in stamps
    assert pd.Timestamp(1_700_000_000.25, unit="s", tz="UTC") in stamps
    assert len(monitor.get_recent_predictions(hours=3)) == 1


def test_windows_since_until_and_model_version(make_monitor):
    monitor = make_monitor()
    now = datetime.now(UTC)
    for days in (0, 2, 10):
        monitor.log_prediction({"x": float(days)}, 0.5, timestamp=now - timedelta(days=days))
    assert len(monitor.get_recent_predictions()) == 2  # default: 7 days
    assert len(monitor.get_recent_predictions(days=1)) == 1
    assert len(monitor.get_recent_predictions(days=30)) == 3
    between = monitor.get_recent_predictions(
        since=now - timedelta(days=11), until=now - timedelta(days=1)
    )
    assert sorted(between["x"].tolist()) == [2.0, 10.0]
    with pytest.raises(ConfigError, match="days"):
        monitor.get_recent_predictions(days=-1)


def test_prediction_ids_unique_across_monitors_and_given_ids_kept(store):
    with ModelMonitor("a", store=store) as one, ModelMonitor("a", store=store) as two:
        ids = {one.log_prediction({"x": 1}, 1) for _ in range(100)}
        ids |= {two.log_prediction({"x": 1}, 1) for _ in range(100)}
        batch = one.log_predictions(pd.DataFrame({"x": np.arange(100.0)}), np.zeros(100))
        ids |= set(batch.tolist())
        assert len(ids) == 300
        assert one.log_prediction({"x": 1}, 1, prediction_id="req-42") == "req-42"
        one.flush()
        two.flush()
        df = one.get_recent_predictions()
        assert df["prediction_id"].is_unique and "req-42" in set(df["prediction_id"])
        assert len(df) == 301


def test_batch_form_round_trip_with_labels_metadata_and_timestamps(make_monitor):
    monitor = make_monitor()
    n = 1000
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "income": rng.normal(50, 10, n),
            "plan": rng.choice(["a", "b"], n),
        }
    )
    start = pd.Timestamp(datetime.now(UTC) - timedelta(hours=1))
    stamps = start + pd.to_timedelta(np.arange(n), unit="s")
    probs = rng.random((n, 2))
    ids = monitor.log_predictions(
        frame, probs, timestamps=stamps, metadata={"batch": "nightly", "row": np.arange(n)}
    )
    frame.loc[:, "income"] = 0.0  # the caller reuses its frame at once
    assert len(ids) == n and len(set(ids)) == n
    monitor.log_ground_truths(ids[::2], np.ones(n // 2, dtype=int))
    df = monitor.get_recent_predictions()
    assert len(df) == n
    df = df.set_index("prediction_id").loc[list(ids)]
    assert df["age"].tolist() == frame["age"].tolist()
    assert (df["income"] != 0).all()
    assert df["plan"].tolist() == frame["plan"].tolist()
    np.testing.assert_array_equal(df["prediction.1"].to_numpy(float), probs[:, 1])
    assert (df["metadata.batch"] == "nightly").all()
    assert df["metadata.row"].tolist() == list(range(n))
    assert pd.to_datetime(df["timestamp"]).tolist() == list(stamps)
    assert df["label"].iloc[::2].eq(1).all() and df["label"].iloc[1::2].isna().all()


def test_batch_form_refuses_misaligned_inputs(make_monitor):
    monitor = make_monitor()
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(DataError, match="predictions"):
        monitor.log_predictions(frame, [0.1, 0.2, 0.3])
    with pytest.raises(DataError, match="features_frame"):
        monitor.log_predictions(42, [0.1])
    with pytest.raises(DataError, match="labels"):
        monitor.log_ground_truths(["a", "b"], [1])


def test_batch_sampling_keeps_rule_hits_and_weights(make_monitor):
    from driftscope.monitor import LowConfidence

    policy = SamplingPolicy(rate=0.1, always_log=[LowConfidence(below=0.2)], seed=5)
    monitor = make_monitor(sampling=policy)
    n = 20_000
    preds = np.random.default_rng(0).random(n)
    ids = monitor.log_predictions(pd.DataFrame({"x": np.arange(n, dtype=float)}), preds)
    df = monitor.get_recent_predictions()
    rule_rows = df[df["sample_reason"] == "rule:low_confidence"]
    assert len(rule_rows) == int((preds < 0.2).sum())
    assert (df.loc[df["sample_reason"] == "sampled", "sampling_weight"] == 10.0).all()
    estimate = df["sampling_weight"].sum()
    assert abs(estimate - n) < 5 * np.sqrt(n * 0.8 * 0.9 / 0.1)
    report = monitor.cost_report()
    assert report.total_predictions == n == len(ids)
    assert report.logged_predictions == len(df)


def test_multithreaded_logging_loses_nothing(make_monitor):
    monitor = make_monitor(batch_size=500)
    per_thread, threads = 2000, 8
    out: list[list[str]] = [[] for _ in range(threads)]

    def work(k: int) -> None:
        for i in range(per_thread):
            out[k].append(monitor.log_prediction({"thread": k, "i": i}, i / per_thread))

    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    df = monitor.get_recent_predictions()
    assert len(df) == per_thread * threads
    assert set(df["prediction_id"]) == {pid for ids in out for pid in ids}
    counts = df.groupby("thread")["i"].nunique()
    assert (counts == per_thread).all()
    assert monitor.cost_report().total_predictions == per_thread * threads


def test_references_and_retention(make_monitor):
    monitor = make_monitor()
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"x": rng.normal(size=300), "plan": rng.choice(["a", "b"], 300)})
    record = monitor.save_reference(data, note="training")
    assert record.note == "training" and record.rows == 300
    assert monitor.reference().version == record.version
    fitted = Reference.fit(data.assign(x=data["x"] + 1))
    second = monitor.save_reference(fitted)
    assert monitor.reference().version == second.version == fitted.version
    assert monitor.reference(record.version).version == record.version

    old = datetime.now(UTC) - timedelta(days=40)
    monitor.log_prediction({"x": 1.0}, 0.5, timestamp=old)
    monitor.log_prediction({"x": 2.0}, 0.5)
    report = monitor.apply_retention(timedelta(days=30))
    assert report.predictions_archived == 1
    assert len(monitor.get_recent_predictions(days=365)) == 1
    assert len(monitor.get_recent_predictions(days=365, include_archive=True)) == 2


def test_config_is_validated_with_the_field_named(store):
    with pytest.raises(ConfigError, match="model_name"):
        ModelMonitor("", store=store)
    with pytest.raises(ConfigError, match="metrics"):
        ModelMonitor("m", metrics=["acuracy"], store=store)
    with pytest.raises(ConfigError, match="alert_thresholds"):
        ModelMonitor("m", alert_thresholds={"auc": "high"}, store=store)
    with pytest.raises(ConfigError, match="batch_size"):
        ModelMonitor("m", batch_size=0, store=store)
    with pytest.raises(ConfigError, match="sampling"):
        ModelMonitor("m", sampling=0.1, store=store)
    with ModelMonitor(
        "m",
        metrics=["accuracy", "auc"],
        alert_thresholds={"auc": 0.9, "data_drift_score": 0.2},
        store=store,
    ) as monitor:
        assert monitor.metrics == ("accuracy", "auc")
        assert monitor.alert_thresholds == {"auc": 0.9, "data_drift_score": 0.2}
        assert monitor.config.to_dict()["sampling"]["rate"] == 1.0


def test_close_is_idempotent_and_later_logging_is_counted_not_raised(make_monitor):
    monitor = make_monitor()
    monitor.log_prediction({"x": 1.0}, 0.5)
    monitor.close()
    monitor.close()
    with pytest.warns(RuntimeWarning, match="closed"):
        pid = monitor.log_prediction({"x": 2.0}, 0.5)
    assert isinstance(pid, str)
    assert monitor.cost_report().dropped_records == 1


def test_configured_retention_is_the_default_age(make_monitor):
    monitor = make_monitor(retention=30)
    with pytest.raises(ConfigError, match="retention"):
        make_monitor("other").apply_retention()
    monitor.log_prediction({"x": 1.0}, 0.5, timestamp=datetime.now(UTC) - timedelta(days=31))
    monitor.log_prediction({"x": 2.0}, 0.5, timestamp=datetime.now(UTC) - timedelta(days=29))
    assert monitor.apply_retention().predictions_archived == 1
    assert monitor.apply_retention().predictions_archived == 0
    assert monitor.config.to_dict()["retention_days"] == 30
    with pytest.raises(ConfigError, match="retention"):
        make_monitor("bad", retention=timedelta(0))
