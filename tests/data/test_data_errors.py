"""Every bad input is a DataError (bad data) or ConfigError (bad parameter) that says where."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from driftscope.data import ColumnKind, read_table
from driftscope.errors import ConfigError, DataError


def exact(message: str) -> str:
    return "^" + re.escape(message) + "$"


def test_unknown_column_lists_the_available_ones():
    table = read_table({"a": [1], "b": [2]}, role="production")
    with pytest.raises(
        DataError, match=exact("column 'age': is not in the production data; available: a, b")
    ) as caught:
        table.numeric("age")
    assert caught.value.column == "age"


def test_long_column_lists_are_cut():
    table = read_table({f"c{i}": [1] for i in range(60)})
    with pytest.raises(DataError, match=r"available: c0, c1, .*c19, … \(60 in all\)$"):
        table.kind("nope")


@pytest.mark.parametrize(
    "empty",
    [
        pd.DataFrame({"a": []}),
        {"a": []},
        pa.table({"a": pa.array([], pa.int64())}),
        np.empty((0, 2)),
    ],
)
def test_zero_rows(empty):
    names = ["a", "b"] if isinstance(empty, np.ndarray) else None
    with pytest.raises(DataError, match=exact("the reference data is empty (0 rows)")):
        read_table(empty, role="reference", column_names=names)


def test_zero_columns_and_empty_files(tmp_path):
    with pytest.raises(DataError, match=exact("the data is empty (0 columns)")):
        read_table(pd.DataFrame())
    empty_csv = tmp_path / "empty.csv"
    empty_csv.write_text("")
    with pytest.raises(DataError, match="is empty"):
        read_table(empty_csv)
    header_only = tmp_path / "header.csv"
    header_only.write_text("a,b\n")
    with pytest.raises(DataError, match=exact("the data is empty (0 rows)")):
        read_table(header_only)


def test_unsupported_sources(tmp_path):
    with pytest.raises(DataError, match=r"the data is a builtins\.set, which driftscope cannot"):
        read_table({1, 2})
    with pytest.raises(DataError, match="does not exist"):
        read_table(tmp_path / "missing.parquet")
    other = tmp_path / "data.xlsx"
    other.write_text("x")
    with pytest.raises(DataError, match=r"data\.xlsx' has an unsupported type; expected \.parquet"):
        read_table(other)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not a parquet file at all")
    with pytest.raises(
        DataError, match=r"cannot read the data file '.*broken\.parquet' as parquet"
    ):
        read_table(broken)
    with pytest.raises(DataError, match="3-D numpy array"):
        read_table(np.zeros((2, 2, 2)))
    pl = pytest.importorskip("polars")
    with pytest.raises(DataError, match=r"polars\.LazyFrame; call \.collect\(\)"):
        read_table(pl.LazyFrame({"a": [1]}))


def test_duplicate_column_names(tmp_path):
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(DataError, match="duplicate column names: a"):
        read_table(frame)
    with pytest.raises(DataError, match="duplicate column names: a"):
        read_table(pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["a", "a"]))
    with pytest.raises(DataError, match="duplicate column names: a"):
        read_table(np.zeros((1, 2)), column_names=["a", "a"])
    path = tmp_path / "dup.csv"
    path.write_text("a,a\n1,2\n")
    with pytest.raises(DataError, match="duplicate column names: a"):
        read_table(path)


def test_bad_parameters_are_config_errors():
    with pytest.raises(ConfigError, match=r"needs column_names=\[\.\.\.\] .* 3 here"):
        read_table(np.zeros((2, 3)))
    with pytest.raises(ConfigError, match="column_names has 2 names for 3 columns"):
        read_table(np.zeros((2, 3)), column_names=["a", "b"])
    with pytest.raises(ConfigError, match=r"a pandas\.DataFrame names its own columns"):
        read_table(pd.DataFrame({"a": [1]}), column_names=["b"])
    table = read_table({"a": [1.0, 2.0]})
    with pytest.raises(ConfigError, match="numeric\\(\\) takes kind='numerical' or 'datetime'"):
        table.numeric("a", kind=ColumnKind.CATEGORICAL)
    with pytest.raises(ConfigError, match="categories\\(\\) takes kind="):
        table.categories("a", kind="nonsense")
    with pytest.raises(ConfigError, match="max_categories must be at least 1"):
        table.categories("a", max_categories=0)


def test_dict_columns_of_different_lengths_or_scalars():
    with pytest.raises(DataError, match="'a' has 2 rows, 'b' has 3"):
        read_table({"a": [1, 2], "b": [1, 2, 3]})
    with pytest.raises(DataError, match="column 'b': the data holds a single int"):
        read_table({"a": [1, 2], "b": 3})
    with pytest.raises(DataError, match="column 'b': the data holds a 2-D array"):
        read_table({"a": [1, 2], "b": np.zeros((2, 2))}).kind("b")


def test_text_in_a_numeric_production_csv_names_value_and_row(tmp_path):
    path = tmp_path / "production.csv"
    values = [str(i) for i in range(40)]
    values[17] = "abc"
    path.write_text("age\n" + "\n".join(values) + "\n")
    table = read_table(path, role="production")
    assert table.kind("age") is ColumnKind.CATEGORICAL
    with pytest.raises(DataError) as caught:
        table.numeric("age")
    assert str(caught.value) == (
        "column 'age': the production data holds text where numbers were expected "
        "(first: 'abc' at row 17)"
    )
    assert (caught.value.column, caught.value.row) == ("age", 17)


def test_numeric_text_is_parsed_when_every_value_parses():
    table = read_table({"x": pd.Series(["1.5", " 2 ", None, "inf", "NaN", "-1e3"], dtype="str")})
    values = table.numeric("x")
    assert values.values.tolist() == [1.5, 2.0, -1000.0]
    assert (values.missing, values.positive_infinite) == (2, 1)


def test_bad_datetime_text_names_value_and_row():
    table = read_table({"t": ["2024-01-01", "2024-01-02", "01/03/2024"]}, role="production")
    with pytest.raises(
        DataError,
        match=exact(
            "column 't': the production data holds text where datetimes (ISO 8601) were expected "
            "(first: '01/03/2024' at row 2)"
        ),
    ):
        table.numeric("t", kind=ColumnKind.DATETIME)


def test_kind_mismatches_between_numbers_and_datetimes():
    table = read_table({"t": pd.to_datetime(["2024-01-01"]), "n": [1.0]}, role="production")
    with pytest.raises(DataError, match="holds datetimes where numbers were expected"):
        table.numeric("t")
    with pytest.raises(DataError, match="holds numbers where datetimes were expected"):
        table.numeric("n", kind=ColumnKind.DATETIME)


def test_boolean_counts_reject_other_values():
    table = read_table({"ok": ["true", "False", "maybe", "TRUE"]}, role="production")
    with pytest.raises(
        DataError,
        match=exact(
            "column 'ok': the production data holds 'maybe' where booleans (True/False) were "
            "expected (first at row 2)"
        ),
    ):
        table.categories("ok", kind=ColumnKind.BOOLEAN)
    ints = read_table({"ok": [0, 1, 1, None]}).categories("ok", kind=ColumnKind.BOOLEAN)
    assert ints.as_dict() == {"True": 2, "False": 1}


def test_unreadable_parquet_column_names_the_file(tmp_path):
    path = tmp_path / "x.parquet"
    pd.DataFrame({"a": [1.0]}).to_parquet(path)
    table = read_table(path)
    path.write_bytes(b"gone")
    with pytest.raises(DataError, match=r"column 'a': cannot be read from the data file"):
        table.numeric("a")


def test_polars_object_columns_are_refused():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"o": pl.Series([object(), object()], dtype=pl.Object)})
    with pytest.raises(DataError, match="column 'o': the data holds polars Object values"):
        read_table(frame).kind("o")


def test_text_bytes_and_numeric_strings_in_numpy():
    table = read_table(
        {
            "u": np.array(["1.5", "x", "2"]),
            "s": np.array([b"a", b"b", b"a"]),
            "n": np.array(["1", "2", "3"]),
        }
    )
    assert table.categories("s").as_dict() == {"a": 2, "b": 1}
    assert table.numeric("n").values.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(DataError, match=r"\(first: 'x' at row 1\)"):
        table.numeric("u")


def test_read_table_passes_tables_through():
    table = read_table({"a": [1.0]}, role="reference")
    assert read_table(table, role="reference") is table
    assert read_table(table, role="production").role == "production"
    assert repr(table) == "<Table reference: dict of columns, 1 rows x 1 columns>"
