"""The performance check's baseline, and the rows a performance metric is computed on.

:func:`baselines` computes each metric on the baseline's labelled rows
(``Reference.row_sample``) and learns its window-to-window variation ``tau`` from the same
rows cut into the run's windows (or ten chunks): the variance between windows beyond what
sampling explains (the method-of-moments estimate of a random-effects model). The other
helpers say which rows carry a prediction, which threshold turns a score into labels and
how precision, recall and F1 are averaged.

>>> default_threshold(pd.DataFrame({"prediction": [0.2, 0.7]}))
0.5
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from driftscope.core.records import PREDICTION_PREFIX
from driftscope.errors import DataError
from driftscope.health.context import CheckRun
from driftscope.performance import windowed_metrics
from driftscope.performance.windows import WindowMetric

DEFAULT_THRESHOLD = 0.5
BASELINE_CHUNKS = 10
PREFIX = PREDICTION_PREFIX
AVERAGED = frozenset({"precision", "recall", "f1"})
NO_BASELINE = "no baseline saved: judged against alert_thresholds only"


@dataclass(frozen=True)
class Baseline:
    """A metric's value on the baseline's labelled rows and its between-window spread.

    >>> Baseline(0.91, tau=0.01, windows=10, n=20_000).note is None
    True
    """

    value: float
    tau: float
    windows: int
    n: int
    note: str | None = None


def with_prediction(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The rows that carry a prediction, and how many did not (failed calls)."""
    cols = [c for c in frame.columns if c == "prediction" or str(c).startswith(PREFIX)]
    if not cols or frame.empty:
        return frame, 0
    has = frame[cols].notna().any(axis=1).to_numpy()
    if has.all():
        return frame, 0
    return frame[has], int((~has).sum())


def default_threshold(frame: pd.DataFrame) -> float | None:
    """0.5 when the prediction is a float score in [0, 1] that is not already 0/1."""
    if "prediction" not in frame.columns:
        return None
    pred = frame["prediction"]
    if not pd.api.types.is_float_dtype(pred):
        return None
    values = pred.dropna().to_numpy()
    if not len(values) or values.min() < 0 or values.max() > 1:
        return None
    if np.isin(values, (0.0, 1.0)).all():
        return None
    return DEFAULT_THRESHOLD


def metric_options(names: list[str], frame: pd.DataFrame) -> dict[str, dict]:
    """Each metric's options: precision, recall and F1 of more than two classes are
    macro-averaged (scikit-learn's ``average="binary"`` only fits two).

    >>> frame = pd.DataFrame({"prediction": ["a", "b", "c"], "label": ["a", "b", "b"]})
    >>> metric_options(["accuracy", "f1"], frame)
    {'accuracy': {}, 'f1': {'average': 'macro'}}
    >>> metric_options(["f1"], pd.DataFrame({"prediction": [0, 1], "label": [1.0, 0.0]}))
    {'f1': {}}
    """
    probs = [c for c in frame.columns if str(c).startswith(PREFIX)]
    if probs:
        classes = len(probs)
    else:  # distinct values per column first (cheap), then their union (1 == 1.0)
        distinct = [pd.unique(frame[c].dropna()) for c in ("label", "prediction") if c in frame]
        distinct = [d for d in distinct if d.dtype.kind != "f" or np.isin(d, (0, 1)).all()]
        classes = len({v for d in distinct for v in d.tolist()})
    multi = classes > 2
    return {n: ({"average": "macro"} if multi and n in AVERAGED else {}) for n in names}


def standard_error(wm: WindowMetric, z: float) -> float:
    if math.isfinite(wm.ci_low) and math.isfinite(wm.ci_high) and wm.ci_high > wm.ci_low:
        return (wm.ci_high - wm.ci_low) / (2 * z)
    return float("nan")


def baselines(
    run: CheckRun, names: list[str], threshold: float | None, confidence: float, z: float
) -> tuple[dict[str, Baseline], str | None]:
    if run.reference is None:
        return {}, NO_BASELINE
    rows = run.reference.row_sample
    if rows is None:
        return {}, "the baseline kept no rows: save it again with keep_rows > 0"
    if "label" not in rows.columns or rows["label"].notna().sum() == 0:
        return {}, "the baseline has no labels: save training data with a 'label' column"
    rows, _ = with_prediction(rows[rows["label"].notna()].reset_index(drop=True))
    if "prediction" not in rows.columns and not any(str(c).startswith(PREFIX) for c in rows):
        return {}, "the baseline has no 'prediction' column: save the model's predictions"
    if "timestamp" in rows.columns:
        frame, windows = rows, pd.Timedelta(run.window)
    else:
        frame = rows.assign(timestamp=pd.Timestamp("2000-01-01", tz="UTC"))
        windows = max(1, math.ceil(len(rows) / BASELINE_CHUNKS))
    if threshold is None:
        threshold = default_threshold(frame)
    try:
        overall = windowed_metrics(
            frame.assign(timestamp=pd.Timestamp("2000-01-01", tz="UTC")),
            metric_options(names, frame),
            window="day",
            confidence=confidence,
            threshold=threshold,
            n_boot=50,
        )
        per_window = windowed_metrics(
            frame,
            metric_options(names, frame),
            window=windows,
            confidence=confidence,
            threshold=threshold,
            n_boot=100,
        )
    except DataError as exc:
        return {}, f"the baseline's performance cannot be computed: {exc}"
    out = {}
    for wm in overall.windows:
        if not math.isfinite(wm.value):
            continue
        parts = [w for w in per_window.windows if w.metric == wm.metric and math.isfinite(w.value)]
        values = np.array([w.value for w in parts])
        errors = np.array([standard_error(w, z) for w in parts])
        note = None
        if len(parts) >= 3 and np.isfinite(errors).all():
            tau2 = max(0.0, float(np.var(values, ddof=1) - np.mean(errors**2)))
        else:
            tau2 = 0.0
            note = f"{len(parts)} baseline windows: too few to learn their variation"
        out[wm.metric] = Baseline(wm.value, math.sqrt(tau2), len(parts), wm.n, note)
    return out, None
