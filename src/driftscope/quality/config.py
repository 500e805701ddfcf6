"""Thresholds of the data-quality checks, validated at construction.

Defaults: completeness above 99 %, invalid inputs below 1 %, missing features below
0.1 %. Each check has a *warning* and a *critical* threshold; for a rate that should stay
low the status is ``warning`` when the value exceeds the warning threshold and
``critical`` when it exceeds the critical one (for completeness, which should stay high, when
it falls below them).

>>> QualityThresholds().invalid_rate
0.01
>>> QualityThresholds(completeness=0.9, completeness_critical=0.8).completeness
0.9
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from driftscope.core.status import Status
from driftscope.errors import ConfigError

#: (warning field, critical field, direction): "max" rates must stay below, "min" above
THRESHOLD_PAIRS = (
    ("completeness", "completeness_critical", "min"),
    ("invalid_rate", "invalid_rate_critical", "max"),
    ("missing_feature_rate", "missing_feature_rate_critical", "max"),
    ("out_of_range_rate", "out_of_range_rate_critical", "max"),
    ("type_mismatch_rate", "type_mismatch_rate_critical", "max"),
    ("unseen_category_rate", "unseen_category_rate_critical", "max"),
    ("correlation_change", "correlation_change_critical", "max"),
)


@dataclass(frozen=True)
class QualityThresholds:
    """Warning and critical thresholds of every check (rates are shares in [0, 1]).

    ``range_tolerance``: a value is outside the reference range when it is below
    ``min - tol * span`` or above ``max + tol * span``, ``span = max - min`` of the
    reference's finite values (``max(|min|, |max|, 1)`` when the span is 0), so rounding and
    values at the very edge of the training data are not flagged.
    ``correlation_method`` is ``"pearson"`` or ``"spearman"``; ``correlation_change`` is an
    absolute difference of correlation coefficients; ``top_pairs`` is how many of the most
    moved feature pairs are reported per window and ``min_correlation_rows`` the rows a
    window needs for a correlation (fewer gives ``unknown``). ``top_unseen`` is how many
    unseen categories are listed per feature.

    >>> limits = QualityThresholds(invalid_rate=0.02, invalid_rate_critical=0.1)
    >>> limits.status("invalid_rate", 0.05), limits.status("invalid_rate", 0.2)
    (<Status.WARNING: 'warning'>, <Status.CRITICAL: 'critical'>)
    >>> QualityThresholds(invalid_rate=0.2, invalid_rate_critical=0.1)
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: invalid_rate_critical must be at least invalid_rate (0.2), ...
    """

    completeness: float = 0.99
    completeness_critical: float = 0.95
    invalid_rate: float = 0.01
    invalid_rate_critical: float = 0.05
    missing_feature_rate: float = 0.001
    missing_feature_rate_critical: float = 0.01
    out_of_range_rate: float = 0.01
    out_of_range_rate_critical: float = 0.05
    type_mismatch_rate: float = 0.001
    type_mismatch_rate_critical: float = 0.01
    unseen_category_rate: float = 0.01
    unseen_category_rate_critical: float = 0.05
    correlation_change: float = 0.2
    correlation_change_critical: float = 0.4
    range_tolerance: float = 0.0
    correlation_method: str = "pearson"
    top_pairs: int = 10
    min_correlation_rows: int = 10
    top_unseen: int = 5

    def __post_init__(self) -> None:
        for warn, crit, direction in THRESHOLD_PAIRS:
            upper = 2.0 if warn.startswith("correlation") else 1.0
            for name in (warn, crit):
                value = getattr(self, name)
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or not math.isfinite(value)
                    or not 0.0 <= value <= upper
                ):
                    raise ConfigError(f"{name} must be a number in [0, {upper:g}], got {value!r}")
            w, c = getattr(self, warn), getattr(self, crit)
            if (direction == "max" and c < w) or (direction == "min" and c > w):
                word = "at least" if direction == "max" else "at most"
                raise ConfigError(f"{crit} must be {word} {warn} ({w}), got {c}")
        tol = self.range_tolerance
        if isinstance(tol, bool) or not isinstance(tol, int | float) or not 0 <= tol < math.inf:
            raise ConfigError(f"range_tolerance must be a finite number >= 0, got {tol!r}")
        if self.correlation_method not in ("pearson", "spearman"):
            raise ConfigError(
                f"correlation_method must be 'pearson' or 'spearman', "
                f"got {self.correlation_method!r}"
            )
        for name, low in (("top_pairs", 1), ("min_correlation_rows", 3), ("top_unseen", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ConfigError(f"{name} must be an integer >= {low}, got {value!r}")

    def status(self, check: str, value: float) -> Status:
        """The status of ``value`` for the threshold pair named ``check``.

        >>> QualityThresholds().status("invalid_rate", 0.02)
        <Status.WARNING: 'warning'>
        """
        for warn, crit, direction in THRESHOLD_PAIRS:
            if warn == check:
                w, c = getattr(self, warn), getattr(self, crit)
                if direction == "max":
                    return (
                        Status.CRITICAL if value > c else Status.WARNING if value > w else Status.OK
                    )
                return Status.CRITICAL if value < c else Status.WARNING if value < w else Status.OK
        raise ConfigError(f"unknown threshold {check!r}")

    def to_dict(self) -> dict[str, Any]:
        """The thresholds as a JSON-ready dict."""
        return asdict(self)
