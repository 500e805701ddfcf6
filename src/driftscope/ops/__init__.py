"""Running monitoring from a configuration file: the YAML schema and its loading
(:func:`load_config`), one run of every model's checks, rules and response
(``driftscope run``) and the scheduler (``driftscope scheduler``).

This layer sits above ``response`` and below ``cli``: a configuration file wires together
the store, the monitors and health checks, the alerting (channels, routes, rules) and the
response (retraining, rollback), so it imports all of them and none of them imports it.

Its names load on first use, so that ``driftscope.ops.defaults`` (asked by
``AlertManager()`` for the configuration's settings) costs nothing when no configuration
file is in use, and needs no optional package then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from driftscope.ops.loading import ConfigFileError, load_config, parse_config
    from driftscope.ops.schema import MonitoringConfig

_WHERE = {
    "ConfigFileError": "driftscope.ops.loading",
    "load_config": "driftscope.ops.loading",
    "parse_config": "driftscope.ops.loading",
    "MonitoringConfig": "driftscope.ops.schema",
}

__all__ = ["ConfigFileError", "MonitoringConfig", "load_config", "parse_config"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'driftscope.ops' has no attribute {name!r}")
