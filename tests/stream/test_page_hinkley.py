"""Page-Hinkley: River's detections, bad input, parameters, batches, clones."""

from __future__ import annotations

import math

import pytest
from river import drift

from driftscope.errors import ConfigError
from driftscope.stream import page_hinkley as ph_module
from driftscope.stream.page_hinkley import PageHinkley
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
    {"mode": "up", "threshold": 20.0},
    {"mode": "down", "threshold": 10.0, "delta": 0.0},
    {"min_instances": 1, "delta": 0.1, "threshold": 5.0, "alpha": 0.99},
    {"min_instances": 100, "threshold": 30.0, "alpha": 1.0},
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("setting", range(len(SETTINGS)))
def test_same_detections_as_river(kind, setting):
    params = SETTINGS[setting]
    for seed in (1, 2):
        values = as_python(make_stream(kind, 6000, seed))
        expected = loop_hits(drift.PageHinkley(**params), values)
        assert loop_hits(PageHinkley(**params), values) == expected
        assert PageHinkley(**params).update_many(values).tolist() == expected


def test_modes_see_their_direction_only():
    rising = make_stream("gradual", 4000, 0)
    assert len(PageHinkley(mode="up").update_many(rising)) > 0
    assert len(PageHinkley(mode="down").update_many(rising)) == 0
    assert len(PageHinkley(mode="down").update_many(-rising)) > 0


def test_a_drift_restarts_the_statistics():
    values = make_stream("abrupt", 6000, 0)
    first = int(PageHinkley().update_many(values)[0])
    ph = PageHinkley()
    ph.update_many(values[: first + 1])
    assert ph.drift_detected and ph._state() == PageHinkley()._state()
    ph.update(0.5)
    assert not ph.drift_detected and ph._state()[:2] == (1.0, 0.5)
    assert (ph.n_updates, ph.n_detections) == (first + 2, 1)


# ---------------------------------------------------------------------- invalid input
def test_invalid_values_are_skipped_and_counted():
    values = make_stream("abrupt", 3000, 3).tolist()
    bad = [math.nan, math.inf, None, "7", [1.0]]
    check_invalid_values_skipped(PageHinkley, values, bad, skipped=150)


def test_invalid_values_raise_when_asked():
    strict = PageHinkley(on_invalid="raise")
    bad = (math.nan, -math.inf, None, "1.0")
    check_invalid_values_raise(strict, bad, [2.0, 3.0, None, 4.0], n_valid=2)


# ---------------------------------------------------------------------- parameters
@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("min_instances", 0),
        ("min_instances", 2.5),
        ("delta", -0.1),
        ("delta", math.inf),
        ("threshold", 0),
        ("threshold", math.nan),
        ("alpha", 0),
        ("alpha", 1.01),
        ("mode", "sideways"),
        ("mode", None),
    ],
)
def test_parameters_out_of_range_fail_at_construction(name, bad):
    with pytest.raises(ConfigError, match=name):
        PageHinkley(**{name: bad})


# ---------------------------------------------------------------------- batches and state
def test_update_many_leaves_the_state_of_the_update_loop():
    values = make_stream("abrupt", 9000, 4).tolist()
    check_batches_leave_the_loop_state(PageHinkley, values, stops=(1000, 3001, 6002, 9000))


def test_clone_reset_repr_equality_pickle():
    ph = PageHinkley(threshold=20.0, mode="up")
    more = make_stream("gradual", 2000, 1)
    fresh = check_clone_pickle_reset(ph, make_stream("gradual", 3000, 0), more)
    assert fresh != PageHinkley(threshold=20.0)
    assert repr(fresh) == (
        "PageHinkley(min_instances=30, delta=0.005, threshold=20.0, alpha=0.9999, mode='up', "
        "on_invalid='skip')"
    )


def test_the_python_twin_gives_the_same_answers(python_twins):
    values = make_stream("abrupt", 3000, 5)
    check_python_twin(python_twins, ph_module, PageHinkley, values)
