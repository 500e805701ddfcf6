"""The window grid shared by every check: named lengths, one alignment, and due windows.

``"hour"``, ``"day"`` and ``"week"`` or any positive timedelta; windows are half-open,
``[start, end)``, in UTC, on a grid anchored at Monday 1970-01-05 00:00 UTC, so weeks start on
Mondays and every check (drift, quality, performance, predictions) cuts the same windows.

>>> import pandas as pd
>>> ts = pd.Series(pd.to_datetime(["2026-01-07 13:30"], utc=True))
>>> str(window_floor(ts, window_length("week"))[0])
'2026-01-05 00:00:00+00:00'

A window is *due* once it has ended; every prediction belongs to exactly one window of a
given size, whoever computes it.

>>> due = due_windows(window_size("day"), since=datetime(2026, 11, 1, 5, tzinfo=UTC),
...                   now=datetime(2026, 11, 3, 1, tzinfo=UTC))
>>> [(a.isoformat(), b.day) for a, b in due]
[('2026-11-01T00:00:00+00:00', 2), ('2026-11-02T00:00:00+00:00', 3)]
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from driftscope.errors import ConfigError, DataError

NAMED_WINDOWS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
#: The grid's origin: a Monday, so weekly windows start on Mondays.
WINDOW_ORIGIN = datetime(1970, 1, 5, tzinfo=UTC)


def window_length(window: str | timedelta) -> timedelta:
    """The length of ``"hour"``, ``"day"``, ``"week"`` or a positive timedelta.

    >>> window_length("day")
    datetime.timedelta(days=1)
    >>> window_length("month")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: window must be 'hour', 'day', 'week' or a positive ...
    """
    if isinstance(window, str) and window in NAMED_WINDOWS:
        return NAMED_WINDOWS[window]
    if isinstance(window, timedelta) and window > timedelta(0):
        return window
    raise ConfigError(
        f"window must be 'hour', 'day', 'week' or a positive timedelta, got {window!r}"
    )


def window_floor(times: Any, length: timedelta) -> Any:
    """The start of the window holding each time (a tz-aware datetime, Timestamp or Series)."""
    origin = pd.Timestamp(WINDOW_ORIGIN) if isinstance(times, pd.Series) else WINDOW_ORIGIN
    step = pd.Timedelta(length) if isinstance(times, pd.Series) else length
    return origin + ((times - origin) // step) * step


def window_size(window: str | timedelta) -> timedelta:
    """``"hour"``, ``"day"``, ``"week"`` or a positive timedelta of whole seconds."""
    size = window_length(window)
    if size % timedelta(seconds=1):
        raise ConfigError(f"window must be whole seconds, got {size}")
    return size


def window_start(moment: datetime, size: timedelta) -> datetime:
    """The start of the window holding ``moment`` on the grid."""
    if moment.tzinfo is None:
        raise ConfigError("window bounds must be timezone-aware datetimes")
    return window_floor(moment.astimezone(UTC), size)


def due_windows(
    size: timedelta, *, since: datetime, now: datetime | None = None
) -> list[tuple[datetime, datetime]]:
    """Every complete window from the one holding ``since`` to the last that ended by
    ``now`` (default: the current time)."""
    now = now or datetime.now(UTC)
    start = window_start(since, size)
    windows = []
    while start + size <= now:
        windows.append((start, start + size))
        start += size
    return windows


def utc_timestamps(values: Any, *, column: str = "timestamp") -> pd.Series:
    """``values`` (a Series of datetimes, text or epoch-free timestamps) as tz-aware UTC;
    naive times are read as UTC. :class:`~driftscope.errors.DataError` naming ``column`` (and
    the first bad row) when a value is missing or cannot be read as a time.

    >>> utc_timestamps(pd.Series(["2026-01-01 10:00"]))[0]
    Timestamp('2026-01-01 10:00:00+0000', tz='UTC')
    >>> utc_timestamps(pd.Series(["2026-01-01", None]))
    Traceback (most recent call last):
    ...
    driftscope.errors.DataError: column 'timestamp', row 1: missing or unreadable timestamp
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    try:
        ts = pd.to_datetime(series, errors="coerce", utc=False)
    except (ValueError, TypeError):  # e.g. offsets that differ between rows
        try:
            ts = pd.to_datetime(series, errors="coerce", utc=True)
        except (ValueError, TypeError) as exc:
            raise DataError(f"cannot be read as timestamps: {exc}", column=column) from None
    if not isinstance(ts.dtype, pd.DatetimeTZDtype) and not pd.api.types.is_datetime64_dtype(
        ts.dtype
    ):
        raise DataError("cannot be read as timestamps", column=column)
    ts = ts.dt.tz_localize("UTC") if ts.dt.tz is None else ts.dt.tz_convert("UTC")
    bad = ts.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError("missing or unreadable timestamp", column=column, row=row)
    return ts


