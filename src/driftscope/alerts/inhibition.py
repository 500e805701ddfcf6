"""Inhibition: a firing alert mutes others that it makes redundant.

As in Prometheus Alertmanager: a rule has ``source_matchers``, ``target_matchers`` and
``equal`` labels; while an alert matching the source is firing, alerts matching the target
whose ``equal`` labels have the same values are not notified. An alert never inhibits
itself. The default rule (:data:`DEFAULT_INHIBIT_RULES`): a critical alert on a model
mutes that model's warning and info alerts, whatever their names, so the people paged for
the critical do not also get the warnings it explains. It needs the ``model`` label on the
critical: an alert without a model inhibits nothing.

>>> from driftscope.alerts.model import Alert
>>> crit = Alert.of("critical", "Accuracy low", labels={"model": "churn"})
>>> warn = Alert.of("warning", "Drift", labels={"model": "churn"})
>>> other = Alert.of("warning", "Drift", labels={"model": "fraud"})
>>> muted_by = Inhibitor(DEFAULT_INHIBIT_RULES, [crit, warn, other]).muted_by
>>> muted_by(warn) == crit.fingerprint, muted_by(other), muted_by(crit)
(True, None, None)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from driftscope.alerts.matchers import matches_all, parse_matchers
from driftscope.alerts.model import Alert
from driftscope.errors import ConfigError


@dataclass(frozen=True)
class InhibitRule:
    """One inhibition rule (see the module's text); matchers in any form
    :func:`~driftscope.alerts.matchers.parse_matchers` takes.

    >>> rule = InhibitRule('alertname="ModelDown"', 'severity="warning"', equal=["model"])
    >>> [str(m) for m in rule.target_matchers], rule.equal
    (['severity="warning"'], ('model',))
    """

    source_matchers: Any
    target_matchers: Any
    equal: Sequence[str] = ()

    def __post_init__(self) -> None:
        for name in ("source_matchers", "target_matchers"):
            try:
                matchers = parse_matchers(getattr(self, name))
            except ConfigError as exc:
                raise ConfigError(f"inhibit rule {name}: {exc}") from None
            if not matchers:
                raise ConfigError(f"an inhibit rule needs {name}")
            object.__setattr__(self, name, matchers)
        equal = (self.equal,) if isinstance(self.equal, str) else tuple(self.equal)
        if not all(isinstance(e, str) and e for e in equal):
            raise ConfigError(f"inhibit rule equal must be label names, got {self.equal!r}")
        object.__setattr__(self, "equal", equal)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_matchers": [str(m) for m in self.source_matchers],
            "target_matchers": [str(m) for m in self.target_matchers],
            "equal": list(self.equal),
        }


#: A critical alert on a model mutes that model's warning and info alerts.
DEFAULT_INHIBIT_RULES: tuple[InhibitRule, ...] = (
    InhibitRule(
        source_matchers=['severity="critical"', 'model=~".+"'],
        target_matchers=['severity=~"warning|info"'],
        equal=["model"],
    ),
)


class Inhibitor:
    """The inhibition rules applied to a set of firing alerts: which of them mutes a
    given alert. Built once per flush; each lookup is a dict probe per rule.

    >>> from driftscope.alerts.model import Alert
    >>> inhibitor = Inhibitor(DEFAULT_INHIBIT_RULES, [])
    >>> warning = Alert.of("warning", "Drift", labels={"model": "churn"})
    >>> before = inhibitor.muted_by(warning)
    >>> inhibitor.add(Alert.of("critical", "Accuracy low", labels={"model": "churn"}))
    >>> before, inhibitor.muted_by(warning) is not None
    (None, True)
    """

    def __init__(self, rules: Sequence[InhibitRule], firing: Iterable[Alert]):
        self._rules = tuple(rules)
        self._sources: list[dict[tuple[str, ...], list[str]]] = [{} for _ in self._rules]
        for alert in firing:
            self.add(alert)

    def add(self, alert: Alert) -> None:
        """Count one more firing alert as a possible inhibitor."""
        if alert.resolved:
            return
        for rule, found in zip(self._rules, self._sources, strict=True):
            if matches_all(rule.source_matchers, alert.labels):
                key = tuple(alert.labels.get(name, "") for name in rule.equal)
                found.setdefault(key, []).append(alert.fingerprint)

    def muted_by(self, alert: Alert) -> str | None:
        """The fingerprint of a firing alert that inhibits ``alert``, or None."""
        own = alert.fingerprint
        for rule, found in zip(self._rules, self._sources, strict=True):
            if not found or not matches_all(rule.target_matchers, alert.labels):
                continue
            key = tuple(alert.labels.get(name, "") for name in rule.equal)
            for source in found.get(key, ()):
                if source != own:
                    return source
        return None
