"""A retraining job: what was asked, why, what became of it.

Every call of :meth:`AutoRetrainer.trigger_retraining
<driftscope.response.retrainer.AutoRetrainer.trigger_retraining>` gives one
:class:`RetrainJob`, stored whatever the outcome (a :class:`~driftscope.store.state.StateRecord`
of kind ``"retrain_job"``, keyed by the job's id), so the store answers "what did the
response do, and why" long after.

Statuses:

* ``pending_approval``: waits for a person (``require_approval=True``); then
  ``approved`` (waits for the process that holds the trigger to start it) or ``rejected``.
* ``started`` (the trigger accepted it; queued there), ``running``, ``succeeded``,
  ``failed`` (the trigger refused or the run failed; ``error`` says why): followed with
  ``refresh``.
* ``refused``: cooldown, daily limit, or another job awaiting approval (``refusal`` says
  which, with the times); nothing was started.
* ``dry_run``: nothing was started; ``note`` says what would have happened.
* ``not_started``: no trigger is configured; the job is recorded and nothing was started.

A job is also awaitable (``await retrainer.trigger_retraining(...)`` in async code gives the
same job as the plain call: the work is done when the call returns).

>>> from datetime import UTC, datetime
>>> job = RetrainJob("rt-1", "churn", "severe_drift_detected", "started",
...                  datetime(2026, 11, 1, tzinfo=UTC), drift_score=0.34, priority="high")
>>> job.active, RetrainJob.from_record(job.to_record()) == job
(True, True)
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from driftscope.alerts.durations import from_iso, iso
from driftscope.alerts.durations import utc_now as utc_now
from driftscope.errors import ConfigError
from driftscope.store.state import StateRecord, body_json

KIND = "retrain_job"

PENDING_APPROVAL = "pending_approval"
APPROVED = "approved"
REJECTED = "rejected"
STARTED = "started"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
REFUSED = "refused"
DRY_RUN = "dry_run"
NOT_STARTED = "not_started"
STATUSES = (
    PENDING_APPROVAL,
    APPROVED,
    REJECTED,
    STARTED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    REFUSED,
    DRY_RUN,
    NOT_STARTED,
)
#: Statuses of a job whose external run may still change (``refresh`` follows them).
ACTIVE = (STARTED, RUNNING)
#: How urgent a job is; passed on to the trigger (an Airflow conf, a workflow input).
PRIORITIES = ("low", "normal", "high", "critical")


def new_job_id(now: datetime) -> str:
    """A unique, time-ordered job id: ``rt-20261101-020000-3f2a9c``."""
    return f"rt-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class RetrainJob:
    """One retraining request and its outcome (see the module's text for the statuses).

    ``receipt`` is what the trigger reported when it started the run (an Airflow
    ``dag_run_id``, a GitHub run url, a process id and log file): plain JSON, never a
    secret. ``refusal`` says why a job was refused or rejected, ``error`` why it failed,
    ``note`` anything else worth knowing (dry run, no trigger). ``details`` holds what
    caused the request beyond a drift score (the metrics that degraded, the concept-drift
    events). ``version`` is the stored record's, for compare-and-set.

    >>> from datetime import UTC
    >>> job = RetrainJob("rt-1", "churn", "severe_drift_detected", "succeeded",
    ...                  datetime(2026, 11, 1, tzinfo=UTC), drifted_features=["age"])
    >>> job.launched, job.active, job.payload()["drifted_features"]
    (True, False, ['age'])
    """

    id: str
    model: str
    reason: str
    status: str
    created_at: datetime
    drift_score: float | None = None
    drifted_features: tuple[str, ...] = ()
    priority: str = "normal"
    trigger: str = ""
    receipt: dict[str, Any] | None = None
    refusal: str | None = None
    error: str | None = None
    note: str = ""
    decided_by: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)
    version: int = 0

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ConfigError(
                f"job status must be one of {', '.join(STATUSES)}, got {self.status!r}"
            )
        object.__setattr__(self, "drifted_features", tuple(self.drifted_features))

    def __await__(self) -> Generator[Any, None, RetrainJob]:
        """``await job`` is the job itself: the work was done by the call that made it."""
        return self
        yield  # pragma: no cover - makes this a generator

    @property
    def active(self) -> bool:
        """Whether the external run may still change (started or running)."""
        return self.status in ACTIVE

    @property
    def launched(self) -> bool:
        """Whether a run was started for this job (it counts towards the cooldown and the
        daily limit): started, running, succeeded, or failed after the trigger accepted it."""
        return self.status in (*ACTIVE, SUCCEEDED) or (
            self.status == FAILED and self.receipt is not None
        )

    def with_changes(self, **changes: Any) -> RetrainJob:
        """A copy of the job with ``changes`` applied (the job itself is frozen)."""
        return replace(self, **changes)

    def payload(self) -> dict[str, Any]:
        """What a trigger passes on to the training run: the request, not its bookkeeping."""
        return {
            "job_id": self.id,
            "model": self.model,
            "reason": self.reason,
            "drift_score": self.drift_score,
            "drifted_features": list(self.drifted_features),
            "priority": self.priority,
            "created_at": self.created_at.isoformat(),
            "details": self.details,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, times as ISO 8601 text."""
        return {
            "id": self.id,
            "model": self.model,
            "reason": self.reason,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "drift_score": self.drift_score,
            "drifted_features": list(self.drifted_features),
            "priority": self.priority,
            "trigger": self.trigger,
            "receipt": self.receipt,
            "refusal": self.refusal,
            "error": self.error,
            "note": self.note,
            "decided_by": self.decided_by,
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "details": self.details,
        }

    def to_record(self) -> StateRecord:
        """The job as a stored record (kind ``"retrain_job"``, keyed by its id)."""
        body = self.to_dict()
        body_json(body, f"retraining job {self.id}")  # plain JSON, or a ConfigError naming it
        return StateRecord(KIND, self.id, self.status, body, model=self.model, version=self.version)

    @classmethod
    def from_record(cls, record: StateRecord) -> RetrainJob:
        """The job a stored record holds (the inverse of :meth:`to_record`)."""
        body = record.body
        return cls(
            id=record.key,
            model=record.model,
            reason=body["reason"],
            status=record.state,
            created_at=datetime.fromisoformat(body["created_at"]),
            drift_score=body.get("drift_score"),
            drifted_features=tuple(body.get("drifted_features") or ()),
            priority=body.get("priority", "normal"),
            trigger=body.get("trigger", ""),
            receipt=body.get("receipt"),
            refusal=body.get("refusal"),
            error=body.get("error"),
            note=body.get("note", ""),
            decided_by=body.get("decided_by"),
            started_at=from_iso(body.get("started_at")),
            finished_at=from_iso(body.get("finished_at")),
            details=dict(body.get("details") or {}),
            version=record.version,
        )


def check_request(
    reason: Any,
    drift_score: Any,
    drifted_features: Any,
    priority: Any,
    details: Mapping[str, Any] | None,
) -> tuple[str, float | None, tuple[str, ...], str, dict[str, Any]]:
    """The arguments of ``trigger_retraining``, checked (a ConfigError names the one at
    fault) and normalised.

    >>> check_request("scheduled", None, ["age"], "normal", None)
    ('scheduled', None, ('age',), 'normal', {})
    >>> check_request("x", float("nan"), (), "normal", None)
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: drift_score must be a finite number or None, got nan
    """
    if not isinstance(reason, str) or not reason.strip():
        raise ConfigError(f"reason must be non-empty text, got {reason!r}")
    score: float | None = None
    if drift_score is not None:
        if isinstance(drift_score, bool) or not _is_number(drift_score):
            raise ConfigError(f"drift_score must be a finite number or None, got {drift_score!r}")
        score = float(drift_score)
        if not math.isfinite(score):
            raise ConfigError(f"drift_score must be a finite number or None, got {drift_score!r}")
    if isinstance(drifted_features, str) or not isinstance(drifted_features, Iterable):
        raise ConfigError(f"drifted_features must be a list of names, got {drifted_features!r}")
    features = tuple(str(name) for name in drifted_features)
    if priority not in PRIORITIES:
        raise ConfigError(f"priority must be one of {', '.join(PRIORITIES)}, got {priority!r}")
    extra = dict(details or {})
    body_json(extra, "trigger_retraining details")
    return reason.strip(), score, features, priority, extra


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, str)