def split_frame(
    frame: pd.DataFrame,
    window: str | timedelta,
    *,
    timestamp: str = "timestamp",
    start: datetime | None = None,
    end: datetime | None = None,
    empty: bool = False,
) -> Iterator[tuple[datetime, datetime, pd.DataFrame]]:
    """``(start, end, rows)`` of each window of ``frame`` on the grid, in time order: the one
    splitter every windowed convenience (quality, performance, predictions) loops over.

    Windows are ``[start, end)`` of length ``window`` on the shared grid; the times are read
    by :func:`utc_timestamps` (naive as UTC, a missing or unreadable one is a DataError
    naming the column and row). ``rows`` keeps ``frame``'s index (it is ``frame`` itself when
    every row falls in one window). Only windows holding a row are given, unless ``empty``:
    then every window from the first to the last is. ``start`` / ``end`` narrow (or widen)
    the span: rows outside ``[start, end)`` are left out, and with ``empty`` the windows run
    from the one holding ``start`` to the last that begins before ``end``.

    >>> f = pd.DataFrame({"timestamp": ["2026-01-01 10:30", "2026-01-01 12:10"], "x": [1, 2]})
    >>> [(a.hour, b.hour, len(rows)) for a, b, rows in split_frame(f, "hour", empty=True)]
    [(10, 11, 1), (11, 12, 0), (12, 13, 1)]
    >>> [(a.hour, len(rows)) for a, _, rows in split_frame(f, "hour")]
    [(10, 1), (12, 1)]
    """
    if timestamp not in frame.columns:
        raise DataError("is required to cut windows", column=timestamp)
    length = pd.Timedelta(window_length(window))
    ts = utc_timestamps(frame[timestamp], column=timestamp)
    lo = None if start is None else _utc(start)
    hi = None if end is None else _utc(end)
    keep = np.ones(len(ts), dtype=bool)
    if lo is not None:
        keep &= (ts >= lo).to_numpy()
    if hi is not None:
        keep &= (ts < hi).to_numpy()
    origin = pd.Timestamp(WINDOW_ORIGIN)
    codes = ((ts - origin) // length).to_numpy(dtype=np.int64)
    kept = codes[keep]
    first = kept.min() if kept.size else None
    last = kept.max() if kept.size else None
    if empty:
        if lo is not None:
            first = (lo - origin) // length
        if hi is not None:
            last = -((origin - hi) // length) - 1  # the last window starting before ``end``
    if first is None or last is None or last < first:
        return
    if keep.all() and kept.size and kept.min() == kept.max() and not (empty and first < last):
        key = int(kept[0])
        yield origin + key * length, origin + (key + 1) * length, frame
        return
    positions = np.flatnonzero(keep)
    order = positions[np.argsort(kept, kind="stable")]
    sorted_codes = codes[order]
    keys = range(int(first), int(last) + 1) if empty else np.unique(kept).tolist()
    for key in keys:
        a, b = np.searchsorted(sorted_codes, [key, key + 1])
        if a == b and not empty:
            continue
        rows = frame.iloc[np.sort(order[a:b])]
        yield origin + key * length, origin + (key + 1) * length, rows


def _utc(moment: Any) -> pd.Timestamp:
    t = pd.Timestamp(moment)
    return t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")
