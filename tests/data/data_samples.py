"""The same small data set in every input format driftscope.data reads (test helper)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

NAN, INF = float("nan"), float("inf")
NUM = [1.5, NAN, INF, -2.0, -INF, 3.25, 0.0, NAN, 7.0, -1.0]
INTS = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
CATS = ["b", "a", None, "b", "c", "a", "b", None, "d", "a"]
FLAGS = [True, False, True, True, False, True, False, True, True, False]
START = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
WHEN = [None if i == 3 else START + dt.timedelta(hours=i, seconds=0.5 * i) for i in range(10)]
ROWS = len(NUM)


def when_utc() -> pd.Series:
    return pd.Series(pd.to_datetime(WHEN, utc=True))


def base_frame() -> pd.DataFrame:
    """pandas defaults: numpy float/int/bool, pandas 3 "str" strings, tz-aware datetimes."""
    return pd.DataFrame({"num": NUM, "int": INTS, "cat": CATS, "flag": FLAGS, "when": when_utc()})


def _pandas_object() -> pd.DataFrame:
    frame = base_frame()
    frame["cat"] = pd.Series(CATS, dtype=object)
    frame["when"] = when_utc().dt.tz_convert(None)  # naive, taken as UTC
    return frame


def _pandas_nullable() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "num": pd.array(NUM, dtype="Float64"),
            "int": pd.array(INTS, dtype="Int64"),
            "cat": pd.array(CATS, dtype=pd.StringDtype("python")),
            "flag": pd.array(FLAGS, dtype="boolean"),
            "when": when_utc().dt.tz_convert("Europe/Paris"),
        }
    )


def _pandas_arrow() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "num": pd.Series(pa.array(NUM), dtype=pd.ArrowDtype(pa.float64())),
            "int": pd.Series(INTS, dtype=pd.ArrowDtype(pa.int32())),
            "cat": pd.Series(CATS, dtype=pd.ArrowDtype(pa.string())),
            "flag": pd.Series(FLAGS, dtype=pd.ArrowDtype(pa.bool_())),
            "when": pd.Series(
                pa.array(WHEN, pa.timestamp("ms", tz="UTC")),
                dtype=pd.ArrowDtype(pa.timestamp("ms", tz="UTC")),
            ),
        }
    )


def _pandas_category() -> pd.DataFrame:
    frame = base_frame()
    frame["cat"] = frame["cat"].astype("category")
    return frame


def _arrow_table() -> pa.Table:
    return pa.table(
        {
            "num": pa.array(NUM, pa.float64()),
            "int": pa.array(INTS, pa.int16()),
            "cat": pa.array(CATS, pa.string()),
            "flag": pa.array(FLAGS),
            "when": pa.array(WHEN, pa.timestamp("us", tz="Asia/Tokyo")),
        }
    )


def _chunked_arrow_table() -> pa.Table:
    table = _arrow_table()
    return pa.concat_tables([table.slice(0, 4), table.slice(4, 3), table.slice(7)])


def _polars() -> Any:
    pl = pytest.importorskip("polars")
    return pl.DataFrame(
        {
            "num": pl.Series(NUM, dtype=pl.Float64, nan_to_null=False),
            "int": INTS,
            "cat": CATS,
            "flag": FLAGS,
            "when": pl.Series(WHEN, dtype=pl.Datetime("us", "UTC")),
        }
    )


def _when_numpy() -> np.ndarray:
    return when_utc().dt.tz_convert(None).to_numpy()


def _structured() -> np.ndarray:
    dtype = [("num", "f8"), ("int", "i8"), ("cat", "O"), ("flag", "?"), ("when", "M8[us]")]
    array = np.empty(ROWS, dtype=dtype)
    array["num"], array["int"], array["flag"] = NUM, INTS, FLAGS
    array["cat"] = np.array(CATS, dtype=object)
    array["when"] = _when_numpy()
    return array


def _dict_of_arrays() -> dict[str, np.ndarray]:
    return {
        "num": np.array(NUM),
        "int": np.array(INTS),
        "cat": np.array(CATS, dtype=object),
        "flag": np.array(FLAGS),
        "when": _when_numpy(),
    }


def _dict_of_lists() -> dict[str, list[Any]]:
    return {"num": NUM, "int": INTS, "cat": CATS, "flag": FLAGS, "when": WHEN}


def _numpy_2d_object() -> np.ndarray:
    return np.array([NUM, INTS, CATS, FLAGS, WHEN], dtype=object).T


def _parquet(tmp_path: Path) -> Path:
    path = tmp_path / "data.parquet"
    base_frame().to_parquet(path)
    return path


def _parquet_with_index(tmp_path: Path) -> Path:
    path = tmp_path / "indexed.parquet"
    base_frame().set_axis(range(100, 100 + ROWS)).rename_axis("row_id").to_parquet(path)
    return path


def _parquet_directory(tmp_path: Path) -> Path:
    folder = tmp_path / "data_dir"
    folder.mkdir()
    table = pa.Table.from_pandas(base_frame(), preserve_index=False)
    pq.write_table(table.slice(0, 6), folder / "part-0.parquet")
    pq.write_table(table.slice(6), folder / "part-1.parquet")
    (folder / "_SUCCESS").write_text("")
    return folder


def _csv(tmp_path: Path, name: str = "data.csv") -> str:
    path = tmp_path / name
    base_frame().to_csv(path, index=False)
    return str(path)


FORMATS: dict[str, Callable[[Path], tuple[Any, list[str] | None]]] = {
    "pandas": lambda _: (base_frame(), None),
    "pandas-object": lambda _: (_pandas_object(), None),
    "pandas-nullable": lambda _: (_pandas_nullable(), None),
    "pandas-pyarrow": lambda _: (_pandas_arrow(), None),
    "pandas-category": lambda _: (_pandas_category(), None),
    "polars": lambda _: (_polars(), None),
    "pyarrow-table": lambda _: (_arrow_table(), None),
    "pyarrow-chunked": lambda _: (_chunked_arrow_table(), None),
    "pyarrow-batch": lambda _: (_arrow_table().to_batches()[0], None),
    "numpy-structured": lambda _: (_structured(), None),
    "numpy-2d-object": lambda _: (_numpy_2d_object(), ["num", "int", "cat", "flag", "when"]),
    "dict-of-arrays": lambda _: (_dict_of_arrays(), None),
    "dict-of-lists": lambda _: (_dict_of_lists(), None),
    "parquet-file": lambda tmp: (_parquet(tmp), None),
    "parquet-with-index": lambda tmp: (_parquet_with_index(tmp), None),
    "parquet-directory": lambda tmp: (_parquet_directory(tmp), None),
    "csv-file": lambda tmp: (_csv(tmp), None),
    "csv-gz-file": lambda tmp: (_csv(tmp, "data.csv.gz"), None),
}
