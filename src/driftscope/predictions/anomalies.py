"""Anomaly detection on inputs and predictions, calibrated to a false-positive rate.

Method. The reference frame (features and the prediction columns) is split at random into
a *fit* part and a held-out *calibration* part (``holdout``, default half). From the fit
part the detector learns, per column:

* numeric: the support ``[q_low, q_high]`` quantiles (default 0.5 % and 99.5 %) and the
  IQR; a value's *range score* is its distance outside that support in IQR units (0 inside);
* numeric, jointly: a Gaussian-copula transform (mid-rank ECDF of the fit part, then the
  normal quantile) and the correlation of the transformed columns, shrunk 1 % towards the
  identity; the *combination score* is the Mahalanobis distance of a row's transformed
  values. Individually ordinary values that are jointly unusual (against a strong
  correlation) get a large combination score while each range score stays 0;
* categorical: the categories seen; an unseen category scores infinity.

A missing value (None, NaN) is neither unseen nor outside the support and is no anomaly by
itself: it is counted once, as missing, by the data-quality check's completeness. It adds
nothing to the row's score (its copula score is 0, the column's centre).

A row's score is the combination score plus its range scores. The threshold is the
conformal ``ceil((m + 1)(1 - target_fpr))``-th smallest score of the ``m`` calibration
rows, so a fresh row from the reference distribution exceeds it with probability at most
``target_fpr`` (and about that much for continuous scores). ``measured_fpr`` is measured
out of sample: each half of the calibration rows is thresholded with the other half's
conformal threshold and the two exceedance rates are averaged (``fpr_standard_error`` is
its binomial standard error); ``calibration_fpr`` is the in-sample rate of the final
threshold, which is ``<= target_fpr`` by construction; ``calibration_out_of_range`` and
``calibration_unseen`` are the calibration rows' shares outside some column's support and
with some unseen category (the rates to expect on fresh reference-like data). Rows outside the
support of some column, or with confidence below ``low_confidence`` when the frame has
``prediction.<class>`` probabilities, are flagged as *edge cases* (not necessarily
anomalies). Summary shares are weighted by ``sampling_weight`` when present.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=4000)
>>> y, c = x + rng.normal(0, 0.2, 4000), rng.choice(["a", "b"], 4000)
>>> ref = pd.DataFrame({"x": x, "y": y, "c": c})
>>> model = AnomalyDetector(target_fpr=0.01).fit(ref)
>>> new = pd.DataFrame({"x": [0.0, 1.0, 9.0], "y": [0.1, -1.0, 9.0], "c": ["a", "b", "z"]})
>>> model.score(new).is_anomaly.tolist()
[False, True, True]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtri

from driftscope.core.weights import read_sampling_weights
from driftscope.errors import ConfigError, DataError
from driftscope.predictions.anomaly_results import AnomalyResult
from driftscope.predictions.uncertainty import (
    PREDICTION_PREFIX,
    SAMPLING_WEIGHT,
    prediction_uncertainty,
)

#: Bookkeeping columns of ``get_recent_predictions`` that are not scored.
SKIPPED = frozenset(
    {
        "prediction_id",
        "timestamp",
        "model_version",
        SAMPLING_WEIGHT,
        "sample_reason",
        "quality_issues",
        "label",
        "labeled_at",
    }
)
SHRINK = 0.01


@dataclass(frozen=True)
class AnomalyDetector:
    """Settings of the detector; :meth:`fit` learns an :class:`AnomalyModel`.

    >>> AnomalyDetector(target_fpr=0.05).holdout
    0.5
    """

    target_fpr: float = 0.01
    q_low: float = 0.005
    q_high: float = 0.995
    holdout: float = 0.5
    low_confidence: float = 0.5
    columns: tuple[str, ...] | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 < self.target_fpr < 1.0:
            raise ConfigError(f"target_fpr must be in (0, 1), got {self.target_fpr!r}")
        if not 0.0 <= self.q_low < self.q_high <= 1.0:
            raise ConfigError(f"need 0 <= q_low < q_high <= 1, got {self.q_low}, {self.q_high}")
        if not 0.0 < self.holdout < 1.0:
            raise ConfigError(f"holdout must be in (0, 1), got {self.holdout!r}")

    @property
    def min_reference_rows(self) -> int:
        """Rows :meth:`fit` needs: ``2 / target_fpr`` held out for the calibration and 20
        to fit on.

        >>> AnomalyDetector().min_reference_rows
        400
        """
        need = 2 * math.ceil(1.0 / self.target_fpr)
        n = max(math.ceil(need / self.holdout), 20)
        while round(n * self.holdout) < need or n - round(n * self.holdout) < 20:
            n += 1
        return n

    def fit(self, reference: pd.DataFrame) -> AnomalyModel:
        if not isinstance(reference, pd.DataFrame):
            raise DataError(f"reference must be a pandas DataFrame, got {type(reference)}")
        names = _scored_columns(reference, self.columns)
        n = len(reference)
        m = round(n * self.holdout)
        need = 2 * math.ceil(1.0 / self.target_fpr)
        if n < self.min_reference_rows:
            raise DataError(
                f"reference has {n} rows; calibrating to target_fpr={self.target_fpr} needs "
                f"at least {need} held-out rows (holdout={self.holdout}) and 20 to fit"
            )
        order = np.random.default_rng(self.seed).permutation(n)
        fit_rows, cal_rows = reference.iloc[order[m:]], reference.iloc[order[:m]]
        numeric, categorical = {}, {}
        for name in names:
            col = reference[name]
            if _is_numeric(col):
                numeric[name] = _NumericFit.learn(name, fit_rows[name], self.q_low, self.q_high)
            else:
                categorical[name] = _CategoryFit.learn(fit_rows[name])
        model = AnomalyModel(self, numeric, categorical, _correlation_inverse(numeric, fit_rows))
        cal, cal_ranges, cal_unseen, _ = model._raw_scores(cal_rows)
        threshold = _conformal_threshold(cal, self.target_fpr)
        a, b = cal[: m // 2], cal[m // 2 :]
        ta, tb = _conformal_threshold(a, self.target_fpr), _conformal_threshold(b, self.target_fpr)
        measured = (float(np.mean(b > ta)) + float(np.mean(a > tb))) / 2.0
        object.__setattr__(model, "threshold", threshold)
        object.__setattr__(model, "measured_fpr", measured)
        object.__setattr__(model, "fpr_standard_error", math.sqrt(measured * (1 - measured) / m))
        object.__setattr__(model, "calibration_fpr", float(np.mean(cal > threshold)))
        object.__setattr__(model, "n_calibration", m)
        object.__setattr__(model, "calibration_out_of_range", float(cal_ranges.any(axis=1).mean()))
        object.__setattr__(model, "calibration_unseen", float(cal_unseen.any(axis=1).mean()))
        return model


def _conformal_threshold(scores: np.ndarray, alpha: float) -> float:
    """The ``ceil((m + 1)(1 - alpha))``-th smallest of ``m`` scores (inf if beyond ``m``)."""
    m = scores.size
    k = math.ceil((m + 1) * (1.0 - alpha))
    return float(np.sort(scores)[k - 1]) if k <= m else math.inf


@dataclass(frozen=True)
class _NumericFit:
    sorted_values: np.ndarray
    low: float
    high: float
    scale: float
    may_be_missing: bool

    @classmethod
    def learn(cls, name: str, values: pd.Series, q_low: float, q_high: float) -> _NumericFit:
        x = values.to_numpy(dtype=np.float64, na_value=np.nan)
        seen = np.sort(x[~np.isnan(x)])
        if seen.size == 0:
            raise DataError("has no values in the reference", column=name)
        low, q1, q3, high = np.quantile(seen, [q_low, 0.25, 0.75, q_high])
        scale = q3 - q1 or high - low or max(abs(float(seen[0])), 1.0)
        return cls(seen, float(low), float(high), float(scale), bool(seen.size < x.size))

    def normal_scores(self, x: np.ndarray) -> np.ndarray:
        """The normal quantile of each value's mid-rank in the fit part, ``(below + at +
        1) / (2 (n + 1))`` with ``below``/``at`` the counts of reference values ``<``/``<=``;
        one search among the distinct reference values (ties counted exactly)."""
        n = self.sorted_values.size
        distinct, below, ties = self._distinct()
        i = np.searchsorted(distinct, x, side="left")
        at = np.minimum(i, distinct.size - 1)
        left = below[i]
        right = left + np.where(distinct[at] == x, ties[at], 0)
        z = ndtri((left + right + 1.0) / (2.0 * (n + 1.0)))
        return np.where(np.isnan(x), 0.0, z)

    def _distinct(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct reference values, how many values lie below each (and ``n`` after the
        last), and each one's count; computed once."""
        cached = self.__dict__.get("_distinct_cache")
        if cached is None:
            values, first, ties = np.unique(
                self.sorted_values, return_index=True, return_counts=True
            )
            cached = (values, np.append(first, self.sorted_values.size), ties)
            object.__setattr__(self, "_distinct_cache", cached)
        return cached

    def range_scores(self, x: np.ndarray) -> np.ndarray:
        out = np.maximum(np.maximum(self.low - x, x - self.high), 0.0) / self.scale
        return np.where(np.isnan(x), 0.0, out)


