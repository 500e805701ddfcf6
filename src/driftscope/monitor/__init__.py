"""Logging predictions from serving code: :class:`ModelMonitor`, sampling and cost tracking.

>>> import tempfile
>>> from driftscope.monitor import ModelMonitor, SamplingPolicy, LowConfidence
>>> policy = SamplingPolicy(rate=0.1, always_log=[LowConfidence(below=0.5)], seed=7)
>>> with ModelMonitor("churn", store=tempfile.mkdtemp(), sampling=policy) as monitor:
...     for i in range(1000):
...         _ = monitor.log_prediction({"x": i}, {"label": 1, "confidence": 0.2 + (i % 2) * 0.7})
...     report = monitor.cost_report()
>>> report.total_predictions, report.always_logged["low_confidence"]
(1000, 500)
"""

from driftscope.monitor.costs import CostPrices, CostReport
from driftscope.monitor.monitor import ModelMonitor
from driftscope.monitor.rules import Flag, HighValue, LowConfidence, Predicate, Rule
from driftscope.monitor.sampling import SamplingPolicy
from driftscope.monitor.values import expand_value

__all__ = [
    "CostPrices",
    "CostReport",
    "Flag",
    "HighValue",
    "LowConfidence",
    "ModelMonitor",
    "Predicate",
    "Rule",
    "SamplingPolicy",
    "expand_value",
]
