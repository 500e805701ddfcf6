from __future__ import annotations

import dataclasses

import pytest

from driftscope.errors import ConfigError
from driftscope.quality import QualityThresholds, Status, check_quality


def test_defaults_follow_the_seed_table():
    t = QualityThresholds()
    assert (t.completeness, t.invalid_rate, t.missing_feature_rate) == (0.99, 0.01, 0.001)


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        QualityThresholds().invalid_rate = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(
    "kw",
    [
        {"completeness": 1.5},
        {"invalid_rate": -0.1},
        {"invalid_rate": float("nan")},
        {"invalid_rate": "0.1"},
        {"invalid_rate": 0.1, "invalid_rate_critical": 0.05},
        {"completeness": 0.9, "completeness_critical": 0.95},
        {"correlation_change": 2.5},
        {"range_tolerance": -1},
        {"correlation_method": "kendall"},
        {"top_pairs": 0},
        {"min_correlation_rows": 2},
        {"top_unseen": True},
    ],
)
def test_bad_parameters(kw):
    with pytest.raises(ConfigError):
        QualityThresholds(**kw)


def test_status_directions():
    t = QualityThresholds()
    assert t.status("invalid_rate", 0.01) is Status.OK
    assert t.status("invalid_rate", 0.02) is Status.WARNING
    assert t.status("invalid_rate", 0.06) is Status.CRITICAL
    assert t.status("completeness", 0.995) is Status.OK
    assert t.status("completeness", 0.97) is Status.WARNING
    assert t.status("completeness", 0.9) is Status.CRITICAL
    with pytest.raises(ConfigError):
        t.status("nope", 0.0)


def test_custom_thresholds_change_status(reference):
    from tests.quality.helpers import logged, pick

    frame = logged({"age": [30.0, 1.0], "plan": ["a", "a"], "vip": [True, True]})
    t = QualityThresholds(out_of_range_rate=0.6, out_of_range_rate_critical=0.9)
    row = pick(
        check_quality(frame, reference, window=None, thresholds=t).to_frame(), "out_of_range", "age"
    )
    assert (row["value"], row["threshold"], row["status"]) == (0.5, 0.6, "ok")


def test_bad_arguments(reference):
    from driftscope.errors import DataError

    with pytest.raises(ConfigError):
        check_quality(None, reference, thresholds={"a": 1})  # type: ignore[arg-type]
    with pytest.raises(DataError):
        check_quality([1, 2], reference)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        check_quality(__import__("pandas").DataFrame({"timestamp": []}), object())
