"""The distribution of predictions over time windows, and what changed in the last one.

Windows are ``"hour"``, ``"day"``, ``"week"`` (Monday 00:00 UTC) or a ``timedelta``
(aligned to Monday 1970-01-05 UTC) on the ``timestamp`` column, which must be tz-aware.
Per window: ``n``, the mean and quantiles of a numeric ``prediction`` (a score), the
shares of predicted classes (a label ``prediction`` or the arg-max of ``prediction.<class>``
columns), the low-confidence share (for class probabilities, or a ``prediction`` in
``[0, 1]`` read as a binary probability) and, given a fitted
:class:`~driftscope.predictions.anomalies.AnomalyModel`, the anomaly share. Rows count
with their ``sampling_weight`` when the frame has one (weighted quantiles are the
inverse of the weighted ECDF; unweighted ones are numpy's linear interpolation).

"What changed" compares the last window with ``reference`` (or, without one, with all
earlier windows) metric by metric, ordered by a standardised effect: shares by Cohen's
``h = |2 asin sqrt(p1) - 2 asin sqrt(p0)|``, the mean and quantiles by the difference in
units of the reference's standard deviation of the score.

>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "timestamp": pd.to_datetime(["2026-01-01 09:00", "2026-01-01 17:00",
...                                  "2026-01-02 10:00", "2026-01-02 11:00"], utc=True),
...     "prediction": ["yes", "no", "yes", "yes"]})
>>> s = summarize_predictions(frame, window="day")
>>> [(str(w.start.date()), w.n, w.class_shares["yes"]) for w in s.windows]
[('2026-01-01', 2, 0.5), ('2026-01-02', 2, 1.0)]
>>> s.changes[0].metric
'share[no]'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from driftscope.core.weights import read_sampling_weights
from driftscope.core.windows import split_frame, window_floor, window_length
from driftscope.errors import ConfigError, DataError
from driftscope.predictions.uncertainty import (
    PREDICTION,
    PREDICTION_PREFIX,
    prediction_uncertainty,
    probability_matrix,
)
from driftscope.stats import cohens_h, standardized_difference


@dataclass(frozen=True)
class WindowStats:
    """Prediction statistics of one window (``start``/``end`` None for a reference).

    >>> WindowStats(None, None, 0).n
    0
    """

    start: pd.Timestamp | None
    end: pd.Timestamp | None
    n: int
    mean: float | None = None
    std: float | None = None
    quantiles: dict[float, float] = field(default_factory=dict)
    class_shares: dict[str, float] = field(default_factory=dict)
    low_confidence_share: float | None = None
    anomaly_share: float | None = None

    def metrics(self) -> dict[str, tuple[float, bool]]:
        """Comparable metrics: name -> (value, is_share)."""
        out: dict[str, tuple[float, bool]] = {}
        if self.mean is not None:
            out["mean"] = (self.mean, False)
        out.update({f"q{q:g}": (v, False) for q, v in self.quantiles.items()})
        out.update({f"share[{c}]": (v, True) for c, v in self.class_shares.items()})
        if self.low_confidence_share is not None:
            out["low_confidence_share"] = (self.low_confidence_share, True)
        if self.anomaly_share is not None:
            out["anomaly_share"] = (self.anomaly_share, True)
        return out


@dataclass(frozen=True)
class Change:
    """One metric's move from the reference to the last window, with its effect size.

    >>> Change("mean", 0.2, 0.5, 0.3, 1.5).describe()
    'mean: 0.2 -> 0.5 (effect 1.5)'
    """

    metric: str
    reference: float
    current: float
    delta: float
    effect: float

    def describe(self) -> str:
        return (
            f"{self.metric}: {self.reference:.3g} -> {self.current:.3g} (effect {self.effect:.2g})"
        )


@dataclass(frozen=True)
class PredictionSummary:
    """Per-window statistics, the reference's, and the last window's changes (largest first).

    >>> PredictionSummary((), None, ()).to_frame().empty
    True
    """

    windows: tuple[WindowStats, ...]
    reference: WindowStats | None
    changes: tuple[Change, ...]

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "start": w.start,
                "end": w.end,
                "n": w.n,
                **{k: v for k, (v, _) in w.metrics().items()},
            }
            for w in self.windows
        ]
        return pd.DataFrame(rows)

    def what_changed(self, top: int = 5) -> list[str]:
        return [c.describe() for c in self.changes[:top]]


def window_starts(timestamps: pd.Series, window: str | timedelta) -> pd.Series:
    """The start of each timestamp's window.

    >>> ts = pd.Series(pd.to_datetime(["2026-01-07 13:30"], utc=True))
    >>> str(window_starts(ts, "week")[0]), str(window_starts(ts, timedelta(hours=6))[0])
    ('2026-01-05 00:00:00+00:00', '2026-01-07 12:00:00+00:00')
    """
    return window_floor(timestamps, window_length(window))


def _quantiles(x: np.ndarray, w: np.ndarray | None, qs: tuple[float, ...]) -> dict[float, float]:
    if w is None:
        return dict(zip(qs, np.quantile(x, qs).tolist(), strict=True))
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order]) / w.sum()
    idx = np.minimum(np.searchsorted(cum, np.asarray(qs) - 1e-12), len(x) - 1)
    return dict(zip(qs, x[order][idx].tolist(), strict=True))


def window_stats(
    frame: pd.DataFrame,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    *,
    quantiles: tuple[float, ...] = (0.1, 0.5, 0.9),
    low_confidence: float = 0.5,
    anomalies: Any = None,
) -> WindowStats:
    """The prediction statistics of one frame (one window ``[start, end)``, or a
    reference): the single-frame compute :func:`summarize_predictions` calls per window.
    ``anomalies``: an optional fitted ``AnomalyModel`` whose flags give the anomaly share.

    >>> window_stats(pd.DataFrame({"prediction": ["yes", "no", "yes"]})).class_shares
    {'no': 0.3333333333333333, 'yes': 0.6666666666666666}
    """
    qs, low = quantiles, low_confidence
    anomalous = None if anomalies is None or not len(frame) else anomalies.score(frame).is_anomaly
    n = len(frame)
    w = read_sampling_weights(frame)
    avg = lambda v: float(np.average(v, weights=w))  # noqa: E731
    prob_cols = [c for c in frame.columns if str(c).startswith(PREDICTION_PREFIX)]
    mean = std = lowc = None
    quant: dict[float, float] = {}
    shares: dict[str, float] = {}
    if n and prob_cols:
        u = prediction_uncertainty(frame, threshold=low)
        labels = np.asarray(u.classes)[frame[prob_cols].to_numpy(np.float64).argmax(axis=1)]
        shares = {c: avg(labels == c) for c in u.classes}
        lowc = avg(u.low_confidence)
    elif n and PREDICTION in frame:
        col = frame[PREDICTION]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            x = col.to_numpy(np.float64, na_value=np.nan)
            if np.isnan(x).any():
                raise DataError(
                    "missing prediction", column=PREDICTION, row=int(np.argmax(np.isnan(x)))
                )
            mean = avg(x)
            std = math.sqrt(avg((x - mean) ** 2))
            quant = _quantiles(x, w, qs)
            if x.min() >= 0.0 and x.max() <= 1.0:
                lowc = avg(np.maximum(x, 1 - x) < low)
        else:
            text = col.astype(str).to_numpy()
            shares = {c: avg(text == c) for c in sorted(set(text))}
    elif n:
        raise DataError("no 'prediction' or 'prediction.<class>' column in the frame")
    anomaly = avg(anomalous) if anomalous is not None and n else None
    return WindowStats(start, end, n, mean, std, quant, shares, lowc, anomaly)


def _changes(ref: WindowStats, last: WindowStats) -> tuple[Change, ...]:
    before, after = ref.metrics(), last.metrics()
    out = []
    for name in before.keys() | after.keys():
        is_share = (before[name] if name in before else after[name])[1]
        p0 = before.get(name, (0.0, is_share))[0] if is_share else before.get(name, (None,))[0]
        p1 = after.get(name, (0.0, is_share))[0] if is_share else after.get(name, (None,))[0]
        if p0 is None or p1 is None:
            continue
        effect = cohens_h(p0, p1) if is_share else standardized_difference(p0, p1, ref.std or 0.0)
        out.append(Change(name, p0, p1, p1 - p0, effect))
    return tuple(sorted(out, key=lambda c: (-c.effect, c.metric)))


def _validate(frame: pd.DataFrame) -> None:
    """Check the whole frame up front, so an error names the row's position in ``frame``."""
    if any(str(c).startswith(PREDICTION_PREFIX) for c in frame.columns):
        probability_matrix(frame)
    elif PREDICTION in frame and pd.api.types.is_numeric_dtype(frame[PREDICTION]):
        missing = np.flatnonzero(frame[PREDICTION].isna().to_numpy())
        if missing.size:
            raise DataError("missing prediction", column=PREDICTION, row=int(missing[0]))
    read_sampling_weights(frame)  # raises on a bad weight


