"""The compiled Smirnov tail equals SciPy's, and the KS p-value takes it exactly where
SciPy's kstwo.sf does."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special
import scipy.stats

from driftscope.stats.ks import ks_asymptotic_pvalue
from driftscope.stats.smirnov import smirnov_sf


@pytest.mark.parametrize("n", [141, 1000, 9_999, 50_000, 166_667, 1_000_000])
def test_equals_scipy_special_smirnov(n):
    for nd2 in (2.2, 3.0, 8.0, 30.0, 120.0, 300.0, 369.0):
        d = float(np.sqrt(nd2 / n))
        if d >= 0.5:  # not SciPy's branch
            continue
        got, want = smirnov_sf(n, d), scipy.special.smirnov(n, d)
        # about 1e-12 relative; below 1e-300 doubles are subnormal and keep few digits
        assert got == pytest.approx(want, rel=1e-11, abs=1e-300), (n, d)
    assert smirnov_sf(n, 0.0) == 1.0 and smirnov_sf(n, 1.0) == 0.0


def test_ks_pvalue_equals_kstwo_on_both_sides_of_the_branch(rng):
    for n, m in [(200_000, 1_000_000), (20_000, 15_000), (12_000, 300)]:
        en = round(n * m / (n + m))
        for nd2 in (0.5, 2.19, 2.2, 5.0, 50.0, 369.9, 370.0, 500.0):
            d = float(np.sqrt(nd2 / en))
            want = float(np.clip(scipy.stats.kstwo.sf(d, en), 0, 1))
            assert ks_asymptotic_pvalue(d, n, m) == pytest.approx(want, rel=1e-9, abs=0)
