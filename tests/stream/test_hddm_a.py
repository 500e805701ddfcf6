"""HDDM_A: River's warnings and drifts (one- and two-sided), batches equal to single updates,
input and parameters."""

from __future__ import annotations

import numpy as np
import pytest
from river.drift import binary as river

from driftscope.errors import ConfigError
from driftscope.stream.hddm_a import HDDM_A
from tests.stream.binary_cases import (
    all_streams,
    assert_batch_matches_loop,
    check_clone_reset,
    check_invalid_in_batches,
    check_invalid_values,
    check_signature,
    check_types_accepted,
    check_without_numba,
    piecewise,
    run,
    streams,
)

PARAMS = [
    {},
    {"two_sided_test": True},
    {"drift_confidence": 0.01, "warning_confidence": 0.05, "two_sided_test": True},
    {"drift_confidence": 0.0001, "warning_confidence": 0.001},
]
STREAMS = all_streams()


@pytest.mark.parametrize("params", PARAMS, ids=str)
def test_warnings_and_drifts_equal_rivers(params):
    detections = 0
    for name, xs in STREAMS:
        values = xs.tolist()
        expected = run(river.HDDMA(**params), values)
        assert run(HDDM_A(**params), values) == expected, name
        detections += len(expected[0])
    assert detections >= 5  # the streams do exercise drifts


def test_the_two_sided_test_also_detects_a_fall():
    values = dict(streams(8))["drop 30%->10%"].tolist()
    one, two = run(HDDM_A(), values), run(HDDM_A(two_sided_test=True), values)
    assert one == run(river.HDDMA(), values) and one[0] == []
    assert two == run(river.HDDMA(two_sided_test=True), values)
    assert 1500 < two[0][0] < 1700


@pytest.mark.parametrize("seed", [3, 4, 8])
def test_a_rise_and_a_fall_at_once_set_both_flags_as_in_river(seed):
    # Two-sided, River lets the fall test set the warning after the rise test's drift (and
    # the reverse): both flags at once. Kept as River does.
    params = {"drift_confidence": 0.05, "warning_confidence": 0.3, "two_sided_test": True}
    values = piecewise(seed).tolist()
    expected = run(river.HDDMA(**params), values)
    assert run(HDDM_A(**params), values) == expected
    assert set(expected[0]) & set(expected[1])


@pytest.mark.parametrize("params", PARAMS[:2], ids=str)
def test_update_many_equals_the_update_loop(params):
    for _, xs in streams(3):
        assert_batch_matches_loop(lambda: HDDM_A(**params), xs)
    assert_batch_matches_loop(lambda: HDDM_A(**params), np.zeros(0, dtype=np.int64))


def test_update_many_is_the_compiled_loop_or_the_python_one(monkeypatch):
    check_without_numba(HDDM_A, dict(streams(4))["jump 10%->30%"], monkeypatch)


def test_invalid_values_are_skipped_or_raise():
    xs = dict(streams(5))["gradual 10%->40%"]
    check_invalid_values(HDDM_A, xs)
    check_invalid_in_batches(HDDM_A, xs)
    check_types_accepted(HDDM_A, xs[:800])


def test_signature_is_rivers():
    check_signature(HDDM_A, river.HDDMA)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"drift_confidence": 0}, "drift_confidence"),
        ({"drift_confidence": 1}, "drift_confidence"),
        ({"drift_confidence": float("nan")}, "drift_confidence"),
        ({"warning_confidence": 1.5}, "warning_confidence"),
        ({"warning_confidence": "0.005"}, "warning_confidence"),
        ({"drift_confidence": 0.005}, "drift_confidence"),  # == warning_confidence
        ({"drift_confidence": 0.01}, "drift_confidence"),  # > warning_confidence
        ({"two_sided_test": 1}, "two_sided_test"),
        ({"two_sided_test": "yes"}, "two_sided_test"),
        ({"on_invalid": "ignore"}, "on_invalid"),
    ],
)
def test_parameters_out_of_range_fail_at_construction(kwargs, name):
    with pytest.raises(ConfigError, match=name):
        HDDM_A(**kwargs)


def test_clone_reset_repr():
    hddm = HDDM_A(two_sided_test=True)
    assert repr(hddm) == (
        "HDDM_A(drift_confidence=0.001, warning_confidence=0.005, two_sided_test=True, "
        "on_invalid='skip')"
    )
    check_clone_reset(hddm, dict(streams(6))["jump 10%->30%"])


def test_a_drift_restarts_the_statistics_at_once():
    xs = dict(streams(7))["jump 10%->30%"]
    first = HDDM_A().update_many(xs)[0]
    hddm, fresh = HDDM_A(), HDDM_A()
    hddm.update_many(xs[: first + 1])
    assert hddm.drift_detected and hddm.n_detections == 1
    hddm.update(xs[first + 1])  # the first value of the new concept
    fresh.update(xs[first + 1])
    assert not hddm.drift_detected
    assert hddm._get_state() == fresh._get_state()
