"""Turn a predictions DataFrame into the arrays a metric needs, once for all windows.

Labels are encoded as integer class codes in sorted class order, so the greater of two
classes is code 1 (the positive class, as scikit-learn) and bootstrap resamples work on
plain integer arrays. Errors name the column and the row's position in the input frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from driftscope.core.records import PREDICTION_PREFIX
from driftscope.errors import DataError
from driftscope.performance._inputs import check_probabilities, missing_mask
from driftscope.performance.metrics import LABEL_METRICS, METRICS, SCORE_METRICS

PREFIX = PREDICTION_PREFIX


@dataclass(frozen=True)
class MetricInputs:
    """Arrays for one metric over the labelled rows: call ``fn(y_true, y_pred, **options)``."""

    y_true: np.ndarray
    y_pred: np.ndarray
    options: dict
    positive: int | None  # class code of the positive class for binary label metrics


def probability_columns(frame: pd.DataFrame) -> tuple[list[str], list]:
    """``prediction.<class>`` columns in class order, and the class names (numbers if all
    parse as numbers)."""
    cols = [c for c in frame.columns if isinstance(c, str) and c.startswith(PREFIX)]
    names: list = [c[len(PREFIX) :] for c in cols]
    try:
        keys = [float(n) for n in names]
    except ValueError:
        keys = names
    order = sorted(range(len(cols)), key=lambda i: keys[i])
    return [cols[i] for i in order], [keys[i] for i in order]


def _codes_for_classes(labels: np.ndarray, classes: list, positions: np.ndarray) -> np.ndarray:
    lookup: dict = {}
    for code, c in enumerate(classes):
        lookup[c] = code
        lookup[str(c)] = code
        if isinstance(c, float) and c.is_integer():
            lookup[str(int(c))] = code
    out = np.empty(len(labels), dtype=np.int64)
    for i, v in enumerate(labels):
        key = float(v) if isinstance(v, (bool, int, float, np.number, np.bool_)) else v
        found = lookup.get(key, lookup.get(str(v)))
        if found is None:
            raise DataError(
                f"label {v!r} is not one of the prediction classes {classes}",
                column="label",
                row=int(positions[i]),
            )
        out[i] = found
    return out


def _encode(values: np.ndarray) -> tuple[np.ndarray, list]:
    """Labels -> codes; 0/1 and bool labels keep their value as code (1 stays positive)."""
    uniq = np.unique(values)
    if values.dtype.kind in "biuf" and set(uniq.tolist()) <= {0, 1}:
        return values.astype(np.int64), [0, 1]
    return np.searchsorted(uniq, values).astype(np.int64), uniq.tolist()


def _numeric_labels(labels: np.ndarray, threshold: float) -> np.ndarray:
    """0/1 (or bool) labels as floats, missing ones NaN; any other label is a DataError
    naming its row, since a score cut at ``threshold`` gives 0/1 predictions."""
    missing = missing_mask(labels)
    out = np.full(len(labels), np.nan)
    for i in np.flatnonzero(~missing):
        value = labels[i]
        if isinstance(value, (bool, np.bool_, int, float, np.integer, np.floating)):
            out[i] = float(value)
        else:
            raise DataError(
                f"label {value!r} is not a number, but the prediction is a score cut at "
                f"{threshold:g} into 0/1",
                column="label",
                row=int(i),
            )
    return out


def metric_inputs(
    frame: pd.DataFrame,
    labelled: np.ndarray,
    name: str,
    options: dict,
    threshold: float | None,
    validated: dict | None = None,
) -> MetricInputs:
    """Validate the whole frame for metric ``name`` and encode its labelled rows.

    ``validated`` (kept by the caller across metrics) holds the label metrics' checked and
    encoded inputs by options, so metrics sharing them do that work once.
    """
    fn = METRICS[name]
    labels = frame["label"].to_numpy()
    positions = np.flatnonzero(labelled)
    options = dict(options)
    prob_cols, classes = probability_columns(frame)
    has_scalar = "prediction" in frame.columns
    use_probs = bool(prob_cols) and (name in SCORE_METRICS or not has_scalar)
    if not use_probs and not has_scalar:
        raise DataError("no 'prediction' nor 'prediction.<class>' columns", column="prediction")
    if use_probs:
        if name not in LABEL_METRICS and name not in SCORE_METRICS:
            raise DataError(f"{name} needs a numeric 'prediction' column", column="prediction")
        p = frame[prob_cols].to_numpy(dtype=float)
        p_lab = p[labelled]
        miss = np.isnan(p_lab).any(axis=1)
        if miss.any():
            row = int(positions[np.flatnonzero(miss)[0]])
            raise DataError(
                "probability is missing for a labelled row", column="prediction", row=row
            )
        if p.shape[1] == 1:
            raise DataError("a single 'prediction.<class>' column", column=prob_cols[0])
        check_probabilities(p_lab, positions)
        y = _codes_for_classes(labels[labelled], classes, positions)
        pos = options.pop("pos_label", None)
        positive = (
            1
            if pos is None
            else _codes_for_classes(np.array([pos]), classes, np.zeros(1, np.int64))[0]
        )
        if name in LABEL_METRICS:
            if len(classes) == 2 and name != "accuracy":
                options["pos_label"] = positive
            return MetricInputs(y, p_lab.argmax(axis=1), options, positive)
        if len(classes) == 2:
            score = p_lab[:, positive]
            return MetricInputs((y == positive).astype(np.int64), score, options, None)
        if name == "brier_score":
            raise DataError(
                f"brier_score is binary; got {len(classes)} classes", column="prediction"
            )
        options["classes"] = list(range(len(classes)))
        return MetricInputs(y, p_lab, options, None)
    pred = frame["prediction"].to_numpy()
    if threshold is not None and name in LABEL_METRICS:
        pred = np.where(missing_mask(pred), np.nan, pred)
        pred = (pred.astype(float) >= threshold).astype(np.int64)
        if labels.dtype.kind == "b" or labels.dtype == object:
            labels = _numeric_labels(labels, threshold)
    key = ("label", repr(sorted(options.items()))) if name in LABEL_METRICS else None
    if key is not None and validated is not None and key in validated:
        y, pc, uniq = validated[key]  # checked and encoded for an earlier label metric
    elif name in LABEL_METRICS:
        fn(labels, pred, **options)  # validates on the whole frame: rows are frame positions
        yt, yp = labels[labelled], pred[labelled]
        union, uniq = _encode(np.concatenate([yt, yp]))
        y, pc = union[: len(yt)], union[len(yt) :]
        if validated is not None:
            validated[key] = (y, pc, uniq)
    else:
        fn(labels, pred, **options)
    yt, yp = labels[labelled], pred[labelled]
    if name in LABEL_METRICS:
        pos = options.get("pos_label", 1)
        positive = uniq.index(pos) if pos in uniq else -1
        if set(uniq) <= {0, 1}:
            positive = pos if pos in (0, 1) else -1
        if name != "accuracy":
            options["pos_label"] = positive
        return MetricInputs(y, pc, options, positive)
    if name in SCORE_METRICS and yp.ndim == 1:
        y, uniq = _encode(yt)
        if "pos_label" in options:
            options["pos_label"] = (
                uniq.index(options["pos_label"]) if options["pos_label"] in uniq else -1
            )
        return MetricInputs(y, yp.astype(float), options, None)
    return MetricInputs(yt.astype(float), yp.astype(float), options, None)
