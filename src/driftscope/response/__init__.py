"""Automated response: retraining triggers with cooldowns and approvals, rollback, the drift
response tiers and the policies that start them, every decision audited (docs/response.md).

>>> from driftscope.response import DriftTiers
>>> DriftTiers.of(None).tier(0.34)
'severe'
"""

from driftscope.response.analyzer import DriftAnalyzer, DriftEvent
from driftscope.response.automated import AutomatedDriftResponse
from driftscope.response.jobs import RetrainJob
from driftscope.response.limits import RetrainLimits
from driftscope.response.mlflow_rollback import MLflowRollback
from driftscope.response.policy import ResponsePolicy
from driftscope.response.retrainer import AutoRetrainer
from driftscope.response.rollback import CallableRollback, Rollback, RollbackError, WebhookRollback
from driftscope.response.tiers import DriftTiers
from driftscope.response.triggers import (
    AirflowTrigger,
    CallableTrigger,
    GitHubWorkflowTrigger,
    RetrainTrigger,
    ShellTrigger,
    TriggerError,
    WebhookTrigger,
)

__all__ = [
    "AirflowTrigger",
    "AutoRetrainer",
    "AutomatedDriftResponse",
    "CallableRollback",
    "CallableTrigger",
    "DriftAnalyzer",
    "DriftEvent",
    "DriftTiers",
    "GitHubWorkflowTrigger",
    "MLflowRollback",
    "ResponsePolicy",
    "RetrainJob",
    "RetrainLimits",
    "RetrainTrigger",
    "Rollback",
    "RollbackError",
    "ShellTrigger",
    "TriggerError",
    "WebhookRollback",
    "WebhookTrigger",
]
