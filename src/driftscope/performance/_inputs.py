"""Validation shared by the metrics: missing labels, weights, label and prediction kinds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from driftscope.core.records import LABEL, PREDICTION
from driftscope.core.records import SAMPLING_WEIGHT as WEIGHT
from driftscope.errors import DataError


def _as_1d(values: ArrayLike, column: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise DataError(f"expected one value per row, got shape {arr.shape}", column=column)
    return arr


def missing_mask(arr: np.ndarray) -> np.ndarray:
    """True where a value is missing: NaN, None or NaT."""
    if arr.dtype.kind == "f":
        return np.isnan(arr)
    if arr.dtype.kind == "O":
        return np.fromiter(
            (v is None or (isinstance(v, float) and v != v) for v in arr), bool, len(arr)
        )
    return np.zeros(len(arr), dtype=bool)


def kind(arr: np.ndarray) -> str:
    """``"number"`` (bool, int, float) or ``"text"``; mixed object arrays are ``"mixed"``."""
    if arr.dtype.kind in "biuf":
        return "number"
    if arr.dtype.kind in "US":
        return "text"
    kinds = {"text" if isinstance(v, str) else "number" for v in arr}
    if kinds <= {"number"}:
        for v in arr:
            if not isinstance(v, (bool, int, float, np.number, np.bool_)):
                return "mixed"
        return "number"
    return "text" if kinds == {"text"} else "mixed"


@dataclass(frozen=True)
class Rows:
    """Labelled rows after dropping missing labels."""

    y_true: np.ndarray
    y_pred: np.ndarray
    weight: np.ndarray
    n_dropped: int
    positions: np.ndarray  # each kept row's position in the input

    def row(self, i: int) -> int:
        """Input position of kept row ``i`` (for error messages)."""
        return int(self.positions[i])

    @property
    def n(self) -> int:
        return len(self.y_true)

    @property
    def total(self) -> float:
        return float(self.weight.sum())


def prepare(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sample_weight: ArrayLike | None,
    *,
    probabilities: bool = False,
) -> Rows:
    """Drop rows with a missing label; check lengths, predictions and weights.

    ``y_pred`` may be 2-d (one probability column per class) when ``probabilities``.
    """
    yt = _as_1d(y_true, LABEL)
    yp = np.asarray(y_pred)
    if yp.ndim == 0:
        yp = yp.reshape(1)
    if yp.ndim > (2 if probabilities else 1):
        raise DataError(f"unexpected shape {yp.shape}", column=PREDICTION)
    if len(yp) != len(yt):
        raise DataError(f"{len(yp)} predictions for {len(yt)} labels", column=PREDICTION)
    if sample_weight is None:
        w = np.ones(len(yt))
    else:
        w = _as_1d(sample_weight, WEIGHT).astype(float)
        if len(w) != len(yt):
            raise DataError(f"{len(w)} weights for {len(yt)} labels", column=WEIGHT)
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"weights must be finite and >= 0, got {w[i]}", column=WEIGHT, row=i)
    drop = missing_mask(yt)
    keep = ~drop
    yt, yp, w = yt[keep], yp[keep], w[keep]
    if yt.dtype.kind == "O" and len(yt) and kind(yt) == "number":
        yt = yt.astype(float)
    if yp.dtype.kind == "O" and probabilities:
        try:
            yp = yp.astype(float)
        except (TypeError, ValueError):
            raise DataError("probabilities must be numbers", column=PREDICTION) from None
    miss = missing_mask(yp.reshape(len(yp), -1)[:, 0]) if len(yp) else np.zeros(0, bool)
    if yp.ndim == 2 and len(yp):
        miss = np.isnan(yp).any(axis=1)
    if miss.any():
        i = int(np.flatnonzero(keep)[np.flatnonzero(miss)[0]])
        raise DataError("prediction is missing for a labelled row", column=PREDICTION, row=i)
    return Rows(yt, yp, w, int(drop.sum()), np.flatnonzero(keep))


def check_same_kind(rows: Rows) -> None:
    """Raise DataError when labels and predictions are of different kinds (text vs number)."""
    if rows.n == 0:
        return
    kt, kp = kind(rows.y_true), kind(rows.y_pred)
    if "mixed" in (kt, kp) or kt != kp:
        raise DataError(
            f"labels are {kt} but predictions are {kp}; they must be of the same kind",
            column=LABEL,
        )


def check_probabilities(
    p: np.ndarray, positions: np.ndarray | None = None, *, column: str = PREDICTION
) -> None:
    """Raise DataError naming the row when a probability is outside [0, 1] or a row's don't sum
    to 1 (within 1e-6); ``positions`` maps ``p``'s rows to input rows."""

    def at(i: int) -> int:
        return int(i if positions is None else positions[i])

    if p.dtype.kind not in "biuf":
        raise DataError("probabilities must be numbers", column=column)
    bad = (p < 0) | (p > 1)
    if bad.any():
        i = int(np.argwhere(bad)[0][0])
        raise DataError(f"probability outside [0, 1]: {p[i].tolist()}", column=column, row=at(i))
    if p.ndim == 2:
        sums = p.sum(axis=1)
        off = np.abs(sums - 1.0) > 1e-6
        if off.any():
            i = int(np.flatnonzero(off)[0])
            raise DataError(
                f"class probabilities sum to {sums[i]:.6g}, not 1", column=column, row=at(i)
            )


def wavg(values: np.ndarray, weight: np.ndarray) -> float:
    """Weighted mean (the Hájek ratio of two Horvitz-Thompson totals)."""
    return float(np.sum(values * weight) / np.sum(weight))


def empty_reason(rows: Rows) -> str | None:
    """Why no metric can be computed on ``rows`` (no labelled rows, zero total weight)."""
    if rows.n == 0:
        return "no labelled rows" + (
            f" ({rows.n_dropped} without a label)" if rows.n_dropped else ""
        )
    if rows.total <= 0:
        return "the labelled rows' sampling weights sum to 0"
    return None
