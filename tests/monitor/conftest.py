"""Fixtures for the monitor tests: a real store in a temporary folder, and a store wrapper
that fails on demand (fault injection: the data still goes to the real store)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from driftscope.core.reference_blob import ReferenceBlob, StorableReference
from driftscope.errors import StoreUnavailableError
from driftscope.monitor import ModelMonitor
from driftscope.store import ReferenceRecord, Store


def real_store(path) -> Store:
    from driftscope.store import EmbeddedStore

    return EmbeddedStore(path)


class FlakyStore(Store):
    """Delegates to a real store; while ``down`` is set every write and read raises
    StoreUnavailableError. Counts the write attempts."""

    def __init__(self, inner: Store):
        self.inner = inner
        self.down = threading.Event()
        self.attempts = 0

    def _check(self) -> None:
        self.attempts += 1
        if self.down.is_set():
            raise StoreUnavailableError("injected outage: the store is down")

    def write_predictions(self, model, batch):
        self._check()
        return self.inner.write_predictions(model, batch)

    def write_labels(self, model, batch):
        self._check()
        return self.inner.write_labels(model, batch)

    def read_predictions(self, model, **kw):
        return self.inner.read_predictions(model, **kw)

    def count_predictions(self, model, **kw):
        return self.inner.count_predictions(model, **kw)

    def unmatched_labels(self, model, **kw):
        return self.inner.unmatched_labels(model, **kw)

    def models(self):
        return self.inner.models()

    def save_reference(
        self, model: str, reference: StorableReference, *, note: str = ""
    ) -> ReferenceRecord:
        return self.inner.save_reference(model, reference, note=note)

    def load_reference(self, model: str, version: str | None = None) -> ReferenceBlob:
        return self.inner.load_reference(model, version)

    def reference_history(self, model):
        return self.inner.reference_history(model)

    def write_check_results(self, records):
        return self.inner.write_check_results(records)

    def read_check_results(self, model, **kw):
        return self.inner.read_check_results(model, **kw)

    def archive(self, older_than, *, model=None):
        return self.inner.archive(older_than, model=model)

    def put_state(self, record, *, if_version=None):
        self._check()
        return self.inner.put_state(record, if_version=if_version)

    def get_state(self, kind, key):
        return self.inner.get_state(kind, key)

    def find_state(self, kind, **kw):
        return self.inner.find_state(kind, **kw)

    def claim_due(self, kind, **kw):
        self._check()
        return self.inner.claim_due(kind, **kw)

    def delete_state(self, kind, key):
        self._check()
        return self.inner.delete_state(kind, key)

    def append_audit(self, entries):
        self._check()
        return self.inner.append_audit(entries)

    def read_audit(self, **kw):
        return self.inner.read_audit(**kw)

    def close(self):
        self.inner.close()


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    s = real_store(tmp_path / "home")
    yield s
    s.close()


@pytest.fixture
def make_monitor(store):
    """``make_monitor(name="m", **options)``: a monitor on the test's store, closed after."""
    made: list[ModelMonitor] = []

    def make(name: str = "churn", **options) -> ModelMonitor:
        options.setdefault("store", store)
        options.setdefault("flush_interval", 0.05)
        monitor = ModelMonitor(name, **options)
        made.append(monitor)
        return monitor

    yield make
    for monitor in made:
        monitor.close(timeout=5)
