"""Streams and helpers shared by the parity tests of the streaming detectors."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pytest


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
        if hasattr(module, "_core"):
            module._core.cache_clear()
            caches.append(module._core)

    yield use
    monkeypatch.undo()
    for cache in caches:
        cache.cache_clear()
