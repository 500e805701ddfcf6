"""Streams and checks shared by the tests of the 0/1 detectors (DDM, EDDM, HDDM_A, HDDM_W).

:class:`BinaryDetectorCases` holds the tests every one of them passes; each test module
subclasses it once, naming its detector and the parameters to try.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

import numpy as np
import pytest

from driftscope.errors import ConfigError, DataError

SEEDS = (0, 1, 2)


def streams(seed: int, n: int = 3000) -> Iterator[tuple[str, np.ndarray]]:
    """The 0/1 streams every detector is checked on (1 = error)."""
    rng = np.random.default_rng(seed)
    half = n // 2

    def bits(p: float | np.ndarray, size: int) -> np.ndarray:
        return (rng.random(size) < p).astype(np.int64)

    yield "jump 10%->15%", np.r_[bits(0.1, half), bits(0.15, n - half)]
    yield "jump 10%->30%", np.r_[bits(0.1, half), bits(0.3, n - half)]
    ramp = np.r_[np.full(n // 4, 0.1), np.linspace(0.1, 0.4, half), np.full(n - n // 4 - half, 0.4)]
    yield "gradual 10%->40%", bits(ramp, n)
    yield "drop 30%->10%", np.r_[bits(0.3, half), bits(0.1, n - half)]
    for p in (0.01, 0.1, 0.3, 0.5):
        yield f"stationary {p:.0%}", bits(p, n)
    yield "all zeros", np.zeros(500, dtype=np.int64)
    yield "all ones", np.ones(500, dtype=np.int64)
    yield "short", bits(0.3, 25)
    yield "one value", np.ones(1, dtype=np.int64)


def piecewise(seed: int, pieces: int = 6) -> np.ndarray:
    """Pieces of 20 to 300 values at random error rates: rises and falls in turn."""
    rng = np.random.default_rng(seed)
    rates, lengths = rng.random(pieces), rng.integers(20, 300, pieces)
    return np.concatenate([rng.random(n) < p for p, n in zip(rates, lengths, strict=True)]).astype(
        np.int64
    )


def all_streams(seeds: tuple[int, ...] = SEEDS) -> list[tuple[str, np.ndarray]]:
    return [(f"{name} (seed {seed})", xs) for seed in seeds for name, xs in streams(seed)]


def run(detector: Any, values: Any) -> tuple[list[int], list[int]]:
    """Drift and warning positions from one ``update`` per value (ours or River's)."""
    drifts, warnings = [], []
    for i, x in enumerate(values):
        detector.update(x)
        if detector.drift_detected:
            drifts.append(i)
        if detector.warning_detected:
            warnings.append(i)
    return drifts, warnings


def state(detector: Any) -> dict[str, Any]:
    """Every attribute: parameters, counters, flags and statistics."""
    return dict(vars(detector))


def check_river_parity(ours: type, theirs: type, params: dict, named_streams: list) -> int:
    """``ours(**params)`` reports the warnings and drifts of River's ``theirs(**params)`` on
    every stream; returns the number of drifts, to show the streams exercise them."""
    detections = 0
    for name, xs in named_streams:
        values = xs.tolist()
        expected = run(theirs(**params), values)
        assert run(ours(**params), values) == expected, name
        detections += len(expected[0])
    return detections


def assert_batches_are_the_loop(
    make: Callable[[], Any], listed: list, *batches: Any
) -> tuple[Any, tuple[list[int], list[int]]]:
    """update_many of each of ``batches`` (the values of ``listed`` in other forms) reports
    the drifts and warnings, and leaves the state, of one update per value of ``listed``.
    Returns the loop's detector and positions."""
    loop = make()
    expected = run(loop, listed)
    for values in batches:
        batch = make()
        drifts, warnings = batch.update_many(values, return_warnings=True)
        assert (drifts.tolist(), warnings.tolist()) == expected
        assert state(batch) == state(loop)
    return loop, expected


def assert_batch_matches_loop(make: Callable[[], Any], values: np.ndarray) -> None:
    """update_many (whole, as a list, as a column, in chunks) == one update per value, state
    included."""
    listed = values.tolist()
    loop, expected = assert_batches_are_the_loop(
        make, listed, values, listed, values.reshape(-1, 1)
    )
    chunked = make()
    found: list[int] = []
    start = 0
    for size in (1, 7, 100, 5, len(values)):
        part = values[start : start + size]
        found += (chunked.update_many(part) + start).tolist()
        start += len(part)
    assert found == expected[0]
    assert state(chunked) == state(loop)


def check_signature(ours: type, river: type) -> None:
    """Same parameter names, in the same order, with the same defaults as River's."""

    def params(cls: type) -> list[tuple[str, Any]]:
        sig = inspect.signature(cls.__init__)
        return [(p.name, p.default) for p in sig.parameters.values() if p.name != "self"]

    assert params(ours)[:-1] == params(river)
    assert params(ours)[-1] == ("on_invalid", "skip")


BAD_VALUES = [math.nan, math.inf, -math.inf, None, 0.5, 2, -1, "1", "a", np.float64("nan"), [1]]


def check_invalid_values(make: Callable[..., Any], values: np.ndarray) -> None:
    """Bad values are skipped and counted (state otherwise untouched) or raise."""
    clean = make()
    run(clean, values.tolist())
    mixed = make()
    for i, x in enumerate(values.tolist()):
        if i % 50 == 3:
            for bad in BAD_VALUES:
                mixed.update(bad)
                assert not mixed.drift_detected
        mixed.update(x)
    expected = state(clean)
    expected["n_skipped"] = len(BAD_VALUES) * len(range(3, len(values), 50))
    assert state(mixed) == expected
    strict = make(on_invalid="raise")
    for bad in BAD_VALUES:
        with pytest.raises(DataError, match="expected 0/1 or a bool"):
            strict.update(bad)
    assert strict.n_updates == strict.n_skipped == 0


def check_invalid_in_batches(make: Callable[..., Any], values: np.ndarray) -> None:
    """update_many skips or raises on bad values exactly as the update loop does."""
    floats = values.astype(float)
    floats[5::97] = np.nan
    floats[11::89] = 0.5
    floats[13::101] = 2.0
    loop, _ = assert_batches_are_the_loop(make, floats.tolist(), floats)
    assert loop.n_skipped == np.count_nonzero((floats != 0) & (floats != 1))
    for objects in (
        [None if i % 71 == 2 else x for i, x in enumerate(values.tolist())],
        ["1" if i % 71 == 2 else x for i, x in enumerate(values.tolist())],  # text and numbers
        [[x, True] if i % 71 == 2 else x for i, x in enumerate(values.tolist())],  # ragged
    ):
        loop, _ = assert_batches_are_the_loop(make, objects, objects)
        assert loop.n_skipped == len(range(2, len(values), 71))
    assert_batches_are_the_loop(make, values.tolist(), (x for x in values.tolist()))
    # Raising: the values before the bad one count, as in the loop.
    loop, batch = make(on_invalid="raise"), make(on_invalid="raise")
    with pytest.raises(DataError):
        for x in floats.tolist():
            loop.update(x)
    with pytest.raises(DataError):
        batch.update_many(floats)
    assert state(batch) == state(loop) and batch.n_updates == 5


def check_types_accepted(make: Callable[[], Any], values: np.ndarray) -> None:
    """Ints, floats, bools and NumPy scalars of 0/1 are the same stream."""
    expected = run(make(), values.tolist())
    for converted in (
        [bool(x) for x in values.tolist()],
        values.astype(float).tolist(),
        list(values.astype(np.int8)),
        list(values.astype(np.float32)),
        list(values.astype(bool)),
    ):
        assert run(make(), converted) == expected
    for array in (values.astype(bool), values.astype(np.uint8), values.astype(np.float32)):
        assert make().update_many(array).tolist() == expected[0]


def check_kernel_is_the_update_loop(make: Callable[[], Any], values: np.ndarray) -> None:
    """The compiled kernel of update_many finds and leaves what the update loop does."""
    compiled = make()
    expected = compiled.update_many(values, return_warnings=True)
    fallback = make()
    got = fallback._update_loop(np.asarray(values), True)
    assert [a.tolist() for a in got] == [a.tolist() for a in expected]
    assert state(fallback) == state(compiled)


def check_clone_reset(detector: Any, values: np.ndarray) -> None:
    """clone and _reset give a fresh detector with the same parameters."""
    fresh = detector.clone()
    expected = state(fresh)
    detector.update_many(values)
    assert detector.n_updates == len(values)
    clone = detector.clone()
    assert clone == detector and state(clone) == expected
    assert repr(clone) == repr(detector)
    detector._reset()
    assert state(detector) == expected
    assert run(detector, values.tolist()) == run(clone, values.tolist())


def at_first_drift(make: Callable[[], Any], values: np.ndarray) -> tuple[Any, int]:
    """A detector fed ``values`` up to its first drift, which it just detected, and the
    position of that drift."""
    first = int(make().update_many(values)[0])
    detector = make()
    detector.update_many(values[: first + 1])
    assert detector.drift_detected and detector.n_detections == 1
    return detector, first


#: (kwargs, name): parameters both HDDM detectors refuse (``check_confidences`` and
#: ``check_flag`` of ``driftscope.stream._binary``), and the one the ConfigError names.
HDDM_BAD_PARAMS = (
    ({"drift_confidence": 0}, "drift_confidence"),
    ({"drift_confidence": 1}, "drift_confidence"),
    ({"drift_confidence": float("nan")}, "drift_confidence"),
    ({"warning_confidence": 1.5}, "warning_confidence"),
    ({"warning_confidence": "0.005"}, "warning_confidence"),
    ({"drift_confidence": 0.005}, "drift_confidence"),  # == warning_confidence
    ({"drift_confidence": 0.01}, "drift_confidence"),  # > warning_confidence
    ({"two_sided_test": 1}, "two_sided_test"),
    ({"two_sided_test": "yes"}, "two_sided_test"),
    ({"on_invalid": "ignore"}, "on_invalid"),
)

#: Two-sided HDDM parameters under which River raises a warning and a drift at once.
BOTH_WAYS = {"drift_confidence": 0.05, "warning_confidence": 0.3, "two_sided_test": True}

#: ``reference(params, values)``: the (drifts, warnings) an HDDM test expects, from River.
Reference = Callable[[dict, list], tuple[list[int], list[int]]]


def check_a_fall_needs_the_two_sided_test(make: Callable[..., Any], reference: Reference) -> None:
    """An HDDM detector misses a fall of the error rate unless two-sided, as River does."""
    values = dict(streams(8))["drop 30%->10%"].tolist()
    one, two = run(make(), values), run(make(two_sided_test=True), values)
    assert one == reference({}, values) and one[0] == []
    assert two == reference({"two_sided_test": True}, values)
    assert 1500 < two[0][0] < 1700


def check_both_flags_at_once(make: Callable[..., Any], reference: Reference, seed: int) -> None:
    """Two-sided, River lets the fall test set the warning after the rise test's drift (and
    the reverse): both flags at once. Kept as River does."""
    values = piecewise(seed).tolist()
    expected = reference(BOTH_WAYS, values)
    assert run(make(**BOTH_WAYS), values) == expected
    assert set(expected[0]) & set(expected[1])


class BinaryDetectorCases:
    """The tests every 0/1 detector passes. A test module subclasses it once
    (``class TestDDM(BinaryDetectorCases)``) and sets the class attributes below; its own
    tests keep what is particular to its detector (River parity, River's bugs, statistics).
    """

    #: The detector, and River's class of the same name.
    detector: ClassVar[type]
    river_class: ClassVar[type]
    #: The parameters update_many is checked with.
    batch_params: ClassVar[Sequence[dict[str, Any]]]
    #: (kwargs, name): parameters the detector refuses, and the one its ConfigError names.
    bad_params: ClassVar[Sequence[tuple[dict[str, Any], str]]]
    #: (kwargs, repr) of the detector cloned and reset.
    example: ClassVar[tuple[dict[str, Any], str]]
    #: The stream of seed 4 on which update_many runs without Numba.
    numba_stream: ClassVar[str] = "jump 10%->30%"

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Parametrise the tests below with the subclass's parameters (pytest calls this
        hook on a test class as on a module)."""
        if "params" in metafunc.fixturenames:
            metafunc.parametrize("params", self.batch_params, ids=str)
        if "kwargs" in metafunc.fixturenames:
            metafunc.parametrize("kwargs, name", self.bad_params)

    def test_update_many_equals_the_update_loop(self, params: dict[str, Any]) -> None:
        for _, xs in streams(3):
            assert_batch_matches_loop(lambda: self.detector(**params), xs)
        assert_batch_matches_loop(lambda: self.detector(**params), np.zeros(0, dtype=np.int64))

    def test_update_many_kernel_is_the_update_loop(self) -> None:
        check_kernel_is_the_update_loop(self.detector, dict(streams(4))[self.numba_stream])

    def test_invalid_values_are_skipped_or_raise(self) -> None:
        xs = dict(streams(5))["gradual 10%->40%"]
        check_invalid_values(self.detector, xs)
        check_invalid_in_batches(self.detector, xs)
        check_types_accepted(self.detector, xs[:800])

    def test_signature_is_rivers(self) -> None:
        check_signature(self.detector, self.river_class)

    def test_parameters_out_of_range_fail_at_construction(
        self, kwargs: dict[str, Any], name: str
    ) -> None:
        with pytest.raises(ConfigError, match=name):
            self.detector(**kwargs)

    def test_clone_reset_repr(self) -> None:
        kwargs, expected = self.example
        detector = self.detector(**kwargs)
        assert repr(detector) == expected
        check_clone_reset(detector, dict(streams(6))["jump 10%->30%"])

    def test_a_drift_restarts_the_statistics_at_once(self) -> None:
        xs = dict(streams(7))["jump 10%->30%"]
        detector, first = at_first_drift(self.detector, xs)
        fresh = self.detector()
        assert not detector.warning_detected
        assert detector._get_state() == fresh._get_state()
        detector.update(xs[first + 1])  # the first value of the new concept
        fresh.update(xs[first + 1])
        assert not detector.drift_detected
        assert detector._get_state() == fresh._get_state()
