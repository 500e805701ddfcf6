"""The streaming base class: parameters, cloning, invalid values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from driftscope.errors import ConfigError, DataError
from driftscope.stream.base import StreamDetector, check_range


class Threshold(StreamDetector):
    """A toy detector: drift when a value exceeds ``limit``."""

    def __init__(self, limit: float = 3.0, *, on_invalid: str = "skip"):
        self.limit = check_range("limit", limit, 0, math.inf, closed="neither")
        super().__init__(on_invalid=on_invalid)

    def update(self, x):
        value = self._valid(x)
        if value is None:
            return
        self.n_updates += 1
        self._drift_detected = value > self.limit


def test_repr_clone_and_equality_come_from_the_parameters():
    d = Threshold(2.5)
    d.update(5.0)
    assert d.drift_detected
    c = d.clone()
    assert repr(c) == "Threshold(limit=2.5, on_invalid='skip')"
    assert c == d and not c.drift_detected and c.n_updates == 0


def test_invalid_values_are_skipped_and_counted_or_raise():
    d = Threshold()
    for x in (float("nan"), float("inf"), None, "7", [1]):
        d.update(x)
    assert (d.n_skipped, d.n_updates) == (5, 0)
    strict = Threshold(on_invalid="raise")
    with pytest.raises(DataError, match="expected a finite number, got nan"):
        strict.update(float("nan"))


def test_update_many_matches_the_loop():
    values = np.array([1.0, 4.0, np.nan, 5.0, 0.0])
    assert Threshold().update_many(values).tolist() == [1, 3]


@pytest.mark.parametrize("bad", [0, -1, float("nan"), "3", True])
def test_parameters_out_of_range_fail_at_construction(bad):
    with pytest.raises(ConfigError, match="limit"):
        Threshold(bad)
    with pytest.raises(ConfigError, match="on_invalid"):
        Threshold(on_invalid="ignore")
