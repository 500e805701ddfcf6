"""Property: counts always add up, whatever the input format."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from driftscope.data import read_table

FLOATS = st.lists(
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True, width=64)),
    min_size=1,
    max_size=60,
)
LABELS = st.lists(
    st.one_of(st.none(), st.sampled_from(["a", "b", "", "c d"])), min_size=1, max_size=60
)


def _formats(values: list[float | None]) -> dict[str, object]:
    floats = np.array([np.nan if v is None else v for v in values], dtype=float)
    return {
        "numpy": {"x": floats},
        "pandas-nullable": pd.DataFrame({"x": pd.array(values, dtype="Float64")}),
        "arrow": pa.table({"x": pa.array(values, pa.float64())}),
        "objects": {"x": np.array(values, dtype=object)},
    }


@settings(max_examples=60, deadline=None)
@given(FLOATS)
def test_numeric_counts_add_up(values):
    non_missing = [v for v in values if v is not None and not math.isnan(v)]
    if not non_missing:
        return  # an all-missing column is an error, tested elsewhere
    finite = [v for v in non_missing if math.isfinite(v)]
    results = {}
    for label, source in _formats(values).items():
        got = read_table(source).numeric("x")
        assert got.valid + got.missing + got.positive_infinite + got.negative_infinite == got.rows
        assert got.rows == len(values)
        assert got.values.tolist() == finite, label
        assert got.positive_infinite == sum(v == math.inf for v in non_missing)
        results[label] = got
    first = next(iter(results.values()))
    assert all(r == first for r in results.values())


@settings(max_examples=60, deadline=None)
@given(LABELS)
def test_category_counts_add_up(values):
    if all(v is None for v in values):
        return
    for source in ({"x": values}, pa.table({"x": values}), pd.DataFrame({"x": values})):
        got = read_table(source).categories("x")
        assert got.valid + got.missing == got.rows == len(values)
        assert dict(zip(got.categories, got.counts.tolist(), strict=True)) == {
            v: values.count(v) for v in set(values) if v is not None
        }
