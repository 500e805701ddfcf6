"""The writer's conversion of buffered records to Arrow, checked against plain Python.

The quick paths (one NumPy pass over a float column, a length check over a text column,
metadata read one key at a time when every record has the same keys) must say exactly
what the record-by-record reading says.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from driftscope.monitor._columns import ColumnKinds, Issues, build_column
from driftscope.monitor.batching import BatchBuilder


def _record(i: int, features: dict, metadata: object = None, prediction: object = 0.5):
    return (f"p{i}", 1793534400000000 + i, features, prediction, metadata, 1.0, "all")


def _expected_float_issues(values: list) -> list[str | None]:
    """The issues of one float column, by hand: NaN and inf are reported, null is not."""
    out = []
    for v in values:
        if v is None:
            out.append(None)
        elif math.isnan(v):
            out.append("nan:x")
        elif math.isinf(v):
            out.append("inf:x")
        else:
            out.append(None)
    return out


@pytest.mark.parametrize("seed", range(20))
def test_nan_inf_and_null_in_a_float_column_are_told_apart(seed):
    rng = np.random.default_rng(seed)
    pool = [1.5, -2.0, 0.0, float("nan"), float("inf"), float("-inf"), None, 1e308]
    values = [pool[k] for k in rng.integers(0, len(pool), size=int(rng.integers(1, 40)))]
    issues = Issues()
    arr = build_column(values, "feature.x", "x", ColumnKinds(), issues)
    got = issues.texts(len(values))
    if all(v is None for v in values):  # an all-null column of no kind is left out
        assert arr is None and got == [None] * len(values)
        return
    assert got == _expected_float_issues(values)
    stored = arr.to_pylist()
    for v, s in zip(values, stored, strict=True):
        assert (s is None) if v is None else (s == v or (math.isnan(v) and math.isnan(s)))


def test_text_columns_are_compressed_by_value_not_by_the_batch_total():
    kinds = ColumnKinds()
    # together far past the limit, each value under it: nothing to report
    issues = Issues()
    values = ["x" * 900] * 50
    arr = build_column(values, "feature.t", "t", kinds, issues, limit=1000)
    assert arr.to_pylist() == values and issues.texts(50) == [None] * 50
    # one value over the limit, in a batch with nulls: that row only
    issues = Issues()
    values = ["short", None, "y" * 5000, "z"]
    arr = build_column(values, "feature.t", "t", kinds, issues, limit=1000)
    texts = issues.texts(4)
    assert texts[0] is None and texts[1] is None and texts[3] is None
    assert texts[2].startswith("payload_compressed:t") or texts[2].startswith("payload_too_large:t")
    assert arr[0].as_py() == "short" and arr[3].as_py() == "z"


def _metadata_columns(records: list) -> dict[str, list]:
    flat = [value for record in records for value in record]
    table, counts = BatchBuilder().flat_predictions(flat)
    cols = {k: table.column(k).to_pylist() for k in table.column_names if k.startswith("meta")}
    return {"columns": cols, "counts": dict(counts)}


def test_metadata_with_the_same_keys_everywhere_reads_as_record_by_record():
    metas = [{"latency_ms": 0.5 * i, "route": f"r{i % 3}"} for i in range(30)]
    same = _metadata_columns([_record(i, {"x": 1.0}, m) for i, m in enumerate(metas)])
    # the same values with the keys in another order on one record: the general path
    mixed = [dict(m) for m in metas]
    mixed[7] = {"route": metas[7]["route"], "latency_ms": metas[7]["latency_ms"]}
    general = _metadata_columns([_record(i, {"x": 1.0}, m) for i, m in enumerate(mixed)])
    assert same == general
    assert same["columns"]["metadata.latency_ms"] == [m["latency_ms"] for m in metas]


class OddKey:
    """A key that hashes by identity and raises when compared with anything but itself:
    no quick path may compare it with the text keys."""

    def __eq__(self, other: object) -> bool:
        if other is self:
            return True
        raise RuntimeError("hostile __eq__")

    __hash__ = object.__hash__

    def __str__(self) -> str:
        return "odd"


def test_an_odd_metadata_key_among_uniform_ones_takes_the_general_path():
    metas: list[dict] = [{"latency_ms": float(i)} for i in range(5)]
    metas.append({OddKey(): 6.0})
    records = [_record(i, {"x": 1.0}, m) for i, m in enumerate(metas)]
    table, _ = BatchBuilder().flat_predictions([v for record in records for v in record])
    assert table.num_rows == 6
    assert table.column("metadata.latency_ms").to_pylist() == [0.0, 1.0, 2.0, 3.0, 4.0, None]
    assert table.column("metadata.odd").to_pylist() == [None] * 5 + [6.0]
