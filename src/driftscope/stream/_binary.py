"""What the 0/1 detectors that also warn (DDM, EDDM, HDDM_A, HDDM_W) share.

``warning_detected`` (River's ``DriftAndWarningDetector`` semantics: the state after the last
valid update), a fast check of the common 0/1 inputs in ``update`` and an ``update_many``
that runs a detector's compiled loop over a whole array.

The statistics are named once, by a record dtype (:func:`state_dtype`), and the algorithm
is written once where that costs no speed:

* HDDM_A and HDDM_W (:class:`SteppedDetector`): a compiled step on the record is the
  algorithm; ``update`` calls it (faster than Python running the same lines) and
  ``update_many``'s loop runs it per value.
* DDM and EDDM: calling a compiled step costs more than their Python ``update`` (DDM's
  update measured ~25% slower that way; EDDM's whole update, ~105 ns, is less than the
  call alone, ~130 ns), so ``update`` is the readable version, keeping each statistic in
  the attribute ``_<name>``, and the kernel mirrors it line for line; the tests check the
  two against each other, and both against River.

Either way a batch continues exactly where single updates stopped and vice versa.

After a drift the statistics restart at once (``_restart``): the value that revealed the
drift is the last of the old concept, the next valid value the first of the new one. River
restarts at the start of the next update instead, which gives the same detections; the
counters (``n_updates``, ``n_skipped``, ``n_detections``) are never restarted by a drift.

A skipped (invalid) value clears ``drift_detected`` (see the base class) and leaves
``warning_detected`` as it was: a warning is a state of the detector, which a skipped value
does not change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from driftscope.errors import ConfigError
from driftscope.stream._inputs import as_array
from driftscope.stream.base import StreamDetector, check_range

#: Types whose values ``update`` checks with ``x == 0`` / ``x == 1`` alone; values of other
#: types go through ``StreamDetector._valid`` (same verdicts, slower).
FAST_TYPES = frozenset(
    {int, float, bool, np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.float64}
)

#: Flags written by the kernels in their ``out`` vector, one per value.
DRIFT, WARNING = 1, 2


def state_dtype(*names: str) -> np.dtype:
    """The record a kernel works on: ``drift`` and ``warning`` (the flags after the last
    value), then the statistics ``names`` (float64), which ``update`` keeps in the
    attributes ``_<name>``.

    >>> state_dtype("n", "p").names
    ('drift', 'warning', 'n', 'p')
    """
    fields = [("drift", "?"), ("warning", "?"), *((name, "f8") for name in names)]
    return np.dtype(fields, align=True)


def check_count(name: str, value: Any) -> Any:
    """``value`` when it is an integer >= 0, else a ConfigError naming it.

    >>> check_count("warm_start", 30)
    30
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ConfigError(f"{name} must be an integer >= 0, got {value!r}")
    return value


def check_confidences(drift_confidence: Any, warning_confidence: Any) -> None:
    """Both in (0, 1) and ``drift_confidence < warning_confidence``, else a ConfigError.

    >>> check_confidences(0.01, 0.001)
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: drift_confidence must be below warning_confidence, ...
    """
    check_range("drift_confidence", drift_confidence, 0, 1, closed="neither")
    check_range("warning_confidence", warning_confidence, 0, 1, closed="neither")
    if not drift_confidence < warning_confidence:
        raise ConfigError(
            f"drift_confidence must be below warning_confidence, got {drift_confidence!r} "
            f">= {warning_confidence!r}"
        )


def check_flag(name: str, value: Any) -> Any:
    """``value`` when it is a bool, else a ConfigError naming it."""
    if not isinstance(value, bool | np.bool_):
        raise ConfigError(f"{name} must be True or False, got {value!r}")
    return value


def bit_codes(flat: np.ndarray) -> np.ndarray | None:
    """The codes of a flat array's values (from :func:`~driftscope.stream._inputs.as_array`)
    as int8: 1, 0, or -1 for a value ``update`` would skip; None for an array of objects,
    which need ``update``'s checks one by one.

    >>> bit_codes(np.array([1, 0, 2, 1])).tolist(), bit_codes(np.array([0.0, np.nan, 0.5])).tolist()
    ([1, 0, -1, 1], [0, -1, -1])
    >>> as_array([[1, 0], [0, 1]]).tolist(), as_array([1, "a"]).tolist()
    ([1, 0, 0, 1], [1, 'a'])
    >>> bit_codes(as_array([1, "a"])) is None
    True
    """
    kind = flat.dtype.kind
    if kind == "b":
        return flat.astype(np.int8)
    if kind not in "iuf":
        return None
    codes = np.full(flat.size, -1, dtype=np.int8)
    codes[flat == 0] = 0
    codes[flat == 1] = 1
    return codes


