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


class Picky(FlakyStore):
    """Refuses for good (StoreError, not an outage) any batch holding a negative x."""

    def write_predictions(self, model, batch):
        self.attempts += 1
        if min(batch.column("feature.x").to_pylist()) < 0:
            raise StoreError("refused: this store cannot take negative values")
        return self.inner.write_predictions(model, batch)


def test_a_record_the_store_refuses_for_good_costs_only_itself(store, make_monitor):
    """One refused record among 10,001 is dropped at once with the store's reason; the
    10,000 others land, and nothing is retried as if the store were down."""
    picky = Picky(store)
    monitor = make_monitor(store=picky, max_retry_seconds=3600, batch_size=20_000)
    xs = np.arange(10_001, dtype=float)
    xs[4321] = -1.0
    ids = monitor.log_predictions(pd.DataFrame({"x": xs}), np.full(10_001, 0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the writer's warning says the same, on its thread
        with pytest.raises(StoreError, match="1 records were dropped") as info:
            monitor.flush()
    assert not isinstance(info.value, StoreUnavailableError)
    assert "refused by the store" in str(info.value) and "negative values" in str(info.value)
    stored = monitor.get_recent_predictions()
    assert sorted(stored["prediction_id"]) == sorted(np.delete(np.asarray(ids), 4321))
    assert monitor.cost_report().dropped_records == 1
    assert picky.attempts <= 2 + 2 * 15  # halving down to one record: no retry loop
    monitor.log_prediction({"x": 1.0}, 0.5)
    monitor.flush()  # the refusal was reported once; the monitor goes on


def test_an_outage_while_a_refused_batch_is_split_keeps_the_rest_queued(store, make_monitor):
    class PickyThenDown(Picky):
        def write_predictions(self, model, batch):
            if self.attempts >= 3:
                self.down.set()
            self._check()
            return super().write_predictions(model, batch)

    flaky = PickyThenDown(store)
    monitor = make_monitor(store=flaky, max_retry_seconds=3600)
    xs = np.arange(1000, dtype=float)
    xs[700] = -1.0
    ids = monitor.log_predictions(pd.DataFrame({"x": xs}), np.full(1000, 0.5))
    with pytest.raises(StoreUnavailableError):
        monitor.flush()
    flaky.down.clear()
    flaky.attempts = -(10**6)  # stays up from now on
    with pytest.raises(StoreError, match="1 records were dropped"):
        monitor.flush(timeout=30)
    stored = monitor.get_recent_predictions()
    assert sorted(stored["prediction_id"]) == sorted(np.delete(np.asarray(ids), 700))
