"""The performance check of one window: realized metrics on the labels that have arrived,
against the baseline's own performance.

Metrics are the monitor's ``metrics`` (``ModelMonitor(metrics=["accuracy", "auc"])``),
computed by :func:`driftscope.performance.windowed_metrics` on the window's labelled rows
(sampling weights undone), each with its labelled count and confidence interval.

**Baseline.** The metric on the labelled rows the baseline kept
(``Reference.row_sample``: save training or validation data with ``label`` and the
model's ``prediction``). The baseline's *window-to-window variation* is learnt from the
same rows cut into the run's time windows (when they carry a ``timestamp``) or else into
ten consecutive chunks: ``tau²``, the variance between windows beyond what sampling
explains (the variance of the window values minus the mean of their squared standard
errors, floored at 0, as in a random-effects meta-analysis).

**Band.** A window of ``n`` labelled rows is expected within ``baseline ± sigma ·
sqrt(tau² + se²)`` where ``se`` is that window's standard error (from its interval), so a
dip on 30 rows needs to be much deeper than one on 30,000 to count; ``sigma`` is 3 by
default (``run_checks(..., performance_sigma=...)``): about 0.13 % false alarms per window
and metric when nothing changed. Only the bad side alarms (a lower accuracy, a higher MAE).

**Fixed thresholds** from ``alert_thresholds`` (e.g. ``accuracy: 0.85, auc: 0.90``;
an upper limit for error metrics such as ``mae``).

Status of a metric's point: ``critical`` when the whole confidence interval is on the bad
side of the fixed threshold; ``warning`` when the value is outside the band, or on the bad
side of the fixed threshold without the interval being so; ``unknown`` when the window has
no labelled row or the metric is undefined there (one class for AUC: the reason is stored);
else ``ok``. Each metric also gets ``<metric>_vs_baseline``, the ratio of the window's
value to the baseline's (informational: status ``ok``, or ``unknown`` without a baseline).
``labelled_rows`` records label coverage.

**Before the labels.** For a binary classifier with a score (``prediction`` in [0, 1])
whose baseline rows carry labels, each window also gets ``estimated_<metric>`` for the
metrics among accuracy, precision, recall, F1 and ROC AUC, from all its scored rows,
labelled or not (:mod:`driftscope.performance.estimation`: the scores calibrated on the
baseline by isotonic regression give an expected confusion matrix). It assumes the
relation between inputs and label held; status ``warning`` on the bad side of a fixed
threshold (an estimate is never ``critical``), else ``ok``.

Bad input in a window (a label of another kind than the predictions, probabilities out of
[0, 1]) makes that window's metric points ``unknown`` with the error, naming the column
and row; the run goes on. Rows without a prediction (a failed call) are left out and
counted. A float score with 0/1 labels is turned into labels at ``threshold`` (default 0.5,
``run_checks(..., threshold=...)``) for the label metrics.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy.stats import norm

from driftscope.core.checks import CheckRecord
from driftscope.core.weights import read_sampling_weights
from driftscope.errors import DataError
from driftscope.health import performance_baseline as base
from driftscope.health.context import CheckRun, CheckWindow, WindowCheck, successful
from driftscope.health.performance_baseline import (
    DEFAULT_THRESHOLD,
    Baseline,
    default_threshold,
    metric_options,
    standard_error,
    with_prediction,
)
from driftscope.performance import PerformanceMetrics
from driftscope.performance.estimation import ESTIMATED, PerformanceEstimator
from driftscope.performance.metrics import REGRESSION_METRICS, resolve
from driftscope.performance.windows import WindowMetric

CHECK = "performance"
DEFAULT_SIGMA = 3.0
LOWER_IS_BETTER = frozenset({"log_loss", "brier_score", "mae", "rmse", "mape"})


def prepare(run: CheckRun) -> WindowCheck:
    """The performance check of ``run``'s windows (see the module docstring)."""
    metrics = {resolve(m): m for m in run.metrics}  # canonical -> the name the user gave
    fixed = {resolve(k): float(v) for k, v in run.thresholds.items() if _is_metric(k)}
    sigma = float(run.options.get("performance_sigma", DEFAULT_SIGMA))
    threshold = run.options.get("threshold")
    confidence = float(run.options.get("confidence", 0.95))
    z = float(norm.ppf(0.5 + confidence / 2))
    baselines, baseline_note = base.baselines(run, list(metrics), threshold, confidence, z)
    estimated = [m for m in metrics if m in ESTIMATED]
    estimator = _estimator(run, threshold) if estimated else None

    def check(frame: pd.DataFrame, window: CheckWindow) -> list[CheckRecord]:
        calls = len(frame)
        frame = successful(frame)  # calls that raised: the operational check counts them
        predicted, failed = with_prediction(frame)
        failed += calls - len(frame)
        out = realized(frame, predicted, failed, window)
        if estimator is not None and len(predicted):
            out.extend(_estimates(estimator, estimated, predicted, window, fixed, baselines))
        return out

    def realized(
        frame: pd.DataFrame, predicted: pd.DataFrame, failed: int, window: CheckWindow
    ) -> list[CheckRecord]:
        labelled = 0 if "label" not in frame else int(predicted["label"].notna().sum())
        coverage = {
            "unlabelled": len(predicted) - labelled,
            "without_prediction": failed,
            "label_coverage": labelled / len(predicted) if len(predicted) else None,
        }
        if labelled == 0:
            reason = "no predictions in the window" if frame.empty else "no labels yet"
            out = [
                window.record(
                    CHECK, "labelled_rows", None, None, "unknown", reason=reason, **coverage
                )
            ]
            for name in metrics:  # not computed: stored as missing, never as 0
                out.append(window.record(CHECK, name, None, None, "unknown", reason=reason))
            return out
        out = [window.record(CHECK, "labelled_rows", labelled, None, "ok", **coverage)]
        found: dict[str, WindowMetric] = {}
        try:
            found = _window_metrics(predicted, list(metrics), run, threshold, confidence, window)
        except DataError:
            for name in metrics:  # one at a time: a metric's bad input spoils only that one
                try:
                    found.update(
                        _window_metrics(predicted, [name], run, threshold, confidence, window)
                    )
                except DataError as exc:
                    out.append(
                        window.record(
                            CHECK, name, None, None, "unknown", reason="bad input", error=str(exc)
                        )
                    )
        for name, wm in found.items():
            out.extend(_points(window, name, wm, baselines.get(name), fixed.get(name), sigma, z))
        if baseline_note:
            for point in out[1:]:
                point.details.setdefault("baseline_note", baseline_note)
        return out

    return check


