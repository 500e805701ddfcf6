"""Hostile inputs never break logging: they land with their data-quality issues."""

from __future__ import annotations

import os
import socket

import numpy as np
import pandas as pd
import pytest

from driftscope.errors import DataError
from driftscope.monitor import expand_value
from driftscope.monitor.batching import BatchBuilder
from driftscope.monitor.values import COMPRESSED_MARKER


def _issues(df: pd.DataFrame) -> list[str]:
    return [x if isinstance(x, str) else "" for x in df["quality_issues"]]


class Weird:
    def __repr__(self) -> str:
        raise RuntimeError("hostile repr")


def test_hostile_inputs_are_logged_with_issues_and_never_raise(make_monitor):
    monitor = make_monitor(feature_names=["age", "income", "plan"])
    sock = socket.socket()
    try:
        cases = [
            ({"age": 30, "income": 10.0, "plan": "a"}, 0.5, None),  # clean
            (None, 0.5, None),  # no features at all
            ({"age": 31, "income": float("nan"), "plan": "a"}, 0.5, None),
            ({"age": 32, "income": float("-inf"), "plan": "a"}, 0.5, None),
            ({"age": "thirty", "income": 1.0, "plan": 7}, 0.5, None),  # wrong types
            ({"age": 33, "plan": "a", "bonus": 1.5}, 0.5, None),  # missing + extra
            ({"age": 34, "income": 2.0, "plan": "a"}, 0.5, {"sock": sock, "fn": lambda x: x}),
            ({"age": 35, "income": 3.0, "plan": "a"}, Weird(), None),  # an object prediction
            ({"age": 36, "income": 4.0, "plan": "a"}, 0.5, "not a mapping"),
            ("a string is not features", 0.5, None),
            ({"age": 37, "income": 5.0, "plan": None}, None, None),
            ({"age": 38, "income": 6.0, "plan": "a"}, 0.5, {"tags": ["x", "y"], "n": 1}),
        ]
        ids = [monitor.log_prediction(f, p, metadata=m) for f, p, m in cases]
        monitor.log_prediction({"age": 39, "income": 7.0, "plan": "b"}, 0.5, timestamp="garbage")
        df = monitor.get_recent_predictions().set_index("prediction_id")
    finally:
        sock.close()
    assert len(df) == len(cases) + 1
    issues = dict(zip(ids, _issues(df.loc[ids].reset_index()), strict=True))
    assert issues[ids[0]] == ""
    assert issues[ids[1]].startswith("bad_features (got NoneType None)")
    assert pd.isna(df.loc[ids[1], "age"])
    assert issues[ids[2]] == "nan:income" and np.isnan(df.loc[ids[2], "income"])
    assert issues[ids[3]] == "inf:income" and df.loc[ids[3], "income"] == -np.inf
    assert "wrong_type:age (got str 'thirty', expected int)" in issues[ids[4]]
    assert "wrong_type:plan" in issues[ids[4]] and df.loc[ids[4], "plan"] == "7"
    assert pd.isna(df.loc[ids[4], "age"])
    assert "missing_feature:income" in issues[ids[5]] and "extra_feature:bonus" in issues[ids[5]]
    assert df.loc[ids[5], "bonus"] == 1.5
    assert "bad_metadata:sock" in issues[ids[6]] and "bad_metadata:fn" in issues[ids[6]]
    assert "socket" in df.loc[ids[6], "metadata.sock"]
    # the prediction column is numeric: the object is left out, its repr kept in the issue
    assert "bad_prediction:prediction (got Weird <Weird object (repr failed)>" in issues[ids[7]]
    assert pd.isna(df.loc[ids[7], "prediction"])
    assert "bad_metadata" in issues[ids[8]] and df.loc[ids[8], "metadata.value"] == "not a mapping"
    assert issues[ids[9]].startswith("bad_features (got str")
    assert "null:plan" in issues[ids[10]] and "null:prediction" in issues[ids[10]]
    assert df.loc[ids[11], "metadata.tags"] == '["x","y"]' and issues[ids[11]] == ""
    assert "bad_timestamp" in _issues(df.reset_index())[-1]
    counts = monitor.quality_counts()
    assert counts["nan:income"] == 1 and counts["inf:income"] == 1
    assert counts["bad_features"] == 2 and counts["wrong_type:age"] == 1
    assert monitor.cost_report().quality_events == sum(counts.values())


