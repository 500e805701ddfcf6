"""Which windows a health run visits: the due windows, clipped to the model's records, and
the finished windows whose performance is redone while labels still arrive.

A window is *due* once it has ended (:func:`~driftscope.core.windows.due_windows`). Of the
due windows, those before the model's first stored prediction, or after its last, are
not checked: a model that started logging yesterday has no week of ``unknown`` days
before it, and one that stopped logging is not ``unknown`` for ever. A window inside that
span with no rows gets one point, the operational throughput of 0 per second (the model
was live and logged nothing), and no ``unknown`` points for checks that had nothing to read.
The span is asked of the store with :meth:`~driftscope.store.Store.count_predictions`
(a count, no rows read): two counts when the model logs steadily, a bisection over the due
windows otherwise.

>>> import tempfile
>>> from datetime import UTC, datetime, timedelta
>>> import pandas as pd
>>> from driftscope.monitor import ModelMonitor
>>> day = timedelta(days=1)
>>> today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
>>> with ModelMonitor("churn", store=tempfile.mkdtemp()) as monitor:
...     _ = monitor.log_predictions(pd.DataFrame({"x": [1.0, 2.0]}), [0.1, 0.9],
...                                 timestamps=[today - 3 * day, today - day])
...     monitor.flush()
...     plan = plan_windows(monitor.store, "churn", day, since=today - 7 * day, until=today)
>>> [w[0] == today - d * day for w, d in zip(plan.windows, (3, 2, 1))], plan.skipped
([True, True, True], 4)
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from driftscope.core.windows import due_windows, window_start
from driftscope.store import Store

Window = tuple[datetime, datetime]

DEFAULT_LOOKBACK = 7  # windows, when nothing was computed before
LABELLED_CHECKS = ("performance",)  # re-run while labels may still arrive (label_delay)


@dataclass(frozen=True)
class WindowPlan:
    """The windows of one run: ``windows`` get every check, ``relabel`` (finished windows
    whose labels may still arrive) only the labelled ones; ``notes`` say what was skipped.

    >>> WindowPlan(windows=(), relabel=(), skipped=2, notes=("...",)).empty
    True
    """

    windows: tuple[Window, ...]
    relabel: tuple[Window, ...] = ()
    skipped: int = 0
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether there is nothing to check."""
        return not self.windows and not self.relabel


def plan_windows(
    store: Store,
    model: str,
    size: timedelta,
    *,
    since: datetime | None,
    until: datetime,
    checks: Sequence[str] = (),
    label_delay: timedelta | None = None,
) -> WindowPlan:
    """The windows to check from ``since`` (default: after the last window stored for
    ``checks[0]``, else the last :data:`DEFAULT_LOOKBACK` windows) to ``until``."""
    if since is None:
        last = store.read_check_results(model, check=checks[0]) if checks else None
        since = (
            pd.Timestamp(last["window_end"].max()).to_pydatetime()
            if last is not None and len(last)
            else until - DEFAULT_LOOKBACK * size
        )
    due = due_windows(size, since=since, now=until)
    windows, before, after = clip_to_records(store, model, due)
    relabel: list[Window] = []
    if label_delay and any(name in LABELLED_CHECKS for name in checks):
        first = due[0][0] if due else window_start(since, size)
        oldest = window_start(until - label_delay, size)
        done = store.read_check_results(model, check=LABELLED_CHECKS[0], since=oldest)
        starts = {pd.Timestamp(t) for t in done["window_start"]}
        relabel = [
            w
            for w in due_windows(size, since=until - label_delay, now=until)
            if w[0] < first and pd.Timestamp(w[0]) in starts
        ]
    notes = []
    if before or after:
        if not windows and not store.count_predictions(model):
            notes.append(f"model {model!r} has no stored predictions: nothing to check")
        else:
            parts = [f"{before} before its first stored prediction"] if before else []
            parts += [f"{after} after its last"] if after else []
            notes.append(
                f"{before + after} of the {len(due)} due windows of model {model!r} were "
                f"not checked: {' and '.join(parts)}"
            )
    return WindowPlan(tuple(windows), tuple(relabel), before + after, tuple(notes))


def clip_to_records(
    store: Store, model: str, windows: Sequence[Window]
) -> tuple[list[Window], int, int]:
    """``windows`` (consecutive, in order) without those before the model's first stored
    prediction and after its last, with how many were cut at each end."""
    n = len(windows)
    if not n:
        return [], 0, 0
    start, end = windows[0][0], windows[-1][1]

    def rows(since: datetime | None = None, until: datetime | None = None) -> bool:
        return store.count_predictions(model, since=since, until=until) > 0

    # the first window at whose end some record exists (any before ``start``: the first)
    lo = 0 if rows(until=start) else _first(n, lambda i: rows(since=start, until=windows[i][1]))
    if lo == n:
        return [], n, 0
    # one past the last window from whose start some record exists
    hi = n if rows(since=end) else _first(n, lambda i: not rows(since=windows[i][0], until=end))
    if hi <= lo:
        return [], 0, n
    return list(windows[lo:hi]), lo, n - hi


def _first(n: int, true_from: Callable[[int], bool]) -> int:
    """The smallest ``i`` in ``[0, n)`` with ``true_from(i)``, for a predicate false then
    true; ``n`` when it is never true (a bisection, ``bisect`` with a key).

    >>> _first(10, lambda i: i >= 7), _first(3, lambda i: False), _first(3, lambda i: True)
    (7, 3, 0)
    """
    return bisect.bisect_left(range(n), True, key=true_from)