class BinaryDetector(StreamDetector):
    """A detector of a 0/1 stream that warns before it detects a drift.

    Subclasses implement ``update`` (using :data:`FAST_TYPES` to accept common values
    quickly), ``_restart`` (the statistics of a fresh detector), name them in ``_STATE``
    (a :func:`state_dtype`; override ``_get_state``/``_set_state`` for statistics not kept
    as ``_<name>``), implement ``_kernel_args`` (the parameters the kernel takes after
    ``codes, out, state``) and set ``_kernel`` to their loop compiled by
    :func:`~driftscope.core._jit.njit`.
    """

    binary: ClassVar[bool] = True
    #: The compiled loop ``kernel(codes, out, state, *args)`` (a :func:`njit` function).
    _kernel: ClassVar[Callable[..., Any]]

    def _reset(self) -> None:
        super()._reset()
        self._warning_detected = False
        self._restart()

    def _restart(self) -> None:
        """Rebuild the statistics (not the counters, not the flags)."""
        raise NotImplementedError

    @property
    def warning_detected(self) -> bool:
        """Whether the detector is in its warning zone after the last valid update."""
        return self._warning_detected

    # ------------------------------------------------------------------ batches
    #: The kernel's record: the flags, then the statistics (see :func:`state_dtype`).
    _STATE: ClassVar[np.dtype]

    def _get_state(self) -> list[float]:
        """The statistics, in the order of ``_STATE``."""
        return [getattr(self, "_" + name) for name in (self._STATE.names or ())[2:]]

    def _set_state(self, record: Any) -> None:
        """Take the statistics from a ``_STATE`` record."""
        for name in (self._STATE.names or ())[2:]:
            setattr(self, "_" + name, record[name].item())

    def _kernel_args(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def update_many(  # type: ignore[override]  # adds return_warnings
        self, values: Any, return_warnings: bool = False
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Feed ``values`` in order; the 0-based positions where a drift was detected, and
        with ``return_warnings=True`` also the positions after which ``warning_detected``
        was True: ``(drifts, warnings)``.

        The state afterwards, and the positions, are those of calling :meth:`update` on
        each value (invalid values are skipped and counted, or raise at their turn); numeric
        arrays run through a compiled loop.
        """
        flat = as_array(values)
        codes = bit_codes(flat)
        kernel = type(self)._kernel
        if codes is None:
            return self._update_loop(flat, return_warnings)
        bad = np.flatnonzero(codes < 0)
        stop = bad[0] if bad.size and self.on_invalid == "raise" else codes.size
        out = np.empty(codes.size, dtype=np.int8)
        flags = (self._drift_detected, self._warning_detected)
        state = np.array([(*flags, *self._get_state())], dtype=self._STATE)
        kernel(codes[:stop], out[:stop], state, *self._kernel_args())
        n_bad = bad.size if stop == codes.size else 0
        self.n_updates += int(stop) - n_bad
        self.n_skipped += n_bad
        record = state[0]
        self._drift_detected = bool(record["drift"])
        self._warning_detected = bool(record["warning"])
        self._set_state(record)
        drifts = np.flatnonzero(out[:stop] & DRIFT)
        self.n_detections += drifts.size
        if stop < codes.size:
            self.update(flat[stop])  # raises DataError, as the loop would
        if return_warnings:
            return drifts, np.flatnonzero(out[:stop] & WARNING)
        return drifts

    def _update_loop(
        self, flat: np.ndarray, return_warnings: bool
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        drifts: list[int] = []
        warnings: list[int] = []
        update = self.update
        for i, x in enumerate(flat.astype(object)):
            update(x)
            if self._drift_detected:
                drifts.append(i)
            if self._warning_detected:
                warnings.append(i)
        found = np.asarray(drifts, dtype=np.int64)
        if return_warnings:
            return found, np.asarray(warnings, dtype=np.int64)
        return found


class SteppedDetector(BinaryDetector):
    """A :class:`BinaryDetector` whose algorithm is written once, as a compiled step on its
    ``_STATE`` record: ``update`` calls the step's machine-code entry (``_stepper()``, see
    :func:`~driftscope.core._jit.entry_point`) with the record, one value as 0.0/1.0 and
    ``_args``, and reads the flags it returns; ``_kernel`` runs the same step over a batch.

    Subclasses set ``_args`` (the step's parameters) before ``super().__init__``, ``_FRESH``
    (the statistics of a fresh detector) and ``_stepper``.
    """

    _FRESH: ClassVar[tuple[float, ...]]
    #: Returns the entry of the compiled ``update_one(state, v, *args) -> flags``.
    _stepper: ClassVar[Callable[[], Callable[..., int]]]
    _args: tuple[Any, ...]

    def _restart(self) -> None:
        self._state = np.array([(False, False, *self._FRESH)], dtype=self._STATE)
        self._attach()

    def _attach(self) -> None:
        """What ``update`` works with (rebuilt after unpickling)."""
        self._step = type(self)._stepper()

    def update(self, x: Any) -> None:
        """Add one 0/1 value (1 = error); then read ``drift_detected``/``warning_detected``."""
        if x.__class__ not in FAST_TYPES or (x != 0 and x != 1):
            x = self._valid(x)
            if x is None:
                return
        self.n_updates += 1
        flags = self._step(self._state, 1.0 if x else 0.0, *self._args)
        self._drift_detected = drift = flags & DRIFT != 0
        self._warning_detected = flags & WARNING != 0  # both at once, as River's two-sided
        if drift:
            self.n_detections += 1

    def _get_state(self) -> list[float]:
        return list(self._state[0].tolist()[2:])

    def _set_state(self, record: Any) -> None:
        self._state[0] = record

    def _kernel_args(self) -> tuple[Any, ...]:
        return self._args

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_step"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._attach()