def summarize_predictions(
    frame: pd.DataFrame,
    *,
    window: str | timedelta = "day",
    reference: pd.DataFrame | None = None,
    quantiles: tuple[float, ...] = (0.1, 0.5, 0.9),
    low_confidence: float = 0.5,
    anomalies: Any = None,
    timestamp: str = "timestamp",
) -> PredictionSummary:
    """Window-by-window prediction statistics of ``frame`` and the last window's changes.

    ``anomalies``: an optional fitted ``AnomalyModel``; its flags give the anomaly shares.

    >>> f = pd.DataFrame({"timestamp": pd.to_datetime(["2026-01-01"] * 3, utc=True),
    ...                   "prediction": [0.2, 0.4, 0.9]})
    >>> summarize_predictions(f).windows[0].quantiles[0.5]
    0.4
    """
    if not all(0.0 <= q <= 1.0 for q in quantiles):
        raise ConfigError(f"quantiles must be in [0, 1], got {quantiles!r}")
    if timestamp not in frame.columns:
        raise DataError("is missing from the frame", column=timestamp)
    ts = frame[timestamp]
    if not isinstance(ts.dtype, pd.DatetimeTZDtype):
        raise DataError(f"expected tz-aware timestamps, got dtype {ts.dtype}", column=timestamp)
    ts = ts.dt.tz_convert("UTC")
    if ts.isna().any():
        raise DataError("missing timestamp", column=timestamp, row=int(np.argmax(ts.isna())))
    _validate(frame)
    windows = [
        window_stats(part, lo, hi, quantiles=quantiles, low_confidence=low_confidence,
                     anomalies=anomalies)
        for lo, hi, part in split_frame(frame, window, timestamp=timestamp)
    ]  # fmt: skip
    if reference is not None:
        ref = window_stats(
            reference, quantiles=quantiles, low_confidence=low_confidence, anomalies=anomalies
        )
    elif len(windows) > 1:
        earlier = frame[(ts < windows[-1].start).to_numpy()]
        ref = window_stats(
            earlier, windows[0].start, windows[-1].start, quantiles=quantiles,
            low_confidence=low_confidence, anomalies=anomalies,
        )  # fmt: skip
    else:
        ref = None
    changes = _changes(ref, windows[-1]) if ref is not None and windows and ref.n else ()
    return PredictionSummary(tuple(windows), ref, changes)