def _estimator(run: CheckRun, threshold: float | None) -> PerformanceEstimator | None:
    """The score calibration learnt on the baseline's labelled rows, when the model is a
    binary classifier with a score in [0, 1] (else None: nothing to estimate)."""
    rows = None if run.reference is None else run.reference.row_sample
    if rows is None or "label" not in rows.columns or "prediction" not in rows.columns:
        return None
    rows = rows[rows["label"].notna() & rows["prediction"].notna()]
    if not len(rows) or (default_threshold(rows) is None and threshold is None):
        return None
    try:
        weights = read_sampling_weights(rows)
        return PerformanceEstimator.fit(
            rows["prediction"].to_numpy(float),
            pd.to_numeric(rows["label"], errors="coerce").to_numpy(float),
            weights,
            threshold=DEFAULT_THRESHOLD if threshold is None else float(threshold),
        )
    except (DataError, ValueError, TypeError):
        return None  # labels that are not 0/1, one class: no estimate, the realized stay


def _estimates(
    estimator: PerformanceEstimator,
    names: list[str],
    frame: pd.DataFrame,
    window: CheckWindow,
    fixed: dict[str, float],
    baselines: dict[str, Baseline],
) -> list[CheckRecord]:
    """``estimated_<metric>`` points from every scored row of the window, labelled or not."""
    scores = pd.to_numeric(frame["prediction"], errors="coerce").to_numpy(float)
    weights = read_sampling_weights(frame)
    values = estimator.estimate(scores, weights)
    out = []
    for name in names:
        value, limit = values[name], fixed.get(name)
        if not math.isfinite(value):
            reason = "undefined on this window (no expected positive or negative)"
            out.append(
                window.record(CHECK, f"estimated_{name}", None, limit, "unknown", reason=reason)
            )
            continue
        bad = limit is not None and _worse(value, limit, name in LOWER_IS_BETTER)
        baseline = baselines.get(name)
        out.append(
            window.record(
                CHECK,
                f"estimated_{name}",
                value,
                limit,
                "warning" if bad else "ok",
                rows=len(frame),
                baseline=None if baseline is None else baseline.value,
                method="confidence-based (isotonic calibration on the baseline's labels)",
                assumes="no concept drift: compare with the realized value as labels arrive",
            )
        )
    return out


