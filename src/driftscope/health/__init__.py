"""Model health over time: checks per window, stored as a time series (work in progress:
drift and data quality now; performance and prediction analysis follow)."""

from driftscope.health.runner import run_checks
from driftscope.health.summary import HealthSummary
from driftscope.health.windows import due_windows, window_size

__all__ = ["HealthSummary", "due_windows", "run_checks", "window_size"]
