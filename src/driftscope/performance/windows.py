"""Realized metrics per window of logged predictions, each with its sample size and a CI.

Input: a DataFrame as ``ModelMonitor.get_recent_predictions`` returns it — ``timestamp``,
``label`` (missing until the label arrives), ``sampling_weight`` (optional, default 1) and
the prediction, either one ``prediction`` column (a label, a score/P(positive), or a
number for regression) or one ``prediction.<class>`` probability column per class (label
metrics then use the most probable class).

Windows are by time — ``"hour"``, ``"day"``, ``"week"`` (weeks start Monday 00:00 UTC) or
any fixed length pandas understands (``"15min"``, ``pd.Timedelta(hours=6)``), aligned on
multiples of that length since the epoch in UTC, each ``[start, end)`` — or by count: an
``int`` ``k`` cuts the labelled rows, in time order, into consecutive windows of ``k``
(the last may be shorter; ``start``/``end`` are then its first and last timestamps). Only
time windows holding at least one prediction are reported. Naive timestamps are read as
UTC.

Confidence intervals (``confidence``, default 95 %):

* ``"wilson"`` for accuracy, and for precision and recall with ``average="binary"``: the
  Wilson score interval on the effective sample size of the weighted proportion (the row
  count when unweighted; see :mod:`.intervals`);
* ``"normal"`` for the mean losses MAE, MAPE, log loss and Brier score: a normal interval
  with the linearised variance ``Σ w²(x - mean)² / (Σw)²`` of the weighted mean; RMSE takes
  the square roots of the MSE's bounds;
* ``"delong"`` for a binary ROC AUC: DeLong's variance (weighted placements), normal
  interval;
* ``"bootstrap"`` for every other metric (F1, averaged precision/recall, PR AUC,
  multiclass AUC, R²): percentile bootstrap of ``n_boot`` resamples of
  the window's labelled rows, seeded by ``(seed, window, metric)`` so results are
  reproducible. Approximate; on a handful of rows it is too narrow.

So a dip on 30 labelled rows comes with a wide interval, one on 30,000 with a narrow one.

>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "timestamp": pd.to_datetime(["2026-01-01 10:00", "2026-01-01 11:00",
...                                  "2026-01-02 09:00", "2026-01-02 09:30"], utc=True),
...     "prediction": [1, 0, 1, 1], "label": [1, 0, 0, None]})
>>> result = windowed_metrics(frame, ["accuracy"], window="day")
>>> [(w.n, w.n_unlabelled, w.value) for w in result.windows]
[(2, 0, 1.0), (1, 1, 0.0)]
>>> result.to_frame().columns.tolist()[:6]
['start', 'end', 'metric', 'n', 'n_unlabelled', 'weight']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from driftscope.core.weights import read_sampling_weights
from driftscope.core.windows import NAMED_WINDOWS, split_frame, utc_timestamps
from driftscope.errors import ConfigError, DataError
from driftscope.performance._frame import metric_inputs
from driftscope.performance._inputs import missing_mask
from driftscope.performance.intervals import (
    bootstrap,
    check_confidence,
    delong,
    effective_n,
    mean_interval,
    wilson,
)
from driftscope.performance.metrics import METRICS, resolve


@dataclass(frozen=True)
class WindowMetric:
    """One metric on one window: ``n`` labelled rows (``weight``: their sampling weights'
    sum), ``n_unlabelled`` rows still without a label, the value and its interval
    (``start``/``end`` None for a frame computed without bounds).

    >>> wm = WindowMetric(None, None, "accuracy", 40, 2, 40.0, 0.9, 0.77, 0.96, "wilson")
    >>> wm.ci_low < wm.value < wm.ci_high, wm.reason
    (True, None)
    """

    start: pd.Timestamp | None
    end: pd.Timestamp | None
    metric: str
    n: int
    n_unlabelled: int
    weight: float
    value: float
    ci_low: float
    ci_high: float
    ci_method: str
    reason: str | None = None


@dataclass(frozen=True)
class WindowedMetrics:
    """Every (window, metric) pair, in time order then metric order.

    >>> WindowedMetrics((), 0.95, "day").to_frame().columns.tolist()[:3]
    ['start', 'end', 'metric']
    """

    windows: tuple[WindowMetric, ...]
    confidence: float
    window: str

    def to_frame(self) -> pd.DataFrame:
        """One row per window and metric."""
        columns = list(WindowMetric.__dataclass_fields__)
        return pd.DataFrame([asdict(w) for w in self.windows], columns=columns)


def _window_length(window: str | pd.Timedelta) -> pd.Timedelta:
    if isinstance(window, str) and window in NAMED_WINDOWS:
        return pd.Timedelta(NAMED_WINDOWS[window])
    try:
        length = pd.Timedelta(window)
    except (ValueError, TypeError):
        raise ConfigError(
            f"window must be 'hour', 'day', 'week', a fixed pandas length or an int, got {window!r}"
        ) from None
    if length <= pd.Timedelta(0):
        raise ConfigError(f"window must be positive, got {window!r}")
    return length


def _weights(frame: pd.DataFrame) -> np.ndarray:
    w = read_sampling_weights(frame)
    return np.ones(len(frame)) if w is None else w


def _row_losses(name: str, yt: np.ndarray, yp: np.ndarray, options: dict) -> np.ndarray | None:
    """Per-row losses whose weighted mean is the metric (squared errors for RMSE), or None."""
    if name in ("mae", "rmse", "mape"):
        err = np.abs(yt - yp)
        if name == "mape":
            return err / np.maximum(np.abs(yt), np.finfo(float).eps)
        return err**2 if name == "rmse" else err
    eps = np.finfo(float).eps
    if name == "brier_score":
        return ((yt == options.get("pos_label", 1)) - yp) ** 2
    if name == "log_loss":
        if yp.ndim == 1:
            p = np.where(yt == options.get("pos_label", 1), yp, 1 - yp)
        else:
            p = yp[np.arange(len(yt)), yt.astype(np.int64)]
        return -np.log(np.clip(p, eps, 1 - eps))
    return None


def _interval(name, fn, inputs, idx, w, value, confidence, n_boot, seed):
    """(low, high, method, note) for one metric on the labelled rows ``idx``."""
    yt, yp = inputs.y_true[idx], inputs.y_pred[idx]
    average = inputs.options.get("average", "binary")
    if name == "accuracy" or (name in ("precision", "recall") and average == "binary"):
        if name == "accuracy":
            keep = np.ones(len(yt), dtype=bool)
        elif name == "precision":
            keep = yp == inputs.positive
        else:
            keep = yt == inputs.positive
        if not keep.any() or w[keep].sum() <= 0:
            return float("nan"), float("nan"), "wilson", "no rows in the denominator"
        lo, hi = wilson(value, effective_n(yt[keep] == yp[keep], w[keep]), confidence)
        return lo, hi, "wilson", None

    losses = _row_losses(name, yt, yp, inputs.options)
    if losses is not None:
        lo, hi = mean_interval(losses, w, confidence)
        if name == "rmse":
            lo, hi = float(np.sqrt(max(lo, 0.0))), float(np.sqrt(hi))
        return lo, hi, "normal", None
    if name == "roc_auc" and yp.ndim == 1:
        positive = inputs.options.get("pos_label", 1)
        lo, hi, note = delong(yt == positive, yp, w, confidence)
        return lo, hi, "delong", note

    def statistic(i: np.ndarray) -> float:
        return fn(yt[i], yp[i], sample_weight=w[i], **inputs.options).value

    lo, hi, note = bootstrap(statistic, len(idx), confidence=confidence, n_boot=n_boot, seed=seed)
    return lo, hi, "bootstrap", note


@dataclass(frozen=True)
class PerformanceMetrics:
    """Realized metrics of one frame, each with its labelled count and interval: the core
    of :mod:`driftscope.performance.windows`, configured once and computed on any frame
    (:func:`windowed_metrics` calls it per window, the health check per stored window).

    ``metrics`` maps each name (aliases such as ``"auc"`` allowed) to its options;
    ``threshold`` turns a score into 0/1 labels for the label metrics.

    >>> import pandas as pd
    >>> calc = PerformanceMetrics({"accuracy": {}})
    >>> frame = pd.DataFrame({"prediction": [1, 0, 1], "label": [1, 0, None]})
    >>> [(m.metric, m.n, m.n_unlabelled, m.value, m.ci_method) for m in calc.compute(frame)]
    [('accuracy', 2, 1, 1.0, 'wilson')]
    """

    metrics: Mapping[str, Mapping]
    confidence: float = 0.95
    n_boot: int = 400
    seed: int = 0
    threshold: float | None = None

    def __post_init__(self) -> None:
        check_confidence(self.confidence)
        if not self.metrics:
            raise ConfigError("no metrics asked for")
        for name in self.metrics:
            resolve(name)

    @classmethod
    def of(
        cls, metrics: Sequence[str] | Mapping[str, Mapping], **settings: Any
    ) -> PerformanceMetrics:
        """From a list of names or a mapping of name to options.

        >>> PerformanceMetrics.of(["auc"]).metrics
        {'auc': {}}
        """
        specs = dict(metrics) if isinstance(metrics, Mapping) else {m: {} for m in metrics}
        return cls(specs, **settings)

    def prepare(self, frame: pd.DataFrame) -> dict[str, tuple[str, Any]]:
        """Validate ``frame`` for every metric (DataError naming the column and row) and
        encode its labelled rows."""
        if "label" not in frame.columns:
            raise DataError("missing: performance needs the labels", column="label")
        labelled = ~missing_mask(frame["label"].to_numpy())
        prepared = {}
        validated: dict = {}  # label metrics sharing inputs and options: checked once
        for name, options in self.metrics.items():
            canonical = resolve(name)
            prepared[name] = (
                canonical,
                metric_inputs(frame, labelled, canonical, dict(options), self.threshold, validated),
            )
        return prepared

    def compute(
        self,
        frame: pd.DataFrame,
        *,
        start: pd.Timestamp | None = None,
        end: pd.Timestamp | None = None,
        key: int = 0,
    ) -> tuple[WindowMetric, ...]:
        """Every metric on the labelled rows of ``frame``, as one window ``[start, end)``;
        ``key`` seeds the bootstrap (with ``seed`` and the metric's position)."""
        prepared = self.prepare(frame)
        weight = _weights(frame)
        labelled = ~missing_mask(frame["label"].to_numpy())
        lab_w = weight[labelled]
        idx = np.arange(int(labelled.sum()))
        n_unl = len(frame) - idx.size
        out = []
        for j, (canonical, inputs) in enumerate(prepared.values()):
            fn = METRICS[canonical]
            r = fn(
                inputs.y_true[idx], inputs.y_pred[idx], sample_weight=lab_w[idx], **inputs.options
            )
            lo = hi = float("nan")
            method, note = "none", None
            if r.defined:
                lo, hi, method, note = _interval(
                    canonical, fn, inputs, idx, lab_w[idx], r.value, self.confidence,
                    self.n_boot, [self.seed, key, j],
                )  # fmt: skip
            reason = "; ".join(x for x in (r.reason, note) if x) or None
            out.append(
                WindowMetric(
                    start, end, canonical, r.n, n_unl, r.weight, r.value, lo, hi, method, reason
                )
            )
        return tuple(out)


def windowed_metrics(
    frame: pd.DataFrame,
    metrics: Sequence[str] | Mapping[str, Mapping] = ("accuracy",),
    *,
    window: str | pd.Timedelta | int = "day",
    confidence: float = 0.95,
    n_boot: int = 400,
    seed: int = 0,
    threshold: float | None = None,
) -> WindowedMetrics:
    """Compute ``metrics`` per window of ``frame`` (see the module docstring): a
    convenience over :class:`PerformanceMetrics`, computed on each window of
    :func:`driftscope.core.windows.split_frame` (or each count window).

    ``metrics`` is a list of names (aliases such as ``"auc"`` allowed) or a mapping from
    name to that metric's options (``{"f1": {"average": "macro"}}``). ``threshold`` turns a
    score column into 0/1 labels for the label metrics (``prediction >= threshold``).
    """
    calc = PerformanceMetrics.of(
        metrics, confidence=confidence, n_boot=n_boot, seed=seed, threshold=threshold
    )
    if "label" not in frame.columns:
        raise DataError("missing: performance needs the labels", column="label")
    if "timestamp" not in frame.columns:
        raise DataError("missing: windows need a timestamp per prediction", column="timestamp")
    frame = frame.reset_index(drop=True)
    calc.prepare(frame)  # errors name the row of ``frame``, not of a window
    out: list[WindowMetric] = []
    if isinstance(window, (int, np.integer)) and not isinstance(window, bool):
        if window < 1:
            raise ConfigError(f"a count window must hold at least 1 row, got {window}")
        ts = utc_timestamps(frame["timestamp"])
        labelled = np.flatnonzero(~missing_mask(frame["label"].to_numpy()))
        order = labelled[np.argsort(ts.to_numpy()[labelled], kind="stable")]
        for k, i in enumerate(range(0, len(order), int(window))):
            rows = order[i : i + int(window)]
            lo, hi = ts.iloc[rows[0]], ts.iloc[rows[-1]]
            out.extend(calc.compute(frame.iloc[rows], start=lo, end=hi, key=k))
        return WindowedMetrics(tuple(out), confidence, f"{int(window)} labelled rows")
    length = _window_length(window)
    for k, (lo, hi, part) in enumerate(split_frame(frame, length)):
        out.extend(calc.compute(part, start=lo, end=hi, key=k))
    return WindowedMetrics(tuple(out), confidence, str(window))
