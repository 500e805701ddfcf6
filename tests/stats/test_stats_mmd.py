"""MMD permutation test: against a plain re-implementation, and its size under H0."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from driftscope.errors import ConfigError
from driftscope.stats import SortedSample, mmd_test


def plain_mmd_test(x, y, n_permutations, bandwidth=None, max_samples=2000, seed=0):
    """Loop implementation following the documented recipe and random-number order."""
    x = np.asarray(x, dtype=float).reshape(len(x), -1)
    y = np.asarray(y, dtype=float).reshape(len(y), -1)
    rng = np.random.default_rng(seed)
    if len(x) > max_samples:
        x = x[rng.choice(len(x), size=max_samples, replace=False)]
    if len(y) > max_samples:
        y = y[rng.choice(len(y), size=max_samples, replace=False)]
    pooled = np.vstack([x, y])
    total, n, m = len(pooled), len(x), len(y)
    if bandwidth is None:
        dists = [
            math.dist(pooled[i], pooled[j]) for i, j in itertools.combinations(range(total), 2)
        ]
        dists = [d for d in dists if d > 0]
        bandwidth = float(np.median(dists)) if dists else 1.0

    def k(a, b):
        return math.exp(-sum((a - b) ** 2) / (2 * bandwidth**2))

    kern = [[k(pooled[i], pooled[j]) for j in range(total)] for i in range(total)]

    def mmd2(ix, iy):
        sxx = sum(kern[i][j] for i in ix for j in ix if i != j) / (n * (n - 1))
        syy = sum(kern[i][j] for i in iy for j in iy if i != j) / (m * (m - 1))
        sxy = sum(kern[i][j] for i in ix for j in iy) / (n * m)
        return sxx + syy - 2 * sxy

    observed = mmd2(range(n), range(n, total))
    count = 0
    for _ in range(n_permutations):
        perm = rng.permutation(total)
        if mmd2(perm[:n], perm[n:]) >= observed - 1e-10:
            count += 1
    return observed, (1 + count) / (1 + n_permutations)


@pytest.mark.parametrize(
    "shift, dim, n, m, bandwidth, max_samples",
    [
        (0.0, 1, 20, 15, None, 2000),
        (0.8, 1, 18, 12, None, 2000),
        (0.5, 2, 15, 15, 0.7, 2000),
        (0.3, 1, 40, 25, None, 16),  # subsampled
    ],
)
def test_equals_plain_implementation(shift, dim, n, m, bandwidth, max_samples):
    rng = np.random.default_rng(21)
    x = rng.normal(size=(n, dim)).squeeze()
    y = (rng.normal(size=(m, dim)) + shift).squeeze()
    kw = {"n_permutations": 30, "bandwidth": bandwidth, "max_samples": max_samples, "seed": 4}
    got = mmd_test(x, y, **kw)
    stat, p = plain_mmd_test(x, y, **kw)
    assert got.statistic == pytest.approx(stat, rel=1e-9, abs=1e-12)
    assert got.pvalue == p
    assert got.pvalue == pytest.approx(round(got.pvalue * 31) / 31)  # of the form (1+k)/(1+B)


def test_sorted_sample_reference_is_its_sorted_values():
    rng = np.random.default_rng(22)
    x, y = rng.normal(size=300), rng.normal(size=100)
    s = SortedSample.from_array(x)
    for max_samples in (2000, 50):
        kw = {"n_permutations": 20, "max_samples": max_samples, "seed": 1}
        assert mmd_test(s, y, **kw) == mmd_test(s.repeat(), y, **kw)


def test_detects_a_shift_and_ties_give_p_one():
    rng = np.random.default_rng(23)
    r = mmd_test(rng.normal(size=150), rng.normal(1.0, 1.0, size=150), n_permutations=99)
    assert r.statistic > 0 and r.pvalue == 0.01
    same = mmd_test(np.full(10, 3.0), np.full(8, 3.0), n_permutations=19)
    assert same.pvalue == 1.0 and abs(same.statistic) < 1e-12


@pytest.mark.slow
def test_size_under_h0():
    rejections = 0
    for seed in range(100):
        rng = np.random.default_rng(1000 + seed)
        r = mmd_test(rng.normal(size=40), rng.normal(size=30), n_permutations=49, seed=seed)
        rejections += r.pvalue < 0.05
    assert rejections / 100 <= 0.1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_permutations": 0},
        {"n_permutations": 2.5},
        {"max_samples": 1},
        {"bandwidth": 0.0},
        {"bandwidth": -1.0},
        {"bandwidth": float("nan")},
    ],
)
def test_bad_parameters(kwargs):
    with pytest.raises(ConfigError):
        mmd_test([1.0, 2.0, 3.0], [1.0, 2.0], **kwargs)


def test_bad_samples():
    with pytest.raises(ValueError, match="at least 2"):
        mmd_test([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="empty"):
        mmd_test([1.0, 2.0], [])
    with pytest.raises(ValueError, match="dimensions"):
        mmd_test(np.ones((3, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError):
        mmd_test([1.0, np.nan], [1.0, 2.0])
