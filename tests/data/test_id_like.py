"""Id-like columns: near-unique integers and strings, named ids, event times; never floats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from driftscope.data import read_table
from driftscope.data.id_like import id_like_reason, named_like_id
from driftscope.data.roles import ColumnRoles
from driftscope.errors import ConfigError

N = 2_000


@pytest.fixture
def table(rng):
    ids = rng.permutation(N) + 10_000
    return read_table(
        {
            "row": np.arange(N),  # sorted
            "key": ids,  # shuffled, consecutive
            "sparse_key": np.sort(rng.choice(10**9, N, replace=False)),  # sorted, huge gaps
            "income": rng.integers(0, 10**9, N),  # distinct, neither sorted nor dense
            "visits": rng.poisson(3, N),
            "score": rng.normal(size=N),  # a float feature: 100 % distinct, never an id
            "email": [f"user{i}@example.com" for i in ids],
            "plan": rng.choice(["a", "b", "c"], N),
            "customer_id": rng.integers(0, N, N),  # named, about 63 % distinct
            "event_time": pd.date_range("2026-01-01", periods=N, freq="min", tz="UTC"),
            "signup_day": pd.Timestamp("2025-01-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 30, N), unit="D"),
            "signup_time": pd.Timestamp("2025-01-01", tz="UTC")  # a feature: in no order
            + pd.to_timedelta(rng.uniform(0, 300, N), unit="D"),
            "ts": pd.Timestamp("2025-01-01", tz="UTC")  # named like a log's times
            + pd.to_timedelta(rng.uniform(0, 300, N), unit="D"),
        }
    )


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("row", "looks like an id: 100% distinct"),
        ("key", "looks like an id: 100% distinct"),
        ("sparse_key", "looks like an id: 100% distinct"),
        ("email", "looks like an id: 100% distinct"),
        ("customer_id", "looks like an id: named like one"),
        ("event_time", "looks like an event time: 100% distinct times"),
        ("ts", "looks like an event time: 100% distinct times"),
    ],
)
def test_ids_are_found(table, name, start):
    assert id_like_reason(table, name).startswith(start)


@pytest.mark.parametrize("name", ["income", "visits", "score", "plan", "signup_day", "signup_time"])
def test_features_are_kept(table, name):
    assert id_like_reason(table, name) is None


def test_the_distinct_share_is_that_of_the_values(rng):
    # 96 % distinct integers with repeats: pandas' nunique as the oracle
    values = np.concatenate([np.arange(960), np.arange(40)])
    rng.shuffle(values)
    share = pd.Series(values).nunique() / len(values)
    reason = id_like_reason(read_table({"n": values}), "n")
    assert share == 0.96 and reason == "looks like an id: 96% distinct values"
    assert id_like_reason(read_table({"n": np.arange(1000) % 940}), "n") is None  # 94 %


def test_few_values_say_nothing():
    assert id_like_reason(read_table({"city": [f"c{i}" for i in range(99)]}), "city") is None


def test_named_float_ids_must_be_whole_numbers(rng):
    table = read_table({"id": np.arange(500.0), "user_id": rng.random(500)})
    assert id_like_reason(table, "id") is not None
    assert id_like_reason(table, "user_id") is None


@pytest.mark.parametrize("name", ["id", "ID", "customer_id", "order-id", "userId", "row_uuid"])
def test_id_names(name):
    assert named_like_id(name)


@pytest.mark.parametrize("name", ["paid", "idea", "valid", "identity", "width", "android"])
def test_other_names(name):
    assert not named_like_id(name)


def test_float_features_of_nannyml_are_never_ids(nannyml_data):
    for name in ("car_loan", "binary_classification", "car_price", "multiclass_classification"):
        table = read_table(nannyml_data(name, "reference"))
        found = {c for c in table.columns if id_like_reason(table, c) is not None}
        assert found == {"id", "timestamp"}, name


def test_roles_hold_one_column_each():
    roles = ColumnRoles(target="y", prediction="p", timestamp="ts", ids="id")
    assert roles.ids == ("id",) and roles.not_features == {"y", "p", "ts", "id"}
    assert roles.role_of("p") == "prediction"
    with pytest.raises(ConfigError, match="both the timestamp and the id"):
        ColumnRoles(timestamp="ts", ids=["ts"])
    with pytest.raises(ConfigError, match="must be a column name"):
        ColumnRoles(target="")


def test_a_column_named_like_an_id_is_found_in_a_small_table():
    table = read_table({"row_id": np.arange(40), "x": np.arange(40) % 7})
    reason = id_like_reason(table, "row_id")
    assert reason == "looks like an id: named like one, 100% distinct values"
    assert id_like_reason(table, "x") is None
