"""What a health check is given: the run (once) and each window (per window).

A check module exposes ``prepare(run) -> check``: ``prepare`` does the per-run work (fit an
anomaly model, compute the baseline's metrics) and returns a function ``check(frame,
window)`` that turns one window's logged rows into stored points.

>>> from datetime import datetime, UTC
>>> import numpy as np
>>> from driftscope.drift.reference import Reference
>>> ref = Reference.fit({"x": np.arange(10.0)})
>>> w = CheckWindow("churn", ref, datetime(2026, 11, 1, tzinfo=UTC),
...                 datetime(2026, 11, 2, tzinfo=UTC))
>>> point = w.record("drift", "rows", None, None, "unknown", reason="no predictions")
>>> point.check, point.value, point.baseline_version == ref.version, point.details
('drift', None, True, {'reason': 'no predictions'})
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from driftscope.core.checks import CheckRecord, Explanation
from driftscope.core.records import METADATA_PREFIX, PREDICTION_PREFIX, RESERVED
from driftscope.drift.reference import Reference
from driftscope.errors import DriftscopeError

#: A user's business metric: the window's rows in, one number out (see ``run_checks``;
#: ``business_check.BusinessMetric`` wraps one with bounds).
BusinessFunction = Callable[[pd.DataFrame], Any]


@dataclass(frozen=True)
class CheckRun:
    """Settings shared by every window of one ``run_checks`` call. ``reference`` is the
    model's baseline, or ``None`` when none was saved: a check's ``prepare`` then either
    runs what needs no baseline or raises :class:`BaselineRequired`.

    >>> from datetime import timedelta
    >>> import numpy as np
    >>> from driftscope.drift.reference import Reference
    >>> run = CheckRun("churn", Reference.fit({"x": np.arange(5.0)}), timedelta(days=1),
    ...                thresholds={"accuracy": 0.85}, metrics=("accuracy", "auc"))
    >>> run.window.days, run.metrics, dict(run.options)
    (1, ('accuracy', 'auc'), {})
    """

    model: str
    reference: Reference | None
    window: timedelta
    thresholds: Mapping[str, float] = field(default_factory=dict)
    metrics: Sequence[str] = ("accuracy",)
    business_metrics: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckWindow:
    """One window ``[start, end)`` of a run, and how to make its stored points (tagged
    with the baseline's version, ``None`` when the run has no baseline).

    >>> from datetime import datetime, UTC
    >>> import numpy as np
    >>> from driftscope.drift.reference import Reference
    >>> w = CheckWindow("churn", Reference.fit({"x": np.arange(5.0)}),
    ...                 datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))
    >>> w.record("performance", "accuracy", 0.91, 0.85, "ok", n=np.int64(400)).details
    {'n': 400}
    >>> CheckWindow("churn", None, w.start, w.end).record(
    ...     "operational", "throughput_per_s", 2.5, None, "ok").baseline_version is None
    True
    """

    model: str
    reference: Reference | None
    start: datetime
    end: datetime

    def record(
        self,
        check: str,
        metric: str,
        value: float | None,
        threshold: float | None,
        status: str,
        **details: Any,
    ) -> CheckRecord:
        """A point of ``check`` for this window, tagged with the baseline's version; details
        are made JSON-ready (numpy scalars to numbers, NaN to None). ``value`` is ``None``
        (or NaN) when the metric could not be computed: stored as missing, never as 0."""
        return CheckRecord(
            self.model,
            check,
            self.start,
            self.end,
            metric,
            None if value is None else float(value),
            None if threshold is None else float(threshold),
            status,
            baseline_version=None if self.reference is None else self.reference.version,
            details={k: plain(v) for k, v in details.items()},
        )


#: A prepared check: one window's rows in, its points out, with any explanations of what
#: changed (the runner stores the points and hands the explanations to the summary).
WindowCheck = Callable[[pd.DataFrame, CheckWindow], Sequence[CheckRecord | Explanation]]


class BaselineRequired(DriftscopeError):
    """Raised by a check's ``prepare(run)`` when ``run.reference`` is ``None`` and the check
    has nothing to measure without a baseline; the runner then stores one ``unknown`` point
    per window for it, saying so.

    >>> str(BaselineRequired("drift compares each window with the baseline"))
    'drift compares each window with the baseline'
    """


def is_feature(name: str) -> bool:
    """Whether a logged (or baseline) column is a model input rather than the prediction,
    the label or bookkeeping.

    >>> [is_feature(n) for n in ("age", "label", "prediction.yes", "metadata.latency_ms")]
    [True, False, False, False]
    """
    return name not in RESERVED and not name.startswith((PREDICTION_PREFIX, METADATA_PREFIX))


#: Set by ``@track_predictions`` on the record of a call that raised (the exception's type).
ERROR_COLUMN = METADATA_PREFIX + "error"


def successful(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of calls that returned a prediction: ``frame`` without the records that
    ``@track_predictions`` logged for calls that raised (non-null ``metadata.error``; their
    prediction is null). Checks of predictions, labels or inputs call this first; only the
    operational check counts the failed calls. Returns ``frame`` itself when nothing failed.

    >>> frame = pd.DataFrame({"prediction": [0.2, None], "metadata.error": [None, "KeyError"]})
    >>> ok = frame.iloc[:1]
    >>> successful(frame)["prediction"].tolist(), successful(ok) is ok
    ([0.2], True)
    """
    if ERROR_COLUMN not in frame.columns:
        return frame
    failed = frame[ERROR_COLUMN].notna()
    return frame.loc[~failed] if failed.any() else frame


def features_only(reference: Reference) -> Reference:
    """``reference`` without the prediction, label and bookkeeping columns (itself when it
    has none), for the checks that judge model inputs.

    >>> import numpy as np
    >>> ref = Reference.fit({"age": np.arange(9.0), "label": np.arange(9) % 2})
    >>> list(features_only(ref).columns), features_only(ref).row_sample is not None
    (['age'], True)
    """
    if all(is_feature(name) for name in reference.columns):
        return reference
    return reference.subset([n for n in reference.columns if is_feature(n)])


def plain(value: Any) -> Any:
    """JSON-ready: tuples to lists, numpy scalars to Python numbers, NaN to None.

    >>> import numpy as np
    >>> plain((np.float64(1.5), float("nan"), {"a": np.int64(2)}))
    [1.5, None, {'a': 2}]
    """
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
