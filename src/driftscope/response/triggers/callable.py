"""Start a retraining run with a Python function: your own code, sync or async.

``fn(job)`` gets the :class:`~driftscope.response.jobs.RetrainJob` and returns nothing
(started, nothing to follow), a receipt dict (plain JSON; its ``status``, when present, is
a run status such as ``"succeeded"`` for a function that trained the model itself), or a
run status as text. An exception means the run did not start (the job is ``failed`` with
the error). ``status_fn(receipt)``, when given, answers ``status`` later.

>>> from datetime import UTC, datetime
>>> from driftscope.response.jobs import RetrainJob
>>> job = RetrainJob("rt-1", "churn", "scheduled", "approved", datetime(2026, 11, 1, tzinfo=UTC))
>>> async def retrain(job):
...     return {"run_id": f"local-{job.id}", "status": "succeeded"}
>>> CallableTrigger(retrain).start(job)["run_id"]
'local-rt-1'
>>> CallableTrigger(lambda job: "running").start(job)["status"]
'running'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from driftscope.errors import ConfigError
from driftscope.response._sync import call, name_of
from driftscope.response.triggers.base import QUEUED, RUN_STATUSES, UNKNOWN, RetrainTrigger
from driftscope.store.state import body_json

if TYPE_CHECKING:
    from driftscope.response.jobs import RetrainJob


class CallableTrigger(RetrainTrigger):
    """Runs ``fn(job)`` (sync or async) to start a run (see the module's text);
    ``status_fn(receipt)`` says how the run is doing.

    >>> trigger = CallableTrigger(lambda job: {"run_id": "r-7"}, status_fn=lambda r: "running")
    >>> trigger.status({"system": "callable", "run_id": "r-7"})
    'running'
    >>> CallableTrigger("train.py")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: CallableTrigger needs a function, got 'train.py'
    """

    kind: ClassVar[str] = "callable"

    def __init__(
        self,
        fn: Callable[[RetrainJob], Any],
        *,
        status_fn: Callable[[dict[str, Any]], Any] | None = None,
    ):
        if not callable(fn):
            raise ConfigError(f"CallableTrigger needs a function, got {fn!r}")
        if status_fn is not None and not callable(status_fn):
            raise ConfigError(f"CallableTrigger status_fn must be a function, got {status_fn!r}")
        self.fn = fn
        self.status_fn = status_fn

    def __repr__(self) -> str:
        return f"CallableTrigger({name_of(self.fn)})"

    def start(self, job: RetrainJob) -> dict[str, Any]:
        result = call(self.fn, job)
        receipt: dict[str, Any] = {"system": "callable", "callable": name_of(self.fn)}
        if result is None:
            return {**receipt, "status": QUEUED}
        if isinstance(result, str):
            return {**receipt, "status": _status(result, "returned")}
        if isinstance(result, dict):
            body_json(result, f"the receipt returned by {name_of(self.fn)}")
            out = {**receipt, **result}
            out["status"] = _status(result["status"], "returned") if "status" in result else QUEUED
            return out
        raise ConfigError(
            f"{name_of(self.fn)} returned a {type(result).__name__}; a retraining callable "
            "returns None, a receipt dict or a run status"
        )

    def status(self, receipt: dict[str, Any]) -> str:
        if self.status_fn is not None:
            return _status(call(self.status_fn, receipt), "status_fn returned")
        return UNKNOWN


def _status(value: Any, what: str) -> str:
    if value not in RUN_STATUSES:
        raise ConfigError(f"{what} {value!r}; a run status is one of {', '.join(RUN_STATUSES)}")
    return str(value)
