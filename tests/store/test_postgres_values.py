"""What the PostgreSQL store keeps exactly: awkward values, type changes, re-sends,
concurrent processes, archives read back."""

from __future__ import annotations

import math
import multiprocessing
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pytest

from driftscope.errors import DataError
from driftscope.store import CheckRecord, PostgresStore
from tests.store import pg_support
from tests.store.batches import T0, label_batch, prediction_batch
from tests.store.conftest import PG_URL


@pytest.fixture
def pg(pg_schema, tmp_path):
    store = PostgresStore(PG_URL, schema=pg_schema, archive_dir=tmp_path / "archive")
    yield store
    store.close()


def _with(batch: pa.Table, name: str, values: pa.Array) -> pa.Table:
    if name in batch.column_names:
        return batch.set_column(batch.schema.get_field_index(name), name, values)
    return batch.append_column(name, values)


def test_non_finite_and_extreme_numbers_round_trip(pg):
    floats = [math.nan, math.inf, -math.inf, None, 5e-324, 1.7976931348623157e308, -0.0, 0.1]
    ints = [2**63 - 1, -(2**63), 0, 3, 1, -1, 2**53 + 1, 7]
    batch = prediction_batch(8, features=())
    batch = _with(batch, "feature.x", pa.array(floats, pa.float64()))
    batch = _with(batch, "feature.n", pa.array(ints, pa.int64()))
    batch = _with(batch, "feature.holes", pa.array([1, None] * 4, pa.int64()))
    batch = _with(batch, "prediction", pa.array([math.nan, 1.0] * 4, pa.float64()))
    pg.write_predictions("m", batch)
    df = pg.read_predictions("m")
    x = df["x"].to_numpy(float)
    assert math.isnan(x[0]) and x[1] == math.inf and x[2] == -math.inf
    assert df["x"].isna().sum() == 2  # NaN and the null (pandas cannot tell them apart)
    assert pg.read_predictions("m")["x"].tolist()[4:] == [5e-324, 1.7976931348623157e308, -0.0, 0.1]
    assert math.copysign(1, x[6]) == -1
    assert df["n"].dtype == np.int64 and df["n"].tolist() == ints
    # pandas has no null int64: with nulls the column is float64, as pyarrow converts it
    assert df["holes"].dtype == np.float64 and df["holes"].isna().sum() == 4
    assert df["holes"].iloc[0] == 1.0
    assert math.isnan(df["prediction"].iloc[0])


def test_nan_is_not_null_in_the_table(pg, pg_schema):
    batch = _with(prediction_batch(2, features=()), "feature.x", pa.array([math.nan, None]))
    pg.write_predictions("m", batch)
    with psycopg.connect(PG_URL) as conn:
        (slot,) = conn.execute(
            f"SELECT slot FROM \"{pg_schema}\".columns WHERE name = 'feature.x'"
        ).fetchone()
        rows = conn.execute(
            f'SELECT float_values[%s] FROM "{pg_schema}".predictions ORDER BY ts, prediction_id',
            (slot,),
        ).fetchall()
    assert math.isnan(rows[0][0]) and rows[1][0] is None


def test_awkward_strings_round_trip(pg):
    texts = [
        "",
        None,
        "a,b",
        'q"q',
        "new\nline\r\n",
        "tab\there",
        "back\\slash",
        "ü€😀",
        "x" * 200_000,
    ]
    n = len(texts)
    batch = _with(prediction_batch(n, features=()), "feature.s", pa.array(texts, pa.string()))
    ids = pa.array(["id,1", 'id"2', "id\n3", "ïd4", "5", "6", "7", "8", "9"])
    batch = _with(batch, "prediction_id", ids)
    batch = _with(batch, "metadata.json", pa.array(['{"a": [1, 2]}'] * n))
    pg.write_predictions("m", batch)
    df = pg.read_predictions("m")
    back = dict(zip(df["prediction_id"], df["s"], strict=True))
    assert back == dict(zip(ids.to_pylist(), texts, strict=True))
    assert df["metadata.json"].tolist() == ['{"a": [1, 2]}'] * n
    assert df["s"].dtype == object


