"""HDDM_W: River's warnings and drifts once its bound's off-by-one is fixed (one- and
two-sided), batches equal to single updates, input and parameters."""

from __future__ import annotations

import numpy as np
import pytest
from river.drift import binary as river
from river.drift.binary import hddm_w as river_hddm_w

from driftscope.stream.hddm_w import HDDM_W
from tests.stream.binary_cases import (
    HDDM_BAD_PARAMS,
    BinaryDetectorCases,
    all_streams,
    check_a_fall_needs_the_two_sided_test,
    check_both_flags_at_once,
    run,
)

PARAMS = [
    {},
    {"two_sided_test": True},
    {
        "drift_confidence": 0.01,
        "warning_confidence": 0.05,
        "lambda_val": 0.1,
        "two_sided_test": True,
    },
]
STREAMS = all_streams(seeds=(0, 1))


class TestHDDM_W(BinaryDetectorCases):
    detector = HDDM_W
    river_class = river.HDDMW
    batch_params = PARAMS[:2]
    bad_params = (
        *HDDM_BAD_PARAMS,
        ({"lambda_val": 0}, "lambda_val"),
        ({"lambda_val": 1}, "lambda_val"),
        ({"lambda_val": -0.1}, "lambda_val"),
    )
    example = (
        {"two_sided_test": True},
        "HDDM_W(drift_confidence=0.001, warning_confidence=0.005, lambda_val=0.05, "
        "two_sided_test=True, on_invalid='skip')",
    )


class FixedSampleInfo(river_hddm_w.SampleInfo):
    """River's weighted sample, with D = sum of squared weights = 1 after its first value."""

    def update(self, x):
        first = not self._is_init
        super().update(x)
        if first:
            self._ibc = 1.0


def river_fixed(params, values, monkeypatch):
    """River's HDDMW run on ``values`` with FixedSampleInfo: only the bound changes."""
    with monkeypatch.context() as patch:
        patch.setattr(river_hddm_w, "SampleInfo", FixedSampleInfo)
        return run(river.HDDMW(**params), values)


@pytest.mark.parametrize("params", PARAMS, ids=str)
def test_warnings_and_drifts_equal_rivers_with_the_bound_fixed(params, monkeypatch):
    detections = same = 0
    for name, xs in STREAMS:
        values = xs.tolist()
        fixed = river_fixed(params, values, monkeypatch)
        raw = run(river.HDDMW(**params), values)
        ours = run(HDDM_W(**params), values)
        assert ours == fixed, name
        if raw == fixed:  # streams that do not trigger the bug: River itself
            assert ours == raw, name
            same += 1
        detections += len(fixed[0])
    assert detections >= 5 and same >= 8


def test_river_counts_one_weight_too_few_in_the_bound():
    # An EWMA starts at its first value: weight 1, so D = sum of squared weights = 1.
    # River reports lambda^2 + (1 - lambda)^2 = 0.905 (default lambda): D starts at 1 before
    # any value and is updated once more than there are weights.
    theirs, ours = river.HDDMW(), HDDM_W()
    theirs.update(1)
    ours.update(1)
    assert theirs._total.ewma == ours._state[0]["total"] == 1.0
    assert ours._state[0]["total_d"] == 1.0
    assert theirs._total.ibc == pytest.approx(0.05**2 + 0.95**2)
    for _ in range(4):
        theirs.update(0)
        ours.update(0)
    weights = [0.95**4] + [0.05 * 0.95**k for k in range(4)]
    assert ours._state[0]["total"] == pytest.approx(theirs._total.ewma) == pytest.approx(weights[0])
    assert ours._state[0]["total_d"] == pytest.approx(sum(w * w for w in weights))
    assert theirs._total.ibc < ours._state[0]["total_d"]


def test_rivers_narrow_bound_fires_early(monkeypatch):
    # A jump from 10% to 60% errors: River's too-narrow bound fires one value early.
    rng = np.random.default_rng(11)
    values = np.r_[rng.random(300) < 0.1, rng.random(300) < 0.6].astype(int).tolist()
    assert run(river.HDDMW(), values)[0] == [316]
    assert run(HDDM_W(), values)[0] == river_fixed({}, values, monkeypatch)[0] == [317]


def test_the_two_sided_test_also_detects_a_fall(monkeypatch):
    check_a_fall_needs_the_two_sided_test(HDDM_W, lambda p, v: river_fixed(p, v, monkeypatch))


@pytest.mark.parametrize("seed", [7, 144, 178])
def test_a_rise_and_a_fall_at_once_set_both_flags_as_in_river(seed, monkeypatch):
    check_both_flags_at_once(HDDM_W, lambda p, v: river_fixed(p, v, monkeypatch), seed)
