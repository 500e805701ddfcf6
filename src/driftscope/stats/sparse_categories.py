"""Tests on sparse category counts (many levels seen a few times), valid where the plain
chi-square is not.

Pearson's chi-square is compared with its chi-square distribution, which holds only when every
expected count is about 5 or more. A near-unique column breaks this completely: with 20,000
reference values ``a0 … a19999`` and 20,000 production values ``b0 … b19999`` every one of the
40,000 levels has expected count 0.5 on each side, the statistic is exactly 40,000 on 39,999
degrees of freedom, and the p-value is 0.5 whatever the data say.

- :func:`pool_rare_levels` pools the levels whose expected count is below 5 by how often they
  occur, and :func:`pooled_chi2_two_sample` runs the ordinary chi-square on the pooled table.
- :func:`once_seen_test` is an exact test of the values seen once over both samples: does
  production hold more of them than its share? (new levels in production)
- :func:`twice_seen_test` is an exact test of the levels seen twice: are they shared between
  the samples less often than chance? (values moved to other levels, e.g. another id range)
- :func:`permuted_chi2_two_sample` is the chi-square statistic of the table with only the
  values seen once pooled, its p-value from shuffling the rows between the samples (Monte
  Carlo, exact in distribution): on small samples it sees what pooling hides, such as
  ``a``/``b`` against ``c``/``d``/``e`` five times each.
- :func:`sparse_chi2_two_sample` combines them: the permuted test on up to
  :data:`PERMUTED_UP_TO` values in all, else the other three (Bonferroni).
- :func:`disjoint_support` says whether the two samples share no level at all.

Why these are valid: which levels are pooled, and which are seen once or twice, depends only on
the levels' total counts over both samples, which do not change when rows are shuffled between
the samples. Under no change the rows are exchangeable, so each pooled table is an ordinary
2 x K table with expected counts of 5 or more, and the two other tests are exact.
Production-only levels need no special case: one seen often stays a level of its own
(reference count 0), rare ones land in the rare groups and raise production's share there.
``docs/methods.md`` has the measured false-alarm rates and power.

>>> r = pooled_chi2_two_sample([40, 30, 1, 1, 1, 0, 0], [40, 30, 0, 0, 0, 2, 1])
>>> round(r.statistic, 4), round(r.pvalue, 4), r.dof
(0.0, 1.0, 1)
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import scipy.special
import scipy.stats
from numpy.typing import ArrayLike

from driftscope.stats._validate import as_counts, check_aligned
from driftscope.stats.contingency import chi2_two_sample
from driftscope.stats.result import TestResult

MIN_EXPECTED = 5.0
#: Largest total sample (both sides) on which sparse categories get the permuted chi-square.
PERMUTED_UP_TO = 2_000
#: Shuffles of the permuted chi-square: p-values from 1/1000 up, deterministic (seed 0).
PERMUTATIONS = 999


@dataclass(frozen=True)
class PooledCounts:
    """A 2 x K table after pooling: ``reference`` and ``current`` counts per kept level, then
    one column per pooled group of rare levels; ``pooled`` is how many levels were pooled.

    >>> p = pool_rare_levels([50, 50, 4, 3], [50, 50, 3, 4])
    >>> p.reference.tolist(), p.current.tolist(), p.pooled
    ([50.0, 50.0, 7.0], [50.0, 50.0, 7.0], 2)
    """

    reference: np.ndarray
    current: np.ndarray
    pooled: int


def pool_rare_levels(
    ref_counts: ArrayLike, cur_counts: ArrayLike, min_expected: float = MIN_EXPECTED
) -> PooledCounts:
    """Pool the levels whose expected count is below ``min_expected`` into a few rare levels.

    A level with total count ``t`` over both samples has expected counts ``t·n/N`` and
    ``t·m/N`` (``n``, ``m`` the sample sizes, ``N = n + m``); it stays a level of its own when
    the smaller of the two is at least ``min_expected``. The others are grouped by their total
    count (seen once, 2-3 times, 4-7 times, …), and neighbouring groups are merged, from the
    rarest up, until each has an expected count of ``min_expected`` (a remainder joins the last
    group). When all rare levels together stay below ``min_expected`` they are merged with the
    smallest kept level. Levels absent from both samples are dropped. Every choice depends only
    on the totals ``t``, never on how they split between the samples.

    >>> p = pool_rare_levels([40] + [1] * 20 + [0] * 20, [40] + [0] * 20 + [2] * 20)
    >>> p.reference.tolist(), p.current.tolist(), p.pooled
    ([40.0, 20.0, 0.0], [40.0, 0.0, 40.0], 40)
    >>> pool_rare_levels([9, 1, 1], [11, 0, 1]).reference.tolist()
    [11.0]
    """
    ref = as_counts(ref_counts, "reference counts")
    cur = as_counts(cur_counts, "current counts")
    check_aligned(ref, cur)
    total = ref + cur
    present = total > 0
    ref, cur, total = ref[present], cur[present], total[present]
    scale = min(ref.sum(), cur.sum()) / total.sum()  # expected count of the smaller sample
    rare = ~frequent_levels(total, ref.sum(), cur.sum(), min_expected)
    if not rare.any():
        return PooledCounts(ref, cur, 0)
    if total[rare].sum() * scale < min_expected and not rare.all():
        kept = np.flatnonzero(~rare)
        rare[kept[np.argmin(total[kept])]] = True  # too little rare mass for a level of its own
    group = np.floor(np.log2(total[rare])).astype(np.int64)  # 1, 2-3, 4-7, ... times
    by_total = np.vstack(
        [np.bincount(group, weights=ref[rare]), np.bincount(group, weights=cur[rare])]
    )
    groups = _merge_small(by_total, min_expected / scale)
    return PooledCounts(
        np.append(ref[~rare], groups[0]), np.append(cur[~rare], groups[1]), int(rare.sum())
    )


def frequent_levels(
    totals: np.ndarray, n: float, m: float, min_expected: float = MIN_EXPECTED
) -> np.ndarray:
    """Which levels are seen often enough to compare one by one: their expected count in the
    smaller of two samples of ``n`` and ``m`` values (``totals`` over both) is at least
    ``min_expected``.

    >>> frequent_levels(np.array([40, 9, 11]), 30, 29).tolist()
    [True, False, True]
    """
    return totals * (min(n, m) / (n + m)) >= min_expected


def _merge_small(columns: np.ndarray, min_total: float) -> np.ndarray:
    """Merge neighbouring columns of a 2 x G table, left to right, until each column's total
    reaches ``min_total``; a remainder joins the last column (or is the only one)."""
    merged: list[np.ndarray] = []
    pending = np.zeros(2)
    for column in columns.T:
        pending = pending + column
        if pending.sum() >= min_total:
            merged.append(pending)
            pending = np.zeros(2)
    if pending.sum() > 0:
        if merged:
            merged[-1] = merged[-1] + pending
        else:
            merged.append(pending)
    return np.array(merged).T


def pooled_chi2_two_sample(
    ref_counts: ArrayLike, cur_counts: ArrayLike, min_expected: float = MIN_EXPECTED
) -> TestResult:
    """Pearson chi-square (no continuity correction) on the table of :func:`pool_rare_levels`,
    equal to ``scipy.stats.chi2_contingency(pooled_table, correction=False)``. When everything
    pools into one level the samples cannot be told apart: statistic 0, p-value 1, dof 0.
    Without rare levels this is :func:`~driftscope.stats.chi2_two_sample` unchanged.

    >>> r = pooled_chi2_two_sample([30] + [1] * 30, [60] + [0] * 30)
    >>> round(r.statistic, 3), round(r.pvalue, 6), r.dof
    (40.0, 0.0, 1)
    """
    table = pool_rare_levels(ref_counts, cur_counts, min_expected)
    return chi2_two_sample(table.reference, table.current, correction=False)


def once_seen_test(ref_counts: ArrayLike, cur_counts: ArrayLike) -> TestResult:
    """Exact one-sided test that the current sample holds more of the once-seen values than
    its share: values whose level occurs once over both samples.

    Under no change the rows are exchangeable, so the ``S`` once-seen values fall in the
    current sample like a draw of ``S`` from ``N = n + m`` rows of which ``m`` are current:
    their current count is hypergeometric. New levels that production brings, each seen
    once or so, push it up; the reference's own once-seen values (by Good-Turing, what the
    generator's rate of new values was) set the bar. ``statistic`` is the current count,
    the p-value ``scipy.stats.hypergeom.sf(count - 1, N, m, S)`` (1 when ``S = 0``).

    >>> r = once_seen_test([50, 1, 1, 0, 0, 0, 0], [50, 0, 0, 1, 1, 1, 1])
    >>> r.statistic, round(r.pvalue, 4)
    (4.0, 0.3574)
    """
    ref = as_counts(ref_counts, "reference counts")
    cur = as_counts(cur_counts, "current counts")
    check_aligned(ref, cur)
    once = (ref + cur) == 1
    seen_once, current = int(once.sum()), int(cur[once].sum())
    if seen_once == 0:
        return TestResult(0.0, 1.0)
    n, m = round(ref.sum()), round(cur.sum())
    p = scipy.stats.hypergeom.sf(current - 1, n + m, m, seen_once)
    return TestResult(float(current), float(min(max(p, 0.0), 1.0)))


def twice_seen_test(ref_counts: ArrayLike, cur_counts: ArrayLike) -> TestResult:
    """Exact one-sided test that the levels seen twice over both samples are shared between
    the samples less often than chance: values moved to other levels (ids from another range).

    Of the ``L`` levels seen twice, ``k`` values are reference values. Under no change every
    choice of which ``k`` of their ``2L`` values are the reference's is equally likely, so the
    number ``s`` of levels seen once on each side has ``P(s) = C(L, s) C(L - s, (k - s)/2) 2^s
    / C(2L, k)`` (``k - s`` even). ``statistic`` is ``s``, the p-value ``P(S <= s)`` given
    ``k`` (1 when no level is seen twice).

    >>> r = twice_seen_test([2, 2, 2, 0, 0, 0], [0, 0, 0, 2, 2, 2])  # none of 6 shared
    >>> r.statistic, round(r.pvalue, 4)  # C(6, 3) / C(12, 6)
    (0.0, 0.0216)
    """
    ref = as_counts(ref_counts, "reference counts")
    cur = as_counts(cur_counts, "current counts")
    check_aligned(ref, cur)
    twice = (ref + cur) == 2
    pairs, k = int(twice.sum()), round(ref[twice].sum())
    if pairs == 0:
        return TestResult(0.0, 1.0)
    shared = int((ref[twice] == 1).sum())
    split = np.arange(k % 2, min(k, 2 * pairs - k) + 1, 2)  # possible numbers of shared levels
    log_p = (
        _log_choose(pairs, split)
        + _log_choose(pairs - split, (k - split) // 2)
        + split * np.log(2.0)
        - _log_choose(2 * pairs, k)
    )
    p = float(np.exp(scipy.special.logsumexp(log_p[split <= shared])))
    return TestResult(float(shared), min(p, 1.0))


def _log_choose(n: ArrayLike, k: ArrayLike) -> np.ndarray:
    n, k = np.asarray(n, dtype=np.float64), np.asarray(k, dtype=np.float64)
    return (
        scipy.special.gammaln(n + 1)
        - scipy.special.gammaln(k + 1)
        - scipy.special.gammaln(n - k + 1)
    )


def sparse_chi2_two_sample(ref_counts: ArrayLike, cur_counts: ArrayLike) -> TestResult:
    """The test for sparse categories. Without rare levels, :func:`pooled_chi2_two_sample` (the
    plain chi-square). With rare levels: on up to :data:`PERMUTED_UP_TO` values in all,
    :func:`permuted_chi2_two_sample`; above, the pooled chi-square, plus
    :func:`once_seen_test` if a level is seen once and :func:`twice_seen_test` if one is seen
    twice, the p-value being the smallest times the number of tests run (Bonferroni, at most
    1) and ``statistic`` and ``dof`` the pooled chi-square's. Which tests run depends only on
    the totals, so the combination keeps its level under no change.

    >>> r = sparse_chi2_two_sample([1000] + [1] * 10 + [0] * 30, [1000] + [0] * 10 + [1] * 30)
    >>> round(r.statistic, 3), round(r.pvalue, 4), r.dof  # once-seen: p = 0.0012, doubled
    (9.805, 0.0025, 1)
    """
    ref = as_counts(ref_counts, "reference counts")
    cur = as_counts(cur_counts, "current counts")
    table = pool_rare_levels(ref, cur)
    pooled = chi2_two_sample(table.reference, table.current, correction=False)
    if table.pooled == 0:
        return pooled
    totals = ref + cur
    if totals.sum() <= PERMUTED_UP_TO:
        return permuted_chi2_two_sample(ref, cur)
    p_values = [pooled.pvalue]
    if (totals == 1).any():
        p_values.append(once_seen_test(ref, cur).pvalue)
    if (totals == 2).any():
        p_values.append(twice_seen_test(ref, cur).pvalue)
    p = min(1.0, len(p_values) * min(p_values))
    return TestResult(pooled.statistic, p, dof=pooled.dof)


def permuted_chi2_two_sample(
    ref_counts: ArrayLike,
    cur_counts: ArrayLike,
    permutations: int = PERMUTATIONS,
    seed: int | None = None,
) -> TestResult:
    """Pearson's chi-square statistic on the 2 x K table whose levels seen once over both
    samples are pooled into one, with the p-value ``(1 + k) / (1 + permutations)`` where
    ``k`` shuffles of the rows between the samples (multivariate hypergeometric draws of the
    reference's counts) give a statistic at least as large. The draws are seeded from the
    table itself unless ``seed`` is given: results are reproducible, and the false-alarm rate
    is the level on average over tables (one seed for all tables put it a few points off on
    50 Zipf levels at 200 rows per side). Valid at any size and
    sparsity, since it needs no expected count; ``dof`` is the number of columns minus one.
    Memory and time grow with ``permutations x K``: meant for small samples.

    >>> r = permuted_chi2_two_sample([5, 5, 0, 0, 0], [0, 0, 3, 3, 3])
    >>> round(r.statistic, 2), r.pvalue
    (19.0, 0.001)
    >>> permuted_chi2_two_sample([1, 1, 0], [0, 0, 1]).pvalue  # only values seen once
    1.0
    """
    ref = as_counts(ref_counts, "reference counts")
    cur = as_counts(cur_counts, "current counts")
    check_aligned(ref, cur)
    totals = ref + cur
    repeated = totals >= 2
    once = ~repeated & (totals > 0)
    columns = np.append(totals[repeated], totals[once].sum())
    observed = np.append(ref[repeated], ref[once].sum())
    kept = columns > 0
    columns, observed = columns[kept].astype(np.int64), observed[kept]
    if columns.size < 2:
        return TestResult(0.0, 1.0, dof=0)
    n, total = round(ref.sum()), int(columns.sum())
    weights = 1.0 / (columns * (n / total)) + 1.0 / (columns * (1.0 - n / total))

    def chi2(reference: np.ndarray) -> np.ndarray:
        return np.sum((reference - columns * (n / total)) ** 2 * weights, axis=-1)

    statistic = float(chi2(observed))
    if seed is None:
        seed = zlib.crc32(np.concatenate((observed, columns)).astype(np.int64).tobytes())
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_hypergeometric(columns, n, size=permutations, method="count")
    larger = int(np.sum(chi2(draws.astype(np.float64)) >= statistic * (1.0 - 1e-12)))
    return TestResult(statistic, (1.0 + larger) / (1.0 + permutations), dof=columns.size - 1)


def disjoint_support(ref_counts: ArrayLike, cur_counts: ArrayLike) -> bool:
    """Whether no level has a positive count in both samples (aligned count vectors).

    >>> disjoint_support([3, 0], [0, 2]), disjoint_support([3, 1], [0, 2])
    (True, False)
    """
    ref = np.asarray(ref_counts)
    cur = np.asarray(cur_counts)
    check_aligned(ref, cur)
    return not bool(((ref > 0) & (cur > 0)).any())
