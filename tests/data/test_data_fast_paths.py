"""The vectorised paths of kind inference and numeric extraction answer like the plain
rules they replace: missing values of every library are left out of the sample, and a column
with NaN or infinities is counted the same with or without the one-pass finiteness check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from driftscope.data import ColumnKind
from driftscope.data.columns import sample_values
from driftscope.data.numeric import extract_numeric
from driftscope.data.storage import Storage


def _plain_sample(values: list[object]) -> list[object]:
    """The rule written value by value: None, pd.NA, NaT and float NaN are missing."""
    return [
        v
        for v in values
        if not (v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v))
    ]


@pytest.mark.parametrize(
    "column",
    [
        np.array(["a", None, np.nan, pd.NA, pd.NaT, "b", 3, 2.5], dtype=object),
        pa.chunked_array([pa.array([1.0, None, float("nan"), 2.0]), pa.array([None, 4.0])]),
        pa.chunked_array([pa.array(["x", None, "y"], pa.large_string())]),
        np.array([1.0, np.nan, 3.0]),
    ],
)
def test_sample_values_leaves_out_missing_values(column: object) -> None:
    raw = column.to_pylist() if isinstance(column, pa.ChunkedArray) else list(column)
    assert sample_values(column, 100) == _plain_sample(raw)


def test_sample_values_is_evenly_spaced() -> None:
    column = np.array([str(i) if i % 3 else None for i in range(1000)], dtype=object)
    taken = sample_values(column, 10)
    expected = [column[i] for i in np.unique(np.linspace(0, 999, 10).astype(np.int64))]
    assert taken == _plain_sample(expected)


@pytest.mark.parametrize("seed", range(20))
def test_finite_values_count_missing_and_infinite_values(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=500) * 10.0 ** rng.integers(-300, 300)
    holes = rng.integers(0, 4, size=x.size)
    x[holes == 1] = np.nan
    x[holes == 2] = np.inf if seed % 2 else x[holes == 2]
    x[holes == 3] = -np.inf if seed % 3 else x[holes == 3]
    got = extract_numeric(x, Storage.NUMBER, name="x", role="data", kind=ColumnKind.NUMERICAL)
    finite = x[np.isfinite(x)]
    assert np.array_equal(got.values, finite)
    assert got.missing == int(np.isnan(x).sum())
    assert (got.positive_infinite, got.negative_infinite) == (
        int((x == np.inf).sum()),
        int((x == -np.inf).sum()),
    )


def test_a_sum_that_overflows_keeps_every_finite_value() -> None:
    x = np.array([1e308, 1e308, -5.0])
    got = extract_numeric(x, Storage.NUMBER, name="x", role="data", kind=ColumnKind.NUMERICAL)
    assert got.values.tolist() == x.tolist() and got.missing == 0
