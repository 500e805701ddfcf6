"""ADWIN: River's detections and window, bad input, parameters, batches, clones."""

from __future__ import annotations

import math

import numpy as np
import pytest
from river import drift

from driftscope.errors import ConfigError
from driftscope.stream import _adwin_core
from driftscope.stream.adwin import ADWIN
from tests.stream.stream_cases import (
    KINDS,
    as_python,
    check_batches_leave_the_loop_state,
    check_clone_pickle_reset,
    check_invalid_values_raise,
    check_invalid_values_skipped,
    check_python_twin,
    loop_hits,
    make_stream,
    python_twins,
)

__all__ = ["python_twins"]  # a fixture

SETTINGS = [
    {},
    {"delta": 0.05, "clock": 1},
    {"delta": 0.3, "clock": 4, "max_buckets": 2, "min_window_length": 1, "grace_period": 0},
    {"delta": 1e-5, "clock": 16, "max_buckets": 9, "min_window_length": 10, "grace_period": 50},
]


def _river_run(params, values):
    """River's detections, and its window after each of them and at the end."""
    river = drift.ADWIN(**params)
    hits, windows = [], []
    for i, x in enumerate(values):
        river.update(x)
        if river.drift_detected:
            hits.append(i)
            windows.append((river.width, river.total, river.variance))
    windows.append((river.width, river.total, river.variance))
    return hits, windows


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("setting", range(len(SETTINGS)))
def test_same_detections_and_window_as_river(kind, setting):
    params = SETTINGS[setting]
    for seed in (1, 2):
        values = as_python(make_stream(kind, 6000, seed))
        expected, windows = _river_run(params, values)
        ours = ADWIN(**params)
        hits, ours_windows = [], []
        for i, x in enumerate(values):
            ours.update(x)
            if ours.drift_detected:
                hits.append(i)
                ours_windows.append((ours.width, ours.total, ours.variance * ours.width))
        ours_windows.append((ours.width, ours.total, ours.variance * ours.width))
        assert hits == expected
        assert ADWIN(**params).update_many(values).tolist() == expected
        for (w, total, ss), (rw, rtotal, rss) in zip(ours_windows, windows, strict=True):
            assert (w, total) == (rw, rtotal)
            assert ss == pytest.approx(rss, rel=1e-12, abs=1e-9)


def test_detects_a_shift_in_the_mean_and_keeps_only_the_new_values():
    values = make_stream("abrupt", 6000, 0)
    ours = ADWIN()
    hits = ours.update_many(values)
    assert len(hits) >= 2 and 2000 <= hits[0] < 2200 and 4000 <= hits[1] < 4200
    assert ours.estimation == pytest.approx(-0.5, abs=0.2)


def test_the_screen_never_skips_a_split_river_would_cut():
    """Splits within rounding of the bound (0/1 data with delta tuned to one tie) agree."""
    values = as_python(make_stream("errors", 20000, 7))
    for delta in (0.002, 0.01, 0.1, 0.5):
        params = {"delta": delta, "clock": 1, "min_window_length": 1, "grace_period": 0}
        assert ADWIN(**params).update_many(values).tolist() == _river_run(params, values)[0]


# ---------------------------------------------------------------------- River's bugs
def test_river_variance_is_the_sum_of_squares_ours_is_the_variance():
    river, ours = drift.ADWIN(), ADWIN()
    for x in [1.0, 2.0, 3.0, 4.0, 5.0]:
        river.update(x)
        ours.update(x)
    assert river.variance == 10.0  # documented as "the sample variance within the window"
    assert ours.variance == 2.0  # the window's variance, the one the cut test uses


def test_river_n_detections_goes_back_to_zero_ours_counts_them_all():
    values = as_python(make_stream("abrupt", 6000, 0))
    river = drift.ADWIN()
    hits = loop_hits(river, values)
    ours = ADWIN()
    assert loop_hits(ours, values) == hits and len(hits) >= 2
    assert river.n_detections == 0  # its counter lives in the state it resets after a drift
    assert ours.n_detections == len(hits)


