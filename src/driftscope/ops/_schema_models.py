"""The per-model sections of the configuration file (``models``) and the named retraining
triggers (``retraining``).

A model says where its baseline comes from, what to check (features, drift methods,
metrics and thresholds, window, label delay, checks), its alert rules, its response
(drift tiers, retraining, rollback) and when to run (``schedule``).

>>> m = ModelConfig.model_validate({"name": "churn", "window": "1h",
...     "rules": [{"name": "acc", "metric": "accuracy", "threshold": 0.85,
...                "direction": "below"}], "schedule": {"cron": "0 2 * * *"}})
>>> m.window, m.rules[0].severity, m.schedule.timezone
(datetime.timedelta(seconds=3600), 'warning', 'UTC')
"""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from driftscope.errors import ConfigError
from driftscope.ops._fields import Duration, Name, SecretText, Strict, TimeZone, Window
from driftscope.ops.timing import cron_trigger

Severity = Literal["info", "warning", "critical"]
CheckName = Literal["drift", "quality", "performance", "operational", "business", "predictions"]
#: What the word "stored" means as a baseline: the one the store holds already.
STORED = "stored"


class ScheduleConfig(Strict):
    """When the scheduler runs a model: ``cron`` (5 fields, or 6 with seconds first) in
    ``timezone``, or ``every`` (a duration)."""

    cron: str | None = None
    every: Duration | None = None
    timezone: TimeZone = "UTC"

    @model_validator(mode="after")
    def _one_way(self) -> ScheduleConfig:
        if (self.cron is None) == (self.every is None):
            raise ValueError("give either cron (e.g. '0 2 * * *') or every (e.g. 30m)")
        if self.cron is not None:
            try:
                cron_trigger(self.cron, self.timezone)
            except ConfigError as exc:
                raise ValueError(str(exc)) from None
        return self

    def trigger(self) -> Any:
        """The APScheduler trigger of this schedule."""
        if self.cron is not None:
            return cron_trigger(self.cron, self.timezone)
        from apscheduler.triggers.interval import IntervalTrigger

        assert self.every is not None
        return IntervalTrigger(seconds=self.every.total_seconds(), timezone=self.timezone)


class RuleConfig(Strict):
    """An alert rule over a stored check metric (``driftscope.alerts.AlertRule``): fire
    when ``metric`` is ``above`` / ``below`` ``threshold`` (or its point has ``status``)
    for ``for_windows`` consecutive windows, resolve after ``resolve_after`` good ones."""

    name: str
    metric: str
    threshold: float | None = None
    status: Literal["warning", "critical", "unknown"] | None = None
    direction: Literal["above", "below"] = "above"
    check: str | None = None
    severity: Severity = "warning"
    min_samples: int | None = Field(default=None, ge=1)
    for_windows: int = Field(default=1, ge=1)
    resolve_after: int = Field(default=1, ge=1)
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    title: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not re.match(r"[A-Za-z0-9_.:-]+\Z", value):
            raise ValueError(
                f"a rule's name is its alertname: letters, digits, '_', '.', ':' or '-', "
                f"got {value!r}"
            )
        return value

    @model_validator(mode="after")
    def _threshold_or_status(self) -> RuleConfig:
        if (self.threshold is None) == (self.status is None):
            raise ValueError("give a threshold or a status (one of them)")
        return self


class MethodConfig(Strict):
    """A drift method with its own threshold: ``{name: psi, threshold: 0.25}``."""

    name: str
    threshold: float | None = None


def _method(value: Any) -> Any:
    from driftscope.drift.methods import method_from_name

    item = value if isinstance(value, dict) else {"name": value} if isinstance(value, str) else None
    if item is None:
        return value
    name = item.get("name")
    if isinstance(name, str) and name.strip().lower() != "auto":
        try:
            threshold = item.get("threshold")
            method_from_name(name, threshold if isinstance(threshold, int | float) else None)
        except (ConfigError, TypeError, ValueError) as exc:
            raise ValueError(str(exc)) from None
    return item


