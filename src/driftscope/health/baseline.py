"""What a check that needs a baseline stores when none was saved.

``run_checks`` may run without a saved baseline (``CheckRun.reference`` is None). The checks
that need none still run (performance against ``alert_thresholds``, quality's completeness
and schema from the records, operational, business); the others (drift, predictions) give
one ``unknown`` point per window, metric ``baseline``, with the reason, instead of one per
feature.

>>> from datetime import UTC, datetime, timedelta
>>> import numpy as np, pandas as pd
>>> from driftscope.drift.reference import Reference
>>> from driftscope.health.context import CheckWindow
>>> day = datetime(2026, 11, 2, tzinfo=UTC)
>>> ref = Reference.fit({"x": np.arange(5.0)})
>>> window = CheckWindow("churn", ref, day, day + timedelta(days=1))
>>> (point,) = without_baseline("drift")(pd.DataFrame({"x": [1.0]}), window)
>>> point.metric, point.value, point.status, point.details["reason"]
('baseline', None, 'unknown', 'no baseline saved')
"""

from __future__ import annotations

import pandas as pd

from driftscope.core.checks import CheckRecord, Explanation
from driftscope.health.context import CheckWindow, WindowCheck

NO_BASELINE = "no baseline saved"
METRIC = "baseline"


def without_baseline(check: str) -> WindowCheck:
    """The window check of ``check`` when there is no baseline: one ``unknown`` point."""

    def run(frame: pd.DataFrame, window: CheckWindow) -> list[CheckRecord | Explanation]:
        hint = "call monitor.save_reference(training_data) to compare with one"
        return [window.record(check, METRIC, None, None, "unknown", reason=NO_BASELINE, hint=hint)]

    return run  # type: ignore[return-value]
