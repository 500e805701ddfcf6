"""driftscope.stats: the pure-numerics layer (NumPy and SciPy only, no I/O, no pandas).

A reference sample is fitted once into a :class:`SortedSample`; every check against a
production batch of ``m`` values then costs ``O(m log n)`` (KS statistic, Wasserstein,
energy, binning). Results that SciPy also computes are equal to SciPy's.

>>> import numpy as np
>>> from driftscope import stats
>>> rng = np.random.default_rng(0)
>>> ref = stats.SortedSample.from_array(rng.normal(size=50_000))
>>> cur = rng.normal(0.2, 1.0, size=2_000)
>>> stats.ks_2samp(ref, cur).pvalue < 0.01, round(stats.wasserstein_normed(ref, cur), 1)
(True, 0.2)
"""

from driftscope.stats._magnitude import exponent_for, ldexp_saturating
from driftscope.stats.anderson import anderson_darling_2samp, weighted_chi2_sf
from driftscope.stats.anderson_ks import anderson_ks_2samp
from driftscope.stats.binning import bin_counts, bin_counts_sorted, quantile_edges
from driftscope.stats.contingency import chi2_two_sample, fisher_exact_2x2, proportions_ztest
from driftscope.stats.distances import (
    hellinger,
    jensen_shannon,
    kl_divergence,
    psi,
    smoothed_shares,
    total_variation,
)
from driftscope.stats.ecdf import SortedSample, unique_cumcounts
from driftscope.stats.ecdf_integrals import (
    energy,
    energy_normed,
    spread,
    wasserstein,
    wasserstein_normed,
)
from driftscope.stats.effects import (
    correlation_change_p_value,
    standardized_difference,
    weighted_mean_sd,
    weighted_quantile,
    welch_z_test,
)
from driftscope.stats.grid import ECDFGrid, GridBatch, fits_grid
from driftscope.stats.ks import MAX_EXACT_N, ks_2samp, ks_asymptotic_pvalue, ks_statistic
from driftscope.stats.mmd import mmd_test
from driftscope.stats.multitest import benjamini_hochberg, bonferroni, reject
from driftscope.stats.proportions import (
    binomial_upper_p_value,
    cohens_h,
    kish_effective_n,
    share_test,
)
from driftscope.stats.rank import anderson_ksamp, cramervonmises_2samp, mannwhitneyu
from driftscope.stats.relevance import categorical_share_moved, share_moved_bounds
from driftscope.stats.result import TestResult
from driftscope.stats.sparse_categories import (
    PooledCounts,
    disjoint_support,
    once_seen_test,
    permuted_chi2_two_sample,
    pool_rare_levels,
    pooled_chi2_two_sample,
    sparse_chi2_two_sample,
    twice_seen_test,
)

__all__ = [
    "MAX_EXACT_N",
    "ECDFGrid",
    "GridBatch",
    "PooledCounts",
    "SortedSample",
    "TestResult",
    "anderson_darling_2samp",
    "anderson_ks_2samp",
    "anderson_ksamp",
    "benjamini_hochberg",
    "bin_counts",
    "bin_counts_sorted",
    "binomial_upper_p_value",
    "bonferroni",
    "categorical_share_moved",
    "chi2_two_sample",
    "cohens_h",
    "correlation_change_p_value",
    "cramervonmises_2samp",
    "disjoint_support",
    "energy",
    "energy_normed",
    "exponent_for",
    "fisher_exact_2x2",
    "fits_grid",
    "hellinger",
    "jensen_shannon",
    "kish_effective_n",
    "kl_divergence",
    "ks_2samp",
    "ks_asymptotic_pvalue",
    "ks_statistic",
    "ldexp_saturating",
    "mannwhitneyu",
    "mmd_test",
    "once_seen_test",
    "permuted_chi2_two_sample",
    "pool_rare_levels",
    "pooled_chi2_two_sample",
    "proportions_ztest",
    "psi",
    "quantile_edges",
    "reject",
    "share_moved_bounds",
    "share_test",
    "smoothed_shares",
    "sparse_chi2_two_sample",
    "spread",
    "standardized_difference",
    "total_variation",
    "twice_seen_test",
    "unique_cumcounts",
    "wasserstein",
    "wasserstein_normed",
    "weighted_chi2_sf",
    "weighted_mean_sd",
    "weighted_quantile",
    "welch_z_test",
]
