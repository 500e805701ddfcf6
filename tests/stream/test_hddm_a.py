"""HDDM_A: River's warnings and drifts (one- and two-sided), batches equal to single updates,
input and parameters."""

from __future__ import annotations

import pytest
from river.drift import binary as river

from driftscope.stream.hddm_a import HDDM_A
from tests.stream.binary_cases import (
    HDDM_BAD_PARAMS,
    BinaryDetectorCases,
    all_streams,
    check_a_fall_needs_the_two_sided_test,
    check_both_flags_at_once,
    check_river_parity,
    run,
)

PARAMS = [
    {},
    {"two_sided_test": True},
    {"drift_confidence": 0.01, "warning_confidence": 0.05, "two_sided_test": True},
    {"drift_confidence": 0.0001, "warning_confidence": 0.001},
]
STREAMS = all_streams()


class TestHDDM_A(BinaryDetectorCases):
    detector = HDDM_A
    river_class = river.HDDMA
    batch_params = PARAMS[:2]
    bad_params = HDDM_BAD_PARAMS
    example = (
        {"two_sided_test": True},
        "HDDM_A(drift_confidence=0.001, warning_confidence=0.005, two_sided_test=True, "
        "on_invalid='skip')",
    )


def rivers(params, values):
    """River's HDDMA run on ``values``."""
    return run(river.HDDMA(**params), values)


@pytest.mark.parametrize("params", PARAMS, ids=str)
def test_warnings_and_drifts_equal_rivers(params):
    detections = check_river_parity(HDDM_A, river.HDDMA, params, STREAMS)
    assert detections >= 5  # the streams do exercise drifts


def test_the_two_sided_test_also_detects_a_fall():
    check_a_fall_needs_the_two_sided_test(HDDM_A, rivers)


@pytest.mark.parametrize("seed", [3, 4, 8])
def test_a_rise_and_a_fall_at_once_set_both_flags_as_in_river(seed):
    check_both_flags_at_once(HDDM_A, rivers, seed)
