"""What a check that needs a baseline does when none was saved.

``run_checks`` may run without a saved baseline (``CheckRun.reference`` is None). The checks
that need none still run (performance against ``alert_thresholds``, quality's completeness
and schema from the records, operational, business); the others (drift, predictions) refuse
in ``prepare(run)`` with :class:`NoBaseline`, and the runner stores one ``unknown`` point
per window for each of them, saying "no baseline saved" (one per check, not per feature),
and names them in the run's note.

>>> from datetime import timedelta
>>> from driftscope.health.context import CheckRun
>>> try:
...     require_baseline(CheckRun("churn", None, timedelta(days=1)), "drift")
... except NoBaseline as exc:
...     print(exc)
no baseline saved: the drift check compares each window with one
"""

from __future__ import annotations

from typing import Any

from driftscope.errors import DriftscopeError

NO_BASELINE = "no baseline saved"


class NoBaseline(DriftscopeError):
    """Raised by ``prepare(run)`` of a check that has nothing to measure without a baseline
    (the runner turns it into one ``unknown`` point per window).

    >>> str(NoBaseline("no baseline saved: the drift check compares each window with one"))
    'no baseline saved: the drift check compares each window with one'
    """


def require_baseline(run: Any, check: str) -> Any:
    """``run.reference``, or :class:`NoBaseline` naming ``check`` when there is none."""
    if run.reference is None:
        raise NoBaseline(f"{NO_BASELINE}: the {check} check compares each window with one")
    return run.reference
