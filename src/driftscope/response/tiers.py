"""The drift response's tiers: which drift score calls for what.

``minor`` from 0.1 (an info alert and a drift event), ``moderate`` from 0.2 (a warning
alert and an investigation ticket), ``severe`` from 0.3 (a critical alert and
retraining), below ``minor`` nothing; the thresholds are those of the quick start's
example, configurable, and must increase. The score is the health drift check's
``data_drift_score`` (:mod:`driftscope.response.analyzer`), so ``moderate`` starts where
that check turns ``critical`` by default.

>>> tiers = DriftTiers.of(None)
>>> [tiers.tier(s) for s in (0.05, 0.1, 0.25, 0.3)]
['none', 'minor', 'moderate', 'severe']
>>> tiers.explain(0.25)
'drift score 0.250 >= moderate_drift 0.2'
>>> DriftTiers.of({"minor_drift": 0.3, "moderate_drift": 0.2, "severe_drift": 0.4})
Traceback (most recent call last):
...
driftscope.errors.ConfigError: thresholds must increase: minor_drift 0.3 < moderate_drift 0.2 < ...
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from driftscope.errors import ConfigError

NONE, MINOR, MODERATE, SEVERE = "none", "minor", "moderate", "severe"
TIERS = (NONE, MINOR, MODERATE, SEVERE)
#: The example's thresholds, by the names it uses.
DEFAULT_THRESHOLDS = {"minor_drift": 0.1, "moderate_drift": 0.2, "severe_drift": 0.3}
_KEYS = {"minor_drift": MINOR, "moderate_drift": MODERATE, "severe_drift": SEVERE}


@dataclass(frozen=True)
class DriftTiers:
    """Thresholds of the three tiers (see the module's text), validated: numbers in
    (0, 1], strictly increasing; a mapping given to :meth:`of` changes only the tiers it
    names.

    >>> tiers = DriftTiers.of({"severe_drift": 0.5})
    >>> tiers.tier(0.4), tiers.explain(0.4)
    ('moderate', 'drift score 0.400 >= moderate_drift 0.2')
    """

    minor_drift: float = DEFAULT_THRESHOLDS["minor_drift"]
    moderate_drift: float = DEFAULT_THRESHOLDS["moderate_drift"]
    severe_drift: float = DEFAULT_THRESHOLDS["severe_drift"]

    def __post_init__(self) -> None:
        for name in _KEYS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"thresholds['{name}'] must be a number, got {value!r}")
            if not math.isfinite(value) or not 0 < value <= 1:
                raise ConfigError(
                    f"thresholds['{name}'] must be in (0, 1] (drift scores run from 0 to 1), "
                    f"got {value!r}"
                )
            object.__setattr__(self, name, float(value))
        if not self.minor_drift < self.moderate_drift < self.severe_drift:
            raise ConfigError(
                f"thresholds must increase: minor_drift {self.minor_drift:g} < moderate_drift "
                f"{self.moderate_drift:g} < severe_drift {self.severe_drift:g} does not hold"
            )

    @classmethod
    def of(cls, thresholds: Mapping[str, Any] | DriftTiers | None) -> DriftTiers:
        """Tiers from a mapping with any of ``minor_drift``, ``moderate_drift``,
        ``severe_drift`` (the others keep their defaults); an unknown key is a ConfigError
        naming it."""
        if thresholds is None:
            return cls()
        if isinstance(thresholds, DriftTiers):
            return thresholds
        if not isinstance(thresholds, Mapping):
            raise ConfigError(f"thresholds must be a mapping, got {thresholds!r}")
        unknown = [k for k in thresholds if k not in _KEYS]
        if unknown:
            raise ConfigError(f"unknown threshold {unknown[0]!r}; the tiers are {', '.join(_KEYS)}")
        return cls(**{**DEFAULT_THRESHOLDS, **thresholds})

    def as_dict(self) -> dict[str, float]:
        """The thresholds by key (``minor_drift``, ``moderate_drift``, ``severe_drift``)."""
        return {name: getattr(self, name) for name in _KEYS}

    def tier(self, score: float) -> str:
        """The tier of a drift score: ``none``, ``minor``, ``moderate`` or ``severe``."""
        if score >= self.severe_drift:
            return SEVERE
        if score >= self.moderate_drift:
            return MODERATE
        if score >= self.minor_drift:
            return MINOR
        return NONE

    def explain(self, score: float) -> str:
        """Why ``score`` is in its tier, in words."""
        tier = self.tier(score)
        if tier == NONE:
            return f"drift score {score:.3f} < minor_drift {self.minor_drift:g}"
        name = next(k for k, v in _KEYS.items() if v == tier)
        return f"drift score {score:.3f} >= {name} {getattr(self, name):g}"
