"""What every retraining trigger is: a way to start a training run somewhere else, and to
ask how it is doing.

``start(job)`` starts the run for a :class:`~driftscope.response.jobs.RetrainJob` and
returns a *receipt*: plain JSON saying where the run is (an Airflow ``dag_run_id``, a
GitHub run url, a process id and its log file), stored with the job; it never holds a
secret. It raises :class:`TriggerError` when the target refused or could not be reached.
``status(receipt)`` says how the run is doing, as one of :data:`RUN_STATUSES`, where the
target can tell (``"unknown"`` otherwise); ``progress(receipt)`` may add facts learnt on
the way (an exit code, the run found for a dispatch), merged into the stored receipt.

>>> class Noop(RetrainTrigger):
...     kind = "noop"
...     def start(self, job):
...         return {"run_id": job.id}
>>> Noop().progress({"run_id": "rt-1"})
{'status': 'unknown'}
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from driftscope.errors import DriftscopeError

if TYPE_CHECKING:
    from driftscope.response.jobs import RetrainJob

QUEUED, RUNNING, SUCCEEDED, FAILED, UNKNOWN = "queued", "running", "succeeded", "failed", "unknown"
#: What ``status(receipt)`` answers.
RUN_STATUSES = (QUEUED, RUNNING, SUCCEEDED, FAILED, UNKNOWN)


class TriggerError(DriftscopeError):
    """A trigger could not start a run, or could not ask about one; the message says what
    the target answered, never a secret. The retrainer stores the job as ``failed`` with it.

    >>> import tempfile
    >>> from driftscope.response import AutoRetrainer
    >>> class Down(RetrainTrigger):
    ...     kind = "ci"
    ...     def start(self, job):
    ...         raise TriggerError("ci.example.com answered 503 Service Unavailable")
    >>> with AutoRetrainer("churn", Down(), store=tempfile.mkdtemp()) as retrainer:
    ...     job = retrainer.trigger_retraining("scheduled")
    >>> job.status, job.error
    ('failed', 'TriggerError: ci.example.com answered 503 Service Unavailable')
    """


class RetrainTrigger(ABC):
    """Starts training runs for retraining jobs (see the module's text). ``kind`` names
    the trigger in stored jobs and the audit log (``"airflow"``, ``"shell"``, ...).

    >>> import tempfile
    >>> from driftscope.response import AutoRetrainer
    >>> class Local(RetrainTrigger):
    ...     kind = "local"
    ...     def start(self, job):
    ...         return {"run_id": job.id}
    ...     def status(self, receipt):
    ...         return "succeeded"
    >>> with AutoRetrainer("churn", Local(), store=tempfile.mkdtemp()) as retrainer:
    ...     job = retrainer.trigger_retraining("scheduled")
    ...     done = retrainer.refresh(job)
    >>> job.status, job.receipt == {"run_id": job.id}, done.status
    ('started', True, 'succeeded')
    """

    kind: ClassVar[str] = ""

    @abstractmethod
    def start(self, job: RetrainJob) -> dict[str, Any]:
        """Start the run; return its receipt (plain JSON, no secret)."""

    def status(self, receipt: dict[str, Any]) -> str:
        """One of :data:`RUN_STATUSES` for the run of ``receipt``; ``"unknown"`` when the
        target cannot tell."""
        return UNKNOWN

    def progress(self, receipt: dict[str, Any]) -> dict[str, Any]:
        """``{"status": ...}`` and any facts to add to the stored receipt."""
        return {"status": self.status(receipt)}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
