"""Sparse categories: pooling against a plain re-implementation, p-values against SciPy,
false alarms on unchanged data over 200 random seeds, and power on real changes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.stats

from driftscope.stats import (
    TestResult,
    chi2_two_sample,
    disjoint_support,
    once_seen_test,
    permuted_chi2_two_sample,
    pool_rare_levels,
    pooled_chi2_two_sample,
    sparse_chi2_two_sample,
    twice_seen_test,
)

ALPHA = 0.05
REPEATS = 200


def pool_by_hand(ref: list[int], cur: list[int]) -> tuple[list[float], list[float]]:
    """The pooling rule written out level by level, as the docstring states it."""
    n, m = sum(ref), sum(cur)
    scale = min(n, m) / (n + m)
    levels = [(r, c) for r, c in zip(ref, cur, strict=True) if r + c > 0]
    kept = [(r, c) for r, c in levels if (r + c) * scale >= 5]
    rare = [(r, c) for r, c in levels if (r + c) * scale < 5]
    if rare and sum(r + c for r, c in rare) * scale < 5 and kept:
        smallest = min(range(len(kept)), key=lambda i: sum(kept[i]))
        rare.append(kept.pop(smallest))
    groups: dict[int, list[float]] = {}
    for r, c in rare:
        g = groups.setdefault((r + c).bit_length() - 1, [0.0, 0.0])  # 1, 2-3, 4-7, ...
        g[0] += r
        g[1] += c
    cells: list[list[float]] = []
    pending = [0.0, 0.0]
    for g in sorted(groups):
        pending = [pending[0] + groups[g][0], pending[1] + groups[g][1]]
        if sum(pending) * scale >= 5:
            cells.append(pending)
            pending = [0.0, 0.0]
    if sum(pending):
        if cells:
            cells[-1] = [cells[-1][0] + pending[0], cells[-1][1] + pending[1]]
        else:
            cells.append(pending)
    table = [(float(r), float(c)) for r, c in kept] + [(a, b) for a, b in cells]
    return [r for r, _ in table], [c for _, c in table]


def zipf(levels: int, exponent: float = 1.1) -> np.ndarray:
    p = 1.0 / np.arange(1, levels + 1) ** exponent
    return p / p.sum()


def uniform(levels: int) -> np.ndarray:
    return np.full(levels, 1.0 / levels)


def id_range(start: int, width: int, levels: int = 55_000) -> np.ndarray:
    """Equal shares on the ids ``start`` to ``start + width - 1`` of ``levels``."""
    p = np.zeros(levels)
    p[start : start + width] = 1.0 / width
    return p


def with_new_levels(p: np.ndarray, share: float, new: int) -> tuple[np.ndarray, np.ndarray]:
    """Reference shares (new levels at 0) and current shares with ``share`` on new levels."""
    return np.append(p, np.zeros(new)), np.append(p * (1 - share), np.full(new, share / new))


def tail_reversed(p: np.ndarray, head: int) -> np.ndarray:
    """The shares of the levels after the ``head`` most frequent ones, in reverse order."""
    q = p.copy()
    q[head:] = q[head:][::-1]
    return q


def rejection_rate(p_ref, p_cur, n, m, test=sparse_chi2_two_sample, repeats=REPEATS) -> float:
    rejected = 0
    for seed in range(repeats):
        rng = np.random.default_rng(seed)
        ref, cur = rng.multinomial(n, p_ref), rng.multinomial(m, p_cur)
        rejected += test(ref, cur).pvalue < ALPHA
    return rejected / repeats


RANDOM_TABLES = [
    (
        np.random.default_rng(s).multinomial(n, zipf(k)),
        np.random.default_rng(s + 99).multinomial(m, zipf(k)),
    )
    for s, (n, m, k) in enumerate(
        [(50, 50, 200), (300, 80, 500), (2000, 2000, 5000), (40, 400, 30)]
    )
]


@pytest.mark.parametrize(
    "ref, cur", [*RANDOM_TABLES, ([9, 1, 1], [11, 0, 1]), ([50, 50, 4, 3], [50, 50, 3, 4])]
)
def test_pooling_follows_the_rule_and_the_p_value_is_scipys(ref, cur):
    got = pool_rare_levels(ref, cur)
    want_ref, want_cur = pool_by_hand(list(map(int, ref)), list(map(int, cur)))
    assert got.reference.tolist() == want_ref and got.current.tolist() == want_cur
    r = pooled_chi2_two_sample(ref, cur)
    table = np.array([want_ref, want_cur])
    if table.shape[1] < 2:
        assert (r.statistic, r.pvalue) == (0.0, 1.0)
        return
    want = scipy.stats.chi2_contingency(table, correction=False)
    assert r.statistic == pytest.approx(want.statistic, rel=1e-9, abs=1e-12)
    assert r.pvalue == pytest.approx(want.pvalue, rel=1e-9, abs=1e-300)
    assert r.dof == want.dof


@pytest.mark.parametrize("ref, cur", RANDOM_TABLES)
def test_every_pooled_cell_expects_five_and_pooling_ignores_the_split(ref, cur):
    pooled = pool_rare_levels(ref, cur)
    n, m = pooled.reference.sum(), pooled.current.sum()
    totals = pooled.reference + pooled.current
    if totals.size > 1:
        assert (totals * min(n, m) / (n + m) >= 5 - 1e-9).all()
    # the same totals split another way between the samples pool into the same cells
    rng = np.random.default_rng(1)
    total = np.asarray(ref) + np.asarray(cur)
    other = rng.multivariate_hypergeometric(total, int(np.sum(ref)))
    again = pool_rare_levels(other, total - other)
    assert (again.reference + again.current).tolist() == totals.tolist()


def test_no_sparse_levels_is_the_plain_chi_square():
    ref, cur = [50, 30, 20], [40, 30, 30]
    assert pooled_chi2_two_sample(ref, cur) == chi2_two_sample(ref, cur)
    assert sparse_chi2_two_sample(ref, cur) == chi2_two_sample(ref, cur)


@pytest.mark.parametrize("ref, cur", [*RANDOM_TABLES, ([50, 1, 1, 0, 0], [50, 0, 0, 1, 1])])
def test_once_seen_is_fishers_one_sided_test(ref, cur):
    ref, cur = np.asarray(ref), np.asarray(cur)
    once = (ref + cur) == 1
    a, b = int(cur[once].sum()), int(ref[once].sum())
    table = [[a, int(cur.sum()) - a], [b, int(ref.sum()) - b]]
    want = scipy.stats.fisher_exact(table, alternative="greater").pvalue
    got = once_seen_test(ref, cur)
    assert got.statistic == a
    assert got.pvalue == pytest.approx(want, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("pairs", [1, 2, 4, 5])
def test_twice_seen_equals_counting_every_split(pairs):
    """P(S <= s | k) by listing every choice of which k of the 2L values are the reference's."""
    level = np.repeat(np.arange(pairs), 2)
    for k in range(2 * pairs + 1):
        shared = [
            int((np.bincount(level[list(chosen)], minlength=pairs) == 1).sum())
            for chosen in itertools.combinations(range(2 * pairs), k)
        ]
        for s in sorted(set(shared)):
            ref = np.zeros(pairs, dtype=int)
            ref[:s] = 1
            ref[s : s + (k - s) // 2] = 2
            want = np.mean(np.array(shared) <= s)
            got = twice_seen_test(np.append(ref, 5), np.append(2 - ref, 5))  # plus a shared level
            assert (got.statistic, got.pvalue) == (s, pytest.approx(want, rel=1e-9))


def test_the_combined_p_value_is_the_smallest_times_the_tests_run():
    # above PERMUTED_UP_TO values in all (smaller samples get the permuted chi-square)
    ref, cur = [1000] + [1] * 10 + [0] * 30, [1000] + [0] * 10 + [1] * 30
    parts = pooled_chi2_two_sample(ref, cur).pvalue, once_seen_test(ref, cur).pvalue
    assert sparse_chi2_two_sample(ref, cur).pvalue == pytest.approx(min(1.0, 2 * min(parts)))
    ref, cur = [*ref, 2, 0], [*cur, 0, 2]  # levels seen twice: the third test runs
    parts = (
        pooled_chi2_two_sample(ref, cur).pvalue,
        once_seen_test(ref, cur).pvalue,
        twice_seen_test(ref, cur).pvalue,
    )
    assert sparse_chi2_two_sample(ref, cur).pvalue == pytest.approx(min(1.0, 3 * min(parts)))
    assert twice_seen_test([5, 1], [5, 0]) == TestResult(0.0, 1.0)  # no level seen twice


@pytest.mark.parametrize(
    "ref, cur",
    [
        ([5, 5, 0, 0, 0], [0, 0, 3, 3, 3]),  # disjoint levels, five rows each
        ([20, 3, 2, 1, 1, 0, 0], [15, 1, 4, 0, 0, 1, 1]),
        ([30] + [1] * 20 + [0] * 20, [30] + [0] * 20 + [1] * 20),
    ],
)
def test_the_permuted_chi_square_agrees_with_scipy_permutation_test(ref, cur):
    """The same statistic, shuffled by SciPy on the raw labels: p-values within Monte Carlo
    error (999 shuffles here, 9,999 there)."""
    got = permuted_chi2_two_sample(ref, cur)
    levels = np.arange(len(ref))

    def statistic(first: np.ndarray, second: np.ndarray) -> float:
        a = np.bincount(first, minlength=len(ref))
        b = np.bincount(second, minlength=len(ref))
        return permuted_chi2_two_sample(a, b, permutations=1).statistic

    want = scipy.stats.permutation_test(
        (np.repeat(levels, ref), np.repeat(levels, cur)),
        statistic,
        permutation_type="independent",
        alternative="greater",
        n_resamples=9_999,
        random_state=1,
    )
    assert got.statistic == pytest.approx(want.statistic)
    assert got.pvalue == pytest.approx(want.pvalue, abs=0.02)


def test_the_permuted_chi_square_keeps_its_level():
    """Sparse levels, nothing changed: rejections at 5 % over 200 draws stay near 5 %."""
    rng = np.random.default_rng(0)
    shares = 1.0 / np.arange(1, 81)
    shares /= shares.sum()
    rejected = 0
    for _ in range(200):
        ref = np.bincount(rng.choice(80, 150, p=shares), minlength=80)
        cur = np.bincount(rng.choice(80, 150, p=shares), minlength=80)
        rejected += permuted_chi2_two_sample(ref, cur).pvalue < 0.05
    assert rejected <= 18  # 5 % of 200 is 10; 18 or more has probability < 1 %


def test_disjoint_support():
    assert disjoint_support([3, 0, 0], [0, 1, 2])
    assert not disjoint_support([3, 1, 0], [0, 1, 2])


def test_the_plain_chi_square_is_blind_on_a_near_unique_column():
    """The issue's case: 40,000 levels with expected count 0.5 give p ≈ 0.5."""
    ref = np.r_[np.ones(20_000), np.zeros(20_000)]
    assert chi2_two_sample(ref, 1 - ref).pvalue == pytest.approx(0.5, abs=0.01)


UNCHANGED = [
    ("zipf, 2,000 levels", zipf(2000), 50, 50),
    ("zipf, 2,000 levels", zipf(2000), 500, 2000),
    ("zipf, 20,000 levels", zipf(20_000), 2000, 500),
    ("zipf, 20,000 levels", zipf(20_000), 5000, 5000),
    ("steep zipf, 30 levels", zipf(30, 2.0), 200, 200),
    ("near-uniform, 300 levels", uniform(300), 50, 50),
    ("near-uniform, 2,000 levels", uniform(2000), 500, 500),
    ("near-uniform, 2,000 levels", uniform(2000), 20_000, 2000),
]


@pytest.mark.parametrize("name, p, n, m", UNCHANGED)
def test_false_alarms_on_unchanged_data_stay_at_the_level(name, p, n, m):
    rate = rejection_rate(p, p, n, m)
    # at most the level, within binomial error: a one-sided test at 0.001 over 200 repeats
    assert scipy.stats.binomtest(round(rate * REPEATS), REPEATS, ALPHA, "greater").pvalue > 1e-3


CHANGED = [
    ("5% of production on 1,000 new levels", *with_new_levels(zipf(2000), 0.05, 1000), 2000, 2000),
    (
        "10% on 1,000 new levels, small production",
        *with_new_levels(zipf(2000), 0.1, 1000),
        20_000,
        1000,
    ),
    ("10% on 100 new levels", *with_new_levels(zipf(2000), 0.1, 100), 20_000, 1000),
    ("shares of the rare levels reversed", zipf(2000), tail_reversed(zipf(2000), 20), 2000, 2000),
    (
        "ids from another range, 90% overlap",
        id_range(0, 50_000),
        id_range(5000, 50_000),
        20_000,
        20_000,
    ),
    ("ids from another range, 50% overlap", id_range(0, 5000), id_range(2500, 5000), 2000, 2000),
    (
        "near-uniform, half the levels twice as likely",
        uniform(4000),
        np.r_[np.full(2000, 1.4), np.full(2000, 0.6)] / 4000,
        20_000,
        20_000,
    ),
]


@pytest.mark.parametrize("name, p_ref, p_cur, n, m", CHANGED)
def test_power_on_real_changes(name, p_ref, p_cur, n, m):
    assert rejection_rate(p_ref, p_cur, n, m, repeats=50) >= 0.9


@pytest.mark.parametrize(
    "p_ref, p_cur, n",
    [
        (*with_new_levels(zipf(2000), 0.05, 1000), 2000),  # found by the once-seen test
        (id_range(0, 5000), id_range(2500, 5000), 2000),  # by the twice-seen test
    ],
)
def test_pooling_alone_misses_changes_among_rare_levels_that_the_exact_tests_find(p_ref, p_cur, n):
    pooled = rejection_rate(p_ref, p_cur, n, n, test=pooled_chi2_two_sample, repeats=50)
    combined = rejection_rate(p_ref, p_cur, n, n, repeats=50)
    assert pooled < 0.6 and combined >= 0.85
