"""The routing tree: which channels hear an alert, grouped how, and how often.

As in Prometheus Alertmanager: every alert enters at the root route; the root's children
are tried in order, and an alert goes down the first child whose ``matchers`` all match
it, then on into that child's children the same way; it stops at the deepest route that
matched. A child with ``continue_=True`` lets the search go on to its later siblings even
after it matched, so one alert can reach several routes. A route's unset settings
(``channels``, ``group_by``, ``group_wait``, ``group_interval``, ``repeat_interval``,
``send_resolved``, ``escalate_after``, ``escalate_to``) are its parent's.

``group_by`` lists the labels whose values make a group (``["..."]``: every label, one
group per alert); ``escalate_after`` is how long a critical group may stay unacknowledged
before it is sent again to ``escalate_to`` (default: the route's own channels).

>>> from datetime import timedelta
>>> tree = RouteTree(Route(channels=["slack"], group_by=["alertname", "model"], routes=[
...     Route(channels=["pagerduty"], matchers='severity="critical"', continue_=True),
...     Route(channels=["email"], matchers='team="risk"'),
... ]), RouteSettings())
>>> [t.channels for t in tree.match({"severity": "critical", "team": "risk"})]
[('pagerduty',), ('email',)]
>>> [t.channels for t in tree.match({"severity": "warning"})]
[('slack',)]
>>> tree.match({"severity": "critical"})[0].group_wait
datetime.timedelta(seconds=30)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from typing import Any

from driftscope.alerts.durations import as_duration, seconds
from driftscope.alerts.matchers import Matcher, matches_all, parse_matchers
from driftscope.errors import ConfigError

#: ``group_by=["..."]`` groups by every label: one group per alert.
ALL_LABELS = "..."


@dataclass(frozen=True)
class RouteSettings:
    """The settings a route resolves to (its own, else its parent's, else these).

    >>> defaults = RouteSettings(channels=("slack",), group_wait=timedelta(seconds=10))
    >>> tree = RouteTree(Route(routes=[Route(receiver="pagerduty", matchers={"team": "risk"})]),
    ...                  defaults)
    >>> [(t.channels, t.group_wait) for t in tree.match({"team": "risk"})]
    [(('pagerduty',), datetime.timedelta(seconds=10))]
    """

    channels: tuple[str, ...] = ()
    group_by: tuple[str, ...] = ("alertname", "model")
    group_wait: timedelta = timedelta(seconds=30)
    group_interval: timedelta = timedelta(minutes=5)
    repeat_interval: timedelta = timedelta(hours=4)
    send_resolved: bool = True
    escalate_after: timedelta | None = None
    escalate_to: tuple[str, ...] = ()


_INHERITED = tuple(f.name for f in fields(RouteSettings))


@dataclass(frozen=True)
class Route:
    """One node of the routing tree (see the module's text). ``receiver`` is a synonym
    for a single channel (Alertmanager's word). Durations are timedeltas, seconds or
    text (``"30s"``, ``"5m"``, ``"4h"``).

    >>> Route(receiver="pagerduty", matchers={"severity": "critical"}, group_wait="10s")
    ... # doctest: +ELLIPSIS
    Route(channels=('pagerduty',), matchers=(Matcher(name='severity', op='=', ...
    """

    channels: Sequence[str] | None = None
    matchers: Any = ()
    group_by: Sequence[str] | None = None
    group_wait: timedelta | float | str | None = None
    group_interval: timedelta | float | str | None = None
    repeat_interval: timedelta | float | str | None = None
    continue_: bool = False
    routes: Sequence[Route] = ()
    receiver: str | None = None
    send_resolved: bool | None = None
    escalate_after: timedelta | float | str | None = None
    escalate_to: Sequence[str] | None = None
    name: str = ""

    def __post_init__(self) -> None:
        where = f"route {self.name!r}" if self.name else "a route"
        set_ = object.__setattr__
        if self.receiver is not None:
            if self.channels is not None:
                raise ConfigError(f"{where}: give channels or receiver, not both")
            set_(self, "channels", _names([self.receiver], f"{where}: receiver"))
            set_(self, "receiver", None)
        elif self.channels is not None:
            set_(self, "channels", _names(self.channels, f"{where}: channels"))
        try:
            set_(self, "matchers", parse_matchers(self.matchers))
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        if self.group_by is not None:
            set_(self, "group_by", _names(self.group_by, f"{where}: group_by", empty=True))
        for name in ("group_wait", "group_interval", "repeat_interval", "escalate_after"):
            value = getattr(self, name)
            if value is not None:
                set_(self, name, as_duration(value, f"{where}: {name}"))
        for name in ("group_interval", "repeat_interval"):
            if getattr(self, name) == timedelta(0):
                raise ConfigError(f"{where}: {name} must be more than 0")
        if self.escalate_to is not None:
            set_(self, "escalate_to", _names(self.escalate_to, f"{where}: escalate_to"))
        for name in ("continue_", "send_resolved"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise ConfigError(f"{where}: {name} must be true or false, got {value!r}")
        routes = self.routes
        if isinstance(routes, Route) or not isinstance(routes, Iterable):
            raise ConfigError(f"{where}: routes must be a list of Route")
        routes = tuple(routes)
        for child in routes:
            if not isinstance(child, Route):
                raise ConfigError(f"{where}: routes must hold Route objects, got {child!r}")
        set_(self, "routes", routes)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Route:
        """A route from Alertmanager-like keys (``receiver`` or ``channels``,
        ``matchers``, ``group_by``, ``group_wait``, ..., ``continue``, ``routes``).

        >>> Route.from_dict({"receiver": "slack", "continue": True}).continue_
        True
        """
        known = {f.name for f in fields(cls)} | {"continue"}
        unknown = set(data) - known
        if unknown:
            raise ConfigError(f"a route has unknown keys: {', '.join(sorted(unknown))}")
        options = dict(data)
        if "continue" in options:
            options["continue_"] = options.pop("continue")
        options["routes"] = [
            r if isinstance(r, Route) else cls.from_dict(r) for r in options.get("routes", ())
        ]
        return cls(**options)

    def channel_names(self) -> set[str]:
        """Every channel named in this route and below (for checking them once)."""
        names = set(self.channels or ()) | set(self.escalate_to or ())
        for child in self.routes:
            names |= child.channel_names()
        return names


def _names(value: Any, where: str, *, empty: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise ConfigError(f"{where} must be a list of names, got {value!r}")
    out = tuple(value)
    if not all(isinstance(v, str) and v for v in out) or (not out and not empty):
        raise ConfigError(f"{where} must be a list of non-empty names, got {list(out)!r}")
    return out


@dataclass(frozen=True)
class Target:
    """A route as an alert reaches it: its settings resolved and a stable ``key`` (its
    place in the tree and its settings: a changed route makes new groups).

    >>> tree = RouteTree(Route(channels=["slack"], group_by=["model"]), RouteSettings())
    >>> target = tree.match({"alertname": "Drift", "model": "churn"})[0]
    >>> target.path, target.group_labels({"alertname": "Drift", "model": "churn"})
    ('root', {'model': 'churn'})
    """

    key: str
    path: str
    channels: tuple[str, ...]
    group_by: tuple[str, ...]
    group_wait: timedelta
    group_interval: timedelta
    repeat_interval: timedelta
    send_resolved: bool
    escalate_after: timedelta | None
    escalate_to: tuple[str, ...]
    matchers: tuple[Matcher, ...] = field(default=(), compare=False, repr=False)

    def group_labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        """The labels that name this alert's group on this route."""
        if ALL_LABELS in self.group_by:
            return dict(labels)
        return {name: labels[name] for name in self.group_by if name in labels}

    def settings(self) -> dict[str, Any]:
        """JSON-ready settings, kept with a group."""
        return {
            "channels": list(self.channels),
            "group_by": list(self.group_by),
            "group_wait": seconds(self.group_wait),
            "group_interval": seconds(self.group_interval),
            "repeat_interval": seconds(self.repeat_interval),
            "send_resolved": self.send_resolved,
            "escalate_after": seconds(self.escalate_after),
            "escalate_to": list(self.escalate_to),
        }


def _target(path: str, settings: RouteSettings, matchers: tuple[Matcher, ...]) -> Target:
    body = {"path": path, **{k: _plain(getattr(settings, k)) for k in _INHERITED}}
    body["matchers"] = [str(m) for m in matchers]
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:8]
    return Target(
        key=f"{path}~{digest}",
        path=path,
        channels=settings.channels,
        group_by=settings.group_by,
        group_wait=settings.group_wait,
        group_interval=settings.group_interval,
        repeat_interval=settings.repeat_interval,
        send_resolved=settings.send_resolved,
        escalate_after=settings.escalate_after,
        escalate_to=settings.escalate_to,
        matchers=matchers,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, tuple):
        return list(value)
    return value


@dataclass(frozen=True)
class _Node:
    route: Route
    target: Target
    children: tuple[_Node, ...]


class RouteTree:
    """The routing tree with every route's settings resolved; :meth:`match` gives the
    routes an alert reaches. The root route matches every alert (it may not have
    matchers).

    >>> critical = Route(receiver="pagerduty", matchers='severity="critical"')
    >>> tree = RouteTree(Route(channels=["slack"], routes=[critical]), RouteSettings())
    >>> [t.path for t in tree.targets()], tree.direct(["email"]).channels
    (['root', 'root/0'], ('email',))
    """

    def __init__(self, root: Route, defaults: RouteSettings):
        if root.matchers:
            raise ConfigError("the root route matches every alert: it cannot have matchers")
        self.root = root
        self._tree = self._build(root, defaults, "root", ())

    def _build(
        self, route: Route, parent: RouteSettings, path: str, matchers: tuple[Matcher, ...]
    ) -> _Node:
        own = {k: getattr(route, k) for k in _INHERITED if getattr(route, k) is not None}
        settings = replace(parent, **own)
        if not settings.channels:
            raise ConfigError(f"{path}: the route has no channel (set channels or receiver)")
        here = matchers + tuple(route.matchers)
        children = tuple(
            self._build(child, settings, f"{path}/{i}", here)
            for i, child in enumerate(route.routes)
        )
        return _Node(route, _target(path, settings, here), children)

    def match(self, labels: Mapping[str, str]) -> list[Target]:
        """The routes an alert with ``labels`` reaches, in tree order (never empty)."""
        return _match(self._tree, labels) or [self._tree.target]

    def targets(self) -> list[Target]:
        """Every route, root first."""
        out: list[Target] = []
        stack = [self._tree]
        while stack:
            node = stack.pop(0)
            out.append(node.target)
            stack[:0] = list(node.children)
        return out

    def direct(self, channels: Sequence[str]) -> Target:
        """The route of an alert sent to named ``channels`` (``send_alert(channels=...)``):
        the root's settings with those channels."""
        root = self._tree.target
        settings = RouteSettings(
            channels=tuple(channels),
            group_by=root.group_by,
            group_wait=root.group_wait,
            group_interval=root.group_interval,
            repeat_interval=root.repeat_interval,
            send_resolved=root.send_resolved,
            escalate_after=root.escalate_after,
            escalate_to=root.escalate_to,
        )
        return _target("direct:" + ",".join(sorted(channels)), settings, ())


def _match(node: _Node, labels: Mapping[str, str]) -> list[Target]:
    if not matches_all(node.route.matchers, labels):
        return []
    found: list[Target] = []
    for child in node.children:
        below = _match(child, labels)
        found.extend(below)
        if below and not child.route.continue_:
            break
    return found or [node.target]
