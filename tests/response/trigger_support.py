"""What the trigger tests share: a retraining job as the retrainer hands it to a trigger."""

from __future__ import annotations

from datetime import UTC, datetime

from driftscope.response.jobs import RetrainJob


def a_job(job_id: str = "rt-20261102-090000-abc123") -> RetrainJob:
    """An approved job for model ``churn`` after severe drift (score 0.34 on age and plan)."""
    return RetrainJob(
        job_id,
        "churn",
        "severe_drift_detected",
        "approved",
        datetime(2026, 11, 2, 9, tzinfo=UTC),
        drift_score=0.34,
        drifted_features=("age", "plan"),
        priority="high",
    )