@dataclass(frozen=True)
class _CategoryFit:
    seen: frozenset[str]
    may_be_missing: bool

    @classmethod
    def learn(cls, values: pd.Series) -> _CategoryFit:
        present = values.dropna()
        return cls(frozenset(present.astype(str).unique()), bool(len(present) < len(values)))


def _is_numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def _scored_columns(frame: pd.DataFrame, columns: tuple[str, ...] | None) -> list[str]:
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise DataError("not in the reference frame", column=missing[0])
        return list(columns)
    return [
        c
        for c in frame.columns
        if c not in SKIPPED
        and not str(c).startswith("metadata.")
        and not pd.api.types.is_datetime64_any_dtype(frame[c])
    ]


def _correlation_inverse(numeric: dict[str, _NumericFit], fit_rows: pd.DataFrame) -> np.ndarray:
    names = list(numeric)
    if not names:
        return np.zeros((0, 0))
    z = np.column_stack(
        [numeric[c].normal_scores(fit_rows[c].to_numpy(np.float64, na_value=np.nan)) for c in names]
    )
    sd = z.std(axis=0)
    live = sd > 0
    corr = np.eye(len(names))
    if live.sum() > 1:
        corr[np.ix_(live, live)] = np.corrcoef(z[:, live], rowvar=False)
    corr = (1.0 - SHRINK) * corr + SHRINK * np.eye(len(names))
    inv = np.linalg.inv(corr)
    inv[~live, :] = 0.0
    inv[:, ~live] = 0.0
    return inv


