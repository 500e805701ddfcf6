"""Missing/infinity counting, category labels, copies and memory."""

from __future__ import annotations

import threading
import tracemalloc

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from driftscope.data import ColumnKind, read_table


def test_missing_and_infinities_are_counted_not_dropped():
    values = read_table({"x": [1.0, None, np.nan, np.inf, -np.inf, np.inf, 2.0]}).numeric("x")
    assert values.values.tolist() == [1.0, 2.0]
    assert (values.rows, values.missing) == (7, 2)
    assert (values.positive_infinite, values.negative_infinite) == (2, 1)
    assert values.valid + values.missing + 3 == values.rows


def test_arrow_nulls_and_nans_are_both_missing():
    array = pa.chunked_array([[1.0, None, float("nan")], [], [float("-inf"), 4.0]])
    values = read_table(array, column_names=["x"]).numeric("x")
    assert values.values.tolist() == [1.0, 4.0]
    assert (values.missing, values.negative_infinite) == (2, 1)


def test_sliced_arrow_arrays_are_read_at_their_offset():
    array = pa.array([9.0, 1.0, None, 3.0, 9.0]).slice(1, 3)
    assert read_table(array, column_names=["x"]).numeric("x").values.tolist() == [1.0, 3.0]


def test_finite_float64_values_are_a_read_only_view():
    source = np.array([1.0, 2.0, 3.0])
    values = read_table({"x": source}).numeric("x").values
    assert np.shares_memory(values, source)  # nothing to drop or convert: no copy
    assert not values.flags.writeable
    assert source.flags.writeable  # the caller's array keeps its own flags
    assert values.dtype == np.float64


def test_values_with_missing_or_other_dtypes_are_a_read_only_copy():
    for source in (np.array([1.0, np.nan, 3.0]), np.array([1, 2, 3])):
        values = read_table({"x": source}).numeric("x").values
        assert not np.shares_memory(values, source)
        assert not values.flags.writeable
        assert values.dtype == np.float64


def test_float64_column_is_copied_once():
    size = 1_000_000
    frame = pd.DataFrame({"x": np.random.default_rng(0).normal(size=size)})
    frame.iloc[::1000, 0] = np.nan
    table = read_table(frame)
    tracemalloc.start()
    try:
        values = table.numeric("x")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert values.missing == 1000
    # one float64 result (8 bytes a row) plus one boolean mask (1 byte a row), no second copy
    assert peak < 9.5 * size


def test_category_labels():
    table = read_table(
        {
            "ints": [3, 1, 3, None],
            "floats": [2.0, 0.5, 2.0, -0.0],
            "bools": [True, False, True, None],
            "strings": ["", "b", "", None],
        }
    )
    assert table.categories("ints").as_dict() == {"3": 2, "1": 1}
    assert table.categories("floats").as_dict() == {"2": 2, "0": 1, "0.5": 1}
    assert table.categories("bools").as_dict() == {"True": 2, "False": 1}
    empty_kept = table.categories("strings")
    assert empty_kept.as_dict() == {"": 2, "b": 1} and empty_kept.missing == 1


def test_categories_sorted_by_count_then_label():
    counts = read_table({"c": [*"bcacbdd", "a", "b"]}).categories("c")
    assert counts.categories == ("b", "a", "c", "d")
    assert counts.counts.tolist() == [3, 2, 2, 2]
    assert counts.counts.dtype == np.int64


def test_nan_in_arrow_floats_is_missing_for_categories():
    counts = read_table(pa.array([1.0, float("nan"), None, 1.0]), column_names=["x"]).categories(
        "x"
    )
    assert counts.as_dict() == {"1": 2} and counts.missing == 2


def test_pandas_category_with_numbers_can_be_read_as_numbers():
    column = pd.Series([1.5, 2.0, None, 1.5], dtype="category")
    values = read_table({"c": column}).numeric("c")
    assert values.values.tolist() == [1.5, 2.0, 1.5] and values.missing == 1


def test_bools_are_zero_and_one():
    values = read_table({"b": pd.array([True, None, False], dtype="boolean")}).numeric("b")
    assert values.values.tolist() == [1.0, 0.0] and values.missing == 1


def test_kind_override_is_recorded_on_the_result():
    table = read_table({"d": pd.to_datetime(["2024-01-01", None])})
    values = table.numeric("d", kind=ColumnKind.DATETIME)
    assert values.kind is ColumnKind.DATETIME and values.missing == 1
    counts = table.categories("d")
    assert counts.categories == ("2024-01-01T00:00:00",)


def test_columns_can_be_read_from_threads(tmp_path):
    path = tmp_path / "wide.parquet"
    pd.DataFrame({f"c{i}": np.arange(1000.0) + i for i in range(16)}).to_parquet(path)
    table = read_table(path)
    results: dict[str, float] = {}

    def work(name: str) -> None:
        results[name] = float(table.numeric(name).values.sum())

    threads = [threading.Thread(target=work, args=(name,)) for name in table.columns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {f"c{i}": float(np.arange(1000.0).sum() + 1000 * i) for i in range(16)}


@pytest.mark.parametrize("rows", [1, 3])
def test_tiny_inputs(rows):
    table = read_table({"x": np.ones(rows), "s": ["a"] * rows})
    assert table.numeric("x").valid == rows
    assert table.categories("s").as_dict() == {"a": rows}