def test_many_features_and_odd_names(pg):
    names = [f"f{i}" for i in range(300)] + ["with space", "dot.ted", "ünï", "x" * 100]
    batch = prediction_batch(50, features=names)
    pg.write_predictions("wide", batch)
    df = pg.read_predictions("wide")
    for name in names:
        np.testing.assert_array_equal(df[name].to_numpy(float), batch[f"feature.{name}"].to_numpy())


def test_arrow_types_are_normalised_and_others_refused(pg):
    batch = prediction_batch(4, features=())
    batch = _with(batch, "feature.small", pa.array([1, 2, 3, 4], pa.int32()))
    batch = _with(batch, "feature.single", pa.array([0.5, 1.5, 2.5, 3.5], pa.float32()))
    batch = _with(batch, "feature.cat", pa.array(["a", "b", "a", None]).dictionary_encode())
    batch = _with(batch, "feature.big", pa.array(["x", "y", "z", "w"], pa.large_string()))
    batch = _with(batch, "metadata.nothing", pa.nulls(4))
    pg.write_predictions("m", batch)
    df = pg.read_predictions("m")
    assert df["small"].dtype == np.int64 and df["small"].tolist() == [1, 2, 3, 4]
    assert df["single"].tolist() == [0.5, 1.5, 2.5, 3.5]
    assert df["cat"].tolist() == ["a", "b", "a", None]
    assert df["big"].tolist() == ["x", "y", "z", "w"]
    assert df["metadata.nothing"].isna().all()
    bad = _with(prediction_batch(2), "feature.when", pa.array([T0, T0]))
    with pytest.raises(DataError, match=r"feature\.when"):
        pg.write_predictions("m", bad)


def test_column_types_widen_across_batches(pg):
    def batch(start, **columns):
        b = prediction_batch(2, start=start, id_prefix=f"{start:%d}-", features=())
        for name, values in columns.items():
            b = _with(b, f"feature.{name}", values)
        return b

    pg.write_predictions(
        "m", batch(T0, a=pa.array([1, 2]), b=pa.array([1, 2]), c=pa.array([True, False]))
    )
    only_ints = pg.read_predictions("m")
    assert only_ints["a"].dtype == np.int64 and only_ints["c"].dtype == bool
    pg.write_predictions(
        "m",
        batch(
            T0 + timedelta(days=1),
            a=pa.array([2.5, 3.5]),
            b=pa.array(["x", "y"]),
            c=pa.array([True, None]),
        ),
    )
    df = pg.read_predictions("m")
    assert df["a"].tolist() == [1.0, 2.0, 2.5, 3.5]  # int64 + float64 -> float64
    assert df["b"].tolist() == ["1", "2", "x", "y"]  # any other mix -> string
    assert df["c"].tolist() == [True, False, True, None]


def test_label_kinds(pg):
    pg.write_predictions("m", prediction_batch(4))
    pg.write_labels("m", label_batch(["p0", "p1"], [1.5, math.nan]))
    pg.write_labels("m", label_batch(["p2"], [True]))
    df = pg.read_predictions("m").set_index("prediction_id")
    assert df.loc["p0", "label"] == "1.5" and df.loc["p1", "label"] == "NaN"
    assert df.loc["p2", "label"] == "true" and df.loc["p3", "label"] is None
    pg.write_labels("other", label_batch(["z"], [None]))  # all-null labels are kept too
    assert "other" in pg.models()


def test_resending_a_batch_adds_nothing(pg):
    batch = prediction_batch(25)
    assert pg.write_predictions("m", batch) > 0
    assert pg.write_predictions("m", batch) == 0
    assert pg.count_predictions("m") == 25
    dupes = pa.concat_tables(
        [prediction_batch(3, id_prefix="d"), prediction_batch(3, id_prefix="d")]
    )
    pg.write_predictions("m", dupes)
    assert pg.count_predictions("m") == 28


