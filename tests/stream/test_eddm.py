"""EDDM: River's drifts, River's warnings with its stale-flag bug fixed, batches equal to
single updates, input and parameters."""

from __future__ import annotations

import numpy as np
import pytest
from river.drift import binary as river

from driftscope.stream.eddm import EDDM
from tests.stream.binary_cases import (
    BinaryDetectorCases,
    all_streams,
    at_first_drift,
    run,
    streams,
)

PARAMS = [
    {},
    {"alpha": 0.8, "beta": 0.7},
    {"warm_start": 10, "alpha": 0.9, "beta": 0.85},
]
STREAMS = all_streams()


class TestEDDM(BinaryDetectorCases):
    detector = EDDM
    river_class = river.EDDM
    batch_params = PARAMS[:2]
    bad_params = (
        ({"warm_start": -1}, "warm_start"),
        ({"warm_start": 1.5}, "warm_start"),
        ({"alpha": 1.0}, "alpha"),
        ({"alpha": 0.0, "beta": 0.0}, "alpha"),
        ({"beta": 0.0}, "beta"),
        ({"beta": float("nan")}, "beta"),
        ({"beta": 0.95}, "beta"),  # beta == alpha
        ({"alpha": 0.8, "beta": 0.9}, "beta"),  # River's alpha < beta error
        ({"alpha": "0.9"}, "alpha"),
    )
    example = (
        {"alpha": 0.9, "beta": 0.8},
        "EDDM(warm_start=30, alpha=0.9, beta=0.8, on_invalid='skip')",
    )
    numba_stream = "stationary 30%"


class RiverEDDMFixed:
    """River's EDDM whose warning flag is the verdict of the latest error it evaluated.

    River sets ``_warning_detected`` only in its warning branch (True) and its in-control
    branch (False); an error that sets a new maximum of p' + 2s', or a drift, leaves it as
    it was. Here such an error clears it, as in the paper and MOA; the rest is River's.
    """

    def __init__(self, **params):
        self.river = river.EDDM(**params)
        self.warning_detected = False

    @property
    def drift_detected(self):
        return self.river.drift_detected

    def update(self, x):
        before = self.river._p2s_prime_max
        self.river.update(x)
        if x == 1:
            new_max = self.river._p2s_prime_max != before
            self.warning_detected = (
                self.river.warning_detected and not self.river.drift_detected and not new_max
            )


@pytest.mark.parametrize("params", PARAMS, ids=str)
def test_drifts_equal_rivers_and_warnings_rivers_without_stale_flags(params):
    detections = differing = 0
    for name, xs in STREAMS:
        values = xs.tolist()
        fixed = run(RiverEDDMFixed(**params), values)
        raw = run(river.EDDM(**params), values)
        ours = run(EDDM(**params), values)
        assert ours == fixed, name
        assert ours[0] == raw[0], name  # drifts: River's own
        assert set(ours[1]) <= set(raw[1]), name  # the fix only ends stale warnings
        if raw == fixed:
            assert ours == raw, name  # streams that do not trigger the bug: River itself
        detections += len(ours[0])
        differing += raw != fixed
    assert detections > 20 and differing > 3


def test_river_keeps_a_warning_through_a_new_maximum():
    # River's bug: an error that raises p' + 2s' to a new maximum (level 1 > alpha) leaves
    # the warning of an earlier error on, and so do the correct predictions after it.
    values = (np.random.default_rng(1).random(600) < 0.2).astype(int).tolist()
    theirs, ours = river.EDDM(), EDDM()
    for x in values[:477]:
        theirs.update(x)
        ours.update(x)
    assert theirs.warning_detected and ours.warning_detected  # both warn after error 476
    before = theirs._p2s_prime_max
    theirs.update(values[477])
    ours.update(values[477])
    assert values[477] == 1 and theirs._p2s_prime_max > before  # a new maximum
    assert ours._p2s_max == theirs._p2s_prime_max  # same statistics
    assert theirs.warning_detected  # River: still warning
    assert not ours.warning_detected  # here (paper, MOA): in control
    nxt = values.index(1, 478)  # until the next error River's flag stays on
    for x in values[478:nxt]:
        theirs.update(x)
        ours.update(x)
        assert theirs.warning_detected and not ours.warning_detected


def test_river_reports_a_warning_with_a_drift():
    values = (np.random.default_rng(0).random(600) < 0.2).astype(int).tolist()
    theirs, ours = run(river.EDDM(), values[:208]), run(EDDM(), values[:208])
    assert theirs[0] == ours[0] == [207]
    assert 207 in theirs[1] and 207 not in ours[1]


def test_distances_count_from_the_last_error_or_the_start():
    eddm = EDDM()
    for x in [0, 0, 1, 1, 0, 0, 0, 1]:  # distances 3, 1, 4
        eddm.update(x)
    assert eddm._mean == pytest.approx(8 / 3)
    assert eddm._sum_sq == pytest.approx((1 / 3) ** 2 + (5 / 3) ** 2 + (4 / 3) ** 2)


def test_the_first_error_after_a_drift_is_one_value_from_it():
    eddm, _ = at_first_drift(EDDM, dict(streams(7))["jump 10%->30%"])
    assert not eddm.warning_detected
    assert eddm._n_errors == 0 and eddm._p2s_max == -1.0
    eddm.update(1)  # the first error of the new concept: distance 1 from the drift's error
    assert not eddm.drift_detected and eddm._mean == 1.0
