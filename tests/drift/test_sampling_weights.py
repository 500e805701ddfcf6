"""Drift checks on a monitor's unequal-probability sample stay unbiased (thinning)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
from scipy import stats

from driftscope.data.weights import equal_probability_sample
from driftscope.drift.detector import DriftDetector
from driftscope.drift.methods import KSTest


def _logged_sample(rng: np.random.Generator, n: int, rate: float = 0.1) -> pd.DataFrame:
    """What a monitor stores from a stationary stream: every score below 0.2 (the
    low-confidence rule) plus a ``rate`` sample of the rest, with Horvitz-Thompson weights."""
    score = rng.beta(2, 2, n)
    x = rng.normal(size=n)
    rule = score < 0.2
    kept = rule | (rng.random(n) < rate)
    weight = np.where(rule, 1.0, 1 / rate)
    ids = [f"id{i}" for i in range(n)]
    frame = pd.DataFrame({"prediction_id": ids, "x": x, "score": score, "sampling_weight": weight})
    return frame.loc[kept].reset_index(drop=True)


def test_thinning_restores_the_share_of_rule_hits(rng):
    logged = _logged_sample(rng, 200_000)
    thinned, note = equal_probability_sample(logged)
    true_share = stats.beta(2, 2).cdf(0.2)
    n = len(thinned)
    share = (thinned["score"] < 0.2).mean()
    assert (logged["score"] < 0.2).mean() > 2 * true_share  # the raw sample is biased
    assert abs(share - true_share) < 4 * np.sqrt(true_share * (1 - true_share) / n)
    assert "equal-probability" in note


def test_thinning_is_deterministic_and_keeps_frame_types(rng):
    logged = _logged_sample(rng, 5000)
    a, _ = equal_probability_sample(logged)
    b, _ = equal_probability_sample(logged.sample(frac=1.0, random_state=3))
    assert sorted(a["prediction_id"]) == sorted(b["prediction_id"])
    as_arrow, _ = equal_probability_sample(pa.Table.from_pandas(logged))
    as_polars, _ = equal_probability_sample(pl.from_pandas(logged))
    assert isinstance(as_arrow, pa.Table) and isinstance(as_polars, pl.DataFrame)
    assert as_arrow.num_rows == as_polars.height == len(a)


def test_equal_weights_are_left_alone(rng):
    frame = pd.DataFrame({"x": rng.normal(size=10), "sampling_weight": 10.0})
    same, note = equal_probability_sample(frame)
    assert same is frame and note is None


def test_prediction_drift_on_a_sampled_stream_keeps_its_false_alarm_rate():
    """Without thinning the always-logged low scores look like drift almost every time."""
    alarms = raw_alarms = 0
    seeds = 60
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        baseline = pd.DataFrame({"score": rng.beta(2, 2, 4000)})
        detector = DriftDetector(baseline, [KSTest(0.05)], prediction_column="score")
        logged = _logged_sample(rng, 20_000)
        result = detector.detect_prediction_drift(logged[["score", "sampling_weight"]])
        alarms += result.has_drift
        assert result.notes and "equal-probability" in result.notes[0]
        raw_alarms += detector.detect_prediction_drift(logged[["score"]]).has_drift
    # 60 seeds at alpha = 0.05: more than 9 alarms has probability < 1 % under the null
    assert alarms <= 9
    assert raw_alarms >= 55


def test_feature_drift_drops_the_weight_column_and_says_so(rng):
    baseline = pd.DataFrame({"x": rng.normal(size=3000)})
    detector = DriftDetector(baseline)
    result = detector.detect_feature_drift(_logged_sample(rng, 30_000))
    assert list(result.features) == ["x"]
    assert not result.has_drift
    assert result.to_dict()["notes"] == list(result.notes)


def test_the_rows_kept_depend_on_the_ids_alone_whatever_the_frame_holds_them_as():
    # pinned: re-running a check must keep the same rows, so the id hashing must not change
    ids = ["", "a", "é", "日本", "x" * 100, "p-17", "None"] * 30 + [f"id{i}" for i in range(400)]
    weights = np.tile([1.0, 3.0, 5.0], len(ids) // 3 + 1)[: len(ids)]
    frames = [
        pd.DataFrame({"prediction_id": ids, "sampling_weight": weights}),
        pd.DataFrame({"prediction_id": pd.array(ids, dtype="string"), "sampling_weight": weights}),
        pa.table({"prediction_id": ids, "sampling_weight": weights}),
    ]
    kept = [equal_probability_sample(f)[0] for f in frames]
    rows = [
        list(k["prediction_id"].to_pylist() if hasattr(k, "column_names") else k["prediction_id"])
        for k in kept
    ]
    assert rows[0] == rows[1] == rows[2]
    hashed = pd.util.hash_pandas_object(
        pd.Series(ids, dtype="string"), index=False, hash_key=f"{0:016d}"
    ).to_numpy()
    uniform = (hashed >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    assert rows[0] == [i for i, u, w in zip(ids, uniform, weights, strict=True) if u < w / 5.0]