def test_large_payloads_are_compressed_or_cut_with_an_issue(make_monitor):
    monitor = make_monitor()
    repetitive = "abc" * 3_500_000  # 10.5 MB that compresses well
    noise = os.urandom(5_000_000).hex()  # 10 MB that does not
    a = monitor.log_prediction({"text": repetitive}, 0.5)
    b = monitor.log_prediction({"text": noise}, 0.5, metadata={"blob": "z" * 200_000})
    df = monitor.get_recent_predictions().set_index("prediction_id")
    stored = df.loc[a, "text"]
    assert stored.startswith(COMPRESSED_MARKER) and len(stored) <= 64 * 1024
    assert expand_value(stored) == repetitive
    assert df.loc[a, "quality_issues"].startswith("payload_compressed:text")
    cut = df.loc[b, "text"]
    assert len(cut.encode()) <= 64 * 1024 and "truncated from 10,000,000 bytes" in cut
    assert noise.startswith(cut.split("…")[0])
    assert "payload_too_large:text" in df.loc[b, "quality_issues"]
    assert expand_value(df.loc[b, "metadata.blob"]) == "z" * 200_000


def test_strict_mode_raises_naming_the_feature(make_monitor):
    monitor = make_monitor(strict=True, feature_names=["age", "income"])
    monitor.log_prediction({"age": 30, "income": 1.0}, 0.5)
    with pytest.raises(DataError, match=r"'income'.*missing feature"):
        monitor.log_prediction({"age": 30}, 0.5)
    with pytest.raises(DataError, match=r"'age'.*wrong type.*'x'"):
        monitor.log_prediction({"age": "x", "income": 1.0}, 0.5)
    with pytest.raises(DataError, match=r"'income'.*nan"):
        monitor.log_prediction({"age": 1, "income": float("nan")}, 0.5)
    with pytest.raises(DataError, match="bad features"):
        monitor.log_prediction(None, 0.5)
    with pytest.raises(DataError, match=r"'income'.*row 1"):
        monitor.log_predictions(pd.DataFrame({"age": [1, 2], "income": [1.0, np.nan]}), [0, 1])
    df = monitor.get_recent_predictions()
    assert len(df) == 1 and df["quality_issues"].isna().all()


def test_column_kinds_stay_fixed_and_ints_widen_to_floats():
    builder = BatchBuilder()
    rec = ("p", 1793534400000000, {"n": 1, "flag": True, "s": "a"}, 1, None, 1.0, "all")
    first, _ = builder.predictions([rec])
    assert first.schema.field("feature.n").type == "int64"
    assert first.schema.field("prediction").type == "int64"
    later = ("q", 1793534400000000, {"n": 2.5, "flag": "yes", "s": 3}, 0.5, None, 1.0, "all")
    table, counts = builder.predictions([later])
    assert table.column("feature.n").to_pylist() == [2.5]  # widened, nothing lost
    assert table.column("feature.flag").to_pylist() == [None]
    assert table.column("feature.s").to_pylist() == ["3"]
    assert counts == {"wrong_type:flag": 1, "wrong_type:s": 1}
    third, _ = builder.predictions([rec])
    assert third.schema.field("feature.n").type == "double"


def test_the_batch_form_reports_the_same_issues(make_monitor):
    monitor = make_monitor(feature_names=["a", "b"])
    frame = pd.DataFrame({"a": [1.0, np.nan, np.inf], "c": ["x", "y", "z"]})
    monitor.log_predictions(frame, np.array([0.1, 0.2, 0.3]))
    counts = monitor.quality_counts()
    assert counts == {
        "extra_feature:c": 3,
        "inf:a": 1,
        "missing_feature:b": 3,
        "nan:a": 1,
    }
    df = monitor.get_recent_predictions()
    assert df["c"].tolist() == ["x", "y", "z"]


def test_batch_form_column_types_nulls_and_vectors(make_monitor):
    monitor = make_monitor()
    monitor.log_predictions(
        {
            "count": pd.array([1, None, 3], dtype="Int64"),
            "when": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"]),
            "plan": pd.Categorical(["a", "b", "a"]),
            "mixed": [1, "two", None],
        },
        pd.DataFrame({"label": ["x", "y", "z"], "p": [0.1, 0.2, 0.3]}),
        metadata={"embedding": np.ones((3, 2)), "run": "nightly"},
        prediction_ids=["r1", "r2", "r3"],
    )
    df = monitor.get_recent_predictions().set_index("prediction_id")
    assert df["count"].isna().tolist() == [False, True, False]
    assert df.loc["r2", "when"].startswith("2026-01-02")
    assert df["plan"].tolist() == ["a", "b", "a"]
    assert df["metadata.embedding"].tolist() == ["[1.0,1.0]"] * 3
    assert df["metadata.run"].tolist() == ["nightly"] * 3
    assert df["prediction.label"].tolist() == ["x", "y", "z"]
    assert monitor.quality_counts() == {"null:count": 1, "null:mixed": 1, "wrong_type:mixed": 1}


def test_timestamps_out_of_any_calendar_keep_their_record(make_monitor):
    monitor = make_monitor()
    for stamp in (1e20, -1e20, "year 10000", float("nan")):
        monitor.log_prediction({"x": 1.0}, 0.5, timestamp=stamp)
    monitor.flush()  # nothing dropped: the record is kept at the time of the call
    df = monitor.get_recent_predictions(hours=1)
    assert len(df) == 4
    assert df["quality_issues"].str.contains("bad_timestamp").all()