@dataclass(frozen=True)
class AnomalyModel:
    """A fitted detector: ``threshold``, and ``measured_fpr`` (out of sample, see the module
    docstring) on ``n_calibration`` held-out reference rows. :meth:`score` scores new rows
    that have the reference's columns.

    >>> rng = np.random.default_rng(1)
    >>> model = AnomalyDetector().fit(pd.DataFrame({"v": rng.normal(size=1000)}))
    >>> model.calibration_fpr <= 0.01, model.measured_fpr < 0.03, model.n_calibration
    (True, True, 500)
    """

    settings: AnomalyDetector
    numeric: dict[str, _NumericFit]
    categorical: dict[str, _CategoryFit]
    inverse_correlation: np.ndarray
    threshold: float = field(default=math.inf)
    measured_fpr: float = field(default=math.nan)
    fpr_standard_error: float = field(default=math.nan)
    calibration_fpr: float = field(default=math.nan)
    n_calibration: int = 0
    calibration_out_of_range: float = field(default=math.nan)
    calibration_unseen: float = field(default=math.nan)

    def score(self, frame: pd.DataFrame) -> AnomalyResult:
        scores, range_hits, unseen, contrib = self._raw_scores(frame)
        is_anomaly = scores > self.threshold
        out_of_range, any_unseen = np.any(range_hits, axis=1), np.any(unseen, axis=1)
        edge = out_of_range | any_unseen
        if any(str(c).startswith(PREDICTION_PREFIX) for c in frame.columns) and len(frame):
            u = prediction_uncertainty(frame, threshold=self.settings.low_confidence)
            edge = edge | u.low_confidence
        else:
            u = None
        num_names = list(self.numeric)
        outside = [f"{name} outside reference range" for name in num_names]
        new_value = [f"{name} unseen value" for name in self.categorical]
        why: dict[int, list[str]] = {}  # one pass over the hits, not one per row
        for i, j in zip(*(a.tolist() for a in np.nonzero(range_hits)), strict=True):
            why.setdefault(i, []).append(outside[j])
        for i, j in zip(*(a.tolist() for a in np.nonzero(unseen)), strict=True):
            why.setdefault(i, []).append(new_value[j])
        if contrib.shape[1] > 1:
            for i in np.flatnonzero(is_anomaly).tolist():
                if i not in why:
                    top = np.argsort(-contrib[i])[:2]
                    names = " and ".join(num_names[j] for j in top)
                    why[i] = ["unusual combination of " + names]
        if u is not None:
            for i in np.flatnonzero(u.low_confidence).tolist():
                why.setdefault(i, []).append("low confidence")
        reasons: list[tuple[str, ...]] = [()] * len(frame)
        for i, listed in why.items():
            reasons[i] = tuple(listed)
        w = read_sampling_weights(frame)
        return AnomalyResult(
            scores,
            is_anomaly,
            edge,
            tuple(reasons),
            self.threshold,
            w,
            out_of_range=out_of_range,
            unseen=any_unseen,
        )

    def _raw_scores(self, frame: pd.DataFrame) -> tuple[np.ndarray, ...]:
        n = len(frame)
        for name in [*self.numeric, *self.categorical]:
            if name not in frame.columns:
                raise DataError("is missing from the scored frame", column=name)
        z = np.zeros((n, len(self.numeric)))
        ranges = np.zeros((n, len(self.numeric)))
        unseen = np.zeros((n, len(self.categorical)), dtype=bool)
        for j, (name, fit) in enumerate(self.numeric.items()):
            col = frame[name]
            if not _is_numeric(col):
                raise DataError(f"expected numbers, got dtype {col.dtype}", column=name)
            x = col.to_numpy(np.float64, na_value=np.nan)
            z[:, j] = fit.normal_scores(x)
            ranges[:, j] = fit.range_scores(x)
        for j, (name, category_fit) in enumerate(self.categorical.items()):
            col = frame[name]
            na = col.isna().to_numpy()
            unseen[:, j] = ~na & ~col.astype(str).isin(category_fit.seen).to_numpy()
        contrib = z * (z @ self.inverse_correlation)
        mahal = np.sqrt(np.maximum(contrib.sum(axis=1), 0.0))
        scores = mahal + ranges.sum(axis=1)
        scores[unseen.any(axis=1)] = math.inf
        return scores, ranges > 0, unseen, contrib
