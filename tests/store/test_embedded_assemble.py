"""FrameBuilder (the embedded store's Arrow -> pandas assembly) against pyarrow + pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from driftscope.store.embedded._assemble import FrameBuilder

UTC_US = pa.timestamp("us", tz="UTC")


def _tables() -> list[pa.Table]:
    rng = np.random.default_rng(3)
    out = []
    for k in range(3):
        n = 5 + k
        cols = {
            "id": pa.array([f"r{k}-{i}" for i in range(n)]),
            "t": pa.array(rng.integers(0, 10**9, n), UTC_US),
            "x": pa.array(rng.normal(size=n)),
            "i": pa.array([None if i == 1 and k == 1 else i for i in range(n)], pa.int64()),
            "b": pa.array([bool(i % 2) for i in range(n)]),
            "s": pa.array([None if i == 0 else f"v{i % 2}" for i in range(n)]).dictionary_encode(),
        }
        if k != 2:  # a column missing from one table
            cols["m"] = pa.array([f"m{i}" for i in range(n)])
        cols["g"] = pa.array(range(n)) if k == 0 else pa.array([str(i) for i in range(n)])
        out.append(pa.table(cols))
    return out


def _expected(tables: list[pa.Table], order: np.ndarray | None) -> pd.DataFrame:
    frames = []
    for t in tables:
        f = t.to_pandas().astype({"g": str})
        f["s"] = f["s"].astype(object).where(f["s"].notna(), None)
        frames.append(f)
    whole = pd.concat(frames, ignore_index=True)
    return whole if order is None else whole.iloc[order].reset_index(drop=True)


def _check(frame: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert frame["id"].tolist() == expected["id"].tolist()
    assert str(frame["t"].dtype) == "datetime64[us, UTC]"
    assert (frame["t"].astype("int64") == expected["t"].astype("int64")).all()
    np.testing.assert_array_equal(frame["x"].to_numpy(), expected["x"].to_numpy())
    assert frame["i"].dtype == np.float64  # int with a null
    np.testing.assert_array_equal(frame["i"].isna(), expected["i"].isna())
    assert frame["b"].dtype == bool and frame["b"].tolist() == expected["b"].tolist()
    assert frame["s"].dtype == object and frame["s"].tolist() == expected["s"].tolist()
    m = [None if pd.isna(v) else v for v in expected["m"]]
    assert frame["m"].tolist() == m
    assert frame["g"].tolist() == expected["g"].tolist()  # int in one table, text in others


@pytest.mark.parametrize("grouped", [False, True])
def test_put_and_put_group_match_pandas(grouped):
    tables = _tables()
    n = sum(t.num_rows for t in tables)
    builder = FrameBuilder([t.schema for t in tables], n + 3, strings=("id",))
    order = np.random.default_rng(0).permutation(n) if grouped else None
    if grouped:
        builder.put_group(tables, order)
    else:
        for t in tables:
            builder.put(t)
    frame = builder.frame(columns=[(c, c) for c in ["id", "t", "x", "i", "b", "s", "m", "g"]])
    assert str(frame["id"].dtype) == "str"
    _check(frame, _expected(tables, order))


def test_a_late_permutation_reorders_every_column():
    tables = _tables()
    n = sum(t.num_rows for t in tables)
    builder = FrameBuilder([t.schema for t in tables], n)
    for t in tables:
        builder.put(t)
    order = np.arange(n)[::-1].copy()
    frame = builder.frame(order)
    _check(frame, _expected(tables, order))
