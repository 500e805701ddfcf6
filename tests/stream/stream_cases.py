"""Streams and helpers shared by the tests of the numeric detectors (ADWIN, KSWIN,
Page-Hinkley)."""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from driftscope.errors import DataError


def make_stream(kind: str, n: int, seed: int) -> np.ndarray:
    """A test stream of ``n`` values: drifts of several shapes, or none."""
    rng = np.random.default_rng(seed)
    third = n // 3
    if kind == "abrupt":  # mean shifts
        return np.concatenate(
            [rng.normal(0, 1, third), rng.normal(1.5, 1, third), rng.normal(-0.5, 1, n - 2 * third)]
        )
    if kind == "variance":
        return np.concatenate([rng.normal(0, 1, n // 2), rng.normal(0, 3, n - n // 2)])
    if kind == "gradual":
        return rng.normal(0, 1, n) + np.linspace(0, 2, n)
    if kind == "errors":  # a classifier's 0/1 errors, worsening
        return (rng.random(n) < np.linspace(0.1, 0.35, n)).astype(float)
    if kind == "noise":
        return rng.normal(0, 1, n)
    if kind == "integers":
        return np.concatenate([rng.integers(0, 5, n // 2), rng.integers(2, 9, n - n // 2)])
    if kind == "constant":
        return np.full(n, 3.0)
    raise ValueError(kind)


KINDS = ("abrupt", "variance", "gradual", "errors", "noise", "integers", "constant")


def as_python(values: np.ndarray) -> list:
    """The values as Python ints (integer arrays) or floats, as a River user passes them."""
    return values.tolist()


def loop_hits(detector, values) -> list[int]:
    """Positions where ``detector.update`` reported a drift."""
    hits = []
    for i, x in enumerate(values):
        detector.update(x)
        if detector.drift_detected:
            hits.append(i)
    return hits


@pytest.fixture
def python_twins(monkeypatch) -> Callable:
    """``python_twins(module)``: run ``module``'s compiled cores as plain Python."""
    caches: list[functools._lru_cache_wrapper] = []

    def use(module):
        for name, obj in list(vars(module).items()):
            if hasattr(obj, "py_func"):
                monkeypatch.setattr(module, name, obj.py_func)
        for obj in vars(module).values():  # entry points cached for the compiled cores
            if hasattr(obj, "cache_clear"):
                obj.cache_clear()
                caches.append(obj)

    yield use
    monkeypatch.undo()
    for cache in caches:
        cache.cache_clear()


def snapshot(detector: Any) -> tuple:
    """The detector's statistics (its ``_state()``), counters and drift flag, for ==."""
    state = [a.tolist() if isinstance(a, np.ndarray) else a for a in detector._state()]
    return (
        *state,
        detector.n_updates,
        detector.n_skipped,
        detector.n_detections,
        detector.drift_detected,
    )


def check_batches_leave_the_loop_state(
    make: Callable[[], Any], values: list, stops: Sequence[int]
) -> None:
    """``values`` cut at ``stops`` and fed part by part: update_many, or a few single updates
    then update_many, detects where the update loop does and leaves the same state."""
    looped, batched, mixed = make(), make(), make()
    start = 0
    for stop in stops:
        part = values[start:stop]
        expected = [start + i for i in loop_hits(looped, part)]
        assert (start + batched.update_many(part)).tolist() == expected
        assert snapshot(batched) == snapshot(looped)
        # mixing both: a few single updates, then a batch
        singles = [start + i for i in loop_hits(mixed, part[:7])]
        rest = (start + 7 + mixed.update_many(part[7:])).tolist()
        assert singles + rest == expected
        assert snapshot(mixed) == snapshot(looped)
        start = stop
    assert start == len(values)


def check_invalid_values_skipped(
    make: Callable[[], Any], values: list, bad: Sequence[Any], skipped: int
) -> None:
    """``bad`` inserted after every 100th value (from the 51st) is skipped and counted
    (``skipped`` in all), one update at a time or in a batch; the valid values detect where
    the clean stream does."""
    dirty = []
    for i, x in enumerate(values):
        dirty.append(x)
        if i % 100 == 50:
            dirty.extend(bad)
    detector = make()
    hits = loop_hits(detector, dirty)
    expected = loop_hits(make(), values)
    assert [dirty[i] for i in hits] == [values[i] for i in expected] and expected
    assert (detector.n_updates, detector.n_skipped) == (len(values), skipped)
    batch = make()
    assert batch.update_many(dirty).tolist() == hits
    assert (batch.n_updates, batch.n_skipped) == (len(values), skipped)


def check_invalid_values_raise(strict: Any, bad: Sequence[Any], batch: list, n_valid: int) -> None:
    """``strict`` (``on_invalid="raise"``) refuses each of ``bad`` and, in update_many, the
    first invalid value of ``batch``, once the values before it were added: ``n_valid``
    valid updates in all."""
    for x in bad:
        with pytest.raises(DataError, match="expected a finite number"):
            strict.update(x)
    with pytest.raises(DataError, match=f"after {n_valid} valid updates"):
        strict.update_many(batch)
    assert strict.n_updates == n_valid


def check_clone_pickle_reset(detector: Any, values: np.ndarray, more: np.ndarray) -> Any:
    """After ``values``: a clone is an equal (same parameters) fresh detector, a pickled
    copy continues on ``more`` as the detector does, and ``_reset`` makes the detector the
    fresh one. Returns the clone."""
    detector.update_many(values)
    fresh = detector.clone()
    assert fresh == detector
    assert (fresh.n_updates, fresh.n_skipped, fresh.n_detections) == (0, 0, 0)
    copy = pickle.loads(pickle.dumps(detector))
    assert snapshot(copy) == snapshot(detector)
    assert copy.update_many(more).tolist() == detector.update_many(more).tolist()
    assert snapshot(copy) == snapshot(detector)
    detector._reset()
    assert snapshot(detector) == snapshot(fresh)
    return fresh


def check_python_twin(
    python_twins: Callable, module: Any, make: Callable[[], Any], values: np.ndarray
) -> None:
    """``module``'s compiled cores and their Python twins find the same drifts, in batches
    and one update at a time."""
    compiled_hits = make().update_many(values).tolist()
    compiled_loop = loop_hits(make(), values.tolist())
    python_twins(module)
    assert not any(hasattr(obj, "py_func") for obj in vars(module).values())
    assert make().update_many(values).tolist() == compiled_hits
    assert loop_hits(make(), values.tolist()) == compiled_loop
