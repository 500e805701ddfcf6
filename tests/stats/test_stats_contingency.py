"""Categorical tests: chi-square (= SciPy), pooled z-test (plain formula), Fisher (= SciPy)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from driftscope.stats import chi2_two_sample, fisher_exact_2x2, proportions_ztest


def scipy_chi2(ref, cur, correction):
    table = np.vstack([ref, cur]).astype(float)
    table = table[:, table.sum(axis=0) > 0]
    return scipy.stats.chi2_contingency(table, correction=correction)


TABLES = [
    ([50, 30, 20], [40, 30, 30]),
    ([10, 0, 5, 0], [12, 0, 3, 1]),
    ([0, 7], [3, 0]),
    ([1, 1], [1, 1]),
    ([1000, 1], [900, 40]),
    ([3, 4], [30, 2]),
    (list(range(1, 21)), list(range(20, 0, -1))),
]


@pytest.mark.parametrize("correction", [False, True])
@pytest.mark.parametrize("ref, cur", TABLES)
def test_chi2_equals_scipy(ref, cur, correction):
    got = chi2_two_sample(ref, cur, correction=correction)
    want = scipy_chi2(ref, cur, correction)
    assert got.statistic == pytest.approx(want.statistic, rel=1e-9, abs=1e-12)
    assert got.pvalue == pytest.approx(want.pvalue, rel=1e-9)
    assert got.dof == want.dof


def test_chi2_default_is_uncorrected():
    ref, cur = [30, 70], [45, 55]
    assert chi2_two_sample(ref, cur) == chi2_two_sample(ref, cur, correction=False)
    assert (
        chi2_two_sample(ref, cur, correction=True).statistic < chi2_two_sample(ref, cur).statistic
    )


@pytest.mark.parametrize("ref, cur", [([5], [9]), ([5, 0, 0], [9, 0, 0]), ([0, 4], [0, 1])])
def test_chi2_single_category(ref, cur):
    r = chi2_two_sample(ref, cur)
    assert (r.statistic, r.pvalue, r.dof) == (0.0, 1.0, 0)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=2, max_size=8).filter(
        lambda rows: sum(a for a, _ in rows) > 0 and sum(b for _, b in rows) > 0
    )
)
def test_chi2_property_equals_scipy(rows):
    ref = [a for a, _ in rows]
    cur = [b for _, b in rows]
    got = chi2_two_sample(ref, cur)
    if got.dof == 0:
        return
    want = scipy_chi2(ref, cur, False)
    assert got.statistic == pytest.approx(want.statistic, rel=1e-9, abs=1e-12)
    assert got.pvalue == pytest.approx(want.pvalue, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(
    "ref, cur, exc",
    [([1, 2], [1, 2, 3], ValueError), ([0, 0], [1, 2], ValueError), ([1, -1], [1, 1], ValueError)],
)
def test_chi2_rejects_bad_counts(ref, cur, exc):
    with pytest.raises(exc):
        chi2_two_sample(ref, cur)


def plain_ztest(s1, n1, s2, n2):
    """Textbook pooled two-proportion z-test (statsmodels' proportions_ztest formula)."""
    p1, p2 = s1 / n1, s2 / n2
    p = (s1 + s2) / (n1 + n2)
    z = (p2 - p1) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return z, math.erfc(abs(z) / math.sqrt(2))


ZCASES = [(30, 100, 45, 100), (1, 10, 9, 10), (500, 1000, 499, 1000), (0, 5, 3, 7), (3, 3, 1, 9)]


@pytest.mark.parametrize("s1, n1, s2, n2", ZCASES)
def test_ztest_equals_plain_formula_and_chi2(s1, n1, s2, n2):
    got = proportions_ztest(s1, n1, s2, n2)
    z, p = plain_ztest(s1, n1, s2, n2)
    assert got.statistic == pytest.approx(z, rel=1e-12)
    assert got.pvalue == pytest.approx(p, rel=1e-9)
    chi2 = chi2_two_sample([s1, n1 - s1], [s2, n2 - s2])
    assert got.statistic**2 == pytest.approx(chi2.statistic, rel=1e-9)
    assert got.pvalue == pytest.approx(chi2.pvalue, rel=1e-9)


def test_ztest_sign_is_current_minus_reference():
    assert proportions_ztest(10, 100, 30, 100).statistic > 0
    assert proportions_ztest(30, 100, 10, 100).statistic < 0


@pytest.mark.parametrize("s1, n1, s2, n2", [(0, 10, 0, 20), (10, 10, 20, 20)])
def test_ztest_degenerate_pooled_rate(s1, n1, s2, n2):
    r = proportions_ztest(s1, n1, s2, n2)
    assert (r.statistic, r.pvalue) == (0.0, 1.0)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 200), st.integers(1, 200), st.data())
def test_ztest_square_is_uncorrected_chi2(n1, n2, data):
    s1 = data.draw(st.integers(0, n1))
    s2 = data.draw(st.integers(0, n2))
    r = proportions_ztest(s1, n1, s2, n2)
    chi2 = chi2_two_sample([s1, n1 - s1], [s2, n2 - s2])
    assert r.statistic**2 == pytest.approx(chi2.statistic, rel=1e-9, abs=1e-12)
    assert r.pvalue == pytest.approx(chi2.pvalue, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("args", [(1, 0, 1, 2), (3, 2, 1, 2), (-1, 2, 1, 2), (1.5, 3, 1, 2)])
def test_ztest_and_fisher_reject_bad_counts(args):
    with pytest.raises(ValueError):
        proportions_ztest(*args)
    with pytest.raises(ValueError):
        fisher_exact_2x2(*args)


@pytest.mark.parametrize("s1, n1, s2, n2", [*ZCASES, (0, 4, 0, 6), (2, 2, 5, 5), (0, 1, 1, 1)])
def test_fisher_equals_scipy(s1, n1, s2, n2):
    got = fisher_exact_2x2(s1, n1, s2, n2)
    want = scipy.stats.fisher_exact([[s1, n1 - s1], [s2, n2 - s2]])
    np.testing.assert_allclose(got.statistic, want.statistic, rtol=1e-12)
    assert got.pvalue == pytest.approx(want.pvalue, rel=1e-9)
