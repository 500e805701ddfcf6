"""Concept drift from labelled predictions: a stream detector on the model's errors.

Once late labels arrive, each labelled prediction gives one error value, in time order:
``1``/``0`` for a wrong/right class (a probability is read as the positive class when it is
at least ``threshold``), or the absolute error for a number. A binary detector (HDDM_A by
default; DDM, EDDM, HDDM_W) watches 0/1 errors; a numeric one (ADWIN, Page-Hinkley, KSWIN)
watches absolute errors. :func:`detect_error_drift` returns where the error process changed.

A sampling monitor over-represents the predictions its rules always keep (often the
uncertain ones, which err more). When the frame has ``sampling_weight``, it is first
thinned to an equal-probability sample (:mod:`driftscope.data.weights`), so the detector
sees the error rate of the traffic, not of the sample.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> n = 6000
>>> labels = rng.integers(0, 2, n)
>>> wrong = rng.random(n) < np.where(np.arange(n) < 3000, 0.1, 0.3)
>>> frame = pd.DataFrame({"timestamp": pd.date_range("2026-11-01", periods=n, freq="min", tz="UTC"),
...                       "prediction_id": [f"p{i}" for i in range(n)],
...                       "prediction": np.where(wrong, 1 - labels, labels), "label": labels})
>>> report = detect_error_drift(frame)
>>> report.has_drift, 3000 <= report.events[0].position < 3400
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from driftscope.data.weights import equal_probability_sample, has_sampling_weights
from driftscope.errors import ConfigError, DataError
from driftscope.stream.base import StreamDetector


@dataclass(frozen=True)
class ErrorDriftEvent:
    """One detected change of the error process.

    >>> event = ErrorDriftEvent(812, pd.Timestamp("2026-11-02", tz="UTC"), "p-812", 0.1, 0.4)
    >>> event.error_recent > event.error_before
    True
    """

    position: int  # index in the labelled, time-ordered stream
    timestamp: pd.Timestamp
    prediction_id: str
    error_before: float  # mean error since the previous detection (or the start)
    error_recent: float  # mean error over the last ``recent`` values up to the detection


@dataclass(frozen=True)
class ErrorDriftReport:
    """Where the model's error process changed, over the labelled predictions given
    (what :func:`detect_error_drift` returns).

    >>> frame = pd.DataFrame({"prediction": [0, 1] * 300, "label": [0, 1] * 150 + [1, 0] * 150,
    ...                       "timestamp": pd.date_range("2026-11-01", periods=600, freq="min",
    ...                                                  tz="UTC")})
    >>> report = detect_error_drift(frame)
    >>> report.labelled, report.has_drift, report.error_rate
    (600, True, 0.5)
    """

    detector: str
    task: str
    labelled: int
    unlabelled: int
    error_rate: float
    events: tuple[ErrorDriftEvent, ...]
    notes: tuple[str, ...] = ()

    @property
    def has_drift(self) -> bool:
        return bool(self.events)


def error_values(predictions: Any, labels: Any, *, task: str = "auto", threshold: float = 0.5):
    """Per-row errors and the task: 0/1 (classification) or absolute errors (regression)."""
    pred = pd.Series(np.asarray(predictions))
    lab = pd.Series(np.asarray(labels))
    if task == "auto":
        task = _task(pred, lab)
    if task == "classification":
        if pd.api.types.is_float_dtype(pred) and _is_binary(lab) and not _is_binary(pred):
            if ((pred < 0) | (pred > 1)).any():
                raise DataError("probabilities must lie in [0, 1]", column="prediction")
            guessed = (pred.to_numpy() >= threshold).astype(int)
            return (guessed != lab.astype(int).to_numpy()).astype(float), task
        return (pred.astype(str).to_numpy() != lab.astype(str).to_numpy()).astype(float), task
    if task == "regression":
        try:
            diff = pred.astype(float).to_numpy() - lab.astype(float).to_numpy()
        except (TypeError, ValueError) as exc:
            raise DataError("regression errors need numeric predictions and labels") from exc
        return np.abs(diff), task
    raise ConfigError(f"task must be 'auto', 'classification' or 'regression', got {task!r}")


def detect_error_drift(
    frame: pd.DataFrame,
    detector: StreamDetector | None = None,
    *,
    task: str = "auto",
    threshold: float = 0.5,
    recent: int = 500,
) -> ErrorDriftReport:
    """Run ``detector`` over the errors of the labelled rows of ``frame`` (columns
    ``timestamp``, ``prediction_id``, ``prediction``, ``label``), in time order."""
    for column in ("timestamp", "prediction", "label"):
        if column not in frame.columns:
            raise DataError("is missing from the predictions", column=column)
    notes = []
    if has_sampling_weights(frame):
        frame, note = equal_probability_sample(frame)
        if note:
            notes.append(note)
    labelled = frame[frame["label"].notna()].sort_values("timestamp", kind="stable")
    unlabelled = len(frame) - len(labelled)
    errors, task = error_values(
        labelled["prediction"], labelled["label"], task=task, threshold=threshold
    )
    if detector is None:
        from driftscope.stream.hddm_a import HDDM_A

        detector = HDDM_A() if task == "classification" else _default_numeric()
    if detector.binary and task != "classification":
        raise ConfigError(
            f"{type(detector).__name__} watches 0/1 errors; use ADWIN or "
            "PageHinkley for regression errors"
        )
    hits = detector.clone().update_many(errors)
    ids = labelled["prediction_id"].astype(str).to_numpy() if "prediction_id" in labelled else None
    stamps = pd.to_datetime(labelled["timestamp"]).to_numpy()
    events, start = [], 0
    for position in (int(h) for h in hits):
        events.append(
            ErrorDriftEvent(
                position=position,
                timestamp=pd.Timestamp(stamps[position]),
                prediction_id="" if ids is None else ids[position],
                error_before=float(errors[start : position + 1].mean()),
                error_recent=float(errors[max(start, position + 1 - recent) : position + 1].mean()),
            )
        )
        start = position + 1
    return ErrorDriftReport(
        detector=repr(detector),
        task=task,
        labelled=len(labelled),
        unlabelled=unlabelled,
        error_rate=float(errors.mean()) if len(errors) else float("nan"),
        events=tuple(events),
        notes=tuple(notes),
    )


def _default_numeric() -> StreamDetector:
    from driftscope.stream.adwin import ADWIN

    return ADWIN()


def _is_binary(values: pd.Series) -> bool:
    uniques = pd.unique(values.dropna())
    return len(uniques) <= 2 and all(v in (0, 1, True, False) for v in uniques.tolist())


def _task(pred: pd.Series, lab: pd.Series) -> str:
    if not pd.api.types.is_numeric_dtype(lab) or pd.api.types.is_bool_dtype(lab):
        return "classification"
    values = lab.dropna().to_numpy(dtype=float)
    integral = bool(np.all(np.mod(values, 1) == 0))
    return "classification" if integral and len(np.unique(values)) <= 20 else "regression"
