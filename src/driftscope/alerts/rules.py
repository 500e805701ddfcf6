"""Alert rules over stored check metrics: what is a bad window, and for how long.

An :class:`AlertRule` watches one metric of the health checks (``accuracy``,
``data_drift_score``, ``completeness`` of every feature, ...) on every model or some, and
judges each window: **bad** when the value passes the threshold in the rule's direction
(``"above"``: value > threshold; ``"below"``: value < threshold; equal is good), **good**
otherwise, and **not judged** when the value is missing (the check could not compute it)
or the window holds fewer than ``min_samples`` rows. The alert fires after
``for_windows`` bad windows in a row and resolves after ``resolve_after`` good windows in a
row; a window that is not judged neither fires nor resolves, and does not break a run. So a
metric wavering around its threshold does not flap.

A rule may instead watch the checks' own verdicts: ``status="critical"`` makes every point
whose status is critical (or worse) a bad window.

**Which points.** ``metric`` is a stored metric name (``"accuracy"``), a family of
per-feature metrics (``"completeness"`` matches ``completeness:age``,
``completeness:plan``, ...: one alert per feature, labelled ``feature``), or a glob
(``"estimated_*"``). ``check`` and ``model`` narrow it (``model`` a name or a list).

**Sample size.** ``min_samples`` is read from the point (``details`` ``n``, ``rows``,
``records``, ``timed_records`` or ``effective_calls``, whichever it has) or else from the
same window's ``labelled_rows`` or ``rows`` point of the same check. A window whose size is
not recorded is not judged when the rule asks for a minimum.

>>> rule = AlertRule("accuracy_low", "accuracy", 0.85, "below", severity="critical",
...                  for_windows=2, resolve_after=3)
>>> rule.judge(0.81), rule.judge(0.85), rule.judge(None)
('bad', 'good', 'skip')
>>> rule.part_of("completeness:age"), AlertRule("c", "completeness", 0.9, "below").part_of(
...     "completeness:age")
(None, 'age')
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from driftscope.alerts.model import AlertSeverity
from driftscope.core.status import Status
from driftscope.errors import ConfigError

#: The label a per-item metric's item gets, by check (``completeness:age`` -> feature="age").
PART_LABELS = {"quality": "feature", "predictions": "class"}
#: Detail keys that hold a point's sample size, in the order they are looked for.
SAMPLE_KEYS = ("n", "rows", "records", "timed_records", "effective_calls")
#: Points that hold a window's sample size for the other points of the same check.
SIZE_METRICS = ("labelled_rows", "rows")
#: Labels a rule sets itself; ``labels=`` cannot override them.
RESERVED_LABELS = frozenset({"alertname", "severity", "model", "check", "metric"})

BAD, GOOD, SKIP = "bad", "good", "skip"
_NAME = re.compile(r"^[A-Za-z0-9_.:-]+$")


def part_label(check: str) -> str:
    """The label name of a per-item metric's item for ``check`` (``"item"`` by default)."""
    return PART_LABELS.get(check, "item")


