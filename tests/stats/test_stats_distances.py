"""Histogram distances against SciPy or plain independent implementations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.spatial.distance
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from driftscope.errors import ConfigError
from driftscope.stats import (
    hellinger,
    jensen_shannon,
    kl_divergence,
    psi,
    smoothed_shares,
    total_variation,
)

PAIRS = [
    ([40, 30, 20, 10], [25, 25, 25, 25]),
    ([100, 0], [50, 50]),
    ([0, 5, 0, 1], [3, 0, 0, 9]),
    ([1], [7]),
    ([0.2, 0.3, 0.5], [0.5, 0.3, 0.2]),
    ([1e6, 1, 0, 3], [1e6, 0, 2, 3]),
    (list(range(50)), list(range(50, 0, -1))),
]


def plain_smooth(counts, eps):
    """Loop version of: shares, clipped to >= eps, renormalised."""
    total = sum(counts)
    shares = [max(c / total, eps) for c in counts]
    s = sum(shares)
    return [v / s for v in shares]


def plain_psi(ref, cur, eps=1e-4):
    p, q = plain_smooth(ref, eps), plain_smooth(cur, eps)
    return sum((qi - pi) * math.log(qi / pi) for pi, qi in zip(p, q, strict=True))


def plain_hellinger(ref, cur):
    p = [c / sum(ref) for c in ref]
    q = [c / sum(cur) for c in cur]
    return math.sqrt(max(0.0, 1.0 - sum(math.sqrt(a * b) for a, b in zip(p, q, strict=True))))


def plain_tv(ref, cur):
    p = [c / sum(ref) for c in ref]
    q = [c / sum(cur) for c in cur]
    return 0.5 * sum(abs(a - b) for a, b in zip(p, q, strict=True))


@pytest.mark.parametrize("ref, cur", PAIRS)
def test_against_references(ref, cur):
    assert psi(ref, cur) == pytest.approx(plain_psi(ref, cur), rel=1e-9, abs=1e-15)
    assert psi(ref, cur, epsilon=0.01) == pytest.approx(plain_psi(ref, cur, 0.01), rel=1e-9)
    p_s, q_s = smoothed_shares(ref, cur)
    assert kl_divergence(ref, cur) == pytest.approx(
        scipy.stats.entropy(q_s, p_s), rel=1e-9, abs=1e-15
    )
    assert jensen_shannon(ref, cur) == pytest.approx(
        scipy.spatial.distance.jensenshannon(ref, cur, base=2), rel=1e-9, abs=1e-12
    )
    assert hellinger(ref, cur) == pytest.approx(plain_hellinger(ref, cur), rel=1e-7, abs=1e-7)
    assert total_variation(ref, cur) == pytest.approx(plain_tv(ref, cur), rel=1e-12, abs=1e-15)


def test_psi_is_symmetric_kl_sum():
    ref, cur = [10, 0, 30, 5], [0, 20, 25, 5]
    assert psi(ref, cur) == pytest.approx(kl_divergence(ref, cur) + kl_divergence(cur, ref))


def test_hellinger_bounds_and_disjoint():
    assert hellinger([1, 0], [0, 1]) == 1.0
    assert jensen_shannon([1, 0, 0], [0, 0, 3]) == 1.0
    assert total_variation([1, 0], [0, 1]) == 1.0


counts = st.lists(st.integers(0, 100), min_size=1, max_size=10)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_properties(data):
    ref = data.draw(counts.filter(lambda c: sum(c) > 0))
    cur = data.draw(
        st.lists(st.integers(0, 100), min_size=len(ref), max_size=len(ref)).filter(
            lambda c: sum(c) > 0
        )
    )
    for f in (psi, jensen_shannon, hellinger, total_variation):
        assert f(ref, cur) == f(cur, ref)  # symmetric
        assert f(ref, ref) == 0.0  # zero against itself
        assert f(ref, [3 * c for c in ref]) == pytest.approx(0.0, abs=1e-7)  # scale-free
    assert 0.0 <= jensen_shannon(ref, cur) <= 1.0
    assert 0.0 <= hellinger(ref, cur) <= 1.0
    assert 0.0 <= total_variation(ref, cur) <= 1.0
    assert kl_divergence(ref, cur) >= 0.0 and psi(ref, cur) >= 0.0
    assert jensen_shannon(ref, cur) == pytest.approx(
        scipy.spatial.distance.jensenshannon(ref, cur, base=2), rel=1e-9, abs=1e-12
    )


@pytest.mark.parametrize("eps", [0.0, 1.0, -1e-4, float("nan"), "x"])
def test_bad_epsilon(eps):
    with pytest.raises(ConfigError):
        psi([1, 2], [2, 1], epsilon=eps)
    with pytest.raises(ConfigError):
        kl_divergence([1, 2], [2, 1], epsilon=eps)


@pytest.mark.parametrize(
    "ref, cur",
    [([1, 2], [1, 2, 3]), ([0, 0], [1, 1]), ([], []), ([1, -2], [1, 1]), ([1, np.nan], [1, 1])],
)
def test_bad_counts(ref, cur):
    for f in (psi, jensen_shannon, hellinger, kl_divergence, total_variation):
        with pytest.raises(ValueError):
            f(ref, cur)
