"""Cutting logged predictions into time windows.

``"hour"``, ``"day"`` and ``"week"`` (weeks start on Monday) are calendar windows in UTC; a
:class:`~datetime.timedelta` gives windows of that length on the grid every check shares
(:mod:`driftscope.core.windows`, anchored at Monday 1970-01-05 UTC). Windows are half-open
``[start, end)``; every window between the first and the last one is listed, empty ones
too. Naive timestamps are taken as UTC.

>>> import pandas as pd
>>> ts = pd.Series(pd.to_datetime(["2026-01-01 10:30", "2026-01-01 12:10"], utc=True))
>>> [(s.hour, e.hour) for s, e, _ in split_windows(ts, "hour")]
[(10, 11), (11, 12), (12, 13)]
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from driftscope.core.windows import WINDOW_ORIGIN, window_length
from driftscope.errors import DataError

Window = str | timedelta


def as_utc(timestamps: pd.Series, column: str = "timestamp") -> pd.Series:
    """``timestamps`` as tz-aware UTC datetimes; DataError naming ``column`` when impossible."""
    try:
        ts = pd.to_datetime(timestamps)
    except (ValueError, TypeError) as exc:
        raise DataError(f"cannot be read as timestamps: {exc}", column=column) from None
    if ts.dt.tz is None:
        ts = ts.dt.tz_localize("UTC")
    ts = ts.dt.tz_convert("UTC")
    if ts.isna().any():
        row = int(np.flatnonzero(ts.isna().to_numpy())[0])
        raise DataError("has a missing timestamp", column=column, row=row)
    return ts


def split_windows(
    timestamps: pd.Series,
    window: Window,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[tuple[pd.Timestamp, pd.Timestamp, np.ndarray]]:
    """``(start, end, positions)`` of each window; ``positions`` index ``timestamps``.

    ``start``/``end`` widen (or narrow) the span covered: the windows stay on the calendar
    grid (the first starts at or before ``start``), and rows outside ``[start, end)`` are
    left out.
    """
    length = pd.Timedelta(window_length(window))
    anchor = pd.Timestamp(WINDOW_ORIGIN)
    ts = as_utc(timestamps)
    lo = pd.Timestamp(start) if start is not None else (ts.min() if len(ts) else None)
    hi = pd.Timestamp(end) if end is not None else (ts.max() if len(ts) else None)
    if lo is None or hi is None:
        return
    lo = lo.tz_localize("UTC") if lo.tzinfo is None else lo.tz_convert("UTC")
    hi = hi.tz_localize("UTC") if hi.tzinfo is None else hi.tz_convert("UTC")
    first = anchor + ((lo - anchor) // length) * length
    # with an explicit end the span is [start, end); otherwise the last timestamp is included
    n = max(
        int(-((first - hi) // length)) if end is not None else int((hi - first) // length) + 1, 0
    )
    idx = ((ts - first) // length).to_numpy(dtype=np.int64)
    keep = (idx >= 0) & (idx < n)
    if start is not None:
        keep &= (ts >= lo).to_numpy()
    if end is not None:
        keep &= (ts < hi).to_numpy()
    order = np.argsort(idx, kind="stable")
    sorted_idx = idx[order]
    for k in range(n):
        a, b = np.searchsorted(sorted_idx, [k, k + 1])
        pos = order[a:b]
        pos = pos[keep[pos]]
        yield first + k * length, first + (k + 1) * length, np.sort(pos)
