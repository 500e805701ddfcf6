"""Every input format gives identical values and counts for the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from driftscope.data import CategoryCounts, ColumnKind, NumericValues, read_table
from tests.data.data_samples import FLAGS, INTS, NUM, ROWS, START, WHEN

EXPECTED_KINDS = {
    "num": ColumnKind.NUMERICAL,
    "int": ColumnKind.NUMERICAL,
    "cat": ColumnKind.CATEGORICAL,
    "flag": ColumnKind.BOOLEAN,
    "when": ColumnKind.DATETIME,
}


def _expected_num() -> NumericValues:
    finite = np.array([v for v in NUM if np.isfinite(v)])
    return NumericValues("num", ColumnKind.NUMERICAL, finite, ROWS, 2, 1, 1)


def _expected_when() -> NumericValues:
    seconds = np.array([w.timestamp() for w in WHEN if w is not None])
    return NumericValues("when", ColumnKind.DATETIME, seconds, ROWS, 1, 0, 0)


def test_columns_rows_and_kinds(any_format):
    source, names = any_format
    table = read_table(source, role="reference", column_names=names)
    assert table.columns == list(EXPECTED_KINDS)
    assert table.rows == ROWS
    assert table.kinds() == EXPECTED_KINDS


def test_numeric_values_are_identical(any_format):
    source, names = any_format
    table = read_table(source, column_names=names)
    assert table.numeric("num") == _expected_num()
    assert table.numeric("int") == NumericValues(
        "int", ColumnKind.NUMERICAL, np.array(INTS, dtype=float), ROWS, 0, 0, 0
    )
    assert table.numeric("flag") == NumericValues(
        "flag", ColumnKind.NUMERICAL, np.array(FLAGS, dtype=float), ROWS, 0, 0, 0
    )


def test_datetimes_are_identical_seconds_since_epoch(any_format):
    source, names = any_format
    when = read_table(source, column_names=names).numeric("when", kind=ColumnKind.DATETIME)
    assert when == _expected_when()
    assert when.values[0] == START.timestamp()


def test_category_counts_are_identical(any_format):
    source, names = any_format
    table = read_table(source, column_names=names)
    assert table.categories("cat") == CategoryCounts(
        "cat", ColumnKind.CATEGORICAL, ("a", "b", "c", "d"), np.array([3, 3, 1, 1]), ROWS, 2
    )
    expected_flags = CategoryCounts(
        "flag", ColumnKind.BOOLEAN, ("True", "False"), np.array([6, 4]), ROWS, 0
    )
    assert table.categories("flag", kind=ColumnKind.BOOLEAN) == expected_flags
    as_categorical = table.categories("flag")
    assert as_categorical.categories == ("True", "False")
    assert as_categorical.kind is ColumnKind.CATEGORICAL


def test_source_descriptions(tmp_path):
    path = tmp_path / "x.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    assert read_table(path).source == f"parquet file {path}"
    assert read_table(pd.DataFrame({"a": [1]})).source == "pandas.DataFrame"
    assert read_table({"a": [1]}).source == "dict of columns"


def test_single_columns_and_their_names():
    assert read_table(pd.Series([1.0, 2.0], name="age")).columns == ["age"]
    assert read_table(pd.Series([1.0, 2.0])).columns == ["value"]
    assert read_table(np.array([1.0, 2.0])).columns == ["value"]
    assert read_table(np.array([1.0, 2.0]), column_names=["x"]).columns == ["x"]
    one = read_table(pd.Series(NUM, name="num")).numeric("num")
    assert one == _expected_num()


def test_polars_series_and_arrow_arrays():
    import pyarrow as pa
    import pytest

    pl = pytest.importorskip("polars")
    series = pl.Series("num", NUM, nan_to_null=False)
    assert read_table(series).numeric("num") == _expected_num()
    assert read_table(pa.array(NUM), column_names=["num"]).numeric("num") == _expected_num()
    assert read_table(pl.Series(NUM)).columns == ["value"]


def test_float_2d_array_with_column_names():
    array = np.column_stack([NUM, INTS])
    table = read_table(array, column_names=["num", "int"])
    assert table.numeric("num") == _expected_num()
    assert table.numeric("int").values.tolist() == [float(v) for v in INTS]


def test_pandas_index_is_not_a_column():
    frame = pd.DataFrame({"a": [1.0, 2.0]}, index=pd.Index(["x", "y"], name="key"))
    assert read_table(frame).columns == ["a"]


def test_hive_partitions_become_columns(tmp_path):
    for region in ("eu", "us"):
        folder = tmp_path / f"region={region}"
        folder.mkdir()
        pd.DataFrame({"x": [1.0, 2.0]}).to_parquet(folder / "part.parquet")
    table = read_table(tmp_path)
    assert table.columns == ["x", "region"]
    assert table.categories("region").as_dict() == {"eu": 2, "us": 2}
