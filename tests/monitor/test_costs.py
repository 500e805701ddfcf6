"""The cost report: arithmetic checked by hand, and what the monitor measures into it."""

from __future__ import annotations

import pytest

from driftscope.errors import ConfigError
from driftscope.monitor import CostPrices, CostReport, LowConfidence, SamplingPolicy
from driftscope.monitor.costs import GIB


def test_cost_arithmetic_by_hand():
    prices = CostPrices(ingestion_per_gb=0.5, storage_per_gb_month=0.03, retention_months=3)
    report = CostReport.compute(
        model="m",
        total_predictions=1_000_000,
        logged_predictions=100_000,
        written_predictions=80_000,
        prediction_bytes=2 * GIB,
        label_bytes=GIB // 2,
        always_logged={"low_confidence": 5_000},
        monitoring_seconds=1.5,
        dropped_records=20_000,
        quality_events=7,
        prices=prices,
    )
    assert report.bytes_written == 2.5 * GIB
    assert report.ingestion_cost == pytest.approx(2.5 * 0.5)
    assert report.storage_cost == pytest.approx(2.5 * 0.03 * 3)
    assert report.total_cost == pytest.approx(1.25 + 0.225)
    assert report.cost_per_log == pytest.approx(1.475 / 100_000)
    assert report.skipped_predictions == 900_000
    assert report.actual_sampling_rate == 0.1
    # 2 GiB over 80,000 written records; 900,000 skipped ones at that size
    per_record_gib = 2 / 80_000
    assert report.sampling_savings == pytest.approx(per_record_gib * 900_000 * (0.5 + 0.09))
    text = str(report)
    for line in (
        "Total predictions: 1,000,000",
        "Logged predictions: 100,000",
        "Sampling rate: 10.0%",
        "Always logged: low_confidence 5,000",
        "Log ingestion cost: $1.25",
        "Total monitoring cost: $1.48",
        "Savings from sampling: $13.27",
        "Dropped records: 20,000",
    ):
        assert line in text


def test_empty_report_has_no_division_by_zero():
    report = CostReport.compute(
        model="m",
        total_predictions=0,
        logged_predictions=0,
        written_predictions=0,
        prediction_bytes=0,
        label_bytes=0,
        always_logged={},
        monitoring_seconds=0.0,
        dropped_records=0,
        quality_events=0,
        prices=CostPrices(),
    )
    assert report.actual_sampling_rate == 0 and report.cost_per_log == 0
    assert report.sampling_savings == 0


def test_prices_are_validated():
    with pytest.raises(ConfigError, match="ingestion_per_gb"):
        CostPrices(ingestion_per_gb=-1)
    with pytest.raises(ConfigError, match="retention_months"):
        CostPrices(retention_months=float("inf"))


def test_monitor_cost_report_uses_the_store_bytes_and_its_own_counts(make_monitor):
    prices = CostPrices(ingestion_per_gb=1.0, storage_per_gb_month=0.0)
    policy = SamplingPolicy(rate=0.5, always_log=[LowConfidence(below=0.1)], seed=2)
    monitor = make_monitor(sampling=policy, prices=prices)
    for i in range(400):
        monitor.log_prediction({"x": float(i)}, 0.05 if i % 10 == 0 else 0.7)
    monitor.flush()
    report = monitor.cost_report()
    stats = monitor._buffer.stats()
    assert report.bytes_written == stats["prediction_bytes"] > 0
    assert report.written_predictions == report.logged_predictions
    assert report.always_logged == {"low_confidence": 40}
    assert report.ingestion_cost == pytest.approx(report.bytes_written / GIB)
    per_record = stats["prediction_bytes"] / report.written_predictions
    assert report.sampling_savings == pytest.approx(per_record * report.skipped_predictions / GIB)
    assert report.monitoring_seconds > 0
    assert report.total_predictions == 400
