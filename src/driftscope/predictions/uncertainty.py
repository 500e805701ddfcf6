"""Confidence and uncertainty of classifier outputs.

Input is either an ``(n, k)`` array of class probabilities, a 1-D array of binary
probabilities ``P(class 1)`` (read as ``[1 - p, p]``), or a frame as
``ModelMonitor.get_recent_predictions`` returns: its ``prediction.<class>`` columns, or
else a ``prediction`` column holding a binary probability in ``[0, 1]``.

Per row: *confidence* (the largest probability), *margin* (top-1 minus top-2), *entropy*
(natural log, ``0 log 0 = 0``) and *normalised entropy* (entropy / ``log k``, in
``[0, 1]``). A prediction is *low-confidence* when its confidence is below ``threshold``
(default 0.5; for a binary model confidence is never below 0.5, so pick e.g. 0.6 there).

Averages and the low-confidence share are estimates over the logged traffic: when the frame
has a ``sampling_weight`` column (or ``weights`` is given), each row counts with its weight
(the ratio estimator ``sum(w x) / sum(w)``), so sampled-out traffic is represented.

>>> import numpy as np
>>> u = prediction_uncertainty(np.array([[0.7, 0.2, 0.1], [0.4, 0.35, 0.25]]))
>>> u.confidence.tolist(), u.margin.round(2).tolist(), u.summary.low_confidence_share
([0.7, 0.4], [0.5, 0.05], 0.5)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from driftscope.core.records import PREDICTION, PREDICTION_PREFIX, SAMPLING_WEIGHT
from driftscope.core.weights import checked_weights, read_sampling_weights
from driftscope.errors import ConfigError, DataError

SUM_TOLERANCE = 1e-6


def probability_matrix(data: Any) -> tuple[np.ndarray, tuple[str, ...]]:
    """The ``(n, k)`` float matrix of class probabilities in ``data`` and the class names.

    Raises :class:`DataError` naming the row and column of a missing value, a probability
    outside ``[0, 1]`` or a row whose probabilities do not sum to 1 (tolerance 1e-6).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"prediction.no": [0.9, 0.2], "prediction.yes": [0.1, 0.8]})
    >>> probs, classes = probability_matrix(frame)
    >>> probs.tolist(), classes
    ([[0.9, 0.1], [0.2, 0.8]], ('no', 'yes'))
    """
    if isinstance(data, pd.DataFrame):
        columns = [c for c in data.columns if str(c).startswith(PREDICTION_PREFIX)]
        if columns:
            names = [str(c) for c in columns]
            probs = _as_float(data[columns].to_numpy(), names)
            classes = tuple(n[len(PREDICTION_PREFIX) :] for n in names)
        elif PREDICTION in data.columns:
            p = _as_float(data[PREDICTION].to_numpy()[:, None], [PREDICTION])[:, 0]
            _check_range(p[:, None], [PREDICTION])
            return np.column_stack([1.0 - p, p]), ("0", "1")
        else:
            raise DataError("no 'prediction.<class>' or 'prediction' column in the frame")
    else:
        arr = np.asarray(data)
        if arr.ndim == 1:
            p = _as_float(arr[:, None], [PREDICTION])[:, 0]
            _check_range(p[:, None], [PREDICTION])
            return np.column_stack([1.0 - p, p]), ("0", "1")
        if arr.ndim != 2:
            raise DataError(f"expected a 1-D or 2-D array of probabilities, got {arr.ndim}-D")
        names = [f"{PREDICTION_PREFIX}{j}" for j in range(arr.shape[1])]
        probs = _as_float(arr, names)
        classes = tuple(str(j) for j in range(arr.shape[1]))
    if probs.shape[1] < 2:
        raise DataError("need probabilities of at least two classes", column=names[0])
    _check_range(probs, names)
    sums = probs.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > SUM_TOLERANCE)
    if bad.size:
        label = f"{names[0]}..{names[-1]}"
        raise DataError(
            f"probabilities sum to {float(sums[bad[0]])!r}, expected 1",
            column=label,
            row=int(bad[0]),
        )
    return probs, classes


def _as_float(values: np.ndarray, names: list[str]) -> np.ndarray:
    try:
        out = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        for j, name in enumerate(names):
            for i, v in enumerate(values[:, j]):
                try:
                    float(v)
                except (TypeError, ValueError):
                    raise DataError(f"{v!r} is not a probability", column=name, row=i) from None
        raise
    if np.isnan(out).any():
        i, j = np.argwhere(np.isnan(out))[0]
        raise DataError("missing probability", column=names[j], row=int(i))
    return out


def _check_range(probs: np.ndarray, names: list[str]) -> None:
    bad = (probs < 0.0) | (probs > 1.0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise DataError(
            f"probability {float(probs[i, j])!r} is outside [0, 1]", column=names[j], row=int(i)
        )


def _weights(data: Any, weights: Any, n: int) -> np.ndarray | None:
    if weights is None:
        return read_sampling_weights(data) if isinstance(data, pd.DataFrame) else None
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,):
        raise DataError(f"expected {n} weights, got shape {w.shape}", column=SAMPLING_WEIGHT)
    return checked_weights(w)


def weighted_mean(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Mean of ``values``, weighted when ``weights`` is given; NaN for no values.

    >>> weighted_mean(np.array([1.0, 0.0]), np.array([3.0, 1.0]))
    0.75
    """
    if values.size == 0:
        return float("nan")
    return float(np.average(values, weights=weights))


