"""The whole configuration file: :class:`MonitoringConfig`, and the classes of its sections.

Sections: ``store``, ``models``, ``channels``, ``routes``, ``inhibit_rules``,
``silences``, ``grouping``, ``delivery`` and ``retraining`` (see docs/scheduling.md for
the reference). Names given in one section and used in another (a route's channels, a
model's retraining trigger) are checked here, so a typo is an error at load.

Each section is a frozen pydantic model, named here: a model is a :class:`ModelConfig`
(its ``rules`` :class:`RuleConfig`, its ``response`` :class:`ResponseConfig`, its
``schedule`` :class:`ScheduleConfig`), a channel one of :data:`ChannelConfig` (by its
``kind``), a retraining trigger one of :data:`TriggerConfig`.

>>> config = MonitoringConfig.model_validate({
...     "models": [{"name": "churn"}],
...     "channels": {"log": {"kind": "console"}},
...     "routes": {"channels": ["log"]}})
>>> config.model("churn").window, sorted(config.channels)
('day', ['log'])
>>> from driftscope.ops.loading import parse_config
>>> parse_config("models: [{name: churn}]\\nroutes:\\n  channels: [slack]\\n", "monitor.yaml")
Traceback (most recent call last):
...
driftscope.ops.loading.ConfigFileError: monitor.yaml:3: routes.channels: no channel named ...
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from driftscope.ops._fields import Name, Strict
from driftscope.ops._schema_alerts import (
    AlertmanagerConfig,
    ChannelConfig,
    ConsoleConfig,
    DeliveryConfig,
    EmailConfig,
    GitHubConfig,
    GroupingConfig,
    InhibitRuleConfig,
    JiraConfig,
    PagerDutyConfig,
    RouteConfig,
    SilenceConfig,
    SlackConfig,
    TeamsConfig,
    WebhookConfig,
)
from driftscope.ops._schema_models import (
    AirflowTriggerConfig,
    CallableRollbackConfig,
    CallableTriggerConfig,
    GitHubTriggerConfig,
    MethodConfig,
    MLflowRollbackConfig,
    ModelConfig,
    ResponseConfig,
    RetrainConfig,
    RollbackConfig,
    RuleConfig,
    ScheduleConfig,
    ShellTriggerConfig,
    Tiers,
    TriggerConfig,
    WebhookRollbackConfig,
    WebhookTriggerConfig,
)
from driftscope.ops._yaml_lines import LocatedError


class MonitoringConfig(Strict):
    """A monitoring configuration, validated (see the module's text); what
    :func:`~driftscope.ops.load_config` returns for a file.

    >>> import pathlib, tempfile
    >>> from driftscope.ops import load_config
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "monitor.yaml"
    >>> _ = path.write_text("store: ./store\\nmodels:\\n  - name: churn\\n    window: 1h\\n")
    >>> config = load_config(path)  # relative paths start at the file's folder
    >>> config.model("churn").window, config.store == str(path.parent / "store")
    (datetime.timedelta(seconds=3600), True)
    """

    version: Literal[1] = 1
    store: str | None = None
    models: Annotated[list[ModelConfig], Field(min_length=1)]
    channels: dict[Name, ChannelConfig] = Field(default_factory=dict)
    routes: RouteConfig | None = None
    inhibit_rules: list[InhibitRuleConfig] | None = None
    silences: list[SilenceConfig] = Field(default_factory=list)
    grouping: GroupingConfig = Field(default_factory=GroupingConfig)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    retraining: dict[Name, TriggerConfig] = Field(default_factory=dict)

    @field_validator("store", mode="before")
    @classmethod
    def _store(cls, value: Any, info: ValidationInfo) -> Any:
        from urllib.parse import urlsplit

        from driftscope.ops._env import EnvText

        if not isinstance(value, str):
            return value  # None, or a type error pydantic reports
        if value.startswith(("postgresql://", "postgres://")):
            parts = urlsplit(value)
            if parts.password and not isinstance(value, EnvText):
                raise PydanticCustomError(
                    "inline_secret",
                    "holds a password written inline: put it in an environment variable, "
                    "e.g. postgresql://monitor:${PGPASSWORD}@db/monitoring",
                )
            return value
        if "=" in value and " " in value.strip():  # a libpq 'host=... dbname=...' string
            return value
        from pathlib import Path

        base = (info.context or {}).get("base_dir")
        path = Path(value).expanduser()
        if base is not None and not path.is_absolute():
            path = Path(base) / path
        return str(path)

    @model_validator(mode="after")
    def _names(self) -> MonitoringConfig:
        seen: dict[str, int] = {}
        for i, model in enumerate(self.models):
            if model.name in seen:
                raise _at(
                    ("models", i, "name"),
                    f"model {model.name!r} is configured twice (also models[{seen[model.name]}])",
                )
            seen[model.name] = i
        known = sorted(self.channels)

        def check_channels(names: Any, loc: tuple[Any, ...]) -> None:
            for name in names:
                if name not in self.channels:
                    shown = ", ".join(known) or "none"
                    raise _at(
                        loc,
                        f"no channel named {name!r} is configured (channels: {shown}); "
                        "add it under channels:",
                    )

        if self.routes is not None:
            if self.routes.matchers:
                raise _at(
                    ("routes", "matchers"),
                    "the root route catches every alert: it takes no matchers (put them on a "
                    "child route under routes:)",
                )
            _walk_routes(self.routes, ("routes",), check_channels)
        check_channels(self.delivery.rate_limits, ("delivery", "rate_limits"))
        for i, model in enumerate(self.models):
            response = model.response
            if response is None:
                continue
            check_channels(response.ticket_channels, ("models", i, "response", "ticket_channels"))
            retrain = response.retrain
            if (
                retrain is not None
                and retrain.trigger is not None
                and retrain.trigger not in self.retraining
            ):
                shown = ", ".join(sorted(self.retraining)) or "none"
                raise _at(
                    ("models", i, "response", "retrain", "trigger"),
                    f"no retraining trigger named {retrain.trigger!r} (retraining: "
                    f"{shown}); add it under retraining:",
                )
        return self

    def model(self, name: str) -> ModelConfig:
        """The model named ``name``."""
        for model in self.models:
            if model.name == name:
                return model
        names = ", ".join(m.name for m in self.models)
        from driftscope.errors import ConfigError

        raise ConfigError(f"no model named {name!r} in the configuration (models: {names})")


def _walk_routes(route: RouteConfig, loc: tuple[Any, ...], check: Any) -> None:
    check(route.channels, (*loc, "channels"))
    check(route.escalate_to, (*loc, "escalate_to"))
    for i, child in enumerate(route.routes):
        _walk_routes(child, (*loc, "routes", i), check)


def _at(loc: tuple[Any, ...], message: str) -> LocatedError:
    return LocatedError(loc, message)


__all__ = [
    "AirflowTriggerConfig",
    "AlertmanagerConfig",
    "CallableRollbackConfig",
    "CallableTriggerConfig",
    "ChannelConfig",
    "ConsoleConfig",
    "DeliveryConfig",
    "EmailConfig",
    "GitHubConfig",
    "GitHubTriggerConfig",
    "GroupingConfig",
    "InhibitRuleConfig",
    "JiraConfig",
    "MLflowRollbackConfig",
    "MethodConfig",
    "ModelConfig",
    "MonitoringConfig",
    "PagerDutyConfig",
    "ResponseConfig",
    "RetrainConfig",
    "RollbackConfig",
    "RouteConfig",
    "RuleConfig",
    "ScheduleConfig",
    "ShellTriggerConfig",
    "SilenceConfig",
    "SlackConfig",
    "TeamsConfig",
    "Tiers",
    "TriggerConfig",
    "WebhookConfig",
    "WebhookRollbackConfig",
    "WebhookTriggerConfig",
]
