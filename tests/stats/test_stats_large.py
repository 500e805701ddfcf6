"""The one 10^7-row comparison with SciPy (KS and Wasserstein); takes a few seconds."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats

from driftscope.stats import SortedSample, ks_2samp, wasserstein


def test_ten_million_rows_equal_scipy():
    rng = np.random.default_rng(99)
    x = rng.normal(size=10_000_000)
    y = rng.normal(0.001, 1.0, size=1_000_000)
    ref = SortedSample.from_array(x)
    got = ks_2samp(ref, y)
    want = scipy.stats.ks_2samp(x, y, method="auto")
    assert got.statistic == want.statistic
    assert got.pvalue == pytest.approx(want.pvalue, rel=1e-9)
    assert wasserstein(ref, y) == pytest.approx(scipy.stats.wasserstein_distance(x, y), rel=1e-9)
