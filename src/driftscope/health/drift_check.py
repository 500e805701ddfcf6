"""The drift check of one window: feature drift and prediction drift against the baseline.

Status per window: ``critical`` when the drift score reaches the model's threshold
(``alert_thresholds["data_drift_score"]``, default 0.2; for predictions
``prediction_drift_score``, default 0.15), ``warning`` when the detector flags drift (a test
significant after correction *and* an effect large enough to matter, see docs/methods.md),
else ``ok``; ``unknown`` when the window holds no prediction.

``run_checks`` options: ``drift_methods`` (method objects; default the automatic choice),
``significance_level`` and ``min_change`` (of the automatic choice) and ``drift_features``
(the features compared; default every feature of the baseline).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from driftscope.core.checks import CheckRecord
from driftscope.drift.detector import DriftDetector
from driftscope.drift.results import ColumnDrift
from driftscope.errors import ConfigError
from driftscope.health.baseline import require_baseline
from driftscope.health.context import CheckRun, CheckWindow, WindowCheck, is_feature, successful

CHECK = "drift"
NO_ROWS = "no predictions in the window"
DEFAULTS = {"data_drift_score": 0.2, "prediction_drift_score": 0.15}


def prepare(run: CheckRun) -> WindowCheck:
    """The drift check of ``run``'s windows (see the module docstring); without a saved
    baseline, :class:`~driftscope.health.context.BaselineRequired` (the runner stores one
    ``unknown`` point per window)."""
    reference = require_baseline(run, CHECK)
    settings = {k: run.options[k] for k in ("significance_level", "min_change") if k in run.options}
    detector = DriftDetector(
        reference=reference, detection_methods=run.options.get("drift_methods"), **settings
    )
    chosen = _chosen_features(run.options.get("drift_features"), list(reference.columns))
    data_limit = float(run.thresholds.get("data_drift_score", DEFAULTS["data_drift_score"]))
    pred_limit = float(
        run.thresholds.get("prediction_drift_score", DEFAULTS["prediction_drift_score"])
    )
    with_predictions = "prediction" in reference.columns

    def check(frame: pd.DataFrame, window: CheckWindow) -> list[CheckRecord]:
        frame = successful(frame)  # calls that raised have no prediction
        if frame.empty:
            return [window.record(CHECK, "rows", None, None, "unknown", reason=NO_ROWS)]
        out = [window.record(CHECK, "rows", len(frame), None, "ok")]
        features = [
            n
            for n in detector.feature_names
            if n in frame.columns and is_feature(n) and (chosen is None or n in chosen)
        ]
        if features:
            result = detector.detect_feature_drift(frame, features)
            drifted = result.drifted_features
            out.append(
                window.record(
                    CHECK,
                    "data_drift_score",
                    result.score,
                    data_limit,
                    drift_status(result.score, data_limit, result.has_drift),
                    drifted_features=drifted,
                    notes=list(result.notes),
                    features={name: _column(col) for name, col in result.features.items()},
                )
            )
            out.append(
                window.record(
                    CHECK,
                    "drift_share",
                    result.drift_share,
                    None,
                    "warning" if result.has_drift else "ok",
                    drifted_features=drifted,
                )
            )
        if with_predictions and "prediction" in frame.columns:
            result = detector.detect_feature_drift(frame, ["prediction"])
            out.append(
                window.record(
                    CHECK,
                    "prediction_drift_score",
                    result.score,
                    pred_limit,
                    drift_status(result.score, pred_limit, result.has_drift),
                )
            )
        return out

    return check


def _column(col: ColumnDrift) -> dict[str, object]:
    """What a health report shows of one column's drift in a window (stored in details)."""
    fields = ("score", "drifted", "kind", "method", "statistic", "p_value", "threshold")
    return {name: getattr(col, name) for name in fields}


def drift_status(score: float, limit: float, flagged: bool) -> str:
    """A drift score's status against ``limit`` (see the module's text); ``flagged``: the
    detector found drift. The drift response's events are judged by the same rule.

    >>> drift_status(0.31, 0.2, True), drift_status(0.05, 0.2, True), drift_status(0.01, 0.2, False)
    ('critical', 'warning', 'ok')
    """
    if score >= limit:
        return "critical"
    return "warning" if flagged else "ok"


def _chosen_features(chosen: object, baseline: Sequence[str]) -> set[str] | None:
    """The ``drift_features`` option: None (every feature) or a list of the baseline's
    column names; anything else is a ConfigError naming the option."""
    if chosen is None:
        return None
    if isinstance(chosen, str) or not isinstance(chosen, Iterable):
        raise ConfigError(f"drift_features must be a list of column names, got {chosen!r}")
    names = list(chosen)
    unknown = [n for n in names if n not in baseline]
    if unknown or not names:
        known = ", ".join(map(str, baseline))
        what = f"names {unknown} not in the baseline" if unknown else "no feature"
        raise ConfigError(f"drift_features has {what}; the baseline has: {known}")
    return set(names)
