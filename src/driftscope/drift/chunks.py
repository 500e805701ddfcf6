"""Drift per chunk of production data: calendar windows of a timestamp, or runs of N rows.

The baseline is fitted once; each chunk of the production data gets its own
:class:`~driftscope.drift.results.DriftResult`, with p-values corrected across the columns of
that chunk as usual. Calendar windows (``"hour"``, ``"day"``, ``"week"``) are those of the
shared window grid (:mod:`driftscope.core.windows`: UTC, weeks start on Mondays);
``"month"`` cuts calendar months in UTC. Only windows holding rows are given.

>>> import numpy as np, pandas as pd, driftscope as ds
>>> rng = np.random.default_rng(1)
>>> train = pd.DataFrame({"x": rng.normal(size=3000)})
>>> days = pd.date_range("2026-03-02", periods=3000, freq="min", tz="UTC")
>>> today = pd.DataFrame({"ts": days, "x": rng.normal(size=3000) + (days.day == 3)})
>>> chunks = ds.DriftDetector(train, timestamp_column="ts").detect_chunks(today, window="day")
>>> [(c.label, c.rows, c.result.has_drift) for c in chunks.chunks]
[('2026-03-02', 1440, False), ('2026-03-03', 1440, True), ('2026-03-04', 120, False)]
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from driftscope.core.windows import NAMED_WINDOWS, utc_timestamps, window_floor
from driftscope.data import Table, read_table
from driftscope.data.columns import Column
from driftscope.drift.parallel import Progress
from driftscope.drift.results import SCHEMA_VERSION, DriftResult, _clean
from driftscope.errors import ConfigError, DataError

if TYPE_CHECKING:
    from driftscope.drift.detector import DriftDetector

WINDOWS = (*NAMED_WINDOWS, "month")
LABEL_FORMATS = {"hour": "%Y-%m-%d %H:00", "day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m"}


@dataclass(frozen=True)
class Chunk:
    """One chunk of production data and its drift result.

    ``start`` and ``end`` bound a calendar window (``[start, end)``, UTC); for chunks of N
    rows they are the first and last time in the chunk when there is a timestamp, else None.
    ``result`` is the chunk's feature drift; ``prediction_drift`` and ``target_drift`` are
    given when the detector has that role and the chunk holds the column.

    >>> from driftscope.drift.results import DriftResult
    >>> Chunk("rows 0-99", None, None, 100, DriftResult("feature", {})).to_dict()["rows"]
    100
    """

    label: str
    start: datetime | None
    end: datetime | None
    rows: int
    result: DriftResult
    prediction_drift: DriftResult | None = None
    target_drift: DriftResult | None = None

    @property
    def sections(self) -> list[DriftResult]:
        """The results of the chunk: feature, then prediction and target drift if given."""
        found = (self.result, self.prediction_drift, self.target_drift)
        return [r for r in found if r is not None]

    @property
    def has_drift(self) -> bool:
        return any(r.has_drift for r in self.sections)

    def to_dict(self) -> dict[str, Any]:
        def section(result: DriftResult | None) -> dict[str, Any] | None:
            return None if result is None else result.to_dict()

        return _clean(
            {
                "label": self.label,
                "start": self.start,
                "end": self.end,
                "rows": self.rows,
                "result": self.result.to_dict(),
                "prediction_drift": section(self.prediction_drift),
                "target_drift": section(self.target_drift),
            }
        )


@dataclass(frozen=True)
class ChunkedDrift:
    """Feature drift chunk by chunk: ``chunks`` in time (or row) order.

    >>> from driftscope.drift.results import DriftResult
    >>> empty = ChunkedDrift((Chunk("2026-03-02", None, None, 5, DriftResult("feature", {})),),
    ...                      window="day", timestamp_column="ts")
    >>> empty.has_drift, empty.drifted_chunks, empty.to_dict()["kind"]
    (False, [], 'chunks')
    """

    chunks: tuple[Chunk, ...]
    window: str | None = None
    chunk_size: int | None = None
    timestamp_column: str | None = None
    computed_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def has_drift(self) -> bool:
        return any(chunk.has_drift for chunk in self.chunks)

    @property
    def drifted_chunks(self) -> list[str]:
        """Labels of the chunks in which any column drifted (feature, prediction or target)."""
        return [chunk.label for chunk in self.chunks if chunk.has_drift]

    @property
    def columns(self) -> list[str]:
        """Every column checked in some chunk (features, then the prediction and target),
        in first-seen order."""
        seen: dict[str, None] = {}
        for chunk in self.chunks:
            seen.update(dict.fromkeys(chunk.result.features))
        for chunk in self.chunks:
            for result in chunk.sections[1:]:
                seen.update(dict.fromkeys(result.features))
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "schema_version": SCHEMA_VERSION,
                "kind": "chunks",
                "window": self.window,
                "chunk_size": self.chunk_size,
                "timestamp_column": self.timestamp_column,
                "computed_at": self.computed_at,
                "has_drift": self.has_drift,
                "drifted_chunks": self.drifted_chunks,
                "chunks": [chunk.to_dict() for chunk in self.chunks],
            }
        )

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per chunk and column: chunk, start, end, rows, column, kind (feature,
        prediction or target), drifted, score, p_value."""
        rows = [
            {
                "chunk": chunk.label,
                "start": chunk.start,
                "end": chunk.end,
                "rows": chunk.rows,
                "column": col.column,
                "kind": result.kind,
                "drifted": col.drifted,
                "score": col.score,
                "p_value": col.p_value,
            }
            for chunk in self.chunks
            for result in chunk.sections
            for col in result.features.values()
        ]
        names = ["chunk", "start", "end", "rows", "column", "kind", "drifted", "score", "p_value"]
        return pd.DataFrame(rows, columns=names)