@dataclass(frozen=True)
class AlertRule:
    """A threshold (or status) rule over a stored check metric (see the module's text).

    ``name`` becomes the alert's ``alertname`` label; ``title`` is the headline people
    read (default: ``"accuracy below 0.85"``). ``labels`` are added to the alert's labels
    (for routing: ``{"team": "risk"}``); ``annotations`` to its text, formatted with
    ``{model}``, ``{metric}``, ``{feature}``, ``{value}``, ``{threshold}``,
    ``{window_start}`` and ``{window_end}``.

    >>> AlertRule("drift", "data_drift_score", 0.2).severity
    <AlertSeverity.WARNING: 'warning'>
    >>> AlertRule("any_critical", "*", status="critical").judge(None, "critical")
    'bad'
    """

    name: str
    metric: str
    threshold: float | None = None
    direction: str = "above"
    _: KW_ONLY
    check: str | None = None
    model: str | Sequence[str] | None = None
    severity: AlertSeverity | str = AlertSeverity.WARNING
    min_samples: int | None = None
    for_windows: int = 1
    resolve_after: int = 1
    status: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    title: str | None = None

    def __post_init__(self) -> None:
        where = f"alert rule {self.name!r}"
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ConfigError(
                "an alert rule's name must be letters, digits, '_', '.', ':' or '-', "
                f"got {self.name!r}"
            )
        if not isinstance(self.metric, str) or not self.metric:
            raise ConfigError(f"{where}: metric must be a metric name, got {self.metric!r}")
        if (self.threshold is None) == (self.status is None):
            raise ConfigError(f"{where}: give a threshold or a status (one of them)")
        if self.threshold is not None:
            value = self.threshold
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{where}: threshold must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ConfigError(f"{where}: threshold must be finite, got {value!r}")
            object.__setattr__(self, "threshold", float(value))
        if self.direction not in ("above", "below"):
            raise ConfigError(
                f"{where}: direction must be 'above' or 'below', got {self.direction!r}"
            )
        if self.status is not None:
            try:
                object.__setattr__(self, "status", Status(self.status).value)
            except ValueError:
                raise ConfigError(
                    f"{where}: status must be one of warning, critical, unknown, got "
                    f"{self.status!r}"
                ) from None
            if self.status == Status.OK:
                raise ConfigError(f"{where}: status 'ok' is never a problem")
        object.__setattr__(self, "severity", _severity(self.severity, where))
        for attr in ("for_windows", "resolve_after"):
            count = getattr(self, attr)
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ConfigError(f"{where}: {attr} must be an int >= 1, got {count!r}")
        samples = self.min_samples
        if samples is not None and (
            isinstance(samples, bool) or not isinstance(samples, int) or samples < 1
        ):
            raise ConfigError(f"{where}: min_samples must be None or an int >= 1, got {samples!r}")
        object.__setattr__(self, "model", _models(self.model, where))
        if self.check is not None and (not isinstance(self.check, str) or not self.check):
            raise ConfigError(f"{where}: check must be a check name or None, got {self.check!r}")
        object.__setattr__(self, "labels", _strings(self.labels, f"{where}: labels"))
        object.__setattr__(self, "annotations", _strings(self.annotations, f"{where}: annotations"))
        clash = RESERVED_LABELS & set(self.labels)
        if clash:
            raise ConfigError(
                f"{where}: labels cannot set {', '.join(sorted(clash))} (the rule sets them)"
            )
        if self.title is not None and (not isinstance(self.title, str) or not self.title.strip()):
            raise ConfigError(f"{where}: title must be non-empty text or None")

    # ------------------------------------------------------------------ which points
    @property
    def is_glob(self) -> bool:
        return any(ch in self.metric for ch in "*?[")

    def part_of(self, metric: str) -> str | None:
        """``""`` when ``metric`` is the rule's metric itself, the item (feature) when it
        is one of the rule's per-item family, None when the rule does not watch it."""
        if metric == self.metric:
            return metric.partition(":")[2]
        base, _, part = metric.partition(":")
        if part and base == self.metric:
            return part
        if self.is_glob and fnmatch.fnmatchcase(metric, self.metric):
            return part
        return None

    # ------------------------------------------------------------------ judging
    def judge(self, value: float | None, status: str | None = None) -> str:
        """``"bad"``, ``"good"`` or ``"skip"`` (not judged) for one window's point."""
        if self.status is not None:
            if status is None:
                return SKIP
            if status == Status.UNKNOWN and self.status != Status.UNKNOWN:
                return SKIP
            return BAD if Status(status).rank >= Status(self.status).rank else GOOD
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return SKIP
        assert self.threshold is not None
        bad = value > self.threshold if self.direction == "above" else value < self.threshold
        return BAD if bad else GOOD

    def headline(self) -> str:
        """The alert's title: ``title``, or what the rule watches in words."""
        if self.title:
            return self.title.strip()
        if self.status is not None:
            return f"{self.metric} {self.status}" if self.metric != "*" else f"{self.status} check"
        return f"{self.metric} {self.direction} {self.threshold:g}"

    def to_dict(self) -> dict[str, Any]:
        """The rule's settings, JSON-ready."""
        return {
            "name": self.name,
            "metric": self.metric,
            "threshold": self.threshold,
            "direction": self.direction,
            "check": self.check,
            "model": None if self.model is None else list(self.model),
            "severity": AlertSeverity.parse(self.severity).value,
            "min_samples": self.min_samples,
            "for_windows": self.for_windows,
            "resolve_after": self.resolve_after,
            "status": self.status,
            "labels": dict(self.labels),
            "annotations": dict(self.annotations),
            "title": self.title,
        }


def _severity(value: Any, where: str) -> AlertSeverity:
    try:
        return AlertSeverity.parse(value)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _models(value: Any, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = (value,)
    if isinstance(value, Sequence) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise ConfigError(f"{where}: model must be a model name, a list of them or None")


def _strings(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be a mapping of text to text, got {value!r}")
    out = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key or not isinstance(item, str | int | float):
            raise ConfigError(f"{where} must map names to text, got {key!r}: {item!r}")
        out[key] = str(item)
    return out


def sample_size(details: Mapping[str, Any]) -> float | None:
    """A point's sample size from its details (see :data:`SAMPLE_KEYS`), or None.

    >>> sample_size({"n": 400, "ci_low": 0.8}), sample_size({"reason": "no rows"})
    (400.0, None)
    """
    for key in SAMPLE_KEYS:
        value = details.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def checked_rules(rules: Iterable[Any]) -> tuple[AlertRule, ...]:
    """``rules`` as a tuple, each an AlertRule, names unique."""
    rules = tuple(rules)  # a generator is read once
    names: set[str] = set()
    for rule in rules:
        if not isinstance(rule, AlertRule):
            raise ConfigError(f"rules must be AlertRule objects, got {rule!r}")
        if rule.name in names:
            raise ConfigError(f"two alert rules are named {rule.name!r}")
        names.add(rule.name)
    return tuple(rules)
