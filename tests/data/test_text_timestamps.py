"""A timestamp stored as text reads as a datetime, the same from Parquet as from CSV."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from driftscope.data import ColumnKind, read_table
from driftscope.data.kinds import looks_like_datetimes
from driftscope.errors import DataError

STAMPS = ["2018-01-01 00:00:00.000", "2018-01-01 00:08:43.152", None, "2018-01-02 23:59:59.999"]


@pytest.mark.parametrize(
    "value",
    ["2024-05-09", "2024-05-09 22:27:20", "2024-05-09T22:27:20Z", "2024-05-09T22:27:20.5+02:00"],
)
def test_iso_forms_are_datetimes(value):
    assert looks_like_datetimes([value])


@pytest.mark.parametrize("value", ["09/05/2024", "2024-05-09 soon", "20240509", "Friday", ""])
def test_other_text_is_not(value):
    assert not looks_like_datetimes([value])


def test_parquet_text_and_csv_give_the_same_seconds(tmp_path):
    frame = pd.DataFrame({"ts": STAMPS, "x": [1.0, 2.0, 3.0, 4.0]})
    parquet, csv = tmp_path / "a.parquet", tmp_path / "a.csv"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), parquet)
    frame.to_csv(csv, index=False)
    from_parquet, from_csv = read_table(parquet), read_table(csv)
    assert from_parquet.kind("ts") == from_csv.kind("ts") == ColumnKind.DATETIME
    a = from_parquet.numeric("ts", kind=ColumnKind.DATETIME)
    b = from_csv.numeric("ts", kind=ColumnKind.DATETIME)
    expected = [datetime.fromisoformat(v).replace(tzinfo=UTC).timestamp() for v in STAMPS if v]
    np.testing.assert_allclose(a.values, expected, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(a.values, b.values)
    assert a.missing == b.missing == 1


def test_a_bad_value_outside_the_sample_names_its_row():
    values = ["2020-01-01", "tomorrow"] + ["2020-01-02"] * 20_000
    table = read_table({"ts": values})
    assert table.kind("ts") == ColumnKind.DATETIME  # the sample holds only dates
    with pytest.raises(DataError, match=r"column 'ts': .*'tomorrow' at row 1"):
        table.numeric("ts", kind=ColumnKind.DATETIME)


def test_labels_that_merely_start_like_dates_stay_categories():
    table = read_table({"batch": ["2020-01-01 run a", "2020-01-02 run b"] * 10})
    assert table.kind("batch") == ColumnKind.CATEGORICAL
