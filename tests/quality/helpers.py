"""Frames in the layout of ``ModelMonitor.get_recent_predictions``."""

from __future__ import annotations

from typing import Any

import pandas as pd


def logged(
    features: dict[str, list[Any]],
    *,
    issues: list[str | None] | None = None,
    weights: list[float] | None = None,
    start: str = "2026-01-01 00:00",
    freq: str = "h",
) -> pd.DataFrame:
    """One row per value of the feature lists, ``freq`` apart from ``start``."""
    n = len(next(iter(features.values())))
    frame = pd.DataFrame(
        {
            "prediction_id": [f"p{i}" for i in range(n)],
            "timestamp": pd.date_range(start, periods=n, freq=freq, tz="UTC"),
            "model_version": pd.Series([None] * n, dtype=object),
            "sampling_weight": weights or [1.0] * n,
            "sample_reason": ["all"] * n,
            "quality_issues": pd.Series(issues or [None] * n, dtype=object),
        }
    )
    for name, values in features.items():
        frame[name] = pd.Series(values, dtype=object if _mixed(values) else None)
    frame["prediction"] = [0.5] * n
    return frame


def _mixed(values: list[Any]) -> bool:
    return (
        len({type(v) for v in values if v is not None}) > 1
        or any(isinstance(v, str) for v in values)
        or any(v is None for v in values)
    )


def pick(frame: pd.DataFrame, check: str, feature: str | None = None) -> pd.Series:
    """The one row of a to_frame() result for ``check`` on ``feature``."""
    rows = frame[frame["check"] == check]
    rows = rows[rows["feature"].isna()] if feature is None else rows[rows["feature"] == feature]
    assert len(rows) == 1, rows
    return rows.iloc[0]
