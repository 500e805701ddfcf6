"""What a frame's prediction columns say, for the predictions check: the format
(class probabilities, a score, labels), and each metric as a
:class:`~driftscope.health.predictions_compare.Stat` (mean confidence, low-confidence
share, prediction mean, class shares), weighted by ``sampling_weight``.

>>> import pandas as pd
>>> p = prediction_stats(pd.DataFrame({"prediction": [0.2, 0.9, 0.7]}), None, probability=False)
>>> p.kind, sorted(p.stats), round(p.stats["prediction_mean"].value, 3)
('score', ['low_confidence_share', 'mean_confidence', 'prediction_mean'], 0.6)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from driftscope.core.records import PREDICTION, PREDICTION_PREFIX
from driftscope.errors import DataError, DriftscopeError
from driftscope.health.predictions_compare import Stat, class_shares, mean_stat, share_stat
from driftscope.predictions import prediction_uncertainty

MAX_CLASSES = 50


@dataclass(frozen=True)
class Predictions:
    """What a frame's prediction columns say: the format, the statistics, and the metrics
    that could not be computed (metric -> error naming the column).

    >>> Predictions("labels", {}).errors
    {}
    """

    kind: str  # "probabilities", "score" or "labels"
    stats: dict[str, Stat]
    constant: Any = None  # the single value of all-identical predictions, else None
    errors: dict[str, str] = field(default_factory=dict)


def has_predictions(frame: pd.DataFrame) -> bool:
    return any(is_prediction(c) for c in frame.columns)


def is_prediction(name: Any) -> bool:
    return name == PREDICTION or str(name).startswith(PREDICTION_PREFIX)


def prediction_stats(frame: pd.DataFrame, w: np.ndarray | None, probability: bool) -> Predictions:
    """Confidence, low-confidence share, mean and class shares of ``frame``'s predictions.

    Class probabilities that are not valid raise :class:`DataError` naming the column; a
    numeric ``prediction`` outside ``[0, 1]`` is a score (no confidence) unless
    ``probability`` (the baseline's was a probability), when its confidence metrics get
    that error instead."""
    prob_cols = [c for c in frame.columns if str(c).startswith(PREDICTION_PREFIX)]
    stats: dict[str, Stat] = {}
    if prob_cols:
        u = prediction_uncertainty(frame[prob_cols], threshold=low_confidence(len(prob_cols)))
        stats["mean_confidence"] = mean_stat(u.confidence, w)
        stats["low_confidence_share"] = share_stat(u.low_confidence, w)
        probs = frame[prob_cols].to_numpy(np.float64)
        stats.update(class_shares(probs.argmax(axis=1), u.classes, w))
        return Predictions("probabilities", stats, constant(probs[:, 0]))
    col = frame[PREDICTION]
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        x = col.to_numpy(np.float64, na_value=np.nan)
        if np.isnan(x).any():
            raise DataError("missing prediction", column=PREDICTION, row=int(np.isnan(x).argmax()))
        stats["prediction_mean"] = mean_stat(x, w)
        errors = {}
        if probability or (x.min() >= 0.0 and x.max() <= 1.0):
            try:
                u = prediction_uncertainty(x, threshold=low_confidence(2))
                stats["mean_confidence"] = mean_stat(u.confidence, w)
                stats["low_confidence_share"] = share_stat(u.low_confidence, w)
            except DriftscopeError as exc:
                msg = f"{exc}; the baseline's predictions were probabilities"
                errors = {"mean_confidence": msg, "low_confidence_share": msg}
        return Predictions("score", stats, constant(x), errors)
    if col.isna().any():
        raise DataError("missing prediction", column=PREDICTION, row=int(col.isna().argmax()))
    codes, classes = pd.factorize(col.astype(str), sort=True)
    if len(classes) > MAX_CLASSES:
        raise DataError(
            f"{len(classes)} distinct predicted values: too many to treat as classes "
            f"(at most {MAX_CLASSES})",
            column=PREDICTION,
        )
    stats.update(class_shares(codes, classes, w))
    return Predictions("labels", stats, classes[0] if len(classes) == 1 else None)


def low_confidence(k: int) -> float:
    return 0.6 if k == 2 else 0.5


def constant(x: np.ndarray) -> Any:
    return x[0].item() if x.size and np.all(x == x[0]) else None
