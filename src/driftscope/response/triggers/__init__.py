"""Retraining triggers: each a way to start a training run somewhere else and follow it.

:class:`AirflowTrigger` (a DAG run through Airflow's REST API), :class:`GitHubWorkflowTrigger`
(a ``workflow_dispatch``), :class:`WebhookTrigger` (a signed JSON POST to any endpoint),
:class:`ShellTrigger` (a local command, detached) and :class:`CallableTrigger` (your own
function, sync or async), all :class:`RetrainTrigger`.
"""

from driftscope.response.triggers.airflow import AirflowTrigger
from driftscope.response.triggers.base import RUN_STATUSES, RetrainTrigger, TriggerError
from driftscope.response.triggers.callable import CallableTrigger
from driftscope.response.triggers.github import GitHubWorkflowTrigger
from driftscope.response.triggers.shell import ShellTrigger
from driftscope.response.triggers.webhook import WebhookTrigger

__all__ = [
    "RUN_STATUSES",
    "AirflowTrigger",
    "CallableTrigger",
    "GitHubWorkflowTrigger",
    "RetrainTrigger",
    "ShellTrigger",
    "TriggerError",
    "WebhookTrigger",
]
