"""Running monitoring from a configuration file: the YAML schema and its loading
(:func:`load_config`), one run of every model's checks, rules and response
(``driftscope run``) and the scheduler (``driftscope scheduler``).

This layer sits above ``response`` and below ``cli``: a configuration file wires together
the store, the monitors and health checks, the alerting (channels, routes, rules) and the
response (retraining, rollback), so it imports all of them and none of them imports it.
"""

from driftscope.ops.loading import ConfigFileError, load_config, parse_config
from driftscope.ops.schema import MonitoringConfig

__all__ = ["ConfigFileError", "MonitoringConfig", "load_config", "parse_config"]
