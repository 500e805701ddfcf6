"""ADWIN's compiled core: the exponential histogram and its checks, with River's arithmetic.

The state is two arrays with named fields (:class:`State`): ``window``, one record of the
window's sums, counters, parameters, the bookkeeping of each row of buckets and the
``queue`` of values ``ADWIN.update`` queued since the core last ran; and
``buckets[row, slot]``, the sum and sum of squared deviations of each bucket (row ``r``
holds buckets of ``2**r`` values, each row a ring of ``max_buckets + 1`` slots). A check
has at most one split point per bucket, so the checks' list of split points (kept between
checks) is stored in the same records, in fields of its own: entry ``i`` of the list is
``splits[i]`` with ``splits = buckets.reshape(-1)``, whatever bucket is there.

Two arrays, not four: ``ADWIN.update`` calls the core through Numba's entry point, which
spends ~60 ns unpacking each array argument (see :func:`queue_runner`).

The functions are written in the subset of Python Numba compiles; ``.py_func`` runs each as
plain Python (the tests compare both).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from driftscope.core._jit import entry_point, njit

#: Bucket rows: row r holds buckets of 2**r values (a window of 2**53 values needs < 53).
ROWS = 64
#: Most values ``update`` queues between two runs of the core: runs short of a check, when
#: ``clock`` is larger, cost ~1 ns a value.
QUEUE = 256

#: One record: the window and the detector's counters and parameters.
WINDOW = np.dtype(
    [
        ("total", "f8"),  # sum of the values in the window
        ("var", "f8"),  # their sum of squared deviations
        ("width", "f8"),  # their number
        ("delta", "f8"),
        ("min_len", "f8"),  # min_window_length
        ("grace", "f8"),  # grace_period
        ("clock", "i8"),
        ("cols", "i8"),  # slots per row: max_buckets + 1
        ("until", "i8"),  # values until the next check
        ("rows", "i8"),  # rows in use
        ("restart", "i8"),  # 1: empty the window before the next value (after a drift)
        ("dirty", "i8"),  # oldest row changed since the last check (splits of older rows kept)
        ("valid", "i8"),  # values taken, in all
        ("nonfinite", "i8"),  # values skipped, in all
        ("skipped", "i8"),  # values skipped by the last feed
        ("count", "i8", (ROWS,)),  # buckets in each row
        ("head", "i8", (ROWS,)),  # slot of each row's oldest bucket
        ("queue", "f8", (QUEUE,)),  # values queued by update(), not yet in the window
    ]
)
#: A bucket: the sum of its values and their sum of squared deviations; then, in the same
#: record, an entry of the list of split points of a check (oldest first): the count ``n0``
#: and sum ``u0`` of the older side (River's running sums), the sum ``t`` of the bucket
#: before it, the running sum ``p`` of the buckets' absolute sums, and whether the quick
#: screen kept it for the exact test.
BUCKET = np.dtype(
    [
        ("sum", "f8"),
        ("sqdev", "f8"),
        ("n0", "f8"),
        ("u0", "f8"),
        ("t", "f8"),
        ("p", "f8"),
        ("keep", "f8"),
    ]
)

#: Relative slack of the quick screen of a split (float rounding is ~1e-16).
SLACK = 1e-9


class State(NamedTuple):
    """ADWIN's state (see the module's docstring)."""

    window: np.ndarray  # one WINDOW record
    buckets: np.ndarray  # BUCKET, (ROWS, max_buckets + 1); also the split points

    @classmethod
    def new(cls, delta: float, clock: int, max_buckets: int, min_len: int, grace: int) -> State:
        """An empty window."""
        cols = max_buckets + 1
        window = np.zeros(1, dtype=WINDOW)
        w = window[0]
        w["delta"], w["min_len"], w["grace"] = delta, min_len, grace
        w["clock"], w["cols"], w["until"], w["rows"], w["dirty"] = clock, cols, clock, 1, ROWS
        return cls(window, np.zeros((ROWS, cols), dtype=BUCKET))

    def copy(self) -> State:
        return State(*(a.copy() for a in self))


@njit
def _restart(w: Any, buckets: np.ndarray) -> None:
    """Empty the window."""
    w["total"] = 0.0
    w["var"] = 0.0
    w["width"] = 0.0
    w["until"] = w["clock"]
    w["rows"] = 1
    w["restart"] = 0
    w["dirty"] = ROWS
    w["count"][:] = 0
    w["head"][:] = 0


@njit
def _merge(w: Any, buckets: np.ndarray) -> None:
    """Merge the two oldest buckets of each full row (max_buckets + 1) into the next row."""
    cols = w["cols"]
    count, head = w["count"], w["head"]
    row = 0
    while count[row] == cols:
        size = float(1 << row)
        first, second = head[row], head[row] + 1 if head[row] + 1 < cols else 0
        a, b = buckets[row, first], buckets[row, second]
        mu1 = a["sum"] * (1.0 / size)  # exact: size is a power of 2 (River divides)
        mu2 = b["sum"] * (1.0 / size)
        total = a["sum"] + b["sum"]
        sqdev = a["sqdev"] + b["sqdev"] + size * 0.5 * (mu1 - mu2) * (mu1 - mu2)
        head[row] = first + 2 - cols if first + 2 >= cols else first + 2
        count[row] = cols - 2
        row += 1
        w["rows"] = max(w["rows"], row + 1)
        w["dirty"] = max(w["dirty"], row)
        slot = head[row] + count[row]
        new = buckets[row, slot - cols if slot >= cols else slot]
        new["sum"] = total
        new["sqdev"] = sqdev
        count[row] += 1


@njit
def _delete_oldest(w: Any, buckets: np.ndarray) -> None:
    """Drop the oldest bucket (the oldest of the last non-empty row)."""
    cols, count, head = w["cols"], w["count"], w["head"]
    last = w["rows"] - 1
    n = float(1 << last)
    oldest = buckets[last, head[last]]
    mu = oldest["sum"] * (1.0 / n)  # exact: n is a power of 2
    width = w["width"] - n
    total = w["total"] - oldest["sum"]
    mu_window = total / width
    w["var"] -= oldest["sqdev"] + n * width * (mu - mu_window) * (mu - mu_window) / (n + width)
    w["width"] = width
    w["total"] = total
    head[last] = head[last] + 1 if head[last] + 1 < cols else 0
    count[last] -= 1
    w["dirty"] = ROWS  # every split lost the oldest bucket
    # River removes one empty row only; with max_buckets=1 the row before can be empty too.
    while w["rows"] > 1 and count[w["rows"] - 1] == 0:
        w["rows"] -= 1


@njit
def _cut(n0: float, n1: float, diff: float, dd: float, var_w: float, min_len: float) -> bool:
    """River's test: whether means ``diff`` apart over n0 and n1 values exceed the bound.

    ``dd = ln(2 ln(width) / delta)`` and ``var_w`` (the window variance) are the same for
    every split of one check, so they are computed once (with River's operations).
    """
    m = 1.0 / (n0 - min_len + 1.0) + 1.0 / (n1 - min_len + 1.0)
    square = 2.0 * m * var_w * dd
    if square < 0.0:  # rounding made the variance negative: sqrt is NaN, never a cut
        return False
    return abs(diff) > math.sqrt(square) + 2.0 / 3.0 * dd * m


@njit
def _list_splits(w: Any, buckets: np.ndarray, splits: np.ndarray) -> int:
    """List the window's splits, oldest first, with River's running sums; their number.

    The entries of rows older than ``w["dirty"]`` (which no merge touched since the last
    check) are kept. The newest bucket alone on the newer side is no split.
    """
    count, head, cols = w["count"], w["head"], w["cols"]
    rows = w["rows"]
    dirty = min(max(w["dirty"], 0), rows - 1)
    m = 0
    for row in range(rows - 1, dirty, -1):
        m += count[row]
    n0, u0, p = 0.0, 0.0, 0.0
    if m:
        n0, u0, p = splits[m - 1]["n0"], splits[m - 1]["u0"], splits[m - 1]["p"]
    for row in range(dirty, -1, -1):
        size = float(1 << row)
        slot = head[row]
        for _ in range(count[row] - (1 if row == 0 else 0)):
            t = buckets[row, slot]["sum"]
            n0 += size
            u0 += t
            p += abs(t)
            slot = slot + 1 if slot + 1 < cols else 0
            split = splits[m]
            split["n0"], split["u0"], split["t"], split["p"] = n0, u0, t, p
            m += 1
    w["dirty"] = -1
    return m


@njit
def _detect(w: Any, buckets: np.ndarray) -> bool:
    """Check every split of the window; while one passes, drop the oldest bucket.

    Most splits are screened out at once, without a branch, a division or a square root:
    as ``1/m >= 1/n0 + 1/n1 = width / (n0 n1)`` (``min_window_length >= 1``), a split can
    only pass when ``|u0 n1 - u1 n0| > sqrt(2 var dd width n0 n1) + 2/3 dd width``. The
    screen takes ``u1 = total - u0`` and is loosened by ``SLACK`` and by a bound on how far
    River's running ``u1`` can be from that, so it never drops a split that River's
    arithmetic would pass; the others, in order, get River's exact test.
    """
    splits = buckets.reshape(-1)  # the list of split points (see the module's docstring)
    delta, min_len = w["delta"], w["min_len"]
    change = False
    while w["width"] >= 2.0:  # else no split has a value on each side
        width, total = w["width"], w["total"]
        m = _list_splits(w, buckets, splits)
        dd = math.log(2.0 * math.log(width) / delta)
        var_w = w["var"] / width
        lin = 2.0 / 3.0 * dd * width * (1.0 - SLACK)
        quad = 2.0 * var_w * dd * width * (1.0 - SLACK)
        drift = 4e-16 * abs(total)  # |River's u1 - (total - u0)| <= 4e-16 (i+1) (|total|+p)
        flagged = 0.0
        for i in range(m):
            split = splits[i]
            n0, u0 = split["n0"], split["u0"]
            n1, u1 = width - n0, total - u0
            gap = abs(u0 * n1 - u1 * n0) * (1.0 + SLACK)
            gap += (
                SLACK * (abs(u0) * n1 + abs(u1) * n0) + (i + 1) * (drift + 4e-16 * split["p"]) * n0
            )
            over = gap - lin
            passes = (n1 >= min_len) & (n0 >= min_len) & (over > 0.0)
            passes &= over * over > quad * n0 * n1
            split["keep"] = passes
            flagged += passes
        if not flagged:
            break
        cut = False
        u1 = total
        for i in range(m):  # River's running u1, and its exact test where the screen passed
            split = splits[i]
            u1 -= split["t"]
            if split["keep"]:
                n0 = split["n0"]
                n1 = width - n0
                if _cut(n0, n1, split["u0"] / n0 - u1 / n1, dd, var_w, min_len):
                    cut = True
                    break
        if not cut:
            break
        change = True
        _delete_oldest(w, buckets)  # width >= n1 >= 1 is left; checks again
    return change


@njit
def feed(
    window: np.ndarray,
    buckets: np.ndarray,
    values: np.ndarray,
    n: int,
    hits: np.ndarray,
    record: bool,
) -> int:
    """Feed ``values[:n]`` in order, restarting after each detection; the number of
    detections, whose positions go to ``hits`` if ``record``.

    Non-finite values are skipped (``update`` queues floats without looking at them) and
    counted. The window's sum, sum of squared deviations and width stay in registers
    between checks; the operations are River's, so they match its bit for bit.
    """
    w = window[0]
    cols, clock, grace = w["cols"], w["clock"], w["grace"]
    count, head = w["count"], w["head"]
    n_hits = 0
    skipped = 0
    total, var, width, until = w["total"], w["var"], w["width"], w["until"]
    for j in range(n):
        x = values[j]
        if not math.isfinite(x):
            skipped += 1
            continue
        if w["restart"]:
            _restart(w, buckets)
            total, var, width, until = 0.0, 0.0, 0.0, clock
        slot = head[0] + count[0]  # a new bucket in row 0 (its sum of squares stays 0)
        new = buckets[0, slot - cols if slot >= cols else slot]
        new["sum"] = x
        new["sqdev"] = 0.0
        count[0] += 1
        width += 1.0
        increment = 0.0
        if width > 1.0:
            dev = x - total / (width - 1.0)
            increment = (width - 1.0) * dev * dev / width
        var += increment
        total += x
        if count[0] == cols:
            _merge(w, buckets)
        until -= 1
        if until == 0:  # River: tick % clock == 0
            until = clock
            if width > grace:
                w["total"], w["var"], w["width"] = total, var, width
                if _detect(w, buckets):
                    w["restart"] = 1
                    if record:
                        hits[n_hits] = j
                    n_hits += 1
                    total, var, width = w["total"], w["var"], w["width"]
    w["total"], w["var"], w["width"], w["until"] = total, var, width, until
    w["skipped"] = skipped
    w["nonfinite"] += skipped
    w["valid"] += n - skipped
    return n_hits


@njit
def run_queue(window: np.ndarray, buckets: np.ndarray, k: int) -> int:
    """Feed the ``k`` values ``update`` queued: whether a drift was found (a run stops at the
    first check), plus 2 if a value was skipped."""
    w = window[0]
    hit = feed(window, buckets, w["queue"], k, w["count"], False)  # hits: unused
    return hit + 2 * (w["skipped"] > 0)


@functools.cache
def queue_runner() -> Callable[..., int]:
    """:func:`run_queue`'s machine-code entry (see :func:`~driftscope.core._jit.entry_point`),
    for ``update``, which calls it once per check."""
    return entry_point(run_queue, *State.new(0.5, 1, 1, 1, 0), 1)
