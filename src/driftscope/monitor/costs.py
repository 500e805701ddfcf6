"""What monitoring costs: prices, and the cost report of a monitor.

Costs are estimated from the bytes the store says it wrote, priced like a cloud logging
service. The default :class:`CostPrices` are list prices of that kind (USD):
``ingestion_per_gb=0.50`` per GiB ingested and ``storage_per_gb_month=0.01`` per GiB kept a
month, for ``retention_months=1``. Set your own for your platform (object storage is nearer
0.023 per GiB-month and free to ingest).

Sampling savings estimate what logging the skipped predictions would have cost, at the bytes
per record measured on the records written so far.

>>> report = CostReport.compute(
...     model="churn", total_predictions=1000, logged_predictions=100, written_predictions=100,
...     prediction_bytes=GIB // 10, label_bytes=0, always_logged={"low_confidence": 20},
...     monitoring_seconds=0.25, dropped_records=0, quality_events=3, prices=CostPrices())
>>> round(report.ingestion_cost, 4), round(report.total_cost, 4), round(report.sampling_savings, 3)
(0.05, 0.051, 0.459)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from driftscope.errors import ConfigError

GIB = 1024**3


@dataclass(frozen=True)
class CostPrices:
    """Prices per GiB (2**30 bytes): ingested once, and stored per month of retention.

    >>> CostPrices(ingestion_per_gb=0.0, storage_per_gb_month=0.023).retention_months
    1.0
    """

    ingestion_per_gb: float = 0.50
    storage_per_gb_month: float = 0.01
    retention_months: float = 1.0

    def __post_init__(self) -> None:
        for name in ("ingestion_per_gb", "storage_per_gb_month", "retention_months"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise ConfigError(f"CostPrices.{name} must be a number >= 0, got {value!r}")
            object.__setattr__(self, name, float(value))

    def per_gib(self) -> float:
        """Everything one GiB costs: ingestion plus storage for the retention period."""
        return self.ingestion_per_gb + self.storage_per_gb_month * self.retention_months


@dataclass(frozen=True)
class CostReport:
    """A monitor's logging volume and its estimated cost (print it for a summary).

    ``total_predictions`` were seen, ``logged_predictions`` kept by sampling (of which
    ``always_logged`` by each rule) and ``skipped_predictions`` not; ``written_predictions``
    reached the store and ``dropped_records`` were lost (buffer full, store down too long).
    ``bytes_written`` is what the store reported for predictions and labels;
    ``monitoring_seconds`` the time spent in monitoring code (logging calls and the
    background writer), measured with ``perf_counter``. ``notification_cost`` is what an
    alert manager watching the monitor (``AlertManager.watch``) spends per month on
    notifications about the model (None when none watches it); it is a monthly figure, so
    it is shown apart from ``total_cost``, which is the cost of the bytes logged.

    >>> report = CostReport.compute(
    ...     model="m", total_predictions=10, logged_predictions=5, written_predictions=5,
    ...     prediction_bytes=500, label_bytes=0, always_logged={}, monitoring_seconds=0.01,
    ...     dropped_records=0, quality_events=0, prices=CostPrices())
    >>> report.skipped_predictions, report.actual_sampling_rate, str(report).splitlines()[3]
    (5, 0.5, 'Sampling rate: 50.0%')
    """

    model: str
    total_predictions: int
    logged_predictions: int
    skipped_predictions: int
    written_predictions: int
    actual_sampling_rate: float
    always_logged: Mapping[str, int]
    bytes_written: int
    ingestion_cost: float
    storage_cost: float
    total_cost: float
    cost_per_log: float
    sampling_savings: float
    monitoring_seconds: float
    dropped_records: int
    quality_events: int
    prices: CostPrices = field(default_factory=CostPrices)
    notification_cost: float | None = None

    @classmethod
    def compute(
        cls,
        *,
        model: str,
        total_predictions: int,
        logged_predictions: int,
        written_predictions: int,
        prediction_bytes: int,
        label_bytes: int,
        always_logged: Mapping[str, int],
        monitoring_seconds: float,
        dropped_records: int,
        quality_events: int,
        prices: CostPrices,
        notification_cost: float | None = None,
    ) -> CostReport:
        """The report from raw counts (the arithmetic is all here)."""
        written_bytes = prediction_bytes + label_bytes
        gib = written_bytes / GIB
        ingestion = gib * prices.ingestion_per_gb
        storage = gib * prices.storage_per_gb_month * prices.retention_months
        total = ingestion + storage
        skipped = total_predictions - logged_predictions
        per_record = prediction_bytes / written_predictions if written_predictions else 0.0
        savings = per_record * skipped / GIB * prices.per_gib()
        return cls(
            model=model,
            total_predictions=total_predictions,
            logged_predictions=logged_predictions,
            skipped_predictions=skipped,
            written_predictions=written_predictions,
            actual_sampling_rate=logged_predictions / total_predictions
            if total_predictions
            else 0.0,
            always_logged=dict(always_logged),
            bytes_written=written_bytes,
            ingestion_cost=ingestion,
            storage_cost=storage,
            total_cost=total,
            cost_per_log=total / logged_predictions if logged_predictions else 0.0,
            sampling_savings=savings,
            monitoring_seconds=monitoring_seconds,
            dropped_records=dropped_records,
            quality_events=quality_events,
            prices=prices,
            notification_cost=notification_cost,
        )

    def __str__(self) -> str:
        rules = ", ".join(f"{k} {v:,}" for k, v in self.always_logged.items()) or "none"
        return "\n".join(
            [
                f"Monitoring cost report: {self.model}",
                f"Total predictions: {self.total_predictions:,}",
                f"Logged predictions: {self.logged_predictions:,}",
                f"Sampling rate: {self.actual_sampling_rate:.1%}",
                f"Always logged: {rules}",
                f"Log storage cost: ${self.storage_cost:.2f}",
                f"Log ingestion cost: ${self.ingestion_cost:.2f}",
                f"Total monitoring cost: ${self.total_cost:.2f}",
                f"Cost per logged prediction: ${self.cost_per_log:.4f}",
                f"Savings from sampling: ${self.sampling_savings:.2f}",
                f"Bytes written: {self.bytes_written:,}",
                f"Monitoring time: {self.monitoring_seconds:.3f} s",
                f"Dropped records: {self.dropped_records:,}",
                f"Data-quality events: {self.quality_events:,}",
            ]
            + (
                []
                if self.notification_cost is None
                else [f"Alert notification cost: ${self.notification_cost:.2f}/month"]
            )
        )
