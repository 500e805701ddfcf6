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

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from driftscope.errors import ConfigError, DataError
from driftscope.quality.checks import Window, feature_checks, record_checks
from driftscope.quality.config import QualityThresholds
from driftscope.quality.correlation import ReferenceCorrelations, correlation_checks
from driftscope.quality.frame import parse_issues, weights_of
from driftscope.quality.results import QualityReport, QualityResult
from driftscope.quality.windows import Window as WindowSpec
from driftscope.quality.windows import as_utc, split_windows


def check_quality(
    predictions: pd.DataFrame,
    reference: Any,
    *,
    window: WindowSpec | None = "day",
    thresholds: QualityThresholds | None = None,
    reference_data: pd.DataFrame | ReferenceCorrelations | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QualityReport:
    """Data-quality checks of ``predictions`` (as ``ModelMonitor.get_recent_predictions``
    returns them) against a fitted ``reference`` (a
    :class:`~driftscope.drift.reference.Reference`), window by window.

    ``window`` is ``"hour"``, ``"day"``, ``"week"``, a timedelta, or None for one window over
    all rows (``[first, last]`` timestamp, or ``[start, end)`` when given). Correlation
    changes are checked only when ``reference_data`` is given: the raw reference rows, or
    their :class:`~driftscope.quality.correlation.ReferenceCorrelations` fitted once for
    many calls.
    """
    thresholds = thresholds or QualityThresholds()
    if not isinstance(thresholds, QualityThresholds):
        raise ConfigError(f"thresholds must be QualityThresholds, got {type(thresholds).__name__}")
    if not isinstance(predictions, pd.DataFrame):
        raise DataError(f"predictions must be a pandas DataFrame, got {type(predictions).__name__}")
    if not hasattr(reference, "columns") or not isinstance(reference.columns, dict):
        raise ConfigError("reference must be a fitted driftscope Reference")
    if "timestamp" not in predictions.columns:
        raise DataError("is required to cut windows", column="timestamp")
    weights = weights_of(predictions)
    issues = issue_rows(predictions)
    numeric = [n for n, c in reference.columns.items() if str(c.kind) == "numerical"]
    ref_corr = None
    if isinstance(reference_data, ReferenceCorrelations):
        if reference_data.method != thresholds.correlation_method:
            raise ConfigError(
                f"reference_data holds {reference_data.method} correlations, the thresholds ask "
                f"for {thresholds.correlation_method}"
            )
        ref_corr = reference_data
    elif reference_data is not None:
        if not isinstance(reference_data, pd.DataFrame):
            raise DataError(
                "reference_data must be a pandas DataFrame or ReferenceCorrelations, "
                f"got {type(reference_data).__name__}"
            )
        ref_corr = ReferenceCorrelations.fit(
            reference_data, numeric, thresholds.correlation_method, thresholds.min_correlation_rows
        )
    results: list[QualityResult] = []
    for lo, hi, pos in _windows(predictions, window, start, end):
        frame, win_weights, win_issues = _rows(predictions, weights, issues, pos)
        win = Window(lo, hi, frame, win_weights, win_issues)
        results.extend(record_checks(win, reference, thresholds))
        for name, col in reference.columns.items():
            results.extend(feature_checks(win, name, col, thresholds))
        if ref_corr is not None:
            results.extend(
                correlation_checks(win, numeric, ref_corr.matrix, thresholds, ref_corr.rows)
            )
    return QualityReport(tuple(results))


def issue_rows(predictions: pd.DataFrame) -> dict[int, list[tuple[str, str]]]:
    """The parsed ``quality_issues`` of the rows that have any, by row position (most rows
    have none: only the others are parsed)."""
    if "quality_issues" not in predictions.columns:
        return {}
    values = predictions["quality_issues"].to_numpy(dtype=object)
    texts = np.flatnonzero(pd.notna(values))
    out = {}
    for i in texts.tolist():
        parsed = parse_issues(values[i])
        if parsed:
            out[i] = parsed
    return out


def _rows(
    predictions: pd.DataFrame,
    weights: np.ndarray,
    issues: dict[int, list[tuple[str, str]]],
    pos: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray, dict[int, list[tuple[str, str]]]]:
    """The rows ``pos`` (sorted positions) of the frame, weights and issues, renumbered from
    0; the frame itself when ``pos`` is every row (the usual one-window case: no copy)."""
    n = len(predictions)
    if len(pos) == n and predictions.index.equals(pd.RangeIndex(n)):
        return predictions, weights, issues
    frame = predictions.iloc[pos].reset_index(drop=True)
    new = {int(p): i for i, p in enumerate(pos.tolist()) if p in issues} if issues else {}
    return frame, weights[pos], {i: issues[p] for p, i in new.items()}


def _windows(frame: pd.DataFrame, window: WindowSpec | None, start: Any, end: Any) -> Any:
    if window is not None:
        return split_windows(frame["timestamp"], window, start, end)
    ts = as_utc(frame["timestamp"])
    lo = pd.Timestamp(start) if start is not None else (ts.min() if len(ts) else None)
    hi = pd.Timestamp(end) if end is not None else (ts.max() if len(ts) else None)
    if lo is None or hi is None:
        return []
    keep = ((ts >= lo) & ((ts < hi) if end is not None else (ts <= hi))).to_numpy()
    return [(lo, hi, keep.nonzero()[0])]
