"""The anomaly points of the predictions check: the anomaly model's flags on a window,
tested against its calibrated rates (see :mod:`driftscope.health.predictions_check`).

:func:`feature_columns` picks the baseline sample's columns the model is fitted on (numeric
and categorical features, not text or datetime); :func:`anomaly_points` scores a window
(on a seeded subsample of ``SCORED_ROWS`` rows when larger) and stores ``anomaly_rate``,
``out_of_range_rate`` and ``unseen_category_rate``.

>>> import pandas as pd
>>> sample = pd.DataFrame({"x": [1.0], "label": [0], "when": pd.to_datetime(["2026"])})
>>> feature_columns(sample, None)
['x']
"""

from __future__ import annotations

from collections import Counter
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from driftscope.core.checks import CheckRecord
from driftscope.drift.reference import Reference
from driftscope.errors import DataError, DriftscopeError
from driftscope.health.context import CheckWindow, is_feature
from driftscope.health.predictions_compare import (
    CHECK,
    Compared,
    Stat,
    compare,
    compared_point,
    share_stat,
)
from driftscope.predictions import AnomalyModel

SCORED_ROWS = 20_000
EXAMPLES = 10  # flagged rows listed per window, most anomalous first


def feature_columns(sample: pd.DataFrame, reference: Reference | None) -> list[str]:
    fitted = {} if reference is None else reference.columns
    out = []
    for name in sample.columns:
        col = sample[name]
        if not is_feature(str(name)) or col.isna().all():
            continue
        if pd.api.types.is_datetime64_any_dtype(col):
            continue
        if fitted and name not in fitted:  # text columns are not fitted
            continue
        out.append(str(name))
    return out


def anomaly_metrics(model: AnomalyModel | None) -> list[str]:
    out = ["anomaly_rate"]
    if model is not None and model.numeric:
        out.append("out_of_range_rate")
    if model is not None and model.categorical:
        out.append("unseen_category_rate")
    return out


def anomaly_points(
    model: AnomalyModel,
    frame: pd.DataFrame,
    weights: np.ndarray | None,
    window: CheckWindow,
    compared: list[Compared],
) -> list[CheckRecord]:
    metrics = anomaly_metrics(model)
    names = [*model.numeric, *model.categorical]
    n = len(frame)
    if n > SCORED_ROWS:  # seeded by the window, so re-running it gives the same points
        rng = np.random.default_rng([0, int(window.start.timestamp())])
        rows = np.sort(rng.choice(n, SCORED_ROWS, replace=False))
    else:
        rows = np.arange(n)
    try:
        missing = [c for c in names if c not in frame.columns]
        if missing:
            raise DataError("is in the baseline but not logged in the window", column=missing[0])
        result = model.score(frame[names].iloc[rows])
    except DriftscopeError as exc:
        return [
            window.record(
                CHECK, m, None, None, "unknown", reason="cannot score the window", error=str(exc)
            )
            for m in metrics
        ]
    w = None if weights is None else weights[rows]
    scored = {"scored_rows": int(rows.size), "rows": n, "subsampled": bool(rows.size < n)}
    m = model.n_calibration
    expected = {
        "anomaly_rate": max(model.measured_fpr, model.settings.target_fpr),
        "out_of_range_rate": model.calibration_out_of_range,
        "unseen_category_rate": model.calibration_unseen,
    }
    # AnomalyModel.score fills both; only results built by hand may lack them
    assert result.out_of_range is not None and result.unseen is not None
    flags = {
        "anomaly_rate": result.is_anomaly,
        "out_of_range_rate": result.out_of_range,
        "unseen_category_rate": result.unseen,
    }
    out = []
    for metric in metrics:
        c = compare(
            metric, Stat(expected[metric], m), share_stat(flags[metric], w), "greater", "critical"
        )
        compared.append(c)
        if metric == "anomaly_rate":
            top = [f"{r} ({k} rows)" for r, k in result.summary().top_reasons]
            extra = {"top_reasons": top, "examples": _examples(result, frame, rows)}
        else:
            suffix = (
                " outside reference range" if metric == "out_of_range_rate" else " unseen value"
            )
            extra = {"top_features": _top(result.reasons, flags[metric], suffix)}
        out.append(compared_point(window, c, expected_rate=c.before, **extra, **scored))
    return out


def _examples(
    result: Any, frame: pd.DataFrame, rows: np.ndarray, top: int = EXAMPLES
) -> list[dict[str, Any]]:
    """The most anomalous flagged rows, by score: their ``prediction_id`` (to look them up
    with ``get_recent_predictions``), score and reasons: the window's edge cases."""
    flagged = np.flatnonzero(result.is_anomaly)
    if not flagged.size:
        return []
    worst = flagged[np.argsort(-result.scores[flagged], kind="stable")[:top]]
    ids = frame["prediction_id"].to_numpy() if "prediction_id" in frame.columns else None
    return [
        {
            "prediction_id": None if ids is None else str(ids[rows[i]]),
            "score": float(result.scores[i]),
            "reasons": list(result.reasons[i]),
        }
        for i in worst.tolist()
    ]


def _top(reasons: Any, flags: np.ndarray, suffix: str, top: int = 5) -> list[str]:
    listed = chain.from_iterable(reasons[i] for i in np.flatnonzero(flags).tolist())
    counts = Counter(r for r in listed if r.endswith(suffix))
    return [f"{r[: -len(suffix)]} ({k} rows)" for r, k in counts.most_common(top)]
