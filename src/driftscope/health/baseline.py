"""What a check that needs a baseline does when none was saved.

``run_checks`` may run without a saved baseline (``CheckRun.reference`` is None). The checks
that need none still run (performance against ``alert_thresholds``, quality's completeness
and schema from the records, operational, business); the others (drift, predictions) refuse
in ``prepare(run)`` with :class:`~driftscope.health.context.BaselineRequired`, and the runner
stores one ``unknown`` point per window for each of them, saying "no baseline saved" (one per
check, not per feature), and names them in the run's note.

>>> from datetime import timedelta
>>> from driftscope.health.context import CheckRun
>>> try:
...     require_baseline(CheckRun("churn", None, timedelta(days=1)), "drift")
... except BaselineRequired as exc:
...     print(exc)
the drift check compares each window with one
"""

from __future__ import annotations

from driftscope.drift.reference import Reference
from driftscope.health.context import BaselineRequired, CheckRun


def require_baseline(run: CheckRun, check: str) -> Reference:
    """``run.reference``, or :class:`BaselineRequired` naming ``check`` when there is none."""
    if run.reference is None:
        raise BaselineRequired(f"the {check} check compares each window with one")
    return run.reference