@dataclass(frozen=True)
class UncertaintySummary:
    """Averages over the rows (sampling-weighted when ``weighted``).

    >>> UncertaintySummary(2, 0.8, 0.6, 0.5, 0.7, 0.0, 0.5, False).to_dict()["n"]
    2
    """

    n: int
    mean_confidence: float
    mean_margin: float
    mean_entropy: float
    mean_normalized_entropy: float
    low_confidence_share: float
    threshold: float
    weighted: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class Uncertainty:
    """Per-row confidence, margin and entropy, and their :class:`UncertaintySummary`.

    >>> u = prediction_uncertainty([0.9, 0.55], threshold=0.6)
    >>> u.to_frame()["low_confidence"].tolist()
    [False, True]
    """

    classes: tuple[str, ...]
    confidence: np.ndarray
    margin: np.ndarray
    entropy: np.ndarray
    normalized_entropy: np.ndarray
    low_confidence: np.ndarray
    summary: UncertaintySummary

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "confidence": self.confidence,
                "margin": self.margin,
                "entropy": self.entropy,
                "normalized_entropy": self.normalized_entropy,
                "low_confidence": self.low_confidence,
            }
        )


def prediction_uncertainty(
    data: Any, *, threshold: float = 0.5, weights: Any = None
) -> Uncertainty:
    """Confidence, margin, entropy and low-confidence flags of every prediction in ``data``.

    >>> u = prediction_uncertainty([[0.5, 0.5], [1.0, 0.0]])
    >>> u.entropy.round(4).tolist(), u.normalized_entropy.tolist()
    ([0.6931, 0.0], [1.0, 0.0])
    """
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(f"threshold must be in [0, 1], got {threshold!r}")
    probs, classes = probability_matrix(data)
    n, k = probs.shape
    w = _weights(data, weights, n)
    if k == 2:  # the common binary case, without a sort
        a, b = probs[:, 0], probs[:, 1]
        top2 = np.column_stack([np.minimum(a, b), np.maximum(a, b)])
    else:
        top2 = np.sort(probs, axis=1)[:, -2:] if n else np.empty((0, 2))
    confidence = top2[:, 1]
    margin = top2[:, 1] - top2[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(probs > 0, probs * np.log(probs), 0.0)
    entropy = np.maximum(-terms.sum(axis=1), 0.0)
    normalized = np.minimum(entropy / np.log(k), 1.0)
    low = confidence < threshold
    summary = UncertaintySummary(
        n=n,
        mean_confidence=weighted_mean(confidence, w),
        mean_margin=weighted_mean(margin, w),
        mean_entropy=weighted_mean(entropy, w),
        mean_normalized_entropy=weighted_mean(normalized, w),
        low_confidence_share=weighted_mean(low.astype(np.float64), w),
        threshold=threshold,
        weighted=w is not None,
    )
    return Uncertainty(classes, confidence, margin, entropy, normalized, low, summary)
