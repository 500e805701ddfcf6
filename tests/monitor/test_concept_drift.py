"""monitor.concept_drift: error-rate detectors on the joined late labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from driftscope.errors import ConfigError
from driftscope.monitor import LowConfidence, ModelMonitor, SamplingPolicy
from driftscope.stream import DDM, HDDM_A
from tests.monitor.conftest import real_store


def _log_period(monitor, rng, n, error_rate, start, *, confidence_errs=False):
    ids, labels = [], []
    for i in range(n):
        label = int(rng.integers(0, 2))
        wrong = rng.random() < error_rate
        confidence = rng.uniform(0.5, 1.0)
        if confidence_errs and confidence < 0.6:  # the uncertain ones err half the time
            wrong = rng.random() < 0.5
        pred = {"label": 1 - label if wrong else label, "confidence": confidence}
        ids.append(
            monitor.log_prediction({"x": float(i)}, pred, timestamp=start + timedelta(minutes=i))
        )
        labels.append(label)
    monitor.log_ground_truths(ids, labels)


def test_a_rising_error_rate_is_found_in_the_joined_labels(tmp_path, rng):
    start = datetime.now(UTC) - timedelta(days=5)
    with ModelMonitor("churn", store=real_store(tmp_path)) as monitor:
        _log_period(monitor, rng, 3000, 0.1, start)
        _log_period(monitor, rng, 3000, 0.3, start + timedelta(minutes=3000))
        report = monitor.concept_drift(prediction_column="prediction.label")
        assert report.has_drift and report.labelled == 6000
        first = report.events[0]
        assert 3000 <= first.position < 3500
        assert first.timestamp >= pd.Timestamp(start + timedelta(minutes=3000))
        calm = monitor.concept_drift(
            DDM(), prediction_column="prediction.label", until=start + timedelta(minutes=3000)
        )
        assert calm.labelled == 3000
        with pytest.raises(ConfigError, match=r"prediction\.label"):
            monitor.concept_drift(prediction_column="score")


def test_sampling_rules_do_not_fake_a_higher_error_rate(tmp_path, rng):
    policy = SamplingPolicy(rate=0.1, always_log=[LowConfidence(below=0.6)], seed=3)
    start = datetime.now(UTC) - timedelta(days=3)
    with ModelMonitor("churn", store=real_store(tmp_path), sampling=policy) as monitor:
        _log_period(monitor, rng, 20_000, 0.1, start, confidence_errs=True)
        report = monitor.concept_drift(HDDM_A(), prediction_column="prediction.label")
    # true error rate: 80 % of rows err 10 %, 20 % (confidence < 0.6) err 50 %
    true_rate = 0.8 * 0.1 + 0.2 * 0.5
    se = np.sqrt(true_rate * (1 - true_rate) / report.labelled)
    assert abs(report.error_rate - true_rate) < 4 * se
    assert report.notes
