"""Running every data-quality check over the windows of a frame of logged predictions.

>>> import numpy as np, pandas as pd
>>> from driftscope.drift.reference import Reference
>>> ref = Reference.fit(pd.DataFrame({"age": [20.0, 40.0, 60.0], "plan": ["a", "b", "a"]}))
>>> logged = pd.DataFrame({
...     "timestamp": pd.to_datetime(["2026-01-01 09:00", "2026-01-01 10:00"], utc=True),
...     "sampling_weight": [1.0, 1.0],
...     "quality_issues": [None, "nan:age"],
...     "age": [30.0, np.nan],
...     "plan": ["a", "zz"],
... })
>>> report = check_quality(logged, ref, window="day")
>>> frame = report.to_frame()
>>> frame[frame.feature == "age"][["check", "value", "status"]].values.tolist()[:2]
[['completeness', 0.5, 'critical'], ['missing_features', 0.0, 'ok']]
>>> frame.query("check == 'invalid_inputs'")["value"].tolist()
[0.5]
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from driftscope.core.baseline import Baseline
from driftscope.core.windows import split_frame, utc_timestamps
from driftscope.errors import DataError
from driftscope.quality.checker import QualityChecker
from driftscope.quality.config import QualityThresholds
from driftscope.quality.correlation import ReferenceCorrelations
from driftscope.quality.results import QualityReport, QualityResult

Window = str | timedelta


def check_quality(
    predictions: pd.DataFrame,
    reference: Baseline | None,
    *,
    window: Window | None = "day",
    thresholds: QualityThresholds | None = None,
    reference_data: pd.DataFrame | ReferenceCorrelations | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QualityReport:
    """Data-quality checks of ``predictions`` (as ``ModelMonitor.get_recent_predictions``
    returns them) against a fitted ``reference`` (a
    :class:`~driftscope.drift.reference.Reference`, or None: see
    :class:`~driftscope.quality.checker.QualityChecker`), window by window.

    ``window`` is ``"hour"``, ``"day"``, ``"week"``, a timedelta, or None for one window over
    all rows (``[first, last]`` timestamp, or ``[start, end)`` when given); every window of
    the grid between the first and the last is reported, empty ones too
    (:func:`driftscope.core.windows.split_frame`). Correlation changes are checked only
    when ``reference_data`` is given: the raw reference rows, or their
    :class:`~driftscope.quality.correlation.ReferenceCorrelations` fitted once for many
    calls. A convenience: :meth:`QualityChecker.check` on each window.
    """
    checker = QualityChecker.fit(reference, thresholds, reference_data=reference_data)
    if not isinstance(predictions, pd.DataFrame):
        raise DataError(f"predictions must be a pandas DataFrame, got {type(predictions).__name__}")
    if "timestamp" not in predictions.columns:
        raise DataError("is required to cut windows", column="timestamp")
    results: list[QualityResult] = []
    for lo, hi, part in _windows(predictions, window, start, end):
        results.extend(checker.check(part, start=lo, end=hi).results)
    return QualityReport(tuple(results))


def _windows(
    frame: pd.DataFrame, window: Window | None, start: Any, end: Any
) -> Iterator[tuple[Any, Any, pd.DataFrame]]:
    if window is not None:
        yield from split_frame(frame, window, start=start, end=end, empty=True)
        return
    ts = utc_timestamps(frame["timestamp"])
    lo = pd.Timestamp(start) if start is not None else (ts.min() if len(ts) else None)
    hi = pd.Timestamp(end) if end is not None else (ts.max() if len(ts) else None)
    if lo is None or hi is None:
        return
    keep = ((ts >= lo) & ((ts < hi) if end is not None else (ts <= hi))).to_numpy()
    yield lo, hi, frame if keep.all() else frame[keep]
