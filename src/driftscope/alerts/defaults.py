"""Where a configuration file meets ``AlertManager()``.

``AlertManager()`` called without channels (as in the quick start) takes its settings from
the configuration when there is one. A loader is a function returning the keyword arguments
of :class:`~driftscope.alerts.manager.AlertManager` it configures (``channels``,
``routes``, ``store``, ``rules``, ``inhibit_rules``, ``group_by``, ...), or None when there
is no configuration. Loaders come from :func:`register_defaults` (the last registered
first), then from the ``driftscope.alert_defaults`` entry points of the installed packages:
driftscope declares its configuration file's loader there
(``driftscope.ops.defaults:manager_defaults``: ``$DRIFTSCOPE_CONFIG``, else
``./driftscope.yaml``), so this layer never imports the configuration layer above it, and
another package can plug in its own source the same way. Arguments given to
``AlertManager(...)`` win over the loaded ones. With no configuration and no channels, the
manager writes notifications to standard error.

>>> register_defaults(lambda: {"group_wait": 0})
>>> configured_defaults()
{'group_wait': 0}
>>> clear_defaults(); configured_defaults()
{}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any

from driftscope.errors import ConfigError

Loader = Callable[[], Mapping[str, Any] | None]
#: The entry-point group whose functions give ``AlertManager()``'s configured defaults.
ENTRY_POINT_GROUP = "driftscope.alert_defaults"
_loaders: list[Loader] = []  # the one registry: set by the configuration layer


def register_defaults(loader: Loader) -> None:
    """Make ``loader`` the source of ``AlertManager()``'s defaults (the last registered
    wins)."""
    if not callable(loader):
        raise ConfigError("register_defaults takes a function returning keyword arguments")
    _loaders.append(loader)


def clear_defaults() -> None:
    """Forget every registered loader."""
    _loaders.clear()


def configured_defaults() -> dict[str, Any]:
    """The keyword arguments the first loader with a configuration gives (``{}`` when
    none has one): registered loaders first, then the entry points."""
    for loader in reversed(_loaders):
        found = loader()
        if found is not None:
            return dict(found)
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        found = point.load()()
        if found is not None:
            return dict(found)
    return {}