class Tiers(Strict):
    """Drift score at which each tier starts (``data_drift_score``); increasing."""

    minor: float = Field(default=0.1, gt=0)
    moderate: float = Field(default=0.2, gt=0)
    severe: float = Field(default=0.3, gt=0)

    @model_validator(mode="after")
    def _increasing(self) -> Tiers:
        if not self.minor < self.moderate < self.severe:
            raise ValueError("must increase: minor < moderate < severe")
        return self


RetrainWhen = Literal[
    "minor_drift", "moderate_drift", "severe_drift", "performance", "concept_drift"
]


RollbackWhen = Literal["performance", "severe_drift"]


def _on_severe_drift() -> list[RetrainWhen]:
    return ["severe_drift"]


def _on_performance() -> list[RollbackWhen]:
    return ["performance"]


class RetrainConfig(Strict):
    """Retraining: which trigger (a name under ``retraining``), on what, and its limits."""

    trigger: Name | None = None
    when: list[RetrainWhen] = Field(default_factory=_on_severe_drift)
    cooldown: Duration = timedelta(hours=24)
    max_runs_per_day: int = Field(default=2, ge=1)
    dry_run: bool = False
    require_approval: bool = False
    schedule: ScheduleConfig | None = None


class MLflowRollbackConfig(Strict):
    """Move an MLflow registered model's alias back to the previous version."""

    kind: Literal["mlflow"]
    registered_model: str
    alias: str = "champion"
    tracking_uri: str | None = None
    registry_uri: str | None = None
    to_version: int | None = Field(default=None, ge=1)
    when: list[RollbackWhen] = Field(default_factory=_on_performance)


class WebhookRollbackConfig(Strict):
    """Ask a webhook to roll back (JSON, HMAC-signed when ``secret`` is set)."""

    kind: Literal["webhook"]
    url: str
    secret: SecretText | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: Duration | None = None
    when: list[RollbackWhen] = Field(default_factory=_on_performance)

    @field_validator("headers", mode="before")
    @classmethod
    def _secret_headers(cls, value: object) -> object:
        from driftscope.ops._schema_alerts import check_headers

        return check_headers(value)


def _importable(value: Any) -> Any:
    """``"package.module:function"``: checked to import."""
    if not isinstance(value, str) or ":" not in value:
        raise ValueError("must be 'package.module:function'")
    module, _, attr = value.partition(":")
    try:
        target: Any = importlib.import_module(module)
        for part in attr.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"cannot import {value!r}: {exc}") from None
    if not callable(target):
        raise ValueError(f"{value!r} is not callable")
    return value


ImportPath = Annotated[str, Field(pattern=r"^[\w.]+:[\w.]+$")]


class CallableRollbackConfig(Strict):
    """Call a Python function ``fn(model_name, reason)`` to roll back."""

    kind: Literal["callable"]
    function: ImportPath
    when: list[RollbackWhen] = Field(default_factory=_on_performance)

    @field_validator("function")
    @classmethod
    def _function(cls, value: str) -> str:
        return _importable(value)


RollbackConfig = Annotated[
    MLflowRollbackConfig | WebhookRollbackConfig | CallableRollbackConfig,
    Field(discriminator="kind"),
]


class ResponseConfig(Strict):
    """What happens by itself: the drift tiers (minor: an info alert and a drift event;
    moderate: a warning and an investigation ticket; severe: a critical alert and, with
    ``retrain``, a retraining run), retraining and rollback."""

    tiers: Tiers = Tiers()
    ticket_channels: list[Name] = Field(default_factory=list)
    assignee: str | None = None
    retrain: RetrainConfig | None = None
    rollback: RollbackConfig | None = None


