"""ADWIN: adaptive windowing (Bifet & Gavaldà 2007), detection for detection as River's.

The window is kept as an exponential histogram: row ``r`` holds up to ``max_buckets``
buckets of ``2**r`` values each (a sum and a sum of squared deviations per bucket); a row
that overflows merges its two oldest buckets into the next row. Every ``clock`` values, once
the window holds more than ``grace_period`` values, each bucket boundary splits the window
into an older part W0 and a newer part W1 (both of at least ``min_window_length`` values),
and the means are compared with the bound of the paper, with ``delta' = delta / ln(width)``::

    |mean(W0) - mean(W1)| > sqrt(2 / m * var(W) * ln(2 / delta')) + 2 / (3 m) * ln(2 / delta')

where ``1/m = 1/(n0 - min_window_length + 1) + 1/(n1 - min_window_length + 1)``. While a
split passes, the oldest bucket is dropped and the splits are checked again. A drift is
reported for the update, and -- as in River -- the detector starts afresh (empty window) at
the next update.

The state lives in two numpy arrays handled by compiled functions. ``update`` only queues
values in a list and runs the compiled core once every ``clock`` values (when a check is
due), so the per-value cost is a few Python operations.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from driftscope.stream._inputs import check_int, run_batch
from driftscope.stream._jit import compiled, jit
from driftscope.stream.base import StreamDetector, check_range

#: Bucket rows: row r holds buckets of 2**r values (a window of 2**53 values needs < 53).
ROWS = 64

# Float state ``f``: the window's sum, sum of squared deviations and width; the parameters
# delta, min_window_length and grace_period; then the bucket sums and the bucket sums of
# squared deviations, ROWS x (max_buckets + 1) each (each row a ring); then scratch for the
# checks (5 x as much); then the queue of values that update() fills.
_TOTAL, _VAR, _WIDTH, _DELTA, _MINLEN, _GRACE, _FHEAD = 0, 1, 2, 3, 4, 5, 8
# Int state ``s``: values until the next check, rows in use, "restart before the next
# value", non-finite values skipped by the last feed; the parameters max_buckets + 1 and
# clock; the valid and the non-finite values fed in all; the oldest row changed since the
# last check (the checks' lists of splits are kept for the older rows); then the number of
# buckets in each row and the slot of each row's oldest bucket.
_UNTIL, _ROWS, _RESTART, _SKIP, _COLS, _CLOCK, _VALID, _NONFINITE, _DIRTY = range(9)
_COUNT = 10
_HEAD = _COUNT + ROWS

#: Relative slack of the quick screen of a split (float rounding is ~1e-16).
_SLACK = 1e-9


def _new_state(
    delta: float, clock: int, max_buckets: int, min_len: int, grace: int, queue: int
) -> tuple[np.ndarray, np.ndarray]:
    """Fresh state arrays (with room for ``queue`` values queued by update())."""
    cols = max_buckets + 1
    f = np.zeros(_FHEAD + 7 * ROWS * cols + queue)
    f[_DELTA], f[_MINLEN], f[_GRACE] = delta, min_len, grace
    s = np.zeros(_HEAD + ROWS, dtype=np.int64)
    s[_UNTIL], s[_ROWS], s[_COLS], s[_CLOCK], s[_DIRTY] = clock, 1, cols, clock, ROWS
    return f, s


@jit
def _restart(f, s):
    """Empty the window."""
    f[_TOTAL] = 0.0
    f[_VAR] = 0.0
    f[_WIDTH] = 0.0
    s[_UNTIL] = s[_CLOCK]
    s[_ROWS] = 1
    s[_RESTART] = 0
    s[_DIRTY] = ROWS
    s[_COUNT:] = 0


@jit
def _push(f, s, row, cols, total, var):
    """Append a bucket (its sum and sum of squared deviations) to ``row``."""
    count = s[_COUNT + row]
    slot = s[_HEAD + row] + count
    if slot >= cols:
        slot -= cols
    f[_FHEAD + row * cols + slot] = total
    f[_FHEAD + (ROWS + row) * cols + slot] = var
    s[_COUNT + row] = count + 1


@jit
def _merge(f, s, cols):
    """Merge the two oldest buckets of each full row (max_buckets + 1) into the next row."""
    row = 0
    while s[_COUNT + row] == cols:
        size = float(1 << row)
        head = s[_HEAD + row]
        second = head + 1 if head + 1 < cols else 0
        t, v = _FHEAD + row * cols, _FHEAD + (ROWS + row) * cols
        mu1 = f[t + head] * (1.0 / size)  # exact: size is a power of 2 (River divides)
        mu2 = f[t + second] * (1.0 / size)
        total12 = f[t + head] + f[t + second]
        var12 = f[v + head] + f[v + second] + size * 0.5 * (mu1 - mu2) * (mu1 - mu2)
        head += 2
        s[_HEAD + row] = head - cols if head >= cols else head
        s[_COUNT + row] = cols - 2
        nxt = row + 1
        if nxt >= s[_ROWS]:
            s[_ROWS] = nxt + 1
        if nxt > s[_DIRTY]:
            s[_DIRTY] = nxt
        _push(f, s, nxt, cols, total12, var12)
        row = nxt


@jit
def _delete_oldest(f, s, cols):
    """Drop the oldest bucket (the oldest of the last non-empty row)."""
    last = s[_ROWS] - 1
    n = float(1 << last)
    head = s[_HEAD + last]
    u = f[_FHEAD + last * cols + head]
    mu = u * (1.0 / n)  # exact: n is a power of 2
    width = f[_WIDTH] - n
    total = f[_TOTAL] - u
    mu_window = total / width
    f[_VAR] -= f[_FHEAD + (ROWS + last) * cols + head] + n * width * (mu - mu_window) * (
        mu - mu_window
    ) / (n + width)
    f[_WIDTH] = width
    f[_TOTAL] = total
    s[_HEAD + last] = head + 1 if head + 1 < cols else 0
    s[_COUNT + last] -= 1
    s[_DIRTY] = ROWS  # every split lost the oldest bucket
    # River removes one empty row only; with max_buckets=1 the row before can be empty too.
    while s[_ROWS] > 1 and s[_COUNT + s[_ROWS] - 1] == 0:
        s[_ROWS] -= 1


@jit
def _cut(n0, n1, diff, dd, var_w, min_len):
    """River's test: whether means ``diff`` apart over n0 and n1 values exceed the bound.

    ``dd = ln(2 ln(width) / delta)`` and ``var_w`` (the window variance) are the same for
    every split of one check, so they are computed once (with River's operations).
    """
    m = 1.0 / (n0 - min_len + 1.0) + 1.0 / (n1 - min_len + 1.0)
    square = 2.0 * m * var_w * dd
    if square < 0.0:  # rounding made the variance negative: sqrt is NaN, never a cut
        return False
    return abs(diff) > math.sqrt(square) + 2.0 / 3.0 * dd * m


@jit
def _detect(f, s, cols, delta, min_len):
    """Check every split of the window; while one passes, drop the oldest bucket.

    The splits are listed oldest first with River's running sums (``n0``, ``u0``: the
    count and sum of the older side), the bucket sums and the running sums of their
    absolute values; the entries of rows no merge touched since the last check are kept.

    Then most splits are screened out at once, without a branch, a division or a square
    root: as ``1/m >= 1/n0 + 1/n1 = width / (n0 n1)`` (``min_window_length >= 1``), a
    split can only pass when ``|u0 n1 - u1 n0| > sqrt(2 var dd width n0 n1) +
    2/3 dd width``. The screen takes ``u1 = total - u0`` and is loosened by ``_SLACK`` and
    by a bound on how far River's running ``u1`` can be from that, so it never drops a
    split that River's arithmetic would pass; the others, in order, get River's exact test.
    """
    cap = ROWS * cols
    n0s = f[_FHEAD + 2 * cap : _FHEAD + 3 * cap]
    u0s = f[_FHEAD + 3 * cap : _FHEAD + 4 * cap]
    ts = f[_FHEAD + 4 * cap : _FHEAD + 5 * cap]
    ps = f[_FHEAD + 5 * cap : _FHEAD + 6 * cap]
    keep = f[_FHEAD + 6 * cap : _FHEAD + 7 * cap]
    change = False
    while True:
        width, total = f[_WIDTH], f[_TOTAL]
        if width < 2.0:  # no split has a value on each side
            break
        rows = s[_ROWS]
        dirty = min(max(s[_DIRTY], 0), rows - 1)
        m = 0  # the splits of the rows older than ``dirty`` are listed already
        for row in range(rows - 1, dirty, -1):
            m += s[_COUNT + row]
        n0, u0, p = (int(n0s[m - 1]), u0s[m - 1], ps[m - 1]) if m else (0, 0.0, 0.0)
        for row in range(dirty, -1, -1):
            size = 1 << row
            base = _FHEAD + row * cols
            slot = s[_HEAD + row]
            for _ in range(s[_COUNT + row] - (1 if row == 0 else 0)):  # the newest bucket
                t = f[base + slot]  # alone on the newer side is no split
                n0 += size
                u0 += t
                p += abs(t)
                slot = slot + 1 if slot + 1 < cols else 0
                n0s[m], u0s[m], ts[m], ps[m] = n0, u0, t, p
                m += 1
        s[_DIRTY] = -1
        dd = math.log(2.0 * math.log(width) / delta)
        var_w = f[_VAR] / width
        lin = 2.0 / 3.0 * dd * width * (1.0 - _SLACK)
        quad = 2.0 * var_w * dd * width * (1.0 - _SLACK)
        drift = 4e-16 * abs(total)  # |River's u1 - (total - u0)| <= 4e-16 (i+1) (|total|+p)
        flagged = 0
        for i in range(m):
            n0, u0 = n0s[i], u0s[i]
            n1, u1 = width - n0, total - u0
            gap = abs(u0 * n1 - u1 * n0) * (1.0 + _SLACK)
            gap += _SLACK * (abs(u0) * n1 + abs(u1) * n0) + (i + 1) * (drift + 4e-16 * ps[i]) * n0
            over = gap - lin
            passes = (n1 >= min_len) & (n0 >= min_len) & (over > 0.0)
            passes &= over * over > quad * n0 * n1
            keep[i] = passes
            flagged += passes
        if not flagged:
            break
        cut = False
        u1 = total
        for i in range(m):  # River's running u1, and its exact test where the screen passed
            u1 -= ts[i]
            if keep[i]:
                n0 = n0s[i]
                n1 = width - n0
                if _cut(n0, n1, u0s[i] / n0 - u1 / n1, dd, var_w, min_len):
                    cut = True
                    break
        if not cut:
            break
        change = True
        _delete_oldest(f, s, cols)  # width >= n1 >= 1 is left; checks again
    return change


@jit
def _feed(f, s, values, start, n, hits, record):
    """Feed ``values[start:start + n]`` in order, restarting after each detection; the
    number of detections, whose positions (from ``start``) go to ``hits`` if ``record``.

    Non-finite values are skipped (``update`` queues floats without looking at them) and
    counted in ``s[_SKIP]``. The window's sum, sum of squared deviations and width stay in
    registers between checks; the operations are River's, so they match its bit for bit.
    """
    cols, clock = s[_COLS], s[_CLOCK]
    delta, min_len, grace = f[_DELTA], f[_MINLEN], f[_GRACE]
    n_hits = 0
    skipped = 0
    total, var, width, until = f[_TOTAL], f[_VAR], f[_WIDTH], s[_UNTIL]
    for j in range(start, start + n):
        x = values[j]
        if not math.isfinite(x):
            skipped += 1
            continue
        if s[_RESTART]:
            _restart(f, s)
            total, var, width, until = 0.0, 0.0, 0.0, clock
        count = s[_COUNT]  # a new bucket in row 0 (its sum of squares stays 0)
        slot = s[_HEAD] + count
        f[_FHEAD + (slot - cols if slot >= cols else slot)] = x
        s[_COUNT] = count + 1
        width += 1.0
        increment = 0.0
        if width > 1.0:
            dev = x - total / (width - 1.0)
            increment = (width - 1.0) * dev * dev / width
        var += increment
        total += x
        if count + 1 == cols:
            _merge(f, s, cols)
        until -= 1
        if until == 0:  # River: tick % clock == 0
            until = clock
            if width > grace:
                f[_TOTAL], f[_VAR], f[_WIDTH] = total, var, width
                if _detect(f, s, cols, delta, min_len):
                    s[_RESTART] = 1
                    if record:
                        hits[n_hits] = j - start
                    n_hits += 1
                    total, var, width = f[_TOTAL], f[_VAR], f[_WIDTH]
    f[_TOTAL], f[_VAR], f[_WIDTH], s[_UNTIL] = total, var, width, until
    s[_SKIP] = skipped
    s[_NONFINITE] += skipped
    s[_VALID] += n - skipped
    return n_hits


@jit
def _adwin_run(f, s, k):
    """Feed the ``k`` values update() queued at the end of ``f``; any detection (0 or 1:
    a run stops at the first check), plus 2 if a value was skipped."""
    hit = _feed(f, s, f, _FHEAD + 7 * ROWS * s[_COLS], k, s, False)
    return hit + 2 * (s[_SKIP] > 0)


@jit
def _adwin_many(f, s, values, hits):
    """Feed ``values``; the number of detections, their positions written to ``hits``."""
    return _feed(f, s, values, 0, len(values), hits, True)


_QUEUE = 4096  # most values queued by update() between two runs of the core


@functools.cache
def _core() -> Callable:
    """``_adwin_run`` compiled for the argument types ``update`` passes it."""
    return compiled(_adwin_run, *_new_state(0.5, 1, 1, 1, 0, 1), 1)


class ADWIN(StreamDetector):
    """Adaptive windowing: a drift when two parts of the recent window differ in mean.

    Parameters and defaults are River's: ``delta`` (the confidence of the cut test, the one
    knob that sets the false-alarm rate), ``clock`` (check every ``clock`` values),
    ``max_buckets`` (buckets per row of the histogram), ``min_window_length`` (least values
    on each side of a split) and ``grace_period`` (least values before any check).

    Same detections as ``river.drift.ADWIN`` for the same stream, with three documented
    differences where River is wrong: ``variance`` is the variance of the window (River
    returns the sum of squared deviations), ``n_detections`` counts every detection (River's
    goes back to 0 after each), and ``max_buckets=1`` works (River can panic).

    >>> import random
    >>> rng = random.Random(12345)
    >>> stream = rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
    >>> adwin = ADWIN()
    >>> for i, x in enumerate(stream):
    ...     adwin.update(x)
    ...     if adwin.drift_detected:
    ...         print(f"drift at {i}, window of {adwin.width}")
    drift at 1023, window of 32
    >>> ADWIN().update_many(stream)
    array([1023])
    """

    def __init__(
        self,
        delta: float = 0.002,
        clock: int = 32,
        max_buckets: int = 5,
        min_window_length: int = 5,
        grace_period: int = 10,
        *,
        on_invalid: str = "skip",
    ) -> None:
        self.delta = check_range("delta", delta, 0, 1, closed="neither")
        self.clock = check_int("clock", clock, 1)
        self.max_buckets = check_int("max_buckets", max_buckets, 1)
        self.min_window_length = check_int("min_window_length", min_window_length, 1)
        self.grace_period = check_int("grace_period", grace_period, 0)
        super().__init__(on_invalid=on_invalid)
        if on_invalid == "raise":  # check finiteness before queueing (the core skips)
            self.update = self._update_strict  # type: ignore[method-assign]

    def _reset(self) -> None:
        queue = min(self.clock, _QUEUE)
        self._f, self._s = _new_state(
            float(self.delta),
            int(self.clock),
            int(self.max_buckets),
            int(self.min_window_length),
            int(self.grace_period),
            queue,
        )
        # update() writes values to the end of _f (through _view) and runs the core on them
        # when a check is due: _k values are queued, the core runs when there are _stop.
        self._view = memoryview(self._f[len(self._f) - queue :])
        self._k = 0
        self._stop = queue
        self._core = _core()
        super()._reset()

    # The counts live in the state (the core counts the values it takes or skips), plus
    # what the Python side counted (values of the wrong type, batches' invalid values):
    # reading them first runs the core on the queued values.
    @property
    def n_updates(self) -> int:  # type: ignore[override]
        """The number of valid values seen."""
        self._flush()
        return int(self._s[_VALID])

    @n_updates.setter
    def n_updates(self, value: int) -> None:
        self._flush()
        self._s[_VALID] = value

    @property
    def n_skipped(self) -> int:  # type: ignore[override]
        """The number of invalid values skipped."""
        self._flush()
        return int(self._s[_NONFINITE])

    @n_skipped.setter
    def n_skipped(self, value: int) -> None:
        self._flush()
        self._s[_NONFINITE] = value

    @property
    def drift_detected(self) -> bool:
        """Whether the last update detected a drift."""
        return self._drift_detected and not self._k

    # ------------------------------------------------------------------ updating
    def update(self, x: Any) -> None:
        """Add one value; a check of the window runs every ``clock`` values."""
        if x.__class__ is not float:  # NaN and infinities are floats: the core skips them
            x = self._valid(x)
            if x is None:
                return
        k = self._k
        self._view[k] = x
        k += 1
        if k != self._stop:
            self._k = k
            return
        self._k = 0
        self._drift_detected = False
        result = self._core(self._f, self._s, k)
        if result or k != self.clock:
            self._after_run(result)

    def _update_strict(self, x: Any) -> None:
        """``update`` with ``on_invalid="raise"``: NaN and infinities raise here."""
        if x.__class__ is not float or x - x != 0.0:
            x = self._valid(x)
        ADWIN.update(self, x)

    def _run(self, k: int) -> None:
        """Feed the ``k`` queued values to the core."""
        self._k = 0
        self._drift_detected = False
        self._after_run(self._core(self._f, self._s, k))

    def _after_run(self, result: int) -> None:
        """After a detection (``result & 1``), a skipped value or a run short of a check."""
        if result & 1:
            self._drift_detected = True
            self.n_detections += 1
        self._stop = min(len(self._view), int(self._s[_UNTIL]))

    def _flush(self) -> None:
        """Put the queued values in the window (no check is due among them)."""
        if self._k:
            self._run(self._k)

    def update_many(self, values: Any) -> np.ndarray:
        """Feed ``values`` in one compiled loop; the 0-based positions of the detections."""
        return run_batch(self, values, self._feed)

    def _feed(self, floats: np.ndarray) -> np.ndarray:
        self._flush()
        hits = np.zeros(len(floats) // self.clock + 1, dtype=np.int64)
        n_hits = _adwin_many(self._f, self._s, floats, hits)
        self.n_detections += n_hits
        self._drift_detected = n_hits > 0 and hits[n_hits - 1] == len(floats) - 1
        self._stop = min(len(self._view), int(self._s[_UNTIL]))
        return hits[:n_hits]

    def __getstate__(self) -> dict[str, Any]:
        self._flush()
        return {k: v for k, v in self.__dict__.items() if k not in ("_view", "_core", "update")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._view = memoryview(self._f[len(self._f) - min(self.clock, _QUEUE) :])
        self._core = _core()
        if self.on_invalid == "raise":
            self.update = self._update_strict  # type: ignore[method-assign]

    def _state(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the state arrays after the queued values went in (for tests)."""
        self._flush()
        s = self._s.copy()
        s[_SKIP] = 0  # scratch of the last feed
        return self._f[: _FHEAD + 2 * ROWS * (self.max_buckets + 1)].copy(), s

    # ------------------------------------------------------------------ River's properties
    @property
    def width(self) -> int:
        """The number of values in the window."""
        self._flush()
        return int(self._f[_WIDTH])

    @property
    def total(self) -> float:
        """The sum of the values in the window."""
        self._flush()
        return float(self._f[_TOTAL])

    @property
    def variance(self) -> float:
        """The (population) variance of the values in the window, as used by the cut test.

        River's ``variance`` returns the sum of squared deviations, ``width`` times this.
        """
        self._flush()
        width = self._f[_WIDTH]
        return float(self._f[_VAR] / width) if width > 0 else 0.0

    @property
    def estimation(self) -> float:
        """The mean of the values in the window (0 when it is empty)."""
        self._flush()
        width = self._f[_WIDTH]
        return float(self._f[_TOTAL] / width) if width > 0 else 0.0