def detect_chunks(
    detector: DriftDetector,
    production_data: Any,
    *,
    window: str | None = None,
    chunk_size: int | None = None,
    features: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> ChunkedDrift:
    """Run ``detector``'s checks on each chunk of ``production_data`` (the work of
    :meth:`DriftDetector.detect_chunks`): feature drift, and prediction and target drift
    where the chunk holds those columns."""
    if (window is None) == (chunk_size is None):
        raise ConfigError("give either window= (hour, day, week, month) or chunk_size=")
    timestamp = detector.timestamp_column
    table = read_table(production_data, role="production")
    if window is not None and timestamp is None:
        raise ConfigError(f"window={window!r} needs the timestamp column (timestamp_column=)")
    if timestamp is not None and timestamp not in table.columns:
        if window is not None:
            raise DataError("is the timestamp column but is not in the production data",
                            column=timestamp)  # fmt: skip
        timestamp = None
    times = None if timestamp is None else _times(table, timestamp)
    pieces = _windows(times, window) if window is not None else _runs(table.rows, chunk_size, times)
    loaded = {name: table.column(name) for name in table.columns}  # read once, cut many times
    chunks = []
    for label, start, end, rows in pieces:
        part = read_table({n: _take(c, rows) for n, c in loaded.items()}, role="production")
        result = detector.detect_feature_drift(part, features, exclude=exclude)
        prediction = target = None
        if detector.prediction_column in part:
            prediction = detector.detect_prediction_drift(part)
        if detector.target_column in part:
            target = detector.detect_target_drift(part)
        chunks.append(Chunk(label, start, end, len(rows), result, prediction, target))
        if progress is not None:
            progress(label, len(chunks), len(pieces))
    return ChunkedDrift(tuple(chunks), window, chunk_size, timestamp)


def _times(table: Table, name: str) -> pd.Series:
    column = table.column(name)
    series = column.to_pandas() if isinstance(column, pa.ChunkedArray) else pd.Series(column)
    return utc_timestamps(series.reset_index(drop=True), column=name)


Piece = tuple[str, datetime | None, datetime | None, np.ndarray]


def _windows(times: pd.Series | None, window: str) -> list[Piece]:
    """Calendar windows holding rows, in time order, each with its row positions."""
    assert times is not None
    if window not in WINDOWS:
        raise ConfigError(f"window must be one of {', '.join(WINDOWS)}; got {window!r}")
    if window == "month":
        starts = times.dt.tz_localize(None).dt.to_period("M").dt.start_time.dt.tz_localize(UTC)
    else:
        starts = window_floor(times, NAMED_WINDOWS[window])
    keys = starts.to_numpy(dtype="datetime64[ns]")
    unique, inverse = np.unique(keys, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(unique) + 1))
    pieces = []
    for k, key in enumerate(unique):
        start = pd.Timestamp(key).tz_localize(UTC)
        end = start + (pd.DateOffset(months=1) if window == "month" else NAMED_WINDOWS[window])
        label = start.strftime(LABEL_FORMATS[window])
        rows = np.sort(order[bounds[k] : bounds[k + 1]])
        pieces.append((label, start.to_pydatetime(), end.to_pydatetime(), rows))
    return pieces


def _runs(rows: int, size: int | None, times: pd.Series | None) -> list[Piece]:
    """Consecutive runs of ``size`` rows (the last one shorter), in row order."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ConfigError(f"chunk_size must be a positive integer, got {size!r}")
    pieces = []
    for first in range(0, rows, size):
        positions = np.arange(first, min(first + size, rows))
        start = end = None
        if times is not None:
            span = times.iloc[positions]
            first_time, last_time = span.min().floor("us"), span.max().floor("us")
            start, end = first_time.to_pydatetime(), last_time.to_pydatetime()
        pieces.append((f"rows {first}-{positions[-1]}", start, end, positions))
    return pieces


def _take(column: Column, rows: np.ndarray) -> Column:
    if isinstance(column, pa.ChunkedArray):
        return column.take(pa.array(rows))
    return column[rows]
