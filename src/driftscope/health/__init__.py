"""Model health over time: drift, data quality, performance, prediction analysis,
operational and business metrics per window, stored as a time series (see docs/health.md).

>>> from driftscope.health import BusinessMetric
>>> BusinessMetric(len, min=100).status(42.0)
'critical'
"""

from driftscope.core.windows import due_windows, window_size
from driftscope.health.business_check import BusinessMetric
from driftscope.health.runner import run_checks
from driftscope.health.source import MonitoredModel, StoredModel
from driftscope.health.summary import HealthSummary

__all__ = [
    "BusinessMetric",
    "HealthSummary",
    "MonitoredModel",
    "StoredModel",
    "due_windows",
    "run_checks",
    "window_size",
]