def test_empty_batches_and_null_ids(pg):
    assert pg.write_predictions("m", prediction_batch(0)) == 0
    batch = _with(prediction_batch(2), "prediction_id", pa.array(["a", None]))
    with pytest.raises(DataError, match="prediction_id"):
        pg.write_predictions("m", batch)
    assert pg.models() == []


def test_processes_writing_at_once_lose_nothing(pg, pg_schema, tmp_path):
    ctx = multiprocessing.get_context("fork")
    procs = [
        ctx.Process(target=pg_support.write_batches, args=(pg_schema, str(tmp_path), k, 4, 250))
        for k in range(4)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 4
    df = pg.read_predictions("churn")
    assert len(df) == 4 * 4 * 250 and df["prediction_id"].is_unique
    assert df["age"].dtype == np.int64 and df["plan"].notna().all()


def test_archive_windows_late_labels_and_type_changes(pg, tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    old = prediction_batch(
        20, start=now - timedelta(days=50), step=timedelta(days=1), id_prefix="o"
    )
    pg.write_predictions("m", old)
    pg.write_labels("m", label_batch(["o0", "o1"], [1, 1], at=now - timedelta(days=40)))
    pg.write_labels("m", label_batch(["o1"], [0], at=now - timedelta(days=39)))
    report = pg.archive(timedelta(days=35))
    assert report.predictions_archived == 16 and report.labels_archived == 3
    assert all(p.startswith(str(tmp_path / "archive")) for p in report.files)
    # after archiving: a late label, and a feature that turns float
    pg.write_labels("m", label_batch(["o2"], [1], at=now))
    newer = prediction_batch(3, start=now - timedelta(hours=1), id_prefix="n", features=("income",))
    newer = _with(newer, "feature.age", pa.array([30.5, 40.5, 50.5]))
    pg.write_predictions("m", newer)
    df = pg.read_predictions("m", include_archive=True).set_index("prediction_id")
    assert len(df) == 23
    assert (
        df.loc["o1", "label"] == 0 and df.loc["o2", "label"] == 1 and pd.isna(df.loc["o3", "label"])
    )
    assert df.loc["n0", "age"] == 30.5 and df.loc["o0", "age"] == old["feature.age"][0].as_py()
    assert df["timestamp"].is_monotonic_increasing
    window = pg.read_predictions(
        "m", since=now - timedelta(days=45), until=now - timedelta(days=40), include_archive=True
    )
    assert window["prediction_id"].tolist() == ["o5", "o6", "o7", "o8", "o9"]
    assert len(pg.read_predictions("m", model_version="nope", include_archive=True)) == 0
    second = pg.archive(timedelta(days=0), model="m")
    assert second.predictions_archived == 7
    assert len(pg.read_predictions("m", include_archive=True)) == 23
    assert pg.count_predictions("m") == 0


def test_check_details_keep_non_finite_numbers(pg):
    record = CheckRecord(
        "m",
        "drift",
        T0,
        T0 + timedelta(days=1),
        "score",
        math.nan,
        details={"p": math.inf, "n": np.int64(3), "per_column": {"x": [math.nan, 0.5]}},
    )
    pg.write_check_results([record, record])
    df = pg.read_check_results("m")
    assert len(df) == 1 and math.isnan(df["value"].iloc[0])
    details = df["details"].iloc[0]
    assert details["p"] == math.inf and details["n"] == 3
    assert math.isnan(details["per_column"]["x"][0]) and details["per_column"]["x"][1] == 0.5


def test_reference_notes_and_stored_at(pg):
    from driftscope.drift.reference import Reference

    ref = Reference.fit({"x": np.arange(50.0)})
    first = pg.save_reference("m", ref, note="training")
    again = pg.save_reference("m", ref)
    assert again.stored_at == first.stored_at and again.note == "training"
    assert first.stored_at.tzinfo is not None
    assert pg.load_reference("m").version == ref.version
