"""Column roles on DriftDetector: target, prediction, timestamp, ids; id-like columns."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import driftscope as ds
from driftscope.errors import DataError

N = 3_000


def frame(rng, n=N, shift=0.0, start=0, target=True):
    data = {
        "id": np.arange(start, start + n),
        "ts": pd.date_range("2026-01-01", periods=n, freq="min", tz="UTC")
        + pd.Timedelta(minutes=start),
        "age": rng.normal(40 + shift, 10, n),
        "plan": rng.choice(["a", "b"], n),
        "score": rng.random(n),
    }
    if target:
        data["label"] = rng.integers(0, 2, n)
    return pd.DataFrame(data)


@pytest.fixture
def train(rng):
    return frame(rng)


@pytest.fixture
def today(rng):
    return frame(rng, start=N, target=False)


def test_ids_and_times_do_not_drift(train, today):
    # without roles, an id and an event time of a later batch always drift (KS = 1)
    assert stats.ks_2samp(train["id"], today["id"]).statistic == 1.0
    result = ds.DriftDetector(train).detect_feature_drift(today)
    assert list(result.features) == ["age", "plan", "score"]
    assert not result.has_drift
    assert result.skipped["id"].startswith("looks like an id: named like one, 100% distinct")
    assert result.skipped["ts"].startswith("looks like an event time: 100% distinct times")
    assert result.skipped["label"] == "only in the baseline data"


def test_roles_are_left_out_and_named(train, today):
    detector = ds.DriftDetector(
        train, target_column="label", prediction_column="score", timestamp_column="ts",
        id_columns="id",
    )  # fmt: skip
    assert detector.feature_names == ["age", "plan"]
    result = detector.detect_feature_drift(today)
    assert list(result.features) == ["age", "plan"]
    assert result.skipped == {
        "ts": "the timestamp column: not compared as a feature",
        "id": "an id column: not compared",
        "label": "the target column: compared in target drift",
    }


def test_a_named_id_like_column_is_compared(train, today):
    result = ds.DriftDetector(train, columns=["id", "age"]).detect_feature_drift(today)
    assert result.drifted_features == ["id"]
    with pytest.raises(DataError, match=r"'id'.*looks like an id"):
        ds.DriftDetector(train).detect_feature_drift(today, features=["id"])


def test_detect_ids_false_compares_everything(train, today):
    result = ds.DriftDetector(train, detect_ids=False).detect_feature_drift(today)
    assert set(result.drifted_features) == {"id", "ts"}


def test_target_drift_against_scipy(rng, train):
    shifted = frame(rng, start=N)
    shifted["label"] = (rng.random(N) < 0.7).astype(int)  # from about 50 % ones to 70 %
    detector = ds.DriftDetector(train, target_column="label")
    result = detector.detect_target_drift(shifted)
    assert result.kind == "target" and result.drifted_features == ["label"]
    table = [np.bincount(train["label"]), np.bincount(shifted["label"])]
    expected = stats.chi2_contingency(table, correction=False).pvalue
    assert result.features["label"].p_value == pytest.approx(expected, rel=1e-9)
    assert "label" not in detector.detect_feature_drift(shifted).features


def test_target_absent_in_production_is_reported_not_fatal(train, today):
    report = ds.DriftDetector(train, target_column="label").detect(today)
    assert report.target_drift.features == {}
    assert report.target_drift.skipped == {
        "label": "only in the baseline data (labels usually arrive later)"
    }
    assert not report.has_drift


def test_prediction_absent_in_production_is_reported(train, today):
    detector = ds.DriftDetector(train, prediction_column="score")
    result = detector.detect_prediction_drift(today.drop(columns="score"))
    assert result.features == {} and result.skipped == {"score": "only in the baseline data"}


def test_detect_gives_every_section(rng, train):
    later = frame(rng, start=N)
    later["score"] = rng.random(N) ** 2  # the model's scores moved
    report = ds.DriftDetector(train, prediction_column="score", target_column="label").detect(later)
    assert report.prediction_drift.drifted_features == ["score"]
    assert report.target_drift.features["label"].drifted is False
    assert report.has_drift and not report.feature_drift.has_drift
    doc = json.loads(report.to_json())
    assert doc["target_drift"]["kind"] == "target" and doc["prediction_drift"]["has_drift"]


def test_a_role_in_neither_data_set_is_an_error(train, today):
    detector = ds.DriftDetector(train, timestamp_column="time")
    with pytest.raises(DataError, match="column 'time': is the timestamp column but is in neither"):
        detector.detect_feature_drift(today)


def test_a_timestamp_only_in_production_is_fine(train, today):
    result = ds.DriftDetector(train.drop(columns="ts"), timestamp_column="ts").detect_feature_drift(
        today
    )
    assert result.skipped["ts"] == "the timestamp column: not compared as a feature"


def test_roles_survive_save_and_load(tmp_path, train, today):
    detector = ds.DriftDetector(train, target_column="label", timestamp_column="ts")
    loaded = ds.DriftDetector.load(detector.save(tmp_path / "r.dsref"))
    assert (loaded.target_column, loaded.timestamp_column) == ("label", "ts")
    assert loaded.left_out_ == detector.left_out_
    expected = detector.detect_feature_drift(today)
    again = loaded.detect_feature_drift(today)
    assert again.skipped == expected.skipped and list(again.features) == ["age", "plan", "score"]


def test_all_missing_categorical_column_is_a_finding(train, today):
    result = ds.DriftDetector(train).detect_feature_drift(today.assign(plan=None))
    plan = result.features["plan"]
    assert plan.drifted and plan.notes == (f"all {N:,} production values are missing",)


@pytest.mark.parametrize(
    ("name", "target", "prediction"),
    [
        ("car_loan", "repaid", "y_pred_proba"),
        ("binary_classification", "work_home_actual", "y_pred_proba"),
        ("car_price", "y_true", "y_pred"),
        ("multiclass_classification", "y_true", "y_pred"),
    ],
)
def test_nannyml_sets(nannyml_data, name, target, prediction):
    reference, analysis = nannyml_data(name, "reference"), nannyml_data(name, "analysis")
    detector = ds.DriftDetector(
        reference, target_column=target, prediction_column=prediction, timestamp_column="timestamp"
    )
    report = detector.detect(analysis)
    features = report.feature_drift
    floats = pd.read_parquet(reference).select_dtypes("float").columns
    assert set(floats) - {target, prediction} <= set(features.features)  # every float compared
    assert {"id", "timestamp"} <= set(features.skipped) and "id" not in features.features
    assert report.target_drift.skipped == {
        target: "only in the baseline data (labels usually arrive later)"
    }
    assert list(report.prediction_drift.features) == [prediction]


def test_a_text_timestamp_drifts_the_same_from_parquet_and_csv(nannyml_data, tmp_path):
    frames = {
        period: pd.read_parquet(nannyml_data("car_loan", period)).iloc[:3000]
        for period in ("reference", "analysis")
    }
    results = []
    for suffix in ("parquet", "csv"):
        paths = {}
        for period, data in frames.items():
            paths[period] = tmp_path / f"{period}.{suffix}"
            if suffix == "csv":
                data.to_csv(paths[period], index=False)
            else:
                data.to_parquet(paths[period])
        detector = ds.DriftDetector(paths["reference"], columns=["timestamp", "car_value"])
        results.append(detector.detect_feature_drift(paths["analysis"]))
    from_parquet, from_csv = (r.features["timestamp"] for r in results)
    assert from_parquet.kind == from_csv.kind == "datetime"
    assert from_parquet.score == from_csv.score == 1.0  # later times: all of the data moved
    assert from_parquet.statistic == from_csv.statistic
    assert from_parquet.distribution == from_csv.distribution
