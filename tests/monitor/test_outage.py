"""Store outages and a full buffer: serving keeps going, records are kept, retried, or
dropped and counted, and flush says which."""

from __future__ import annotations

import threading
import time
import warnings

import numpy as np
import pandas as pd
import pytest

from driftscope.errors import StoreError, StoreUnavailableError
from tests.monitor.conftest import FlakyStore


def _wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def test_short_outage_records_are_written_after_recovery(store, make_monitor):
    flaky = FlakyStore(store)
    monitor = make_monitor(store=flaky)
    flaky.down.set()
    start = time.perf_counter()
    ids = [monitor.log_prediction({"x": float(i)}, 0.5) for i in range(100)]
    monitor.log_ground_truth(ids[0], 1)
    assert time.perf_counter() - start < 1.0  # serving never waits for the store
    with pytest.raises(StoreUnavailableError, match="101 records are not in the store"):
        monitor.flush()
    with pytest.raises(StoreUnavailableError, match="injected outage"):
        monitor.flush(timeout=0.2)
    assert monitor.operational_stats()["write_failures"] >= 2
    flaky.down.clear()
    monitor.flush(timeout=10)
    df = monitor.get_recent_predictions()
    assert sorted(df["prediction_id"]) == sorted(ids)
    assert df.set_index("prediction_id").loc[ids[0], "label"] == 1
    assert monitor.cost_report().dropped_records == 0


def test_records_older_than_max_retry_are_dropped_counted_and_reported(store, make_monitor):
    flaky = FlakyStore(store)
    monitor = make_monitor(store=flaky, max_retry_seconds=0.3)
    flaky.down.set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(50):
            monitor.log_prediction({"x": float(i)}, 0.5)
        _wait_for(lambda: monitor.cost_report().dropped_records == 50)
    with pytest.raises(StoreError, match="50 records were dropped"):
        monitor.flush()
    monitor.flush()  # reported once
    flaky.down.clear()
    for i in range(10):
        monitor.log_prediction({"x": 100.0 + i}, 0.5)
    df = monitor.get_recent_predictions()
    assert sorted(df["x"]) == [100.0 + i for i in range(10)]
    report = monitor.cost_report()
    assert report.dropped_records == 50 and report.written_predictions == 10
    assert report.logged_predictions == 60


def test_a_full_buffer_drops_new_records_with_one_warning(store, make_monitor):
    flaky = FlakyStore(store)
    monitor = make_monitor(store=flaky, max_buffered=100)
    flaky.down.set()
    with pytest.warns(RuntimeWarning, match="100 records are waiting") as caught:
        ids = [monitor.log_prediction({"x": float(i)}, 0.5) for i in range(150)]
    assert len([w for w in caught if "waiting" in str(w.message)]) == 1
    assert len(set(ids)) == 150
    assert monitor.cost_report().dropped_records == 50
    flaky.down.clear()
    with pytest.raises(StoreError, match="50 records were dropped"):
        monitor.flush(timeout=10)
    df = monitor.get_recent_predictions()
    assert sorted(df["x"]) == [float(i) for i in range(100)]
    # room again: logging goes on
    monitor.log_prediction({"x": 1000.0}, 0.5)
    assert len(monitor.get_recent_predictions()) == 101


def test_batch_form_waits_for_room_rather_than_dropping(store, make_monitor):
    flaky = FlakyStore(store)
    monitor = make_monitor(store=flaky, max_buffered=100)
    flaky.down.set()
    threading.Timer(0.3, flaky.down.clear).start()
    frame = pd.DataFrame({"x": np.arange(100.0)})
    monitor.log_predictions(frame, np.zeros(100))
    monitor.log_predictions(frame, np.ones(100))  # waits until the first batch is written
    monitor.flush(timeout=10)
    assert len(monitor.get_recent_predictions()) == 200
    assert monitor.cost_report().dropped_records == 0


def test_store_that_cannot_be_opened_is_retried_like_an_outage(tmp_path, make_monitor):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    monitor = make_monitor(store=str(blocker / "home"), max_retry_seconds=0.2)
    monitor.log_prediction({"x": 1.0}, 0.5)
    with pytest.raises(StoreError):
        monitor.flush()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _wait_for(lambda: monitor.cost_report().dropped_records == 1)


def test_a_batch_the_store_refuses_does_not_hold_back_the_others(store, make_monitor):
    class Picky(FlakyStore):
        def write_predictions(self, model, batch):
            if min(batch.column("feature.x").to_pylist()) < 0:
                raise StoreError("refused: this store cannot take negative values")
            return super().write_predictions(model, batch)

    monitor = make_monitor(store=Picky(store), max_retry_seconds=0.5)
    monitor.log_prediction({"x": -1.0}, 0.5)
    with pytest.raises(StoreError, match="refused"):
        monitor.flush()
    good = [monitor.log_prediction({"x": float(i)}, 0.5) for i in range(1, 20)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _wait_for(lambda: monitor.cost_report().dropped_records == 1)
    with pytest.raises(StoreError, match="1 records were dropped"):
        monitor.flush()
    assert sorted(monitor.get_recent_predictions()["prediction_id"]) == sorted(good)
