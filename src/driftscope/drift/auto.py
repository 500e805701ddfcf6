"""Automatic choice of drift methods per column, when the user names none.

Every column gets two gates and drifts only when both open:

1. a **significance test** that the two samples come from one distribution, whose p-values
   are corrected across columns (Benjamini-Hochberg by default), so that false alarms on
   unchanged data stay at the chosen level however small the sample:

   - numbers and datetimes: when the smaller side has at most :data:`ANDERSON_KS_UP_TO`
     values, the stronger of the Anderson-Darling test (which sees changes of spread and
     shape early) and the Kolmogorov-Smirnov test (which sees a change in the middle of the
     data next to a block of ties), calibrated (:class:`AndersonKSTest`); above, the
     Kolmogorov-Smirnov test alone, which every relevant change rejects there anyway and
     which costs a fraction;
   - categories: chi-square; with rare levels the sparse chi-square (rare levels pooled by
     how often they occur, plus exact tests of the values seen once and twice); the
     two-proportion z-test for two categories, Fisher's exact test when that 2 x 2 table has
     an expected count below 5;

2. a **relevance gate** (:class:`~driftscope.drift.methods.ShareMoved`): the share of the
   data that moved (the KS distance for numbers, the total variation distance on the pooled
   categories for categories), which must *possibly* reach ``min_change`` (2.5 % by default):
   the gate stays shut only when the data show, with the confidence of the significance
   level, that less moved. So a change above the threshold is flagged with a probability that
   grows to 100 % with the sample, a change below it with one that falls to 0 %, and one at
   the threshold about 95 % of the time.

The column's score is the share moved, the quantity the gate decided on. A gate that could
not be computed (NaN) is unknown, not closed: the other gate decides and the column says so
(``compare``). The reasoning and measured error rates are in ``docs/methods.md``.

>>> policy = AutoPolicy()
>>> [m.name for m in policy.methods_for("numerical")]
['anderson_ks', 'share_moved']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from driftscope.data import ColumnKind
from driftscope.drift.methods import (
    DEFAULT_MIN_CHANGE,
    AndersonKSTest,
    ChiSquareTest,
    DriftMethod,
    FisherExactTest,
    KSTest,
    ShareMoved,
    SparseChiSquareTest,
    ZTest,
    _check_level,
    _check_threshold,
)
from driftscope.drift.pairs import CategoricalPair, NumericPair

MIN_EXPECTED_COUNT = 5.0
#: Numbers get :class:`AndersonKSTest` when the smaller side has at most this many values
#: (where the tests differ in power); above, KS alone, which every relevant change rejects.
ANDERSON_KS_UP_TO = 2_000


@dataclass(frozen=True)
class AutoPolicy:
    """Parameters of the automatic choice; validated at construction.

    >>> AutoPolicy(significance_level=0.01).significance_level
    0.01
    """

    significance_level: float = 0.05
    min_change: float = DEFAULT_MIN_CHANGE

    def __post_init__(self) -> None:
        _check_level(self.significance_level, "significance_level")
        _check_threshold(self.min_change, "min_change", 1.0)

    def methods_for(
        self, kind: ColumnKind | str, pair: NumericPair | CategoricalPair | None = None
    ) -> list[DriftMethod]:
        """The test and the relevance gate for a column of ``kind`` and, when given, its
        data (the sample sizes choose the numerical test; the counts choose between
        chi-square, sparse chi-square, z-test and Fisher's exact test).

        >>> import numpy as np
        >>> sparse = CategoricalPair(("a", "b", "c"), np.array([40, 1, 0]), np.array([40, 0, 1]))
        >>> [m.name for m in AutoPolicy().methods_for("categorical", sparse)]
        ['sparse_chi_square', 'share_moved']
        """
        kind = ColumnKind(kind)
        alpha = self.significance_level
        gate = ShareMoved(self.min_change, confidence=1.0 - alpha)
        if kind in (ColumnKind.NUMERICAL, ColumnKind.DATETIME):
            large = isinstance(pair, NumericPair) and (
                min(pair.reference.n, pair.current.size) > ANDERSON_KS_UP_TO
            )
            return [KSTest(alpha) if large else AndersonKSTest(alpha), gate]
        if not isinstance(pair, CategoricalPair):
            return [ChiSquareTest(alpha), gate]
        totals = pair.reference + pair.current
        sparse = _min_expected(pair, totals) < MIN_EXPECTED_COUNT
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
