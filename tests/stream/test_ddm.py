"""DDM: River's warnings and drifts, batches equal to single updates, input and parameters."""

from __future__ import annotations

import numpy as np
import pytest
from river.drift import binary as river

from driftscope.errors import ConfigError
from driftscope.stream.ddm import DDM
from tests.stream.binary_cases import (
    all_streams,
    assert_batch_matches_loop,
    check_clone_reset,
    check_invalid_in_batches,
    check_invalid_values,
    check_signature,
    check_types_accepted,
    check_without_numba,
    run,
    streams,
)

PARAMS = [
    {},
    {"warm_start": 50, "warning_threshold": 1.5, "drift_threshold": 2.5},
    {"warm_start": 0, "warning_threshold": 2.5, "drift_threshold": 3.5},
]
STREAMS = all_streams()


@pytest.mark.parametrize("params", PARAMS, ids=str)
def test_warnings_and_drifts_equal_rivers(params):
    detections = 0
    for name, xs in STREAMS:
        values = xs.tolist()
        expected = run(river.DDM(**params), values)
        assert run(DDM(**params), values) == expected, name
        detections += len(expected[0])
    assert detections > 20  # the streams do exercise drifts


def test_a_warm_up_without_errors_makes_the_first_error_a_drift():
    # p_min = s_min = 0 after 31 correct predictions: River and the paper's rule agree.
    values = [0] * 40 + [1] + [0] * 5
    assert run(DDM(), values) == run(river.DDM(), values) == ([40], [])


@pytest.mark.parametrize("params", PARAMS[:2], ids=str)
def test_update_many_equals_the_update_loop(params):
    for _, xs in streams(3):
        assert_batch_matches_loop(lambda: DDM(**params), xs)
    assert_batch_matches_loop(lambda: DDM(**params), np.zeros(0, dtype=np.int64))


def test_update_many_is_the_compiled_loop_or_the_python_one(monkeypatch):
    check_without_numba(DDM, dict(streams(4))["jump 10%->30%"], monkeypatch)


def test_invalid_values_are_skipped_or_raise():
    xs = dict(streams(5))["gradual 10%->40%"]
    check_invalid_values(DDM, xs)
    check_invalid_in_batches(DDM, xs)
    check_types_accepted(DDM, xs[:800])


def test_signature_is_rivers():
    check_signature(DDM, river.DDM)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"warm_start": -1}, "warm_start"),
        ({"warm_start": 2.5}, "warm_start"),
        ({"warm_start": True}, "warm_start"),
        ({"warning_threshold": 0}, "warning_threshold"),
        ({"warning_threshold": float("nan")}, "warning_threshold"),
        ({"drift_threshold": float("inf")}, "drift_threshold"),
        ({"drift_threshold": "3"}, "drift_threshold"),
        ({"warning_threshold": 3.0, "drift_threshold": 3.0}, "warning_threshold"),
        ({"warning_threshold": 4.0}, "warning_threshold"),
        ({"on_invalid": "ignore"}, "on_invalid"),
    ],
)
def test_parameters_out_of_range_fail_at_construction(kwargs, name):
    with pytest.raises(ConfigError, match=name):
        DDM(**kwargs)


def test_clone_reset_repr():
    ddm = DDM(warm_start=40, drift_threshold=2.5)
    assert repr(ddm) == (
        "DDM(warm_start=40, warning_threshold=2.0, drift_threshold=2.5, on_invalid='skip')"
    )
    check_clone_reset(ddm, dict(streams(6))["jump 10%->30%"])


def test_a_drift_restarts_the_statistics_at_once():
    xs = dict(streams(7))["jump 10%->30%"]
    first = DDM().update_many(xs)[0]
    ddm, fresh = DDM(), DDM()
    ddm.update_many(xs[: first + 1])
    assert ddm.drift_detected and not ddm.warning_detected and ddm.n_detections == 1
    # the next value is the first of the new concept
    ddm.update(xs[first + 1])
    fresh.update(xs[first + 1])
    assert not ddm.drift_detected
    assert (ddm._n, ddm._p) == (fresh._n, fresh._p) == (1.0, float(xs[first + 1]))
