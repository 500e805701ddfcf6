"""@monitor.track_predictions on sync and async functions."""

from __future__ import annotations

import asyncio
import time
import traceback

import pandas as pd
import pytest


class Model:
    def __init__(self, monitor):
        self.predict = monitor.track_predictions(self._predict)

    def _predict(self, features):
        return {"label": 1, "confidence": features["x"] / 10}


def test_sync_function_return_value_features_and_latency(make_monitor):
    monitor = make_monitor()
    result = {"label": 1}

    @monitor.track_predictions
    def predict(features, threshold=0.5):
        time.sleep(0.002)
        return result

    assert predict({"x": 1.0}) is result
    assert predict(features={"x": 2.0}) is result
    assert predict.__name__ == "predict"
    df = monitor.get_recent_predictions()
    assert df["x"].tolist() == [1.0, 2.0]
    assert df["prediction.label"].tolist() == [1, 1]
    assert (df["metadata.latency_ms"] >= 2.0).all()
    stats = monitor.operational_stats()
    assert stats["calls"] == 2 and stats["errors"] == 0
    assert 2.0 <= stats["latency_ms"]["p50"] < 1000


def test_exceptions_are_reraised_unchanged_and_counted(make_monitor):
    monitor = make_monitor()

    class ModelError(Exception):
        pass

    error = ModelError("boom")

    @monitor.track_predictions
    def predict(features):
        raise error

    with pytest.raises(ModelError) as info:
        predict({"x": 1.0})
    assert info.value is error
    frames = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
    assert frames[-1] == "predict"  # the original frame is still where it was raised
    stats = monitor.operational_stats()
    assert stats["calls"] == 1 and stats["errors"] == 1 and stats["error_rate"] == 1.0
    df = monitor.get_recent_predictions()  # the failed call is logged, without a prediction
    assert df["x"].tolist() == [1.0] and df["metadata.error"].tolist() == ["ModelError"]
    assert "prediction" not in df or df["prediction"].isna().all()
    assert df["metadata.latency_ms"].notna().all() and monitor.quality_counts() == {}


def test_async_functions(make_monitor):
    monitor = make_monitor()

    @monitor.track_predictions
    async def predict(features):
        await asyncio.sleep(0.001)
        return features["x"] * 2

    @monitor.track_predictions
    async def fails(features):
        raise KeyError("missing")

    async def main():
        values = await asyncio.gather(*(predict({"x": float(i)}) for i in range(20)))
        with pytest.raises(KeyError):
            await fails({"x": 0.0})
        return values

    values = asyncio.run(main())
    assert values == [i * 2.0 for i in range(20)]
    df = monitor.get_recent_predictions()
    failed = df["metadata.error"].notna()
    assert df.loc[failed, "metadata.error"].tolist() == ["KeyError"]
    assert sorted(df.loc[~failed, "prediction"].tolist()) == values
    assert sorted(df.loc[~failed, "x"].tolist()) == [float(i) for i in range(20)]
    stats = monitor.operational_stats()
    assert stats["calls"] == 21 and stats["errors"] == 1


def test_a_function_that_logs_itself_is_not_logged_twice(make_monitor):
    """The seed example decorates *and* calls log_prediction inside."""
    monitor = make_monitor()

    @monitor.track_predictions
    async def predict(features):
        await asyncio.sleep(0.003)  # the model's work
        prediction = 0.42
        monitor.log_prediction(
            features=features,
            prediction=prediction,
            metadata={"customer_id": features["customer_id"]},
        )
        return prediction

    asyncio.run(predict({"customer_id": "c1", "x": 1.0}))
    monitor.log_prediction(  # outside a tracked call: no latency
        {"customer_id": "c2", "x": 2.0}, 0.1, metadata={"customer_id": "c2"}
    )
    df = monitor.get_recent_predictions()
    assert len(df) == 2 and df["metadata.customer_id"].tolist() == ["c1", "c2"]
    assert monitor.operational_stats()["calls"] == 1
    # the record logged inside the call carries the latency up to the log call
    latency = df["metadata.latency_ms"].tolist()
    assert latency[0] >= 3.0 and pd.isna(latency[1])


def test_options_methods_and_monitoring_failures_never_break_the_call(make_monitor):
    monitor = make_monitor()
    model = Model(monitor)
    assert model.predict({"x": 5.0}) == {"label": 1, "confidence": 0.5}

    @monitor.track_predictions(prediction_from=lambda r: r[0], features_from="row")
    def score(model_name, row):
        return (0.9, "explanation")

    assert score("m", {"x": 3.0}) == (0.9, "explanation")

    @monitor.track_predictions(prediction_from=lambda r: r["missing"])  # raises inside
    def broken_extractor(features):
        return {"value": 1}

    assert broken_extractor({"x": 4.0}) == {"value": 1}
    df = monitor.get_recent_predictions()
    assert df["x"].tolist() == [5.0, 3.0]
    assert df["prediction.confidence"].tolist()[0] == 0.5
    assert df["prediction"].tolist()[1] == 0.9
    stats = monitor.operational_stats()
    assert stats["calls"] == 3 and stats["monitoring_errors"] == 1