def test_max_buckets_1_works_where_river_panics():
    """River drops one empty bucket row after a deletion; with one bucket per row the row
    before can be empty too, and its next deletion panics. We drop the oldest bucket, as the
    paper says, and detect where River dies."""
    rng = np.random.default_rng(6)
    values = np.concatenate([rng.normal(0, 1, 945), rng.normal(2.5, 1.5, 500)]).tolist()
    params = {"max_buckets": 1, "clock": 3, "min_window_length": 1, "delta": 0.05}
    river = drift.ADWIN(**params)
    with pytest.raises(BaseException) as panic:  # pyo3 panics are BaseExceptions
        for died_at, x in enumerate(values):  # noqa: B007
            river.update(x)
            assert not river.drift_detected
    assert type(panic.value).__name__ == "PanicException"
    assert ADWIN(**params).update_many(values).tolist()[:1] == [died_at]


# ---------------------------------------------------------------------- invalid input
def test_invalid_values_are_skipped_and_counted():
    values = make_stream("abrupt", 3000, 3).tolist()
    bad = [math.nan, math.inf, None, "7", -math.inf]
    check_invalid_values_skipped(ADWIN, values, bad, skipped=5 * 30)


def test_invalid_values_raise_when_asked():
    strict = ADWIN(on_invalid="raise")
    strict.update(1.0)
    bad = (math.nan, math.inf, None, "1.0")
    check_invalid_values_raise(strict, bad, [2.0, 3.0, math.nan, 4.0], n_valid=3)


def test_numpy_scalars_ints_and_bools_are_values():
    a, b = ADWIN(), ADWIN()
    for x in (np.float64(1.5), np.int32(2), True, 3):
        a.update(x)
    for x in (1.5, 2.0, 1.0, 3.0):
        b.update(x)
    assert (a.width, a.total) == (b.width, b.total) == (4, 7.5)


# ---------------------------------------------------------------------- parameters
@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("delta", 0),
        ("delta", 1),
        ("delta", -0.1),
        ("delta", math.nan),
        ("delta", "0.1"),
        ("clock", 0),
        ("clock", 2.5),
        ("clock", True),
        ("max_buckets", 0),
        ("min_window_length", 0),
        ("grace_period", -1),
    ],
)
def test_parameters_out_of_range_fail_at_construction(name, bad):
    with pytest.raises(ConfigError, match=name):
        ADWIN(**{name: bad})


# ---------------------------------------------------------------------- batches and state
@pytest.mark.parametrize("clock", [1, 32, 5000])
def test_update_many_leaves_the_state_of_the_update_loop(clock):
    values = make_stream("abrupt", 9000, 4).tolist()
    values[100:103] = [math.nan, None, math.inf]
    check_batches_leave_the_loop_state(
        lambda: ADWIN(clock=clock), values, stops=(1000, 3001, 6002, 9000)
    )


def test_update_many_ending_on_a_detection_restarts_at_the_next_value():
    values = make_stream("abrupt", 6000, 0)
    first = int(ADWIN().update_many(values)[0])
    a, b = ADWIN(), ADWIN()
    a.update_many(values[: first + 1])
    loop_hits(b, values[: first + 1].tolist())
    assert a.drift_detected and b.drift_detected and a.width == b.width < first
    a.update(0.0)
    b.update(0.0)
    assert a.width == b.width == 1 and not a.drift_detected


def test_clone_reset_repr_equality_pickle():
    ours = ADWIN(delta=0.01, clock=8)
    more = make_stream("noise", 500, 1)
    fresh = check_clone_pickle_reset(ours, make_stream("abrupt", 3000, 0), more)
    assert repr(fresh) == (
        "ADWIN(delta=0.01, clock=8, max_buckets=5, min_window_length=5, grace_period=10, "
        "on_invalid='skip')"
    )
    assert fresh.width == 0


def test_the_python_twin_gives_the_same_answers(python_twins):
    values = make_stream("abrupt", 2500, 5)
    check_python_twin(python_twins, _adwin_core, lambda: ADWIN(clock=4), values)
    assert not hasattr(_adwin_core.feed, "py_func")
