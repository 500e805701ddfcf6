"""Data-quality checks over logged predictions, window by window, against a fitted reference.

:func:`check_quality` runs every check: completeness, missing features, schema violations,
type mismatches, values outside the reference range, unseen categories, the invalid-input
rate and (given the raw reference rows) changes in the correlation between numeric features.
Thresholds are a :class:`QualityThresholds`; each result has a :class:`Status`.

>>> QualityThresholds().completeness
0.99
"""

from driftscope.quality.config import QualityThresholds, Status
from driftscope.quality.results import QualityReport, QualityResult
from driftscope.quality.run import check_quality

__all__ = ["QualityReport", "QualityResult", "QualityThresholds", "Status", "check_quality"]
