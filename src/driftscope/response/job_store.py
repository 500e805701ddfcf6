"""Retraining jobs in the store: read them, write them, decide on pending ones.

What both the :class:`~driftscope.response.retrainer.AutoRetrainer` and the command line
(``driftscope retrain jobs|approve|reject``) need. A decision is a compare-and-set on the
job's record: of two people approving and rejecting at once, one wins and the other is
told the job changed. Every decision is written to the audit log.

>>> import tempfile
>>> from datetime import UTC, datetime
>>> from driftscope.store import open_store
>>> from driftscope.response.jobs import RetrainJob
>>> with open_store(tempfile.mkdtemp()) as store:
...     job = save(store, RetrainJob("rt-1", "churn", "drift", "pending_approval",
...                                  datetime(2026, 11, 1, tzinfo=UTC)), new=True)
...     done = decide(store, "churn", "rt-1", approve=False, by="ana", reason="known cause")
...     [j.status for j in jobs(store, "churn")], done.refusal, audit_actions(store)
(['rejected'], 'known cause', ['retrain.rejected'])
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from driftscope.errors import ConfigError
from driftscope.response.jobs import APPROVED, KIND, PENDING_APPROVAL, REJECTED, RetrainJob, utc_now
from driftscope.store.state import AuditEntry, StateStore


def save(store: StateStore, job: RetrainJob, *, new: bool = False) -> RetrainJob:
    """Write ``job`` and return it as stored. ``new``: only if no job has its id (ids are
    random, so a clash is a bug)."""
    stored = store.put_state(job.to_record(), if_version=0 if new else None)
    if stored is None:
        raise ConfigError(f"a retraining job with id {job.id!r} already exists")
    return RetrainJob.from_record(stored)


def save_if_unchanged(store: StateStore, job: RetrainJob) -> RetrainJob | None:
    """Write ``job`` only if its stored record is still at ``job.version``; ``None`` when
    another writer changed it meanwhile."""
    stored = store.put_state(job.to_record(), if_version=job.version)
    return None if stored is None else RetrainJob.from_record(stored)


def load(store: StateStore, model: str, job_id: str) -> RetrainJob:
    """The job ``job_id`` of ``model``; a ConfigError when there is none."""
    record = store.get_state(KIND, job_id)
    if record is None or record.model != model:
        known = [j.id for j in jobs(store, model)][-5:]
        hint = f" (latest: {', '.join(known)})" if known else " (it has none)"
        raise ConfigError(f"model {model!r} has no retraining job {job_id!r}{hint}")
    return RetrainJob.from_record(record)


def jobs(
    store: StateStore, model: str, *, statuses: Sequence[str] | None = None
) -> list[RetrainJob]:
    """The model's jobs, oldest first, optionally only in ``statuses``."""
    found = [
        RetrainJob.from_record(r)
        for r in store.find_state(KIND, model=model, states=list(statuses) if statuses else None)
    ]
    return sorted(found, key=lambda j: (j.created_at, j.id))


def decide(
    store: StateStore,
    model: str,
    job_id: str,
    *,
    approve: bool,
    by: str,
    reason: str = "",
    now: datetime | None = None,
) -> RetrainJob:
    """Approve or reject a job awaiting approval; audited as ``retrain.approved`` or
    ``retrain.rejected`` with ``by`` as the actor. An approved job is ``approved`` until
    the process holding the model's trigger starts it (``AutoRetrainer.approve`` does
    both at once); a job that is not pending is a ConfigError saying what it is."""
    if not isinstance(by, str) or not by.strip():
        raise ConfigError(f"say who decides: by must be a name, got {by!r}")
    job = load(store, model, job_id)
    if job.status != PENDING_APPROVAL:
        raise ConfigError(
            f"retraining job {job_id!r} is {job.status}, not pending approval; nothing to decide"
        )
    changed = job.with_changes(
        status=APPROVED if approve else REJECTED,
        decided_by=by.strip(),
        refusal=None if approve else (reason or "rejected"),
    )
    stored = save_if_unchanged(store, changed)
    if stored is None:
        raise ConfigError(f"retraining job {job_id!r} was changed meanwhile; look at it again")
    audit(
        store,
        "retrain.approved" if approve else "retrain.rejected",
        stored,
        reason or ("approved" if approve else "rejected"),
        actor=by.strip(),
        at=now,
    )
    return stored


def audit(
    store: StateStore,
    action: str,
    job: RetrainJob,
    reason: str,
    *,
    actor: str = "driftscope",
    at: datetime | None = None,
    **details: Any,
) -> None:
    """One audit entry about ``job`` (its id as the subject, its request in the details)."""
    facts = {
        "status": job.status,
        "reason": job.reason,
        "drift_score": job.drift_score,
        "drifted_features": list(job.drifted_features),
        "priority": job.priority,
        "trigger": job.trigger,
        **details,
    }
    store.append_audit(
        [
            AuditEntry(
                action,
                model=job.model,
                subject=job.id,
                reason=reason,
                actor=actor,
                details=facts,
                at=at or utc_now(),
            )
        ]
    )


def audit_actions(store: StateStore, model: str | None = None) -> list[str]:
    """The actions of the audit log's ``retrain.`` entries, in order (for a quick look)."""
    return [e.action for e in store.read_audit(model=model, action="retrain.")]
