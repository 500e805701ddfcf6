"""driftscope: watch machine-learning models in production and say when they go wrong.

>>> import driftscope as ds
>>> ds.KSTest(significance_level=0.05)
KSTest(significance_level=0.05)

The public names are imported when first used (PEP 562), so ``import driftscope`` is quick
and loads neither SciPy nor Numba nor DuckDB until a check, a monitor or a store needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from driftscope._version import __version__
from driftscope.errors import (
    ConfigError,
    DataError,
    DriftscopeError,
    ReferenceFileError,
    StoreError,
    StoreUnavailableError,
)

#: Where each public name lives; imported on first use.
_LAZY: dict[str, str] = {
    "METHODS": "driftscope.drift",
    "AndersonDarlingTest": "driftscope.drift",
    "AndersonKSTest": "driftscope.drift",
    "AutoPolicy": "driftscope.drift",
    "ChiSquareTest": "driftscope.drift",
    "ColumnDrift": "driftscope.drift",
    "ColumnSummary": "driftscope.drift",
    "ConceptDriftResult": "driftscope.drift",
    "CramerVonMisesTest": "driftscope.drift",
    "Distribution": "driftscope.drift",
    "DriftDetector": "driftscope.drift",
    "DriftMethod": "driftscope.drift",
    "DriftReport": "driftscope.drift",
    "DriftResult": "driftscope.drift",
    "EnergyDistance": "driftscope.drift",
    "FileLimits": "driftscope.drift",
    "FisherExactTest": "driftscope.drift",
    "HellingerDistance": "driftscope.drift",
    "JensenShannonDistance": "driftscope.drift",
    "KLDivergence": "driftscope.drift",
    "KSTest": "driftscope.drift",
    "ShareMoved": "driftscope.drift",
    "MMDTest": "driftscope.drift",
    "MannWhitneyTest": "driftscope.drift",
    "MethodResult": "driftscope.drift",
    "PSICalculator": "driftscope.drift",
    "Reference": "driftscope.drift",
    "SparseChiSquareTest": "driftscope.drift",
    "StreamDriftEvent": "driftscope.drift",
    "StreamingDriftMonitor": "driftscope.drift",
    "TotalVariationDistance": "driftscope.drift",
    "WassersteinDistance": "driftscope.drift",
    "ZTest": "driftscope.drift",
    "detect_concept_drift": "driftscope.drift",
    "incremental_drift_monitoring": "driftscope.drift",
    "method_from_name": "driftscope.drift",
    "CostPrices": "driftscope.monitor",
    "CostReport": "driftscope.monitor",
    "Flag": "driftscope.monitor",
    "HighValue": "driftscope.monitor",
    "LowConfidence": "driftscope.monitor",
    "ModelMonitor": "driftscope.monitor",
    "SamplingPolicy": "driftscope.monitor",
    "Action": "driftscope.alerts",
    "AlertManager": "driftscope.alerts",
    "AlertRule": "driftscope.alerts",
    "AlertSeverity": "driftscope.alerts",
    "InhibitRule": "driftscope.alerts",
    "Route": "driftscope.alerts",
    "Silence": "driftscope.alerts",
    "AlertmanagerChannel": "driftscope.alerts.channels",
    "ConsoleChannel": "driftscope.alerts.channels",
    "EmailChannel": "driftscope.alerts.channels",
    "GitHubIssueChannel": "driftscope.alerts.channels",
    "JiraChannel": "driftscope.alerts.channels",
    "PagerDutyChannel": "driftscope.alerts.channels",
    "Secret": "driftscope.alerts.channels",
    "SlackChannel": "driftscope.alerts.channels",
    "TeamsChannel": "driftscope.alerts.channels",
    "WebhookChannel": "driftscope.alerts.channels",
    "Deliverer": "driftscope.alerts.delivery",
    "RetryPolicy": "driftscope.alerts.retry",
    "RateLimit": "driftscope.alerts.rate_limit",
    "AirflowTrigger": "driftscope.response",
    "AutoRetrainer": "driftscope.response",
    "AutomatedDriftResponse": "driftscope.response",
    "CallableRollback": "driftscope.response",
    "CallableTrigger": "driftscope.response",
    "DriftAnalyzer": "driftscope.response",
    "DriftTiers": "driftscope.response",
    "GitHubWorkflowTrigger": "driftscope.response",
    "MLflowRollback": "driftscope.response",
    "ResponsePolicy": "driftscope.response",
    "ShellTrigger": "driftscope.response",
    "WebhookRollback": "driftscope.response",
    "WebhookTrigger": "driftscope.response",
    "EmbeddedStore": "driftscope.store",
    "PostgresStore": "driftscope.store",
    "Store": "driftscope.store",
    "open_store": "driftscope.store",
}

if TYPE_CHECKING:  # what the type checker and editors see
    from driftscope.alerts import Action as Action
    from driftscope.alerts import AlertManager as AlertManager
    from driftscope.alerts import AlertRule as AlertRule
    from driftscope.alerts import AlertSeverity as AlertSeverity
    from driftscope.alerts import InhibitRule as InhibitRule
    from driftscope.alerts import Route as Route
    from driftscope.alerts import Silence as Silence
    from driftscope.alerts.channels import AlertmanagerChannel as AlertmanagerChannel
    from driftscope.alerts.channels import ConsoleChannel as ConsoleChannel
    from driftscope.alerts.channels import EmailChannel as EmailChannel
    from driftscope.alerts.channels import GitHubIssueChannel as GitHubIssueChannel
    from driftscope.alerts.channels import JiraChannel as JiraChannel
    from driftscope.alerts.channels import PagerDutyChannel as PagerDutyChannel
    from driftscope.alerts.channels import Secret as Secret
    from driftscope.alerts.channels import SlackChannel as SlackChannel
    from driftscope.alerts.channels import TeamsChannel as TeamsChannel
    from driftscope.alerts.channels import WebhookChannel as WebhookChannel
    from driftscope.alerts.delivery import Deliverer as Deliverer
    from driftscope.alerts.rate_limit import RateLimit as RateLimit
    from driftscope.alerts.retry import RetryPolicy as RetryPolicy
    from driftscope.drift import *  # noqa: F403
    from driftscope.monitor import CostPrices as CostPrices
    from driftscope.monitor import CostReport as CostReport
    from driftscope.monitor import Flag as Flag
    from driftscope.monitor import HighValue as HighValue
    from driftscope.monitor import LowConfidence as LowConfidence
    from driftscope.monitor import ModelMonitor as ModelMonitor
    from driftscope.monitor import SamplingPolicy as SamplingPolicy
    from driftscope.response import AirflowTrigger as AirflowTrigger
    from driftscope.response import AutomatedDriftResponse as AutomatedDriftResponse
    from driftscope.response import AutoRetrainer as AutoRetrainer
    from driftscope.response import CallableRollback as CallableRollback
    from driftscope.response import CallableTrigger as CallableTrigger
    from driftscope.response import DriftAnalyzer as DriftAnalyzer
    from driftscope.response import DriftTiers as DriftTiers
    from driftscope.response import GitHubWorkflowTrigger as GitHubWorkflowTrigger
    from driftscope.response import MLflowRollback as MLflowRollback
    from driftscope.response import ResponsePolicy as ResponsePolicy
    from driftscope.response import ShellTrigger as ShellTrigger
    from driftscope.response import WebhookRollback as WebhookRollback
    from driftscope.response import WebhookTrigger as WebhookTrigger
    from driftscope.store import EmbeddedStore as EmbeddedStore
    from driftscope.store import PostgresStore as PostgresStore
    from driftscope.store import Store as Store
    from driftscope.store import open_store as open_store

__all__ = [
    *_LAZY,
    "ConfigError",
    "DataError",
    "DriftscopeError",
    "ReferenceFileError",
    "StoreError",
    "StoreUnavailableError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'driftscope' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
