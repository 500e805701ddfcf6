"""Kind inference: dtypes, object columns, free text, datetimes and time zones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from driftscope.data import ColumnKind, infer_kind, read_table
from driftscope.errors import DataError

K = ColumnKind

REVIEWS = [
    f"review {i}: the parcel arrived {'late' if i % 3 else 'early'} and the box was fine"
    for i in range(200)
]


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (np.array([True, False]), K.BOOLEAN),
        (np.array([1, 2], dtype=np.uint8), K.NUMERICAL),
        (np.array([1.5, np.nan], dtype=np.float32), K.NUMERICAL),
        (pd.array([1, None], dtype="Int64"), K.NUMERICAL),
        (pd.array([1.5, None], dtype="Float64"), K.NUMERICAL),
        (pd.array([True, None], dtype="boolean"), K.BOOLEAN),
        (pa.array([Decimal("1.25"), None]), K.NUMERICAL),
        (pa.array([1, 2], pa.int8()), K.NUMERICAL),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), K.DATETIME),
        (pd.Series(pd.to_datetime(["2024-01-01"]).tz_localize("America/New_York")), K.DATETIME),
        (pa.array([dt.date(2024, 1, 1)]), K.DATETIME),
        (pd.to_timedelta([1, 2], unit="s"), K.NUMERICAL),
        (pa.array([1, 2], pa.duration("ms")), K.NUMERICAL),
        (pa.array([dt.time(10, 30)]), K.NUMERICAL),
        (pd.Series(["a", "b"], dtype="category"), K.CATEGORICAL),
        (pd.Series([1, 2], dtype="category"), K.CATEGORICAL),
        (pa.array(["a", "b"]).dictionary_encode(), K.CATEGORICAL),
        (pd.Series(["a", None]), K.CATEGORICAL),
        (np.array(["a", "b"]), K.CATEGORICAL),
        (np.array([b"a", b"b"]), K.CATEGORICAL),
        (pa.nulls(3), K.CATEGORICAL),
        (np.array([None, np.nan], dtype=object), K.CATEGORICAL),
        (np.array([True, None], dtype=object), K.BOOLEAN),
        (np.array([1, 2.5, None, Decimal("3")], dtype=object), K.NUMERICAL),
        (np.array([dt.datetime(2024, 1, 1), None], dtype=object), K.DATETIME),
        (np.array([dt.timedelta(seconds=3)], dtype=object), K.NUMERICAL),
        (["x", None, "y"], K.CATEGORICAL),
    ],
)
def test_kind_from_dtype(values, kind):
    assert infer_kind(values) is kind


def test_polars_dtypes():
    pl = pytest.importorskip("polars")
    assert infer_kind(pl.Series(["a", "b"], dtype=pl.Categorical)) is K.CATEGORICAL
    assert infer_kind(pl.Series(["a", "b"], dtype=pl.Enum(["a", "b"]))) is K.CATEGORICAL
    assert infer_kind(pl.Series([1, 2], dtype=pl.Duration("ms"))) is K.NUMERICAL
    assert infer_kind(pl.Series([dt.date(2024, 1, 1)])) is K.DATETIME
    assert infer_kind(pl.Series([None, None])) is K.CATEGORICAL


def test_free_text_is_text_and_labels_are_categorical():
    assert infer_kind(pd.Series(REVIEWS)) is K.TEXT
    assert infer_kind(pa.array(REVIEWS)) is K.TEXT
    assert infer_kind(np.array(REVIEWS, dtype=object)) is K.TEXT
    # long but repeated labels, long single tokens, short distinct strings: not text
    assert infer_kind(pd.Series(["a rather long product category name"] * 50)) is K.CATEGORICAL
    uuids = [f"{i:08x}-e29b-41d4-a716-446655440000" for i in range(100)]
    assert infer_kind(pd.Series(uuids)) is K.CATEGORICAL
    assert infer_kind(pd.Series([f"Jo Smith {i}" for i in range(100)])) is K.CATEGORICAL


def test_text_columns_can_be_sampled():
    table = read_table({"note": [REVIEWS[0], None, *REVIEWS[1:]]})
    assert table.kind("note") is K.TEXT
    sample = table.text_sample("note", size=10)
    assert len(sample) == 10 and sample[0] == REVIEWS[0]


def test_mixed_object_column_names_types_and_first_minority_row():
    values = [float(i) for i in range(20)]
    values[17] = "abc"
    with pytest.raises(DataError) as caught:
        read_table({"age": np.array(values, dtype=object)}, role="production").kind("age")
    assert str(caught.value) == (
        "column 'age': the production data mixes float and str values (first str at row 17: 'abc')"
    )
    assert caught.value.column == "age" and caught.value.row == 17


def test_mixed_bools_and_numbers_and_dicts():
    with pytest.raises(DataError, match=r"mixes int and bool values \(first bool at row 2: True\)"):
        infer_kind([1, 2, True, 4], name="n")
    with pytest.raises(DataError, match=r"mixes str, int and dict values \(first int at row 2"):
        infer_kind(["a", "b", 3, {"k": 1}, "c", "d", 4], name="n")
    with pytest.raises(DataError, match=r"holds dict values \(first at row 1: \{'k': 1\}\)"):
        infer_kind([None, {"k": 1}], name="n")


def test_unsupported_dtypes():
    with pytest.raises(DataError, match="complex128 values"):
        infer_kind(np.array([1j]))
    with pytest.raises(DataError, match=r"list<item: int64> values"):
        infer_kind(pa.array([[1], [2]]))


def test_all_missing_column_still_has_a_kind_but_cannot_be_read():
    table = read_table(
        {"f": np.full(4, np.nan), "o": [None] * 4, "s": pd.Series([None] * 4, dtype="str")},
        role="production",
    )
    assert table.kinds() == {"f": K.NUMERICAL, "o": K.CATEGORICAL, "s": K.CATEGORICAL}
    message = "column 'f': is entirely missing in the production data (4 rows, all null/NaN)"
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        table.numeric("f")
    for name in ("o", "s"):
        with pytest.raises(DataError, match="is entirely missing"):
            table.numeric(name)
        with pytest.raises(DataError, match="is entirely missing"):
            table.categories(name)


def test_time_zones_give_the_same_instants():
    instants = pd.to_datetime(["2024-06-01 12:00", "2024-12-01 08:30"]).tz_localize("UTC")
    expected = np.array([i.timestamp() for i in instants])
    sources = {
        "utc": pd.Series(instants),
        "paris": pd.Series(instants.tz_convert("Europe/Paris")),
        "naive-as-utc": pd.Series(instants.tz_convert(None)),
        "arrow-tokyo": pa.array(instants.tz_convert("Asia/Tokyo")),
        "strings-with-offsets": pd.Series(
            ["2024-06-01T14:00:00+02:00", "2024-12-01T08:30:00Z"], dtype=object
        ),
        "naive-strings": ["2024-06-01 12:00:00", "2024-12-01T08:30"],
    }
    for label, values in sources.items():
        seconds = read_table({"t": values}).numeric("t", kind=K.DATETIME).values
        np.testing.assert_array_equal(seconds, expected, err_msg=label)


def test_dates_and_durations_in_seconds():
    dates = read_table(pa.array([dt.date(1970, 1, 2), None]), column_names=["d"])
    assert dates.numeric("d", kind=K.DATETIME).values.tolist() == [86_400.0]
    spans = read_table(pd.Series(pd.to_timedelta([1.5, None], unit="s"), name="s"))
    assert spans.numeric("s").values.tolist() == [1.5]
    assert spans.numeric("s").missing == 1
