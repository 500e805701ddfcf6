"""Where a configuration file meets ``AlertManager()``.

``AlertManager()`` called without channels (as in the quick start) takes its settings from
the configuration when one is loaded: the configuration layer registers a loader here
(:func:`register_defaults`), a function returning the keyword arguments of
:class:`~driftscope.alerts.manager.AlertManager` it configures (``channels``, ``routes``,
``store``, ``rules``, ``inhibit_rules``, ``group_by``, ...), or None when there is no
configuration. Arguments given to ``AlertManager(...)`` win over the loaded ones. With no
loader and no channels, the manager writes notifications to standard error.

>>> register_defaults(lambda: {"group_wait": 0})
>>> configured_defaults()
{'group_wait': 0}
>>> clear_defaults(); configured_defaults()
{}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from driftscope.errors import ConfigError

Loader = Callable[[], Mapping[str, Any] | None]
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
    """The keyword arguments the registered loader gives (``{}`` without one)."""
    for loader in reversed(_loaders):
        found = loader()
        if found is not None:
            return dict(found)
    return {}
