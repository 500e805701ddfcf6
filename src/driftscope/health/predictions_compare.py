"""How the predictions check compares a window's share or mean with the baseline's.

A :class:`Stat` is a window's (or the baseline's) value of one metric with its effective
number of rows (Kish's, :func:`driftscope.stats.kish_effective_n`); :func:`compare` tests
the window against the baseline with both sample sizes (shares: Fisher's exact test,
:func:`driftscope.stats.share_test`, sized by Cohen's h; means: Welch's z-test,
:func:`driftscope.stats.welch_z_test`, sized in baseline standard deviations) and turns
p-value and effect into a status: ``warning`` when the move in the bad direction is
significant at ``ALPHA`` and its effect at least ``NEGLIGIBLE``, ``critical`` from an
effect of ``MEDIUM`` for the metrics that may be critical. The stored threshold is the
value at which the point would turn ``warning``.

>>> before, after = Stat(0.01, 10_000), Stat(0.15, 2_000)
>>> c = compare("anomaly_rate", before, after, "greater", "critical")
>>> c.status, round(c.effect, 2)
('critical', 0.6)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from driftscope.core.checks import CheckRecord
from driftscope.core.weights import read_sampling_weights
from driftscope.health.context import CheckWindow
from driftscope.stats import (
    cohens_h,
    kish_effective_n,
    share_test,
    standardized_difference,
    weighted_mean_sd,
    welch_z_test,
)
from driftscope.stats.proportions import Alternative

CHECK = "predictions"
ALPHA = 0.001
NEGLIGIBLE = 0.05
MEDIUM = 0.5


@dataclass(frozen=True)
class Stat:
    """A window's or the baseline's value of one metric: a share or a mean.

    >>> Stat(0.25, 400.0).is_share, Stat(3.0, 50.0, sd=1.5, is_share=False).sd
    (True, 1.5)
    """

    value: float
    n: float  # effective number of rows
    sd: float = 0.0  # for means: the standard deviation of the values
    is_share: bool = True


@dataclass(frozen=True)
class Compared:
    """One metric of a window tested against the baseline.

    >>> Compared("prediction_mean", 0.3, 0.5, 1.2, 1e-9, 0.35, "warning").describe()
    'prediction_mean: 0.3 -> 0.5 (effect 1.2, p=1e-09)'
    """

    metric: str
    before: float
    after: float
    effect: float
    p_value: float
    threshold: float
    status: str

    def describe(self) -> str:
        return (
            f"{self.metric}: {self.before:.4g} -> {self.after:.4g} "
            f"(effect {self.effect:.2g}, p={self.p_value:.2g})"
        )


def unequal_weights(frame: pd.DataFrame) -> np.ndarray | None:
    w = read_sampling_weights(frame)
    return None if w is None or np.all(w == w[0]) else w


def n_eff(n: int, w: np.ndarray | None) -> float:
    return float(n) if w is None else kish_effective_n(w)


def share_stat(flags: np.ndarray, w: np.ndarray | None) -> Stat:
    return Stat(float(np.average(flags, weights=w)), n_eff(flags.size, w))


def mean_stat(x: np.ndarray, w: np.ndarray | None) -> Stat:
    m, sd = weighted_mean_sd(x, w)
    return Stat(m, n_eff(x.size, w), sd, is_share=False)


def class_shares(codes: np.ndarray, classes: Any, w: np.ndarray | None) -> dict[str, Stat]:
    counts = np.bincount(codes, weights=w, minlength=len(classes))
    total, n = counts.sum(), n_eff(codes.size, w)
    return {f"class_share:{c}": Stat(float(counts[j] / total), n) for j, c in enumerate(classes)}


def compare(metric: str, before: Stat, after: Stat, side: Alternative, cap: str) -> Compared:
    """Test ``after`` against ``before``; ``side`` is the bad direction ("greater",
    "less" or "two-sided"), ``cap`` the worst status the metric may take."""
    test = _share_test if after.is_share else _mean_test
    p, effect, threshold = test(before, after, side)
    status = "ok"
    if p < ALPHA and effect >= NEGLIGIBLE:
        status = "critical" if effect >= MEDIUM and cap == "critical" else "warning"
    return Compared(metric, before.value, after.value, effect, p, threshold, status)


def _signed(side: Alternative, up: bool, effect: float) -> float:
    """The effect counted only in the bad direction."""
    return effect if side == "two-sided" or up == (side == "greater") else 0.0


def _share_test(before: Stat, after: Stat, side: Alternative) -> tuple[float, float, float]:
    """Fisher's exact test on the (effective) counts, Cohen's h, and the warning line."""
    n0, n1 = max(round(before.n), 1), max(round(after.n), 1)
    k0 = min(max(round(before.value * n0), 0), n0)
    k1 = min(max(round(after.value * n1), 0), n1)
    p = share_test(k0, n0, k1, n1, side)
    up = after.value >= before.value if side == "two-sided" else side == "greater"
    effect = _signed(side, after.value > before.value, cohens_h(before.value, after.value))
    h0 = 2.0 * math.asin(math.sqrt(min(max(before.value, 0.0), 1.0)))
    p0, z = before.value, norm.isf(ALPHA / (2 if side == "two-sided" else 1))
    step = z * math.sqrt(p0 * (1.0 - p0) * (1.0 / n0 + 1.0 / n1))
    if up:
        by_effect = math.sin(min(h0 / 2 + NEGLIGIBLE / 2, math.pi / 2)) ** 2
        return p, effect, min(max(p0 + step, by_effect), 1.0)
    by_effect = math.sin(max(h0 / 2 - NEGLIGIBLE / 2, 0.0)) ** 2
    return p, effect, max(min(p0 - step, by_effect), 0.0)


def _mean_test(before: Stat, after: Stat, side: Alternative) -> tuple[float, float, float]:
    """Welch's z-test, the difference in baseline standard deviations, the warning line."""
    diff = after.value - before.value
    p = welch_z_test(
        before.value,
        before.sd,
        before.n,
        after.value,
        after.sd,
        after.n,
        side,
    )
    effect = _signed(side, diff > 0, standardized_difference(before.value, after.value, before.sd))
    up = diff >= 0 if side == "two-sided" else side == "greater"
    z_line = norm.isf(ALPHA / (2 if side == "two-sided" else 1))
    se0 = before.sd * math.sqrt(1.0 / max(before.n, 1.0) + 1.0 / max(after.n, 1.0))
    step = max(z_line * se0, NEGLIGIBLE * before.sd)
    return p, effect, before.value + (step if up else -step)


#: metric -> (the bad direction, the worst status it may take); else two-sided, warning
RULES: dict[str, tuple[Alternative, str]] = {
    "mean_confidence": ("less", "critical"),
    "low_confidence_share": ("greater", "critical"),
}


def compared_point(window: CheckWindow, c: Compared, **details: Any) -> CheckRecord:
    """The stored point of a metric tested against the baseline (check ``"predictions"``)."""
    return window.record(
        CHECK, c.metric, c.after, c.threshold, c.status, p_value=c.p_value, effect=c.effect,
        **details,
    )  # fmt: skip
