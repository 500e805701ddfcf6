"""Retraining on request, within limits, on the record.

:class:`AutoRetrainer` turns a request (``trigger_retraining(reason, drift_score, ...)``)
into a :class:`~driftscope.response.jobs.RetrainJob`, stored whatever happens, and every
decision into the audit log:

1. a dry run (``dry_run=True``) starts nothing: the job says whether a run would have
   started or been refused, and why (``retrain.dry_run``);
2. a request while another job of the model awaits approval, or inside the cooldown, or
   over the daily maximum, is ``refused`` with the reason and the time it would be
   allowed (``retrain.refused``);
3. with ``require_approval=True`` it waits for a person (``retrain.awaiting_approval``):
   :meth:`~AutoRetrainer.approve` starts it (``retrain.approved``, then as below), and
   :meth:`~AutoRetrainer.reject` closes it (``retrain.rejected``); the command line
   (``driftscope retrain approve MODEL JOB``) approves from anywhere, and the next
   :meth:`~AutoRetrainer.launch_approved` of the process holding the trigger starts it;
4. the trigger starts the run (``retrain.triggered``, with its receipt) or fails
   (``retrain.failed``, with the error; it does not count towards the limits).

Without a trigger, nothing can start: the job is stored as ``not_started`` with a note
saying so and audited (``retrain.not_started``), so a quick start runs with no setup and
never pretends that a run began.

Cooldown and daily limit are counted from the stored jobs, and a run is claimed by
compare-and-set on the model's gate record before it starts (:mod:`driftscope.response.limits`),
so several processes sharing one store agree, and of two simultaneous requests one starts.

>>> import tempfile
>>> from driftscope.response.triggers import CallableTrigger
>>> retrainer = AutoRetrainer("churn", CallableTrigger(lambda job: None),
...                           store=tempfile.mkdtemp())
>>> first = retrainer.trigger_retraining("severe_drift_detected", drift_score=0.34,
...                                      drifted_features=["age"], priority="high")
>>> again = retrainer.trigger_retraining("severe_drift_detected", drift_score=0.35)
>>> first.status, again.status, again.refusal[:9]
('started', 'refused', 'cooldown:')
>>> retrainer.close()
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from driftscope.alerts.durations import Clock, checked_now
from driftscope.errors import ConfigError
from driftscope.response import job_store, limits
from driftscope.response.jobs import (
    APPROVED,
    DRY_RUN,
    FAILED,
    NOT_STARTED,
    PENDING_APPROVAL,
    REFUSED,
    RUNNING,
    STARTED,
    SUCCEEDED,
    RetrainJob,
    check_request,
    new_job_id,
    utc_now,
)
from driftscope.response.limits import RetrainLimits
from driftscope.response.triggers.base import (
    FAILED as RUN_FAILED,
)
from driftscope.response.triggers.base import (
    RUNNING as RUN_RUNNING,
)
from driftscope.response.triggers.base import (
    SUCCEEDED as RUN_SUCCEEDED,
)
from driftscope.response.triggers.base import RetrainTrigger
from driftscope.store import Store, open_store

log = logging.getLogger(__name__)

#: The note of a job recorded without a trigger.
NO_TRIGGER = (
    "no retraining trigger configured: job recorded, nothing started (give AutoRetrainer a "
    "trigger, e.g. AirflowTrigger, GitHubWorkflowTrigger, WebhookTrigger, ShellTrigger or "
    "CallableTrigger)"
)
#: A run status reported by a trigger, as the status of its job.
JOB_STATUS = {RUN_RUNNING: RUNNING, RUN_SUCCEEDED: SUCCEEDED, RUN_FAILED: FAILED}


class AutoRetrainer:
    """Starts retraining runs of ``model_name`` through ``trigger`` (see the module's text).

    ``store``: a :class:`~driftscope.store.Store` or its location (default
    ``$DRIFTSCOPE_HOME``); ``cooldown``: the least time between two runs' starts;
    ``max_runs_per_day``: the most runs started in any 24 hours (``None``: no limit);
    ``clock``: a function returning the current UTC time (for tests and replays).

    >>> import tempfile
    >>> from datetime import UTC
    >>> from driftscope.response.triggers import CallableTrigger
    >>> noon = datetime(2026, 11, 2, 12, tzinfo=UTC)
    >>> retrainer = AutoRetrainer("churn", CallableTrigger(lambda job: None), clock=lambda: noon,
    ...                           require_approval=True, store=tempfile.mkdtemp())
    >>> asked = retrainer.trigger_retraining("severe_drift_detected", drift_score=0.34)
    >>> approved = retrainer.approve(asked.id, by="ana")
    >>> asked.status, approved.status, approved.decided_by, approved.started_at == noon
    ('pending_approval', 'started', 'ana', True)
    >>> retrainer.close()
    """

    def __init__(
        self,
        model_name: str,
        trigger: RetrainTrigger | None = None,
        *,
        store: Store | str | os.PathLike[str] | None = None,
        cooldown: timedelta = timedelta(hours=24),
        max_runs_per_day: int | None = 2,
        dry_run: bool = False,
        require_approval: bool = False,
        clock: Clock | None = None,
    ):
        if not isinstance(model_name, str) or not model_name:
            raise ConfigError(f"model_name must be non-empty text, got {model_name!r}")
        if trigger is not None and not isinstance(trigger, RetrainTrigger):
            raise ConfigError(
                f"trigger must be a RetrainTrigger (AirflowTrigger, ShellTrigger, ...), "
                f"got {trigger!r}; wrap a function in CallableTrigger(fn)"
            )
        self.model_name = model_name
        self.trigger = trigger
        self.limits = RetrainLimits(cooldown, max_runs_per_day)
        self.dry_run = bool(dry_run)
        self.require_approval = bool(require_approval)
        self.clock: Clock = clock or utc_now
        self._owns_store = not isinstance(store, Store)
        self.store = open_store(store)

    def __repr__(self) -> str:
        return (
            f"AutoRetrainer({self.model_name!r}, {self.trigger!r}, cooldown={self.cooldown!r}, "
            f"max_runs_per_day={self.max_runs_per_day!r}, dry_run={self.dry_run}, "
            f"require_approval={self.require_approval})"
        )

    @property
    def cooldown(self) -> timedelta:
        """The least time between two runs' starts."""
        return self.limits.cooldown

    @property
    def max_runs_per_day(self) -> int | None:
        """The most runs started in any 24 hours (``None``: no limit)."""
        return self.limits.max_runs_per_day

    def _now(self) -> datetime:
        return checked_now(self.clock)

    # ------------------------------------------------------------------ requests
    def trigger_retraining(
        self,
        reason: str,
        drift_score: float | None = None,
        drifted_features: Iterable[str] = (),
        priority: str = "normal",
        *,
        details: Mapping[str, Any] | None = None,
    ) -> RetrainJob:
        """Ask for a retraining run and return its job (also awaitable), stored; see the
        module's text for what can happen. ``details``: what caused the request beyond a
        drift score (plain JSON; passed on to the run)."""
        reason, score, features, priority, extra = check_request(
            reason, drift_score, drifted_features, priority, details
        )
        now = self._now()
        job = RetrainJob(
            id=new_job_id(now),
            model=self.model_name,
            reason=reason,
            status=PENDING_APPROVAL,
            created_at=now,
            drift_score=score,
            drifted_features=features,
            priority=priority,
            trigger=self.trigger.kind if self.trigger is not None else "",
            details=extra,
        )
        if self.dry_run:
            return self._dry_run(job, now)
        waiting = job_store.jobs(self.store, self.model_name, statuses=[PENDING_APPROVAL])
        if waiting:
            refusal = limits.Refusal(
                "awaiting_approval",
                f"job {waiting[-1].id} of this model awaits approval; decide on it first "
                f"(driftscope retrain approve|reject {self.model_name} {waiting[-1].id})",
            )
            return self._refuse(job, refusal, now)
        if self.require_approval:
            # Refused now rather than after a person approved it; without approval the
            # claim in _launch applies the same limits (and refuses the same way).
            if self.trigger is not None:
                refused = limits.check(self.store, self.model_name, self.limits, now)
                if refused is not None:
                    return self._refuse(job, refused, now)
            stored = job_store.save(self.store, job, new=True)
            job_store.audit(
                self.store,
                "retrain.awaiting_approval",
                stored,
                f"{reason}: waiting for approval (driftscope retrain approve "
                f"{self.model_name} {job.id})",
                at=now,
            )
            return stored
        return self._launch(job.with_changes(status=APPROVED), now, new=True)

    def _dry_run(self, job: RetrainJob, now: datetime) -> RetrainJob:
        if self.trigger is None:
            note = f"dry run: would record the job; {NO_TRIGGER}"
        else:
            refused = limits.check(self.store, self.model_name, self.limits, now)
            approval = " after approval" if self.require_approval else ""
            note = (
                f"dry run: would start a run through the {self.trigger.kind} trigger{approval}"
                if refused is None
                else f"dry run: would be refused ({refused.text})"
            )
        stored = job_store.save(self.store, job.with_changes(status=DRY_RUN, note=note), new=True)
        job_store.audit(self.store, "retrain.dry_run", stored, note, at=now)
        return stored

    def _refuse(self, job: RetrainJob, refusal: limits.Refusal, now: datetime) -> RetrainJob:
        refused = job.with_changes(status=REFUSED, refusal=refusal.text)
        stored = job_store.save(self.store, refused, new=refused.version == 0)
        job_store.audit(
            self.store,
            "retrain.refused",
            stored,
            refusal.text,
            at=now,
            rule=refusal.rule,
            retry_at=None if refusal.retry_at is None else refusal.retry_at.isoformat(),
        )
        return stored

    def _launch(self, job: RetrainJob, now: datetime, *, new: bool) -> RetrainJob:
        """Start an approved job's run: claim it on the gate, call the trigger, store and
        audit the outcome."""
        if self.trigger is None:
            recorded = job.with_changes(status=NOT_STARTED, note=NO_TRIGGER)
            stored = job_store.save(self.store, recorded, new=new)
            job_store.audit(self.store, "retrain.not_started", stored, NO_TRIGGER, at=now)
            return stored
        refused = limits.claim(self.store, self.model_name, job.id, self.limits, now)
        if refused is not None:
            if refused.rule == "claimed":  # another process is starting this very job
                return job
            return self._refuse(job, refused, now)
        try:
            receipt = self.trigger.start(job)
        except Exception as exc:  # any failure of the target (or of the user's function)
            error = f"{type(exc).__name__}: {exc}"
            log.warning(
                "retraining of %r: the %s trigger failed: %s", job.model, job.trigger, error
            )
            failed = job.with_changes(status=FAILED, error=error, finished_at=now)
            stored = job_store.save(self.store, failed, new=new)
            job_store.audit(self.store, "retrain.failed", stored, error, at=now)
            return stored
        status = JOB_STATUS.get(str(receipt.get("status")), STARTED)
        started = job.with_changes(
            status=status,
            receipt=receipt,
            started_at=now,
            finished_at=now if status in (SUCCEEDED, FAILED) else None,
        )
        stored = job_store.save(self.store, started, new=new)
        job_store.audit(
            self.store,
            "retrain.triggered",
            stored,
            f"{job.reason}: run started through the {job.trigger} trigger",
            at=now,
            receipt=receipt,
        )
        return stored

    # ------------------------------------------------------------------ approvals
    def approve(self, job_id: str, by: str) -> RetrainJob:
        """Approve a pending job and start its run (within the cooldown and daily limit
        at this moment: otherwise it is refused, saying why)."""
        now = self._now()
        approved = job_store.decide(
            self.store, self.model_name, job_id, approve=True, by=by, now=now
        )
        return self._launch(approved, now, new=False)

    def reject(self, job_id: str, by: str, reason: str = "") -> RetrainJob:
        """Reject a pending job; nothing starts."""
        return job_store.decide(
            self.store,
            self.model_name,
            job_id,
            approve=False,
            by=by,
            reason=reason,
            now=self._now(),
        )

    def launch_approved(self) -> list[RetrainJob]:
        """Start the runs of the jobs approved elsewhere (from the command line) and not yet
        started; run it where the trigger lives (a scheduled job, a service)."""
        now = self._now()
        return [
            self._launch(job, now, new=False)
            for job in job_store.jobs(self.store, self.model_name, statuses=[APPROVED])
        ]

    # ------------------------------------------------------------------ reading
    def job(self, job_id: str) -> RetrainJob:
        """The stored job ``job_id`` of this model (a ConfigError when there is none)."""
        return job_store.load(self.store, self.model_name, job_id)

    def jobs(self, status: str | Iterable[str] | None = None) -> list[RetrainJob]:
        """This model's jobs, oldest first; only those in ``status`` (one or several)."""
        statuses = [status] if isinstance(status, str) else None if status is None else list(status)
        return job_store.jobs(self.store, self.model_name, statuses=statuses)

    def refresh(self, job: RetrainJob | str) -> RetrainJob:
        """Ask the trigger how a started job's run is doing and store what changed (a run
        that ended is audited as ``retrain.succeeded`` or ``retrain.failed``). A job that is
        not running, or whose trigger cannot tell, comes back as stored."""
        current = self.job(job if isinstance(job, str) else job.id)
        if not current.active or self.trigger is None or current.receipt is None:
            return current
        if current.trigger != self.trigger.kind:
            return current  # started by another kind of trigger: this one cannot ask
        progress = dict(self.trigger.progress(current.receipt))
        status = JOB_STATUS.get(str(progress.pop("status", "")), current.status)
        receipt = {**current.receipt, **{k: v for k, v in progress.items() if v is not None}}
        if status == current.status and receipt == current.receipt:
            return current
        now = self._now()
        ended = status in (SUCCEEDED, FAILED)
        changed = current.with_changes(
            status=status, receipt=receipt, finished_at=now if ended else None
        )
        stored = job_store.save_if_unchanged(self.store, changed)
        if stored is None:  # refreshed by someone else meanwhile
            return self.job(current.id)
        if ended and status != current.status:
            job_store.audit(
                self.store,
                f"retrain.{status}",
                stored,
                f"the {current.trigger} run {status}",
                at=now,
                receipt=receipt,
            )
        return stored

    def refresh_active(self) -> list[RetrainJob]:
        """:meth:`refresh` every started or running job of this model."""
        return [self.refresh(job) for job in self.jobs([STARTED, RUNNING])]

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the store if this retrainer opened it."""
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> AutoRetrainer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
