"""Always-log rules: predictions a monitor keeps whatever the sampling rate.

Each rule is a callable ``rule(features, prediction, metadata) -> bool`` with a ``name``
(the record's ``sample_reason`` is ``"rule:<name>"``) and a vectorised ``mask(view)`` for
``log_predictions``. Plain functions work too (wrapped in :class:`Predicate`; in the batch
form they run once per row).

Where a rule finds its value: :class:`LowConfidence` and :class:`HighValue` apply to the
prediction itself when it is a number (``LowConfidence`` to the largest class probability
when it is a list of them); otherwise, like :class:`Flag`, they look up ``field`` in the
prediction mapping, then the metadata, then the features. A missing value, None or NaN
never matches.

>>> LowConfidence(below=0.5)({}, {"label": 1, "confidence": 0.31}, None)
True
>>> HighValue(above=0.9)({}, 0.95, None), Flag("is_edge_case")({}, 0.2, {"is_edge_case": True})
(True, True)
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from driftscope.errors import ConfigError
from driftscope.monitor.view import BatchView

_NONE = object()


class Rule(ABC):
    """Base of the always-log rules (subclass it for a vectorised ``mask``).

    >>> class BigOrder(Rule):
    ...     name = "big_order"
    ...     def __call__(self, features, prediction, metadata):
    ...         return features.get("amount", 0) > 10_000
    >>> BigOrder()({"amount": 25_000}, 0.1, None)
    True
    """

    @property
    @abstractmethod
    def name(self) -> str:
        """The rule's name in ``sample_reason`` and the cost report."""

    @abstractmethod
    def __call__(self, features: Any, prediction: Any, metadata: Any) -> bool:
        """Whether this record must be logged."""

    def mask(self, view: BatchView) -> np.ndarray:
        """The rule over every row of a batch (row by row unless overridden)."""
        out = np.zeros(view.n, bool)
        for i in range(view.n):
            try:
                out[i] = bool(self(*view.row(i)))
            except Exception:
                view.rule_errors += 1
        return out


def find(field: str, prediction: Any, metadata: Any, features: Any) -> Any:
    """``field`` in the prediction mapping, then the metadata, then the features."""
    for place in (prediction, metadata, features):
        if isinstance(place, Mapping):
            value = place.get(field, _NONE)
            if value is not _NONE:
                return value
    return None


def _number(prediction: Any) -> float | None:
    t = type(prediction)
    if t is float or t is int:
        return prediction
    if isinstance(prediction, np.integer | np.floating):
        return float(prediction)
    if isinstance(prediction, np.ndarray) and prediction.size == 1:
        return float(prediction.reshape(-1)[0])
    return None


def _largest(prediction: Any) -> float | None:
    if isinstance(prediction, list | tuple | np.ndarray) and len(prediction) > 1:
        return float(np.max(np.asarray(prediction, dtype=float)))
    return None


def _floats(values: np.ndarray | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.nan)
    out = np.asarray(values)
    if out.dtype == object:
        out = np.array([np.nan if v is None else v for v in out], dtype=float)
    return out.astype(float, copy=False)


def _check_number(value: Any, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{owner} must be a finite number, got {value!r}")
    return float(value)


def _check_field(value: Any, owner: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{owner} must be a non-empty string, got {value!r}")
    return value


@dataclass(frozen=True)
class LowConfidence(Rule):
    """Log predictions whose confidence is ``< below``.

    >>> LowConfidence(below=0.5)({}, [0.45, 0.40, 0.15], None)  # largest probability 0.45
    True
    """

    below: float = 0.5
    field: str = "confidence"

    def __post_init__(self) -> None:
        object.__setattr__(self, "below", _check_number(self.below, "LowConfidence.below"))
        _check_field(self.field, "LowConfidence.field")

    @property
    def name(self) -> str:
        return "low_confidence"

    def __call__(self, features: Any, prediction: Any, metadata: Any) -> bool:
        value = _number(prediction)
        if value is None:
            value = _largest(prediction)
        if value is None:
            value = find(self.field, prediction, metadata, features)
        return value is not None and value < self.below

    def mask(self, view: BatchView) -> np.ndarray:
        values = view.scalar_prediction()
        if values is None:
            probabilities = view.probabilities()
            if probabilities is not None:
                with np.errstate(invalid="ignore"):
                    return np.max(probabilities, axis=1) < self.below
            values = view.lookup(self.field)
        with np.errstate(invalid="ignore"):
            return _floats(values, view.n) < self.below


@dataclass(frozen=True)
class HighValue(Rule):
    """Log predictions whose value (risk, amount, score) is ``> above``.

    >>> HighValue(above=1000, field="amount")({"amount": 5000}, 0.1, None)
    False
    """

    above: float = 0.9
    field: str = "value"

    def __post_init__(self) -> None:
        object.__setattr__(self, "above", _check_number(self.above, "HighValue.above"))
        _check_field(self.field, "HighValue.field")

    @property
    def name(self) -> str:
        return "high_value"

    def __call__(self, features: Any, prediction: Any, metadata: Any) -> bool:
        value = _number(prediction)
        if value is None:
            value = find(self.field, prediction, metadata, features)
        return value is not None and value > self.above

    def mask(self, view: BatchView) -> np.ndarray:
        values = view.scalar_prediction()
        if values is None:
            values = view.lookup(self.field)
        with np.errstate(invalid="ignore"):
            return _floats(values, view.n) > self.above


@dataclass(frozen=True)
class Flag(Rule):
    """Log predictions where the value called ``name`` is true (``is_edge_case``, ...).

    >>> Flag("is_edge_case")({"is_edge_case": 0}, {"label": 1}, None)
    False
    """

    name: str = "is_edge_case"

    def __post_init__(self) -> None:
        _check_field(self.name, "Flag.name")

    def __call__(self, features: Any, prediction: Any, metadata: Any) -> bool:
        value = find(self.name, prediction, metadata, features)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        return bool(value)

    def mask(self, view: BatchView) -> np.ndarray:
        values = view.lookup(self.name)
        if values is None:
            return np.zeros(view.n, bool)
        if values.dtype == object:
            return np.array(
                [
                    v is not None and not (isinstance(v, float) and math.isnan(v)) and bool(v)
                    for v in values
                ],
                dtype=bool,
            )
        if values.dtype.kind == "f":
            return np.nan_to_num(values, nan=0.0) != 0
        return values.astype(bool)


class Predicate(Rule):
    """A plain function ``f(features, prediction, metadata) -> bool`` as a rule.

    >>> Predicate(lambda f, p, m: p > 0.99, "very_sure")({}, 0.995, None)
    True
    """

    def __init__(self, function: Callable[[Any, Any, Any], Any], name: str | None = None):
        if not callable(function):
            raise ConfigError(f"a rule must be callable, got {function!r}")
        self.function = function
        self._name = name or getattr(function, "__name__", "") or type(function).__name__

    @property
    def name(self) -> str:
        return self._name

    def __call__(self, features: Any, prediction: Any, metadata: Any) -> bool:
        return bool(self.function(features, prediction, metadata))

    def __repr__(self) -> str:
        return f"Predicate({self.function!r}, name={self._name!r})"


def as_rule(rule: Any, index: int, owner: str) -> Rule:
    """A rule object from a rule or a function (a lambda is named ``rule<index>``)."""
    if isinstance(rule, Rule):
        return rule
    if callable(rule):
        name = getattr(rule, "__name__", "")
        if not name or name == "<lambda>":
            name = f"rule{index}"
        return Predicate(rule, name)
    raise ConfigError(f"{owner}[{index}] must be a rule or a callable, got {rule!r}")
