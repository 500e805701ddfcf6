"""Data-quality checks over logged predictions, window by window, against a fitted reference.

:class:`QualityChecker` is fitted once on the baseline and checks one frame;
:func:`check_quality` runs it window by window. The checks: completeness, missing
features, schema violations, type mismatches, values outside the reference range, unseen
categories, the invalid-input rate and (given the raw reference rows) changes in the
correlation between numeric features.
Thresholds are a :class:`QualityThresholds`; each result has a :class:`Status`.

>>> QualityThresholds().completeness
0.99
"""

from driftscope.quality.checker import QualityChecker
from driftscope.quality.config import QualityThresholds, Status
from driftscope.quality.results import QualityReport, QualityResult
from driftscope.quality.run import check_quality

__all__ = [
    "QualityChecker",
    "QualityReport",
    "QualityResult",
    "QualityThresholds",
    "Status",
    "check_quality",
]
