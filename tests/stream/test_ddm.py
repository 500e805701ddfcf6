"""DDM: River's warnings and drifts, batches equal to single updates, input and parameters."""

from __future__ import annotations

import pytest
from river.drift import binary as river

from driftscope.stream.ddm import DDM
from tests.stream.binary_cases import (
    BinaryDetectorCases,
    all_streams,
    at_first_drift,
    check_river_parity,
    run,
    streams,
)

PARAMS = [
    {},
    {"warm_start": 50, "warning_threshold": 1.5, "drift_threshold": 2.5},
    {"warm_start": 0, "warning_threshold": 2.5, "drift_threshold": 3.5},
]
STREAMS = all_streams()


class TestDDM(BinaryDetectorCases):
    detector = DDM
    river_class = river.DDM
    batch_params = PARAMS[:2]
    bad_params = (
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
    )
    example = (
        {"warm_start": 40, "drift_threshold": 2.5},
        "DDM(warm_start=40, warning_threshold=2.0, drift_threshold=2.5, on_invalid='skip')",
    )


@pytest.mark.parametrize("params", PARAMS, ids=str)
def test_warnings_and_drifts_equal_rivers(params):
    detections = check_river_parity(DDM, river.DDM, params, STREAMS)
    assert detections > 20  # the streams do exercise drifts


def test_a_warm_up_without_errors_makes_the_first_error_a_drift():
    # p_min = s_min = 0 after 31 correct predictions: River and the paper's rule agree.
    values = [0] * 40 + [1] + [0] * 5
    assert run(DDM(), values) == run(river.DDM(), values) == ([40], [])


def test_the_value_after_a_drift_is_the_first_of_the_new_concept():
    xs = dict(streams(7))["jump 10%->30%"]
    ddm, first = at_first_drift(DDM, xs)
    fresh = DDM()
    ddm.update(xs[first + 1])
    fresh.update(xs[first + 1])
    assert (ddm._n, ddm._p) == (fresh._n, fresh._p) == (1.0, float(xs[first + 1]))