class ModelConfig(Strict):
    """One monitored model."""

    name: Name
    baseline: str = STORED
    features: list[str] | None = None
    metrics: list[str] = Field(default_factory=lambda: ["accuracy"])
    thresholds: dict[str, float] = Field(default_factory=dict)
    methods: list[MethodConfig] = Field(default_factory=list)
    significance_level: float = Field(default=0.05, gt=0, lt=1)
    min_change: float | None = Field(default=None, gt=0, le=1)
    window: Window = "day"
    label_delay: Duration | None = None
    checks: list[CheckName] | None = None
    rules: list[RuleConfig] = Field(default_factory=list)
    response: ResponseConfig | None = None
    schedule: ScheduleConfig | None = None

    @field_validator("methods", mode="before")
    @classmethod
    def _methods(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            value = [_method(v) for v in value]
            if [m.get("name") for m in value if isinstance(m, dict)] == ["auto"]:
                return []
        return value

    @field_validator("metrics")
    @classmethod
    def _metrics(cls, value: list[str]) -> list[str]:
        from driftscope.monitor.config import KNOWN_METRICS

        for name in value:
            if name not in KNOWN_METRICS:
                raise ValueError(f"unknown metric {name!r}; known: {', '.join(KNOWN_METRICS)}")
        return value

    @field_validator("thresholds")
    @classmethod
    def _thresholds(cls, value: dict[str, float]) -> dict[str, float]:
        from driftscope.monitor.config import KNOWN_METRICS, KNOWN_SCORES

        for name in value:
            if name not in KNOWN_METRICS + KNOWN_SCORES:
                raise ValueError(
                    f"unknown name {name!r}; known: {', '.join(KNOWN_METRICS + KNOWN_SCORES)}"
                )
        return value

    @field_validator("baseline")
    @classmethod
    def _baseline(cls, value: str, info: ValidationInfo) -> str:
        if value == STORED:
            return value
        base = (info.context or {}).get("base_dir")
        path = Path(value).expanduser()
        if base is not None and not path.is_absolute():
            path = Path(base) / path
        if not path.exists():
            raise ValueError(
                f"no file {str(path)!r}: give a data file (Parquet, CSV), a saved reference "
                "(.dsref), or 'stored' for the baseline the store holds"
            )
        return str(path)


class AirflowTriggerConfig(Strict):
    """An Airflow DAG run through its REST API (``api_version: 1`` for Airflow 2, ``2`` for
    Airflow 3)."""

    kind: Literal["airflow"]
    base_url: str
    dag_id: str
    username: str | None = None
    password: SecretText | None = None
    token: SecretText | None = None
    conf: dict[str, Any] = Field(default_factory=dict)
    api_version: Literal[1, 2] = 1
    timeout: Duration | None = None
    verify: bool | str = True


class GitHubTriggerConfig(Strict):
    """A GitHub Actions ``workflow_dispatch``."""

    kind: Literal["github"]
    repo: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    workflow: str
    ref: str = "main"
    token: SecretText
    inputs: dict[str, str] = Field(default_factory=dict)
    api_url: str | None = None
    return_run_details: bool = True
    timeout: Duration | None = None


class WebhookTriggerConfig(Strict):
    """A JSON POST, HMAC-signed when ``secret`` is set."""

    kind: Literal["webhook"]
    url: str
    secret: SecretText | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: Duration | None = None

    @field_validator("headers", mode="before")
    @classmethod
    def _secret_headers(cls, value: object) -> object:
        from driftscope.ops._schema_alerts import check_headers

        return check_headers(value)


class ShellTriggerConfig(Strict):
    """A command, run detached; the job's fields in its environment and on stdin."""

    kind: Literal["shell"]
    command: str | Annotated[list[str], Field(min_length=1)]
    env: dict[str, str] = Field(default_factory=dict)
    timeout: Duration | None = None
    cwd: str | None = None
    log_dir: str | None = None


class CallableTriggerConfig(Strict):
    """A Python function ``fn(job)``, ``"package.module:function"``; ``status_function``
    (``fn(receipt)``) follows the run."""

    kind: Literal["callable"]
    function: ImportPath
    status_function: ImportPath | None = None

    @field_validator("function", "status_function")
    @classmethod
    def _function(cls, value: str | None) -> str | None:
        return None if value is None else _importable(value)


TriggerConfig = Annotated[
    AirflowTriggerConfig
    | GitHubTriggerConfig
    | WebhookTriggerConfig
    | ShellTriggerConfig
    | CallableTriggerConfig,
    Field(discriminator="kind"),
]
