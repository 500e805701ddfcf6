"""The value of one realized metric, with the sample it came from and why it may be undefined.

>>> r = MetricResult("accuracy", 0.75, n=4, weight=4.0)
>>> r.defined, r.value
(True, 0.75)
>>> MetricResult.undefined("roc_auc", "labels hold one class only", n=3).reason
'labels hold one class only'
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class MetricResult:
    """One metric on one set of labelled rows.

    ``value`` is NaN only when the metric is undefined, and then ``reason`` says why (a
    window with one class for AUC, no labelled rows, ...). ``reason`` may also be set on a
    defined value when a documented convention was applied (scikit-learn's
    ``zero_division=0``, R² of constant labels). ``n`` counts the labelled rows used,
    ``n_dropped`` the rows dropped for a missing label, ``weight`` the sum of their
    sampling weights (the Horvitz-Thompson estimate of the population size).

    >>> MetricResult("precision", 0.0, n=5, weight=5.0, reason="zero_division=0").defined
    True
    >>> MetricResult.undefined("roc_auc", "no labelled rows", n_dropped=2).defined
    False
    """

    metric: str
    value: float
    n: int
    weight: float
    n_dropped: int = 0
    reason: str | None = None

    @property
    def defined(self) -> bool:
        return not math.isnan(self.value)

    @classmethod
    def undefined(
        cls, metric: str, reason: str, *, n: int = 0, weight: float = 0.0, n_dropped: int = 0
    ) -> MetricResult:
        return cls(metric, float("nan"), n, weight, n_dropped, reason)
