"""Bonferroni and Benjamini-Hochberg with NaN entries."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from driftscope.errors import ConfigError
from driftscope.stats import benjamini_hochberg, bonferroni, reject


def test_bonferroni():
    got = bonferroni([0.01, np.nan, 0.5, 0.2])
    np.testing.assert_allclose(got, [0.03, np.nan, 1.0, 0.6])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(0.0, 1.0), st.just(float("nan"))), min_size=0, max_size=30))
def test_bh_equals_scipy_ignoring_nan(p):
    pa = np.array(p, dtype=float)
    got = benjamini_hochberg(pa)
    ok = ~np.isnan(pa)
    assert np.isnan(got[~ok]).all()
    if ok.any():
        want = scipy.stats.false_discovery_control(pa[ok], method="bh")
        np.testing.assert_allclose(got[ok], want, rtol=1e-12, atol=0)
        np.testing.assert_allclose(bonferroni(pa)[ok], np.minimum(pa[ok] * ok.sum(), 1.0))


def test_reject():
    np.testing.assert_array_equal(
        reject([0.01, 0.05, 0.2, np.nan], 0.05), [True, False, False, False]
    )
    with pytest.raises(ConfigError):
        reject([0.1], 0.0)
    with pytest.raises(ConfigError):
        reject([0.1], 1.5)


@pytest.mark.parametrize("bad", [[-0.1], [1.2], [[0.1]]])
def test_bad_pvalues(bad):
    with pytest.raises(ValueError):
        benjamini_hochberg(bad)
    with pytest.raises(ValueError):
        bonferroni(bad)
