"""HDDM_W: River's warnings and drifts once its bound's off-by-one is fixed (one- and
two-sided), batches equal to single updates, input and parameters."""

from __future__ import annotations

import numpy as np
import pytest
from river.drift import binary as river
from river.drift.binary import hddm_w as river_hddm_w

from driftscope.errors import ConfigError
from driftscope.stream.hddm_w import HDDM_W
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
    {
        "drift_confidence": 0.01,
        "warning_confidence": 0.05,
        "lambda_val": 0.1,
        "two_sided_test": True,
    },
]
STREAMS = all_streams(seeds=(0, 1))


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
    assert theirs._total.ewma == ours._total == 1.0
    assert ours._total_d == 1.0
    assert theirs._total.ibc == pytest.approx(0.05**2 + 0.95**2)
    for _ in range(4):
        theirs.update(0)
        ours.update(0)
    weights = [0.95**4] + [0.05 * 0.95**k for k in range(4)]
    assert ours._total == pytest.approx(theirs._total.ewma) == pytest.approx(weights[0])
    assert ours._total_d == pytest.approx(sum(w * w for w in weights))
    assert theirs._total.ibc < ours._total_d


def test_rivers_narrow_bound_fires_early(monkeypatch):
    # A jump from 10% to 60% errors: River's too-narrow bound fires one value early.
    rng = np.random.default_rng(11)
    values = np.r_[rng.random(300) < 0.1, rng.random(300) < 0.6].astype(int).tolist()
    assert run(river.HDDMW(), values)[0] == [316]
    assert run(HDDM_W(), values)[0] == river_fixed({}, values, monkeypatch)[0] == [317]


def test_the_two_sided_test_also_detects_a_fall(monkeypatch):
    values = dict(streams(8))["drop 30%->10%"].tolist()
    one, two = run(HDDM_W(), values), run(HDDM_W(two_sided_test=True), values)
    assert one == river_fixed({}, values, monkeypatch) and one[0] == []
    assert two == river_fixed({"two_sided_test": True}, values, monkeypatch)
    assert 1500 < two[0][0] < 1700


@pytest.mark.parametrize("seed", [7, 144, 178])
def test_a_rise_and_a_fall_at_once_set_both_flags_as_in_river(seed, monkeypatch):
    # Two-sided, River lets the fall test set the warning after the rise test's drift (and
    # the reverse): both flags at once. Kept as River does.
    params = {"drift_confidence": 0.05, "warning_confidence": 0.3, "two_sided_test": True}
    values = piecewise(seed).tolist()
    expected = river_fixed(params, values, monkeypatch)
    assert run(HDDM_W(**params), values) == expected
    assert set(expected[0]) & set(expected[1])


@pytest.mark.parametrize("params", PARAMS[:2], ids=str)
def test_update_many_equals_the_update_loop(params):
    for _, xs in streams(3):
        assert_batch_matches_loop(lambda: HDDM_W(**params), xs)
    assert_batch_matches_loop(lambda: HDDM_W(**params), np.zeros(0, dtype=np.int64))


def test_update_many_is_the_compiled_loop_or_the_python_one(monkeypatch):
    check_without_numba(HDDM_W, dict(streams(4))["jump 10%->30%"], monkeypatch)


def test_invalid_values_are_skipped_or_raise():
    xs = dict(streams(5))["gradual 10%->40%"]
    check_invalid_values(HDDM_W, xs)
    check_invalid_in_batches(HDDM_W, xs)
    check_types_accepted(HDDM_W, xs[:800])


def test_signature_is_rivers():
    check_signature(HDDM_W, river.HDDMW)


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
        ({"lambda_val": 0}, "lambda_val"),
        ({"lambda_val": 1}, "lambda_val"),
        ({"lambda_val": -0.1}, "lambda_val"),
        ({"two_sided_test": 1}, "two_sided_test"),
        ({"two_sided_test": "yes"}, "two_sided_test"),
        ({"on_invalid": "ignore"}, "on_invalid"),
    ],
)
def test_parameters_out_of_range_fail_at_construction(kwargs, name):
    with pytest.raises(ConfigError, match=name):
        HDDM_W(**kwargs)


def test_clone_reset_repr():
    hddm = HDDM_W(two_sided_test=True)
    assert repr(hddm) == (
        "HDDM_W(drift_confidence=0.001, warning_confidence=0.005, lambda_val=0.05, "
        "two_sided_test=True, on_invalid='skip')"
    )
    check_clone_reset(hddm, dict(streams(6))["jump 10%->30%"])


def test_a_drift_restarts_the_statistics_at_once():
    xs = dict(streams(7))["jump 10%->30%"]
    first = HDDM_W().update_many(xs)[0]
    hddm, fresh = HDDM_W(), HDDM_W()
    hddm.update_many(xs[: first + 1])
    assert hddm.drift_detected and hddm.n_detections == 1
    hddm.update(xs[first + 1])  # the first value of the new concept
    fresh.update(xs[first + 1])
    assert not hddm.drift_detected
    assert hddm._get_state() == fresh._get_state()
