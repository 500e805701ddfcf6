"""Automatic choice of drift methods per column, when the user names none.

Every column gets two gates and drifts only when both open:

1. a **significance test** (KS for numerical and datetime columns, chi-square for categorical
   ones, the two-proportion z-test for two categories, Fisher's exact test when a 2 x 2 table has
   an expected count below 5, the sparse chi-square (rare levels pooled, plus exact tests of
   the values seen once and the levels seen twice) when a table of three or more categories
   has one, and always when the two samples share no category, which then drifts), whose
   p-values are corrected across columns
   (Benjamini-Hochberg by default): this keeps false alarms on unchanged data at the chosen level
   however small the sample;
2. an **effect size** that must reach a practical threshold (Wasserstein-1 in reference standard
   deviations >= 0.1 for numerical columns, the deviation capped at twice IQR/1.349;
   Jensen-Shannon distance >= 0.04 for categorical ones, about the same size of change):
   this keeps huge samples from flagging differences
   too small to matter (on 10^6 rows a 0.01-sigma shift is "significant" but not relevant).

A gate that could not be computed (NaN) is unknown, not closed: the other gate decides and the
column says so (``compare``). The reasoning and measured error rates are in
``docs/methods.md``.

>>> policy = AutoPolicy()
>>> [m.name for m in policy.methods_for("numerical")]
['ks', 'wasserstein']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from driftscope.data import ColumnKind
from driftscope.drift.methods import (
    ChiSquareTest,
    DriftMethod,
    FisherExactTest,
    JensenShannonDistance,
    KSTest,
    SparseChiSquareTest,
    WassersteinDistance,
    ZTest,
    _check_level,
    _check_threshold,
)
from driftscope.drift.pairs import CategoricalPair
from driftscope.stats import disjoint_support

MIN_EXPECTED_COUNT = 5.0


@dataclass(frozen=True)
class AutoPolicy:
    """Parameters of the automatic choice; validated at construction.

    >>> AutoPolicy(significance_level=0.01).significance_level
    0.01
    """

    significance_level: float = 0.05
    numerical_effect: float = 0.1
    categorical_effect: float = 0.04

    def __post_init__(self) -> None:
        _check_level(self.significance_level, "significance_level")
        _check_threshold(self.numerical_effect, "numerical_effect")
        _check_threshold(self.categorical_effect, "categorical_effect", 1.0)

    def methods_for(
        self, kind: ColumnKind | str, pair: CategoricalPair | None = None
    ) -> list[DriftMethod]:
        """The test and the effect-size gate for a column of ``kind`` (and, for categories,
        its counts, which decide between chi-square, sparse chi-square, z-test and Fisher's
        exact test).

        >>> import numpy as np
        >>> sparse = CategoricalPair(("a", "b", "c"), np.array([40, 1, 0]), np.array([40, 0, 1]))
        >>> [m.name for m in AutoPolicy().methods_for("categorical", sparse)]
        ['sparse_chi_square', 'jensen_shannon']
        """
        kind = ColumnKind(kind)
        alpha = self.significance_level
        if kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME):
            return [KSTest(alpha), WassersteinDistance(self.numerical_effect)]
        gate = JensenShannonDistance(self.categorical_effect)
        if pair is None:
            return [ChiSquareTest(alpha), gate]
        totals = pair.reference + pair.current
        sparse = _min_expected(pair, totals) < MIN_EXPECTED_COUNT
        if disjoint_support(pair.reference, pair.current):
            return [SparseChiSquareTest(alpha), gate]
        if (totals > 0).sum() > 2:
            return [SparseChiSquareTest(alpha) if sparse else ChiSquareTest(alpha), gate]
        if sparse:
            return [FisherExactTest(alpha), gate]
        return [ZTest(alpha), gate]


def _min_expected(pair: CategoricalPair, totals: np.ndarray) -> float:
    """The smallest expected count of the 2 x K table (categories absent from both left out)."""
    n = int(totals.sum())
    present = totals[totals > 0]
    if n == 0 or present.size == 0:
        return 0.0
    smaller = min(int(pair.reference.sum()), int(pair.current.sum()))
    return float(present.min()) * smaller / n
