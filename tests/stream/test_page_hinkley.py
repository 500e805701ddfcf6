"""Page-Hinkley: River's detections, bad input, parameters, batches, clones."""

from __future__ import annotations

import math
import pickle

import pytest
from river import drift

from driftscope.errors import ConfigError, DataError
from driftscope.stream import page_hinkley as ph_module
from driftscope.stream.page_hinkley import PageHinkley
from tests.stream.stream_cases import KINDS, as_python, loop_hits, make_stream, python_twins

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
    dirty = []
    for i, x in enumerate(values):
        dirty.append(x)
        if i % 100 == 50:
            dirty.extend([math.nan, math.inf, None, "7", [1.0]])
    ph = PageHinkley()
    hits = loop_hits(ph, dirty)
    expected = loop_hits(PageHinkley(), values)
    assert [dirty[i] for i in hits] == [values[i] for i in expected] and expected
    assert (ph.n_updates, ph.n_skipped) == (3000, 150)
    batch = PageHinkley()
    assert batch.update_many(dirty).tolist() == hits
    assert (batch.n_updates, batch.n_skipped) == (3000, 150)


def test_invalid_values_raise_when_asked():
    strict = PageHinkley(on_invalid="raise")
    for bad in (math.nan, -math.inf, None, "1.0"):
        with pytest.raises(DataError, match="expected a finite number"):
            strict.update(bad)
    with pytest.raises(DataError, match="after 2 valid updates"):
        strict.update_many([2.0, 3.0, None, 4.0])
    assert strict.n_updates == 2


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
def _snapshot(ph: PageHinkley):
    return ph._state(), ph.n_updates, ph.n_skipped, ph.n_detections, ph.drift_detected


def test_update_many_leaves_the_state_of_the_update_loop():
    values = make_stream("abrupt", 9000, 4).tolist()
    looped, batched, mixed = PageHinkley(), PageHinkley(), PageHinkley()
    for start, stop in ((0, 1000), (1000, 3001), (3001, 6002), (6002, 9000)):
        part = values[start:stop]
        expected = [start + i for i in loop_hits(looped, part)]
        assert (start + batched.update_many(part)).tolist() == expected
        assert _snapshot(batched) == _snapshot(looped)
        singles = [start + i for i in loop_hits(mixed, part[:7])]
        rest = (start + 7 + mixed.update_many(part[7:])).tolist()
        assert singles + rest == expected
        assert _snapshot(mixed) == _snapshot(looped)


def test_clone_reset_repr_equality_pickle():
    ph = PageHinkley(threshold=20.0, mode="up")
    ph.update_many(make_stream("gradual", 3000, 0))
    fresh = ph.clone()
    assert fresh == ph and fresh != PageHinkley(threshold=20.0)
    assert repr(fresh) == (
        "PageHinkley(min_instances=30, delta=0.005, threshold=20.0, alpha=0.9999, mode='up', "
        "on_invalid='skip')"
    )
    assert (fresh.n_updates, fresh.n_detections) == (0, 0)
    copy = pickle.loads(pickle.dumps(ph))
    more = make_stream("gradual", 2000, 1)
    assert copy.update_many(more).tolist() == ph.update_many(more).tolist()
    ph._reset()
    assert _snapshot(ph) == _snapshot(fresh)


def test_the_python_twin_gives_the_same_answers(python_twins):
    values = make_stream("abrupt", 3000, 5)
    compiled_hits = PageHinkley().update_many(values).tolist()
    python_twins(ph_module)
    assert PageHinkley().update_many(values).tolist() == compiled_hits
