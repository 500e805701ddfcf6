"""Streams and checks shared by the tests of the 0/1 detectors (DDM, EDDM, HDDM_A, HDDM_W)."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from driftscope.errors import DataError

SEEDS = (0, 1, 2)


def streams(seed: int, n: int = 3000) -> Iterator[tuple[str, np.ndarray]]:
    """The 0/1 streams every detector is checked on (1 = error)."""
    rng = np.random.default_rng(seed)
    half = n // 2

    def bits(p: float | np.ndarray, size: int) -> np.ndarray:
        return (rng.random(size) < p).astype(np.int64)

    yield "jump 10%->15%", np.r_[bits(0.1, half), bits(0.15, n - half)]
    yield "jump 10%->30%", np.r_[bits(0.1, half), bits(0.3, n - half)]
    ramp = np.r_[np.full(n // 4, 0.1), np.linspace(0.1, 0.4, half), np.full(n - n // 4 - half, 0.4)]
    yield "gradual 10%->40%", bits(ramp, n)
    yield "drop 30%->10%", np.r_[bits(0.3, half), bits(0.1, n - half)]
    for p in (0.01, 0.1, 0.3, 0.5):
        yield f"stationary {p:.0%}", bits(p, n)
    yield "all zeros", np.zeros(500, dtype=np.int64)
    yield "all ones", np.ones(500, dtype=np.int64)
    yield "short", bits(0.3, 25)
    yield "one value", np.ones(1, dtype=np.int64)


def piecewise(seed: int, pieces: int = 6) -> np.ndarray:
    """Pieces of 20 to 300 values at random error rates: rises and falls in turn."""
    rng = np.random.default_rng(seed)
    rates, lengths = rng.random(pieces), rng.integers(20, 300, pieces)
    return np.concatenate([rng.random(n) < p for p, n in zip(rates, lengths, strict=True)]).astype(
        np.int64
    )


def all_streams(seeds: tuple[int, ...] = SEEDS) -> list[tuple[str, np.ndarray]]:
    return [(f"{name} (seed {seed})", xs) for seed in seeds for name, xs in streams(seed)]


def run(detector: Any, values: Any) -> tuple[list[int], list[int]]:
    """Drift and warning positions from one ``update`` per value (ours or River's)."""
    drifts, warnings = [], []
    for i, x in enumerate(values):
        detector.update(x)
        if detector.drift_detected:
            drifts.append(i)
        if detector.warning_detected:
            warnings.append(i)
    return drifts, warnings


def state(detector: Any) -> dict[str, Any]:
    """Every attribute: parameters, counters, flags and statistics."""
    return dict(vars(detector))


def assert_batch_matches_loop(make: Callable[[], Any], values: np.ndarray) -> None:
    """update_many (whole, in chunks, as a list) == one update per value, state included."""
    loop = make()
    expected = run(loop, values.tolist())
    batch = make()
    drifts, warnings = batch.update_many(values, return_warnings=True)
    assert (drifts.tolist(), warnings.tolist()) == expected
    assert state(batch) == state(loop)
    chunked = make()
    found: list[int] = []
    start = 0
    for size in (1, 7, 100, 5, len(values)):
        part = values[start : start + size]
        found += (chunked.update_many(part) + start).tolist()
        start += len(part)
    assert found == expected[0]
    assert state(chunked) == state(loop)
    as_list = make()
    assert as_list.update_many(values.tolist()).tolist() == expected[0]
    assert state(as_list) == state(loop)


def check_signature(ours: type, river: type) -> None:
    """Same parameter names, in the same order, with the same defaults as River's."""

    def params(cls: type) -> list[tuple[str, Any]]:
        sig = inspect.signature(cls.__init__)
        return [(p.name, p.default) for p in sig.parameters.values() if p.name != "self"]

    assert params(ours)[:-1] == params(river)
    assert params(ours)[-1] == ("on_invalid", "skip")


BAD_VALUES = [math.nan, math.inf, -math.inf, None, 0.5, 2, -1, "1", "a", np.float64("nan"), [1]]


def check_invalid_values(make: Callable[..., Any], values: np.ndarray) -> None:
    """Bad values are skipped and counted (state otherwise untouched) or raise."""
    clean = make()
    run(clean, values.tolist())
    mixed = make()
    for i, x in enumerate(values.tolist()):
        if i % 50 == 3:
            for bad in BAD_VALUES:
                mixed.update(bad)
                assert not mixed.drift_detected
        mixed.update(x)
    expected = state(clean)
    expected["n_skipped"] = len(BAD_VALUES) * len(range(3, len(values), 50))
    assert state(mixed) == expected
    strict = make(on_invalid="raise")
    for bad in BAD_VALUES:
        with pytest.raises(DataError, match="expected 0/1 or a bool"):
            strict.update(bad)
    assert strict.n_updates == strict.n_skipped == 0


def check_invalid_in_batches(make: Callable[..., Any], values: np.ndarray) -> None:
    """update_many skips or raises on bad values exactly as the update loop does."""
    floats = values.astype(float)
    floats[5::97] = np.nan
    floats[11::89] = 0.5
    floats[13::101] = 2.0
    loop = make()
    expected = run(loop, floats.tolist())
    batch = make()
    drifts, warnings = batch.update_many(floats, return_warnings=True)
    assert (drifts.tolist(), warnings.tolist()) == expected
    assert state(batch) == state(loop)
    assert batch.n_skipped == np.count_nonzero((floats != 0) & (floats != 1))
    for objects in (
        [None if i % 71 == 2 else x for i, x in enumerate(values.tolist())],
        ["1" if i % 71 == 2 else x for i, x in enumerate(values.tolist())],  # text and numbers
        [[x, True] if i % 71 == 2 else x for i, x in enumerate(values.tolist())],  # ragged
    ):
        loop, batch = make(), make()
        expected = run(loop, objects)
        assert batch.update_many(objects).tolist() == expected[0]
        assert state(batch) == state(loop)
        assert batch.n_skipped == len(range(2, len(values), 71))
    loop, batch = make(), make()
    assert batch.update_many(x for x in values.tolist()).tolist() == run(loop, values.tolist())[0]
    assert state(batch) == state(loop)
    # Raising: the values before the bad one count, as in the loop.
    loop, batch = make(on_invalid="raise"), make(on_invalid="raise")
    with pytest.raises(DataError):
        for x in floats.tolist():
            loop.update(x)
    with pytest.raises(DataError):
        batch.update_many(floats)
    assert state(batch) == state(loop) and batch.n_updates == 5


def check_types_accepted(make: Callable[[], Any], values: np.ndarray) -> None:
    """Ints, floats, bools and NumPy scalars of 0/1 are the same stream."""
    expected = run(make(), values.tolist())
    for converted in (
        [bool(x) for x in values.tolist()],
        values.astype(float).tolist(),
        list(values.astype(np.int8)),
        list(values.astype(np.float32)),
        list(values.astype(bool)),
    ):
        assert run(make(), converted) == expected
    for array in (values.astype(bool), values.astype(np.uint8), values.astype(np.float32)):
        assert make().update_many(array).tolist() == expected[0]


def check_without_numba(make: Callable[[], Any], values: np.ndarray, monkeypatch: Any) -> None:
    """Without a compiled kernel update_many falls back to the update loop."""
    compiled = make()
    expected = compiled.update_many(values, return_warnings=True)
    monkeypatch.setattr(type(compiled), "_kernel", None)
    fallback = make()
    got = fallback.update_many(values, return_warnings=True)
    assert [a.tolist() for a in got] == [a.tolist() for a in expected]
    assert state(fallback) == state(compiled)


def check_clone_reset(detector: Any, values: np.ndarray) -> None:
    """clone and _reset give a fresh detector with the same parameters."""
    fresh = detector.clone()
    expected = state(fresh)
    detector.update_many(values)
    assert detector.n_updates == len(values)
    clone = detector.clone()
    assert clone == detector and state(clone) == expected
    assert repr(clone) == repr(detector)
    detector._reset()
    assert state(detector) == expected
    assert run(detector, values.tolist()) == run(clone, values.tolist())
