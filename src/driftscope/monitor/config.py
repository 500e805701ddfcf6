"""The settings of a :class:`~driftscope.monitor.ModelMonitor`, checked once at construction.

``metrics`` and the keys of ``alert_thresholds`` are names the later checks know:
:data:`KNOWN_METRICS` (performance once labels arrive) and :data:`KNOWN_SCORES` (drift,
quality and operational scores). A misspelt name is a :class:`~driftscope.errors.ConfigError`
listing them, rather than a check that silently never fires.

>>> cfg = MonitorConfig("churn", metrics=("accuracy", "auc"), alert_thresholds={"auc": 0.9})
>>> cfg.to_dict()["alert_thresholds"]
{'auc': 0.9}
>>> MonitorConfig("churn", metrics=("acuracy",))
Traceback (most recent call last):
...
driftscope.errors.ConfigError: ModelMonitor.metrics: unknown metric 'acuracy'; known: ...
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from driftscope.errors import ConfigError
from driftscope.monitor.costs import CostPrices
from driftscope.monitor.sampling import SamplingPolicy

#: What ``driftscope.performance`` computes (aliases included; a test keeps them in step).
KNOWN_METRICS = (
    "accuracy", "auc", "precision", "recall", "f1", "roc_auc", "pr_auc", "average_precision",
    "log_loss", "brier", "brier_score", "mae", "rmse", "mape", "r2",
)  # fmt: skip
KNOWN_SCORES = (
    "data_drift_score", "prediction_drift_score", "error_rate", "latency_p50_ms",
    "latency_p95_ms", "latency_p99_ms",
    # data quality (warning levels of driftscope.quality.QualityThresholds)
    "completeness", "invalid_rate", "missing_feature_rate", "out_of_range_rate",
    "type_mismatch_rate", "unseen_category_rate", "correlation_change",
)  # fmt: skip


def _number(value: Any, name: str, *, low: float, inclusive: bool = False) -> float:
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and (value >= low if inclusive else value > low)
    )
    if not ok:
        sign = ">=" if inclusive else ">"
        raise ConfigError(f"ModelMonitor.{name} must be a number {sign} {low:g}, got {value!r}")
    return float(value)


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"ModelMonitor.{name} must be an int >= 1, got {value!r}")
    return value


def _known(name: Any, owner: str, allowed: Sequence[str], what: str) -> str:
    if not isinstance(name, str) or name not in allowed:
        shown = ", ".join(allowed[:2]) + ", ..."
        raise ConfigError(f"{owner}: unknown {what} {name!r}; known: {shown}")
    return name


@dataclass(frozen=True)
class MonitorConfig:
    """Everything a monitor is configured with (validated; serialisable with
    :meth:`to_dict`, except custom sampling rules).

    >>> MonitorConfig("churn", max_buffered=0)
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: ModelMonitor.max_buffered must be an int >= 1, got 0
    """

    model_name: str
    metrics: tuple[str, ...] = ("accuracy",)
    alert_thresholds: Mapping[str, float] = field(default_factory=dict)
    model_version: str | None = None
    sampling: SamplingPolicy = field(default_factory=SamplingPolicy)
    feature_names: tuple[str, ...] | None = None
    strict: bool = False
    flush_interval: float = 1.0
    batch_size: int = 10_000
    max_buffered: int = 200_000
    max_retry_seconds: float = 60.0
    max_value_bytes: int = 64 * 1024
    prices: CostPrices = field(default_factory=CostPrices)
    retention: timedelta | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.model_name, str) or not self.model_name.strip():
            raise ConfigError(
                f"ModelMonitor.model_name must be a non-empty string, got {self.model_name!r}"
            )
        metrics = (self.metrics,) if isinstance(self.metrics, str) else self.metrics
        try:
            metrics = tuple(metrics)
        except TypeError:
            raise ConfigError(
                f"ModelMonitor.metrics must be a list of names, got {self.metrics!r}"
            ) from None
        for m in metrics:
            _known(m, "ModelMonitor.metrics", KNOWN_METRICS, "metric")
        if len(set(metrics)) != len(metrics):
            raise ConfigError(f"ModelMonitor.metrics has a name twice: {list(metrics)}")
        object.__setattr__(self, "metrics", metrics)
        thresholds = self.alert_thresholds if self.alert_thresholds is not None else {}
        if not isinstance(thresholds, Mapping):
            raise ConfigError(
                f"ModelMonitor.alert_thresholds must be a mapping, got {type(thresholds).__name__}"
            )
        checked = {}
        for key, value in thresholds.items():
            _known(key, "ModelMonitor.alert_thresholds", KNOWN_METRICS + KNOWN_SCORES, "name")
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                raise ConfigError(
                    f"ModelMonitor.alert_thresholds[{key!r}] must be a finite number, got {value!r}"
                )
            checked[key] = float(value)
        object.__setattr__(self, "alert_thresholds", checked)
        if self.model_version is not None and not isinstance(self.model_version, str):
            raise ConfigError(
                f"ModelMonitor.model_version must be a string or None, got {self.model_version!r}"
            )
        if self.sampling is None:
            object.__setattr__(self, "sampling", SamplingPolicy())
        elif not isinstance(self.sampling, SamplingPolicy):
            raise ConfigError(
                f"ModelMonitor.sampling must be a SamplingPolicy, got {self.sampling!r}"
            )
        if self.feature_names is not None:
            if isinstance(self.feature_names, str):
                raise ConfigError(
                    "ModelMonitor.feature_names must be a list of names, not a string"
                )
            names = tuple(self.feature_names)
            if not names or not all(isinstance(n, str) and n for n in names):
                raise ConfigError(
                    f"ModelMonitor.feature_names must be non-empty strings, got {list(names)}"
                )
            if len(set(names)) != len(names):
                raise ConfigError(f"ModelMonitor.feature_names has a name twice: {list(names)}")
            object.__setattr__(self, "feature_names", names)
        if not isinstance(self.strict, bool):
            raise ConfigError(f"ModelMonitor.strict must be True or False, got {self.strict!r}")
        object.__setattr__(
            self, "flush_interval", _number(self.flush_interval, "flush_interval", low=0)
        )
        _count(self.batch_size, "batch_size")
        _count(self.max_buffered, "max_buffered")
        object.__setattr__(
            self,
            "max_retry_seconds",
            _number(self.max_retry_seconds, "max_retry_seconds", low=0, inclusive=True),
        )
        if _count(self.max_value_bytes, "max_value_bytes") < 256:
            raise ConfigError(
                f"ModelMonitor.max_value_bytes must be at least 256, got {self.max_value_bytes}"
            )
        if self.prices is None:
            object.__setattr__(self, "prices", CostPrices())
        elif not isinstance(self.prices, CostPrices):
            raise ConfigError(f"ModelMonitor.prices must be CostPrices, got {self.prices!r}")
        retention = self.retention
        if isinstance(retention, int | float) and not isinstance(retention, bool):
            retention = timedelta(days=retention)
            object.__setattr__(self, "retention", retention)
        if retention is not None and (
            not isinstance(retention, timedelta) or retention <= timedelta(0)
        ):
            raise ConfigError(
                f"ModelMonitor.retention must be a positive timedelta or number of days, "
                f"got {self.retention!r}"
            )

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-ready values (rules by name)."""
        policy = self.sampling
        return {
            "model_name": self.model_name,
            "metrics": list(self.metrics),
            "alert_thresholds": dict(self.alert_thresholds),
            "model_version": self.model_version,
            "sampling": {
                "rate": policy.rate,
                "always_log": [rule.name for rule in policy.rules],
                "key": policy.key,
                "seed": policy.seed,
            },
            "feature_names": None if self.feature_names is None else list(self.feature_names),
            "strict": self.strict,
            "flush_interval": self.flush_interval,
            "batch_size": self.batch_size,
            "max_buffered": self.max_buffered,
            "max_retry_seconds": self.max_retry_seconds,
            "max_value_bytes": self.max_value_bytes,
            "prices": {
                "ingestion_per_gb": self.prices.ingestion_per_gb,
                "storage_per_gb_month": self.prices.storage_per_gb_month,
                "retention_months": self.prices.retention_months,
            },
            "retention_days": None
            if self.retention is None
            else self.retention.total_seconds() / 86_400,
        }