def _is_metric(key: str) -> bool:
    try:
        resolve(key)
    except Exception:
        return False
    return True


def _window_metrics(
    frame: pd.DataFrame,
    names: list[str],
    run: CheckRun,
    threshold: float | None,
    confidence: float,
    window: CheckWindow,
) -> dict[str, WindowMetric]:
    """Each metric on the window's frame (:class:`~driftscope.performance.PerformanceMetrics`)."""
    if threshold is None:
        threshold = default_threshold(frame)
    calc = PerformanceMetrics(
        metric_options(names, frame),
        confidence=confidence,
        n_boot=int(run.options.get("n_boot", 200)),
        threshold=None if all(n in REGRESSION_METRICS for n in names) else threshold,
    )
    found = calc.compute(frame, start=pd.Timestamp(window.start), end=pd.Timestamp(window.end))
    return {w.metric: w for w in found}


def _points(
    window: CheckWindow,
    name: str,
    wm: WindowMetric,
    baseline: Baseline | None,
    fixed: float | None,
    sigma: float,
    z: float,
) -> list[CheckRecord]:
    lower_better = name in LOWER_IS_BETTER
    details: dict = {
        "n": wm.n,
        "unlabelled": wm.n_unlabelled,
        "ci_low": wm.ci_low,
        "ci_high": wm.ci_high,
        "ci_method": wm.ci_method,
    }
    if not math.isfinite(wm.value):
        reason = wm.reason or "undefined on this window"
        return [
            window.record(CHECK, name, None, fixed, "unknown", reason=reason, **details),
            window.record(CHECK, f"{name}_vs_baseline", None, None, "unknown", reason=reason),
        ]
    se = standard_error(wm, z)
    status = "ok"
    limit = None
    if baseline is not None:
        spread = math.sqrt(baseline.tau**2 + (se if math.isfinite(se) else 0.0) ** 2)
        limit = baseline.value + (sigma * spread if lower_better else -sigma * spread)
        details.update(
            baseline=baseline.value,
            band_limit=limit,
            baseline_tau=baseline.tau,
            baseline_windows=baseline.windows,
            baseline_note=baseline.note,
        )
        if spread > 0 and _worse(wm.value, limit, lower_better):
            status = "warning"
    if fixed is not None:
        details["fixed_threshold"] = fixed
        bad_side = _worse(wm.value, fixed, lower_better)
        whole_interval = _worse(wm.ci_low if lower_better else wm.ci_high, fixed, lower_better)
        if bad_side and whole_interval and math.isfinite(se):
            status = "critical"
        elif bad_side:
            status = "warning"
    threshold = fixed if fixed is not None else limit
    out = [window.record(CHECK, name, wm.value, threshold, status, **details)]
    if baseline is not None and baseline.value != 0:
        ratio = wm.value / baseline.value
        out.append(
            window.record(CHECK, f"{name}_vs_baseline", ratio, None, "ok", baseline=baseline.value)
        )
    else:
        reason = "no baseline performance" if baseline is None else "the baseline's value is 0"
        out.append(
            window.record(CHECK, f"{name}_vs_baseline", None, None, "unknown", reason=reason)
        )
    return out


def _worse(value: float, limit: float, lower_better: bool) -> bool:
    return value > limit if lower_better else value < limit
