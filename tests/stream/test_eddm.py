"""EDDM: River's drifts, River's warnings with its stale-flag bug fixed, batches equal to
single updates, input and parameters."""

from __future__ import annotations

import numpy as np
import pytest
from river.drift import binary as river

from driftscope.errors import ConfigError
from driftscope.stream.eddm import EDDM
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
    {"alpha": 0.8, "beta": 0.7},
    {"warm_start": 10, "alpha": 0.9, "beta": 0.85},
]
STREAMS = all_streams()


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


@pytest.mark.parametrize("params", PARAMS[:2], ids=str)
def test_update_many_equals_the_update_loop(params):
    for _, xs in streams(3):
        assert_batch_matches_loop(lambda: EDDM(**params), xs)
    assert_batch_matches_loop(lambda: EDDM(**params), np.zeros(0, dtype=np.int64))


def test_update_many_is_the_compiled_loop_or_the_python_one(monkeypatch):
    check_without_numba(EDDM, dict(streams(4))["stationary 30%"], monkeypatch)


def test_invalid_values_are_skipped_or_raise():
    xs = dict(streams(5))["gradual 10%->40%"]
    check_invalid_values(EDDM, xs)
    check_invalid_in_batches(EDDM, xs)
    check_types_accepted(EDDM, xs[:800])


def test_signature_is_rivers():
    check_signature(EDDM, river.EDDM)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"warm_start": -1}, "warm_start"),
        ({"warm_start": 1.5}, "warm_start"),
        ({"alpha": 1.0}, "alpha"),
        ({"alpha": 0.0, "beta": 0.0}, "alpha"),
        ({"beta": 0.0}, "beta"),
        ({"beta": float("nan")}, "beta"),
        ({"beta": 0.95}, "beta"),  # beta == alpha
        ({"alpha": 0.8, "beta": 0.9}, "beta"),  # River's alpha < beta error
        ({"alpha": "0.9"}, "alpha"),
    ],
)
def test_parameters_out_of_range_fail_at_construction(kwargs, name):
    with pytest.raises(ConfigError, match=name):
        EDDM(**kwargs)


def test_clone_reset_repr():
    eddm = EDDM(alpha=0.9, beta=0.8)
    assert repr(eddm) == "EDDM(warm_start=30, alpha=0.9, beta=0.8, on_invalid='skip')"
    check_clone_reset(eddm, dict(streams(6))["jump 10%->30%"])


def test_a_drift_restarts_the_statistics_at_once():
    xs = dict(streams(7))["jump 10%->30%"]
    first = EDDM().update_many(xs)[0]
    eddm = EDDM()
    eddm.update_many(xs[: first + 1])
    assert eddm.drift_detected and not eddm.warning_detected
    assert eddm._n_errors == 0 and eddm._p2s_max == -1.0
    eddm.update(1)  # the first error of the new concept: distance 1 from the drift's error
    assert not eddm.drift_detected and eddm._mean == 1.0
