"""Fitting a numerical column sorts a private copy of its finite values in place: the fitted
sample equals NumPy's, and the caller's data is never changed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from driftscope.drift.reference import Reference


def _frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    with_gaps = rng.normal(size=n)
    with_gaps[rng.random(n) < 0.1] = np.nan
    with_gaps[:3] = [np.inf, -np.inf, -0.0]
    return pd.DataFrame(
        {
            "floats": rng.lognormal(size=n),  # read as a view of the frame: copied to sort
            "ints": rng.poisson(4, size=n),  # converted to float64: sorted in place
            "gaps": with_gaps,  # missing and infinite values dropped: sorted in place
            "float32": rng.normal(size=n).astype(np.float32),
            "arrow": pd.array(rng.integers(-5, 5, size=n), dtype="int64[pyarrow]"),
        }
    )


@pytest.mark.parametrize("n", [7, 20_001])
def test_fit_leaves_the_data_as_it_was(n):
    frame = _frame(np.random.default_rng(n), n)
    before = frame.copy(deep=True)
    Reference.fit(frame, keep_rows=0)
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize("n", [7, 20_001])
def test_fitted_samples_equal_numpy(n):
    frame = _frame(np.random.default_rng(n), n)
    ref = Reference.fit(frame, keep_rows=0)
    for name in frame.columns:
        raw = pa.array(frame[name]).to_numpy(zero_copy_only=False).astype(np.float64)
        finite = raw[np.isfinite(raw)]
        want_values, want_counts = np.unique(finite, return_counts=True)
        sample = ref.columns[name].sample
        assert np.array_equal(sample.values, want_values), name
        assert np.array_equal(sample.counts(), want_counts), name
        assert sample.n == finite.size


def test_a_numpy_column_is_not_changed_either():
    data = {"x": np.array([3, 1, 2, 2, 9]), "y": np.array([2.5, np.nan, -1.0, 0.0, 7.0])}
    kept = {k: v.copy() for k, v in data.items()}
    Reference.fit(data, keep_rows=0)
    for name, values in data.items():
        assert np.array_equal(values, kept[name], equal_nan=True)
