"""Configuration into objects: channels, the alert manager (routes, rules, inhibition,
silences, grouping), retraining triggers, retrainers, rollbacks and drift responses.

The schema (:mod:`driftscope.ops.schema`) knows nothing of these classes; this module is
the one place that maps validated sections onto them.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from driftscope.ops._schema_alerts import RouteConfig
from driftscope.ops._schema_models import (
    CallableRollbackConfig,
    CallableTriggerConfig,
    ModelConfig,
    RuleConfig,
)
from driftscope.ops.schema import MonitoringConfig
from driftscope.store import Store


def options_of(section: Any, *, skip: tuple[str, ...] = ("kind",)) -> dict[str, Any]:
    """A section's set fields as keyword arguments (secrets kept as ``Secret``, never
    dumped to text; ``timeout`` as seconds)."""
    out = {}
    for name in type(section).model_fields:
        value = getattr(section, name)
        if name in skip or value is None:
            continue
        if name == "timeout" and isinstance(value, timedelta):
            value = value.total_seconds()
        out[name] = value
    return out


def channels(config: MonitoringConfig) -> dict[str, Any]:
    """Every configured channel, by name."""
    return {name: channel(name, section) for name, section in config.channels.items()}


def channel(name: str, section: Any) -> Any:
    """The channel of one ``channels`` entry."""
    from driftscope.alerts.channels import build_channel

    return build_channel(section.kind, name=name, **options_of(section))


def route(section: RouteConfig, *, root: bool = False, grouping: Any = None) -> Any:
    """A :class:`~driftscope.alerts.routing.Route` tree from the ``routes`` section."""
    from driftscope.alerts.routing import Route

    options: dict[str, Any] = {
        "channels": list(section.channels) or None,
        "matchers": list(section.matchers),
        "continue_": section.continue_,
        "routes": [route(child) for child in section.routes],
    }
    for name in ("group_by", "group_wait", "group_interval", "repeat_interval"):
        value = getattr(section, name)
        if value is None and root and grouping is not None:
            value = getattr(grouping, name)
        if value is not None:
            options[name] = list(value) if name == "group_by" else value
    if section.escalate_to:
        options["escalate_to"] = list(section.escalate_to)
    if section.escalate_after is not None:
        options["escalate_after"] = section.escalate_after
    if not section.send_resolved:
        options["send_resolved"] = False
    return Route(**options)


def rule(model: str, section: RuleConfig) -> Any:
    """An :class:`~driftscope.alerts.rules.AlertRule` of ``model``."""
    from driftscope.alerts.rules import AlertRule

    options = options_of(section, skip=("name", "metric", "threshold", "direction"))
    return AlertRule(
        section.name,
        section.metric,
        section.threshold,
        section.direction,
        model=model,
        **options,
    )


def alert_manager(
    config: MonitoringConfig,
    store: Store,
    built_channels: Mapping[str, Any],
    *,
    clock: Callable[[], datetime] | None = None,
) -> Any:
    """The :class:`~driftscope.alerts.AlertManager` of the configuration."""
    from driftscope.alerts.manager import AlertManager

    grouping = config.grouping
    routes = None if config.routes is None else route(config.routes, root=True, grouping=grouping)
    inhibit = None if config.inhibit_rules is None else inhibit_rules(config)
    options: dict[str, Any] = {
        "store": store,
        "routes": routes,
        "rules": [rule(m.name, r) for m in config.models for r in m.rules],
        "group_by": tuple(grouping.group_by),
        "group_wait": grouping.group_wait,
        "group_interval": grouping.group_interval,
        "repeat_interval": grouping.repeat_interval,
        "escalate_after": grouping.escalate_after,
        "clock": clock,
        "deliver": False,  # the Deliverer of the delivery section sends (rate limits, retries)
    }
    if inhibit is not None:
        options["inhibit_rules"] = inhibit
    return AlertManager(list(built_channels.values()) or None, **options)


def inhibit_rules(config: MonitoringConfig) -> list[Any]:
    """The configured :class:`~driftscope.alerts.inhibition.InhibitRule` list."""
    return [inhibit_rule(r) for r in config.inhibit_rules or ()]


def inhibit_rule(section: Any) -> Any:
    """One :class:`~driftscope.alerts.inhibition.InhibitRule`."""
    from driftscope.alerts.inhibition import InhibitRule

    return InhibitRule(
        list(section.source_matchers), list(section.target_matchers), list(section.equal)
    )


def deliverer(
    config: MonitoringConfig,
    store: Store,
    built_channels: Mapping[str, Any],
    *,
    clock: Callable[[], datetime] | None = None,
) -> Any:
    """The outbox's :class:`~driftscope.alerts.delivery.Deliverer`, with the retry policy
    and rate limits of the ``delivery`` section."""
    from driftscope.alerts.delivery import Deliverer
    from driftscope.alerts.rate_limit import RateLimit
    from driftscope.alerts.retry import RetryPolicy

    section = config.delivery
    retry = {
        name: getattr(section, name)
        for name in ("first_delay", "max_delay", "dead_after")
        if getattr(section, name) is not None
    }
    return Deliverer(
        store,
        dict(built_channels),
        retry=RetryPolicy(**retry),
        rate_limits={name: RateLimit(n, per) for name, (n, per) in section.rate_limits.items()},
        clock=clock,
    )


def silence_id(section: Any) -> str:
    """A stable id for a configured silence, so loading the file again adds no copy."""
    text = json.dumps(
        {
            "matchers": list(section.matchers),
            "starts_at": None if section.starts_at is None else section.starts_at.isoformat(),
            "ends_at": section.ends_at.isoformat(),
        },
        sort_keys=True,
    )
    return "config-" + hashlib.sha256(text.encode()).hexdigest()[:12]


def silence(section: Any, now: datetime) -> Any:
    """The :class:`~driftscope.alerts.silences.Silence` of a ``silences`` entry, with its
    stable id."""
    from driftscope.alerts.silences import Silence

    return Silence(
        list(section.matchers),
        section.starts_at or now,
        section.ends_at,
        section.created_by,
        section.comment,
        id=silence_id(section),
    )


def silences(config: MonitoringConfig, store: Store, now: datetime) -> list[Any]:
    """Store the configured silences that the store does not hold yet (by their stable
    id: loading the file again adds no copy); the silences added."""
    from driftscope.alerts import silences as stored

    added = []
    for section in config.silences:
        if section.ends_at <= now:
            continue  # over: nothing to mute
        found = silence(section, now)
        if store.get_state(stored.KIND, found.id) is None:
            stored.save(store, found, now)
            added.append(found)
    return added


def import_path(text: str) -> Any:
    """The object at ``"package.module:attribute"``."""
    module, _, attr = text.partition(":")
    target: Any = importlib.import_module(module)
    for part in attr.split("."):
        target = getattr(target, part)
    return target


def trigger(config: MonitoringConfig, name: str) -> Any:
    """The retraining trigger named ``name`` under ``retraining``."""
    from driftscope.response import triggers

    section = config.retraining[name]
    kind = section.kind
    options = options_of(section)
    if kind == "airflow":
        return triggers.AirflowTrigger(**options)
    if kind == "github":
        return triggers.GitHubWorkflowTrigger(**options)
    if kind == "webhook":
        return triggers.WebhookTrigger(**options)
    if kind == "shell":
        return triggers.ShellTrigger(**options)
    assert isinstance(section, CallableTriggerConfig)
    status = None if section.status_function is None else import_path(section.status_function)
    return triggers.CallableTrigger(import_path(section.function), status_fn=status)


def rollback(section: Any, store: Store, *, clock: Callable[[], datetime] | None = None) -> Any:
    """The rollback action of a model's ``response.rollback`` (audited in ``store``)."""
    from driftscope.response.mlflow_rollback import MLflowRollback
    from driftscope.response.rollback import CallableRollback, WebhookRollback

    options = {**options_of(section, skip=("kind", "when")), "store": store, "clock": clock}
    if section.kind == "mlflow":
        return MLflowRollback(**options)
    if section.kind == "webhook":
        return WebhookRollback(**options)
    assert isinstance(section, CallableRollbackConfig)
    return CallableRollback(import_path(section.function), store=store, clock=clock)


def response(
    config: MonitoringConfig,
    model: ModelConfig,
    store: Store,
    manager: Any,
    *,
    clock: Callable[[], datetime] | None = None,
) -> Any:
    """The response policy of ``model`` (its drift tiers, retraining and rollback)."""
    from driftscope.ops.respond import ConfiguredResponse

    section = model.response
    assert section is not None
    retrainer = None
    if section.retrain is not None:
        from driftscope.response.retrainer import AutoRetrainer

        retrain = section.retrain
        retrainer = AutoRetrainer(
            model.name,
            None if retrain.trigger is None else trigger(config, retrain.trigger),
            store=store,
            cooldown=retrain.cooldown,
            max_runs_per_day=retrain.max_runs_per_day,
            dry_run=retrain.dry_run,
            require_approval=retrain.require_approval,
            clock=clock,
        )
    back = None if section.rollback is None else rollback(section.rollback, store, clock=clock)
    return ConfiguredResponse(model.name, section, manager, retrainer, back, store=store)
