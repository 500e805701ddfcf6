"""Significance tests: KS, Anderson-Darling, Cramér-von Mises, Mann-Whitney and MMD on
numerical columns; chi-square (plain or for sparse categories), z-test and Fisher's exact
test on categorical ones.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> KSTest().test(rng.normal(size=500), rng.normal(1, 1, 500)).drifted
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from driftscope import stats
from driftscope.data import ColumnKind
from driftscope.drift.methods.base import (
    CATEGORY_KINDS,
    NUMERIC_KINDS,
    Pair,
    PValueMethod,
    _check_count,
)
from driftscope.drift.pairs import CategoricalPair
from driftscope.errors import ConfigError

#: Bounds of MMDTest's settings: the test costs ``n_permutations x max_samples²`` kernel
#: terms, so these keep one column's test to minutes even at both limits, and keep a
#: reference file from asking for a computation that never ends.
MAX_PERMUTATIONS = 100_000
MAX_MMD_SAMPLES = 100_000


class KSTest(PValueMethod):
    """Two-sample Kolmogorov-Smirnov test on a numerical column (= scipy.stats.ks_2samp).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> KSTest().test(rng.normal(size=500), rng.normal(size=500)).drifted
    False
    """

    name = "ks"
    kinds = NUMERIC_KINDS

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        pair = self._numeric(pair)
        if pair.ks_and_wasserstein is not None:
            d = pair.ks_and_wasserstein[0]
            return d, stats.ks_asymptotic_pvalue(d, pair.reference.n, pair.current.size)
        r = stats.ks_2samp(pair.reference, pair.current_sorted)
        return r.statistic, r.pvalue


class _SciPyTest(PValueMethod):
    """A numerical test computed by one ``driftscope.stats`` function of
    ``(reference, current)`` returning a TestResult."""

    kinds = NUMERIC_KINDS
    function: ClassVar[Callable[..., stats.TestResult]]

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        r = self.function(pair.reference, pair.current)
        return r.statistic, r.pvalue


class AndersonDarlingTest(_SciPyTest):
    """Two-sample Anderson-Darling test, :func:`driftscope.stats.anderson_darling_2samp`: the
    statistic is SciPy's midrank ``A2akN`` (``scipy.stats.anderson_ksamp`` before it
    standardises it; about 1 when nothing changed); the p-value comes from its asymptotic
    distribution for the column's own ties, not capped (SciPy's is capped to [0.001, 0.25]
    and too small on heavily tied data).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> AndersonDarlingTest().test(rng.normal(size=300), rng.normal(1, 1, 300)).drifted
    True
    """

    name = "anderson_darling"
    function = staticmethod(stats.anderson_darling_2samp)


class AndersonKSTest(_SciPyTest):
    """The stronger of Anderson-Darling and Kolmogorov-Smirnov, calibrated
    (:func:`driftscope.stats.anderson_ks_2samp`): the smaller of their p-values, turned into
    a p-value by shuffling the rows between the samples (up to 4,000 values in all) or by
    Bonferroni (above, or where the shuffles cannot resolve it). The automatic choice's test
    for numbers when the smaller side has at most 2,000 values.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> AndersonKSTest().test(rng.normal(size=300), rng.normal(0.3, 1, 300)).drifted
    True
    """

    name = "anderson_ks"
    function = staticmethod(stats.anderson_ks_2samp)


class CramerVonMisesTest(_SciPyTest):
    """Two-sample Cramér-von Mises test (= scipy.stats.cramervonmises_2samp).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> CramerVonMisesTest().test(rng.normal(size=300), rng.normal(1, 1, 300)).drifted
    True
    """

    name = "cramer_von_mises"
    function = staticmethod(stats.cramervonmises_2samp)


class MannWhitneyTest(_SciPyTest):
    """Two-sided Mann-Whitney U test (= scipy.stats.mannwhitneyu); sensitive to location.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> MannWhitneyTest().test(rng.normal(size=300), rng.normal(1, 1, 300)).drifted
    True
    """

    name = "mann_whitney"
    function = staticmethod(stats.mannwhitneyu)


class MMDTest(PValueMethod):
    """Maximum mean discrepancy with a Gaussian kernel and a permutation p-value (1+k)/(1+B).

    Samples above ``max_samples`` are subsampled (seeded), so the test is approximate there.
    ``n_permutations`` and ``max_samples`` are at most 100,000 each.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> MMDTest(n_permutations=100).test(rng.normal(size=200), rng.normal(1, 1, 200)).drifted
    True
    """

    name = "mmd"
    kinds = NUMERIC_KINDS

    def __init__(
        self,
        significance_level: float = 0.05,
        n_permutations: int = 200,
        max_samples: int = 2000,
        seed: int = 0,
    ):
        super().__init__(significance_level)
        self.n_permutations = _check_count(n_permutations, "n_permutations", 1, MAX_PERMUTATIONS)
        self.max_samples = _check_count(max_samples, "max_samples", 2, MAX_MMD_SAMPLES)
        self.seed = _check_count(seed, "seed", 0, 2**63 - 1)

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        r = stats.mmd_test(
            pair.reference,  # a fitted sample counts as its sorted values: no rebuild
            pair.current,
            n_permutations=self.n_permutations,
            max_samples=self.max_samples,
            seed=self.seed,
        )
        return r.statistic, r.pvalue


class ChiSquareTest(PValueMethod):
    """Chi-square test on the 2 x K table of category counts (= scipy.stats.chi2_contingency).

    ``correction=False`` (default) applies no Yates continuity correction, also for two
    categories; ``correction=True`` applies it when the table has one degree of freedom, as
    SciPy's default does. Categories absent from both samples are left out.

    Its p-value needs expected counts of about 5 or more: on many sparse categories (a
    near-unique column) it is meaningless, use :class:`SparseChiSquareTest` there.

    >>> ChiSquareTest().test(["a", "b", "c"] * 100, ["a"] * 200 + ["b", "c"] * 50).drifted
    True
    """

    name = "chi_square"
    kinds = CATEGORY_KINDS

    def __init__(self, significance_level: float = 0.05, correction: bool = False):
        super().__init__(significance_level)
        self.correction = bool(correction)

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        pair = self._categorical(pair)
        r = stats.chi2_two_sample(pair.reference, pair.current, correction=self.correction)
        return r.statistic, r.pvalue


class SparseChiSquareTest(PValueMethod):
    """Chi-square made valid on sparse and high-cardinality categories (many levels seen a
    few times, or near-unique values), = :func:`driftscope.stats.sparse_chi2_two_sample`:

    - the levels whose expected count is below 5 are pooled by how often they occur (seen
      once, 2-3 times, 4-7 times, …) before the 2 x K chi-square;
    - an exact test asks whether production holds more of the values seen once over both
      samples than its share (new levels);
    - an exact test asks whether the levels seen twice are shared between the samples less
      often than chance (values moved to other levels, such as ids from another range);
    - the p-value is the smallest times the number of tests run (at most 1).

    Without sparse levels it equals :class:`ChiSquareTest`. Two samples that share no
    category drift when their levels are seen often enough to tell (``a``/``b`` against
    ``c``/``d``); two sets of values seen once each (ids, every one of them new) do not: a
    column whose every value is new was like that in the reference too, and nothing moved.

    >>> reference = [f"a{i}" for i in range(2000)]
    >>> SparseChiSquareTest().test(reference, [f"b{i}" for i in range(2000)]).drifted
    False
    >>> SparseChiSquareTest().test(["a", "b"] * 20, ["c", "d"] * 20).drifted
    True
    >>> rng = __import__("numpy").random.default_rng(0)
    >>> levels = [f"v{i}" for i in range(3000)]
    >>> SparseChiSquareTest().test(rng.choice(levels, 2000), rng.choice(levels, 2000)).drifted
    False
    """

    name = "sparse_chi_square"
    kinds = CATEGORY_KINDS

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        pair = self._categorical(pair)
        r = stats.sparse_chi2_two_sample(pair.reference, pair.current)
        return r.statistic, r.pvalue


class _TwoCategoryTest(PValueMethod):
    kinds = CATEGORY_KINDS

    def applies_to(self, kind: ColumnKind | str, pair: Pair | None = None) -> bool:
        if ColumnKind(kind) not in self.kinds:
            return False
        if pair is None:
            return True
        return (
            isinstance(pair, CategoricalPair) and ((pair.reference + pair.current) > 0).sum() <= 2
        )

    def successes(self, pair: Pair) -> tuple[int, int, int, int]:
        pair = self._categorical(pair)
        present = (pair.reference + pair.current) > 0
        if present.sum() > 2:
            raise ConfigError(
                f"{type(self).__name__} needs at most two categories, got {int(present.sum())}"
            )
        ref, cur = pair.reference[present], pair.current[present]
        return int(ref[0]), int(ref.sum()), int(cur[0]), int(cur.sum())


class ZTest(_TwoCategoryTest):
    """Two-sided pooled z-test for two proportions (boolean or two-category columns).

    >>> ZTest().test([True, False] * 500, [True] * 700 + [False] * 300).drifted
    True
    """

    name = "z_test"

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        r = stats.proportions_ztest(*self.successes(pair))
        return r.statistic, r.pvalue


class FisherExactTest(_TwoCategoryTest):
    """Fisher's exact test on the 2 x 2 table (= scipy.stats.fisher_exact, two-sided).

    >>> FisherExactTest().test([True] * 5 + [False] * 15, [True] * 15 + [False] * 5).drifted
    True
    """

    name = "fisher_exact"

    def compute(self, pair: Pair) -> tuple[float, float | None]:
        r = stats.fisher_exact_2x2(*self.successes(pair))
        return r.statistic, r.pvalue
