from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from driftscope.errors import ConfigError, DataError
from driftscope.predictions.anomalies import AnomalyDetector
from driftscope.predictions.summary import summarize_predictions, window_starts


def times(*stamps: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(stamps), utc=True))


def test_score_windows_hand_computed() -> None:
    frame = pd.DataFrame(
        {
            "timestamp": times(
                "2026-03-02 00:10", "2026-03-02 00:50", "2026-03-02 01:05", "2026-03-02 01:30"
            ),
            "prediction": [0.1, 0.3, 0.8, 0.55],
        }
    )
    s = summarize_predictions(frame, window="hour", quantiles=(0.5,), low_confidence=0.6)
    assert [w.n for w in s.windows] == [2, 2]
    first, last = s.windows
    assert first.mean == pytest.approx(0.2) and first.quantiles[0.5] == pytest.approx(0.2)
    assert first.low_confidence_share == 0.0  # confidences 0.9 and 0.7
    assert last.low_confidence_share == 0.5  # 0.55 is below 0.6
    assert last.end - last.start == pd.Timedelta(hours=1)
    assert s.reference is not None and s.reference.n == 2
    by_name = {c.metric: c for c in s.changes}
    assert by_name["mean"].delta == pytest.approx(0.475)
    assert by_name["mean"].effect == pytest.approx(0.475 / 0.1)
    assert s.changes[0].effect >= s.changes[-1].effect
    assert s.to_frame()["n"].tolist() == [2, 2]


def test_class_probabilities_weights_and_reference() -> None:
    frame = pd.DataFrame(
        {
            "timestamp": times("2026-03-02", "2026-03-03", "2026-03-04"),
            "prediction.cat": [0.9, 0.2, 0.45],
            "prediction.dog": [0.1, 0.8, 0.55],
            "sampling_weight": [1.0, 1.0, 1.0],
        }
    )
    reference = pd.DataFrame({"prediction.cat": [0.9, 0.8], "prediction.dog": [0.1, 0.2]})
    s = summarize_predictions(frame, window="week", reference=reference, low_confidence=0.6)
    (week,) = s.windows
    assert str(week.start) == "2026-03-02 00:00:00+00:00"
    assert week.class_shares == {"cat": pytest.approx(1 / 3), "dog": pytest.approx(2 / 3)}
    assert week.low_confidence_share == pytest.approx(1 / 3)
    assert s.reference.class_shares == {"cat": 1.0, "dog": 0.0}
    assert s.changes[0].metric in {"share[cat]", "share[dog]"}
    assert "->" in s.what_changed()[0]


def test_weighted_shares_and_quantiles() -> None:
    frame = pd.DataFrame(
        {
            "timestamp": times("2026-03-02", "2026-03-02", "2026-03-02"),
            "prediction": [1.0, 2.0, 3.0],
            "sampling_weight": [1.0, 1.0, 2.0],
        }
    )
    (w,) = summarize_predictions(frame, quantiles=(0.5,)).windows
    assert w.mean == pytest.approx(9 / 4)
    assert w.quantiles[0.5] == 2.0  # weighted ECDF reaches 0.5 at 2.0


def test_anomaly_share_per_window(rng: np.random.Generator) -> None:
    ref = pd.DataFrame({"x": rng.normal(size=2000), "prediction": rng.random(2000)})
    model = AnomalyDetector().fit(ref)
    frame = pd.DataFrame(
        {
            "timestamp": times("2026-03-02", "2026-03-02", "2026-03-03", "2026-03-03"),
            "x": [0.0, 0.1, 50.0, 0.0],
            "prediction": [0.5, 0.5, 0.5, 0.5],
        }
    )
    s = summarize_predictions(frame, anomalies=model)
    assert [w.anomaly_share for w in s.windows] == [0.0, 0.5]
    assert s.changes[0].metric == "anomaly_share"


def test_window_alignment_and_bad_input() -> None:
    ts = times("2026-03-04 05:00")
    assert str(window_starts(ts, timedelta(days=2))[0]) == "2026-03-04 00:00:00+00:00"
    with pytest.raises(ConfigError):
        window_starts(ts, "month")
    with pytest.raises(ConfigError):
        window_starts(ts, timedelta(0))
    naive = pd.DataFrame({"timestamp": pd.to_datetime(["2026-03-02"]), "prediction": [1.0]})
    with pytest.raises(DataError, match="column 'timestamp'"):
        summarize_predictions(naive)
    with pytest.raises(DataError, match="column 'timestamp'"):
        summarize_predictions(pd.DataFrame({"prediction": [1.0]}))
    gap = pd.DataFrame({"timestamp": times("2026-03-02", None), "prediction": [1.0, 2.0]})
    with pytest.raises(DataError, match="column 'timestamp', row 1: missing timestamp"):
        summarize_predictions(gap)
    bad = pd.DataFrame(
        {"timestamp": times("2026-03-02", "2026-03-03", "2026-03-03"), "prediction": [1, 2, None]}
    )
    with pytest.raises(DataError, match="column 'prediction', row 2"):
        summarize_predictions(bad)
    probs = pd.DataFrame(
        {
            "timestamp": times("2026-03-02", "2026-03-03"),
            "prediction.a": [0.5, 1.5],
            "prediction.b": [0.5, 0.0],
        }
    )
    with pytest.raises(DataError, match=r"column 'prediction\.a', row 1"):
        summarize_predictions(probs)
    probs["prediction.a"] = [0.5, 1.0]
    probs["sampling_weight"] = [1.0, -1.0]
    with pytest.raises(DataError, match="column 'sampling_weight', row 1"):
        summarize_predictions(probs)
