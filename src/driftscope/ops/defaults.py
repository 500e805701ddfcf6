"""What ``AlertManager()`` without arguments takes from the configuration file.

The alerting layer cannot import this layer; it offers a hook instead
(``driftscope.alerts.defaults.register_defaults``) and :func:`manager_defaults` is what
this layer gives it: the file named by ``$DRIFTSCOPE_CONFIG``, else ``./driftscope.yaml``
when it exists, read into the keyword arguments of ``AlertManager`` (its channels, routes,
rules, inhibit rules, grouping and store). With neither, ``None``: the manager falls back
to the console. A file that is not valid is an error, not a silent fallback.

>>> manager_defaults(environ={})  # no $DRIFTSCOPE_CONFIG, no ./driftscope.yaml here
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: The file read when ``$DRIFTSCOPE_CONFIG`` is not set.
DEFAULT_FILE = "driftscope.yaml"


def config_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """``$DRIFTSCOPE_CONFIG``, else ``./driftscope.yaml`` when it exists, else None."""
    env = os.environ if environ is None else environ
    named = env.get("DRIFTSCOPE_CONFIG", "").strip()
    if named:
        return Path(named)
    local = Path(DEFAULT_FILE)
    return local if local.is_file() else None


def manager_defaults(environ: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The ``AlertManager`` keyword arguments the configuration file gives, or None."""
    path = config_path(environ)
    if path is None:
        return None
    from driftscope.ops import build
    from driftscope.ops.loading import load_config

    config = load_config(path, environ=environ)
    grouping = config.grouping
    options: dict[str, Any] = {
        "channels": list(build.channels(config).values()),
        "rules": [build.rule(m.name, r) for m in config.models for r in m.rules],
        "group_by": tuple(grouping.group_by),
        "group_wait": grouping.group_wait,
        "group_interval": grouping.group_interval,
        "repeat_interval": grouping.repeat_interval,
        "escalate_after": grouping.escalate_after,
    }
    if config.store is not None:
        options["store"] = config.store
    if config.routes is not None:
        options["routes"] = build.route(config.routes, root=True, grouping=grouping)
    if config.inhibit_rules is not None:
        options["inhibit_rules"] = build.inhibit_rules(config)
    return options
