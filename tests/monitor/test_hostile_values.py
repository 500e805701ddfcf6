"""Values that crashed the process or lost their record: each is stored with an issue.

Cyclic and deeply nested values made pyarrow's type inference crash the process with
SIGSEGV: those cases run in a child interpreter, so that a crash fails the test instead of
killing pytest, and the parent reads the child's store afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest

from driftscope.errors import DataError, StoreError
from driftscope.monitor import ModelMonitor
from driftscope.monitor.batching import RECORD_WIDTH
from driftscope.monitor.values import MAX_DEPTH, bounded
from tests.monitor.conftest import FlakyStore, real_store


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def _stored(home: str) -> pd.DataFrame:
    """What the child stored for model ``m``, by prediction id."""
    store = real_store(home)
    try:
        return store.read_predictions("m").set_index("prediction_id")
    finally:
        store.close()


def _run_child(body: str, home: str) -> dict:
    """Run ``body`` in a fresh interpreter with ``monitor`` (logging to ``home``),
    ``cyclic_list``, ``cyclic_dict`` and ``deep`` defined; return what it printed as JSON
    on its last line."""
    script = textwrap.dedent(
        """
        import json, sys
        import numpy as np
        import pandas as pd
        from driftscope.errors import DataError
        from driftscope.monitor import ModelMonitor

        cyclic_list = [1.0]
        cyclic_list.append(cyclic_list)
        cyclic_dict = {"a": 1}
        cyclic_dict["self"] = cyclic_dict
        deep = []
        for _ in range(100_000):
            deep = [deep]
        out = {}
        """
    ) + textwrap.dedent(body)
    proc = subprocess.run(
        [sys.executable, "-c", script.replace("HOME", repr(home))],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
    )
    assert proc.returncode == 0, (
        f"the child died (exit code {proc.returncode}):\n{proc.stderr[-3000:]}"
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


CRASHERS = {
    "feature_value_cyclic_list": "monitor.log_prediction({'x': 1.0, 'y': cyclic_list}, 0.5)",
    "feature_value_cyclic_dict": "monitor.log_prediction({'x': 1.0, 'y': cyclic_dict}, 0.5)",
    "feature_value_deep": "monitor.log_prediction({'x': 1.0, 'y': deep}, 0.5)",
    "features_dict_itself": (
        "f = {'x': 1.0, 'y': 2.0}\nf['self'] = f\nmonitor.log_prediction(f, 0.5)"
    ),
    "prediction_cyclic": "monitor.log_prediction({'x': 1.0, 'y': 2.0}, cyclic_dict)",
    "prediction_deep": "monitor.log_prediction({'x': 1.0, 'y': 2.0}, {'p': deep})",
    "metadata_cyclic": (
        "monitor.log_prediction({'x': 1.0, 'y': 2.0}, 0.5, metadata={'m': cyclic_list})"
    ),
    "metadata_deep": "monitor.log_prediction({'x': 1.0, 'y': 2.0}, 0.5, metadata={'m': deep})",
    "object_array_containing_itself": (
        "a = np.empty(2, dtype=object)\na[0] = a\na[1] = 1.0\n"
        "monitor.log_prediction({'x': 1.0, 'y': a}, 0.5)"
    ),
}


@pytest.mark.parametrize("strict", [False, True])
def test_cyclic_and_deep_values_never_crash_and_good_records_land(tmp_path, strict):
    home = str(tmp_path / "home")
    cases = "\n".join(
        f"try:\n{textwrap.indent(code, '    ')}\n    out[{name!r}] = 'ok'\n"
        f"except DataError as exc:\n    out[{name!r}] = 'DataError: ' + str(exc)\n"
        for name, code in CRASHERS.items()
    )
    body = f"""
monitor = ModelMonitor("m", store=HOME, flush_interval=0.05, strict={strict})
good = [monitor.log_prediction({{"x": float(i), "y": 0.0}}, 0.25) for i in range(5)]
{cases}
good += [monitor.log_prediction({{"x": 10.0 + i, "y": 0.0}}, 0.75) for i in range(5)]
monitor.flush()
out["good"] = good
out["quality"] = monitor.quality_counts()
monitor.close()
print(json.dumps(out))
"""
    out = _run_child(body, home)
    df = _stored(home)
    assert set(out["good"]) <= set(df.index)
    assert df.loc[out["good"], "quality_issues"].isna().all()
    if strict:  # refused in the caller's thread, naming the field; nothing else stored
        assert len(df) == 10
        for name in CRASHERS:
            assert out[name].startswith("DataError: column "), (name, out[name])
        assert "cyclic value" in out["feature_value_cyclic_list"]
        assert "nested too deep" in out["metadata_deep"]
        return
    assert all(out[name] == "ok" for name in CRASHERS)
    assert len(df) == 10 + len(CRASHERS)
    bad = df.drop(index=out["good"])
    assert bad["quality_issues"].notna().all()
    issues = " ".join(bad["quality_issues"])
    for code in ("cyclic_value:y", "nested_too_deep:y", "cyclic_value:self"):
        assert code in issues
    assert "cyclic_value:prediction.self" in issues and "nested_too_deep:prediction.p" in issues
    assert "cyclic_value:m" in issues and "nested_too_deep:m" in issues
    # a cyclic value becomes repr-like text, cut where it repeats (here quoted in the
    # issue: the column holds floats)
    assert "got list [1.0, [...]]" in issues
    assert out["quality"]["cyclic_value:y"] == 3


def test_cyclic_and_deep_labels_and_batches_never_crash(tmp_path):
    home = str(tmp_path / "home")
    body = """
monitor = ModelMonitor("m", store=HOME, flush_interval=0.05)
ids = [monitor.log_prediction({"x": float(i)}, 0.5) for i in range(4)]
monitor.log_ground_truth(ids[0], 1.0)
monitor.log_ground_truth(ids[1], cyclic_list)
monitor.log_ground_truth(ids[2], deep)
batch = monitor.log_predictions(
    {"x": [1.0, 2.0, 3.0], "z": [cyclic_list, deep, "fine"]},
    [0.1, cyclic_dict, 0.3],
    metadata={"m": [deep, "ok", cyclic_list]},
)
monitor.log_ground_truths(list(batch), [cyclic_dict, 0.0, deep])
monitor.flush()
out["ids"] = ids
out["batch"] = [str(b) for b in batch]
out["quality"] = monitor.quality_counts()
out["dropped"] = monitor.cost_report().dropped_records
monitor.close()
print(json.dumps(out))
"""
    out = _run_child(body, home)
    df = _stored(home)
    assert out["dropped"] == 0
    assert len(df) == 7
    assert df.loc[out["ids"][0], "label"] == 1.0
    batch = df.loc[out["batch"]]
    assert "cyclic_value:z" in batch["quality_issues"].iloc[0]
    assert "nested_too_deep:z" in batch["quality_issues"].iloc[1]
    assert "cyclic_value:prediction" in batch["quality_issues"].iloc[1]
    assert batch["x"].tolist() == [1.0, 2.0, 3.0]
    quality = out["quality"]
    assert quality["cyclic_value:label"] == 2 and quality["nested_too_deep:label"] == 2


# ---------------------------------------------------------------------- bad values, kept
class RaisingStr:
    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def _flush_quietly(monitor: ModelMonitor) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a dropped-records warning would fail the test
        monitor.flush()


def test_surrogates_huge_ints_and_hostile_keys_are_stored_with_an_issue(make_monitor):
    monitor = make_monitor(feature_names=["x", "s"])
    good = monitor.log_prediction({"x": 1.0, "s": "fine"}, 0.5)
    cases = {
        "feature": monitor.log_prediction({"x": 2.0, "s": "a\ud800b"}, 0.5),
        "prediction": monitor.log_prediction({"x": 3.0, "s": "b"}, {"label": "\udc80"}),
        "metadata": monitor.log_prediction({"x": 4.0, "s": "c"}, 0.5, metadata={"m": "\ud83d"}),
        "key": monitor.log_prediction({"x": 5.0, "s": "d", "k\ud800": 1.0}, 0.5),
        "uint64": monitor.log_prediction({"x": 6.0, "s": "e", "u": np.uint64(2**64 - 1)}, 0.5),
        "bigint": monitor.log_prediction({"x": 2**70, "s": "f"}, 0.5),
        "str_key": monitor.log_prediction({"x": 7.0, "s": "g", RaisingStr(): 1.0}, 0.5),
        "id": monitor.log_prediction({"x": 8.0, "s": "h"}, 0.5, prediction_id="id\ud800"),
    }
    monitor.log_ground_truth(good, "l\ud800")
    monitor.log_ground_truth("id\ud800", "yes")
    _flush_quietly(monitor)  # nothing dropped: flush() does not raise
    df = monitor.get_recent_predictions().set_index("prediction_id")
    assert len(df) == 1 + len(cases)
    issues = df["quality_issues"]
    assert pd.isna(issues[good])
    assert df.loc[cases["feature"], "s"] == "a\\ud800b"
    assert "invalid_text:s" in issues[cases["feature"]]
    assert df.loc[cases["prediction"], "prediction.label"] == "\\udc80"
    assert "invalid_text:prediction.label" in issues[cases["prediction"]]
    assert "invalid_text:m" in issues[cases["metadata"]]
    assert df.loc[cases["key"], "k\\ud800"] == 1.0
    assert "invalid_text:k\\ud800" in issues[cases["key"]]
    assert df.loc[cases["uint64"], "u"] == float(2**64 - 1)
    assert "int_out_of_range:u" in issues[cases["uint64"]]
    assert df.loc[cases["bigint"], "x"] == float(2**70)
    assert "int_out_of_range:x" in issues[cases["bigint"]]
    assert df.loc[cases["str_key"], "<RaisingStr>"] == 1.0
    assert "bad_key:<RaisingStr>" in issues[cases["str_key"]]
    # the id is stored escaped, and its label (escaped the same way) still joins
    assert df.loc["id\\ud800", "label"] == "yes"
    assert "invalid_text:prediction_id" in issues["id\\ud800"]
    assert df.loc[good, "label"] == "l\\ud800"
    assert monitor.quality_counts()["invalid_text:label"] == 1
    assert monitor.cost_report().dropped_records == 0


@pytest.mark.parametrize(
    ("features", "prediction", "metadata", "match"),
    [
        ({"x": 1.0, "s": "a\ud800"}, 0.5, None, r"column 's'.*invalid text"),
        ({"x": np.uint64(2**64 - 1), "s": "a"}, 0.5, None, r"column 'x'.*int out of range"),
        ({"x": 1.0, "s": "a"}, "\ud800", None, r"column 'prediction'"),
        ({"x": 1.0, "s": "a"}, 0.5, {"m\ud800": 1}, r"invalid text"),
        ({"x": 1.0, "s": "a", RaisingStr(): 1}, 0.5, None, r"column '<RaisingStr>'.*bad key"),
    ],
)
def test_strict_mode_raises_data_error_naming_the_field(
    make_monitor, features, prediction, metadata, match
):
    monitor = make_monitor(strict=True, feature_names=["x", "s"])
    with pytest.raises(DataError, match=match):
        monitor.log_prediction(features, prediction, metadata=metadata)
    monitor.log_prediction({"x": 1.0, "s": "a"}, 0.5)
    df = monitor.get_recent_predictions()
    assert len(df) == 1 and df["quality_issues"].isna().all()


def test_the_batch_form_keeps_bad_values_with_issues(make_monitor):
    monitor = make_monitor()
    ids = monitor.log_predictions(
        {
            "x": [1.0, 2**70, 3.0],
            "s": ["ok", "a\ud800", "x" * 10],
            "u": np.array([1, 2**64 - 1, 3], dtype=np.uint64),
        },
        [0.1, 0.2, 0.3],
        prediction_ids=["a", "b\ud800", "c"],
    )
    monitor.log_ground_truths(["a", "b\ud800"], [1.0, 0.0])
    df = monitor.get_recent_predictions().set_index("prediction_id")
    assert list(ids) == ["a", "b\\ud800", "c"]  # the ids as stored
    assert sorted(df.index) == ["a", "b\\ud800", "c"]
    issues = df["quality_issues"]
    assert pd.isna(issues["a"]) and pd.isna(issues["c"])
    assert "int_out_of_range:x" in issues["b\\ud800"] and "invalid_text:s" in issues["b\\ud800"]
    assert "int_out_of_range:u" in issues["b\\ud800"]
    assert df.loc["b\\ud800", "u"] == float(2**64 - 1) and df.loc["b\\ud800", "label"] == 0.0


def test_a_record_no_conversion_can_keep_is_stored_as_a_stub_not_blamed_on_the_store(
    make_monitor, monkeypatch
):
    """Fault injection: a conversion bug (which no value should meet any more) keeps the
    record's id with ``unconvertible_record``; flush() neither raises nor blames the store."""
    monitor = make_monitor()
    builder = monitor._builder
    convert = builder.flat_predictions

    def flat_predictions(flat):  # records laid end to end, features third
        if any(type(f) is dict and f.get("x") == -1.0 for f in flat[2::RECORD_WIDTH]):
            raise RuntimeError("a bug met a strange value")
        return convert(flat)

    monkeypatch.setattr(builder, "flat_predictions", flat_predictions)
    good = [monitor.log_prediction({"x": float(i)}, 0.5) for i in range(5)]
    bad = monitor.log_prediction({"x": -1.0}, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the writer logs the conversion failure
        monitor.flush()
    df = monitor.get_recent_predictions().set_index("prediction_id")
    assert sorted(df.index) == sorted([*good, bad])
    assert df.loc[bad, "quality_issues"].startswith("unconvertible_record (RuntimeError")
    assert df.loc[good, "quality_issues"].isna().all()
    assert monitor.cost_report().dropped_records == 0


def test_the_store_is_not_blamed_when_records_could_not_be_converted(make_monitor, monkeypatch):
    monitor = make_monitor()
    builder = monitor._builder

    def broken(*args, **kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr(builder, "flat_predictions", broken)
    monkeypatch.setattr(builder, "unconvertible_prediction", broken)
    monitor.log_prediction({"x": 1.0}, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(StoreError, match="1 could not be converted") as caught:
            monitor.flush()
    assert "store unavailable" not in str(caught.value)


# ---------------------------------------------------------------------- terminal escapes
class Loud:
    def __repr__(self) -> str:
        return "\x1b[2J\x1b[31mpwned\r\n"


def test_escape_sequences_from_data_never_reach_messages_or_issues(make_monitor):
    strict = make_monitor("strict", strict=True, feature_names=["x\x1b[1m"])
    with pytest.raises(DataError) as caught:
        strict.log_prediction({"x\x1b[1m": Loud()}, 0.5)
    text = str(caught.value)
    assert "\x1b" not in text and "\r" not in text and "\n" not in text
    assert "\\x1b[2J" in text
    with pytest.raises(DataError) as caught:
        strict.log_predictions({"x\x1b[1m": [Loud()]}, [0.5])
    assert "\x1b" not in str(caught.value) and "\x07" not in str(caught.value)

    monitor = make_monitor("lenient")
    pid = monitor.log_prediction({"x": 1.0, "k\x1b[5m": Loud()}, Loud())
    df = monitor.get_recent_predictions().set_index("prediction_id")
    issues = df.loc[pid, "quality_issues"]
    assert "\x1b" not in issues and "\n" not in issues and "\\x1b[2J" in issues
    assert all("\x1b" not in key for key in monitor.quality_counts())


def test_bounded_values_follow_python_repr_and_json():
    loop: list = [1, "a"]
    loop.append(loop)
    text, issues = bounded(loop)
    assert repr(text) == "[1, 'a', [...]]" and issues == ["cyclic_value"]
    nested: list = [0]
    for _ in range(MAX_DEPTH + 5):
        nested = [nested]
    text, issues = bounded(nested)
    assert issues == ["nested_too_deep"] and repr(text).count("[") == MAX_DEPTH
    shared = [1.0]
    assert bounded({"a": shared, "b": (shared, {2, 1})}) == (
        {"a": [1.0], "b": ([1.0], [1, 2])},
        [],
    )
    copy, issues = bounded(np.arange(6).reshape(2, 3))
    assert copy == [[0, 1, 2], [3, 4, 5]] and issues == []
    assert json.loads(json.dumps(bounded({"k": ["a", 1, None]})[0])) == {"k": ["a", 1, None]}


# ---------------------------------------------------------------------- reads in an outage
def test_reading_during_an_outage_returns_the_stored_records_and_says_what_is_pending(
    store, make_monitor
):
    flaky = FlakyStore(store)
    monitor = make_monitor(store=flaky)
    stored = [monitor.log_prediction({"x": float(i)}, 0.5) for i in range(3)]
    monitor.flush()
    flaky.down.set()  # writes fail; the stored data stays readable
    pending = [monitor.log_prediction({"x": 10.0 + i}, 0.5) for i in range(4)]
    with pytest.warns(RuntimeWarning, match="4 records are not in the store yet"):
        df = monitor.get_recent_predictions()
    assert sorted(df["prediction_id"]) == sorted(stored)
    assert df.attrs["pending_records"] == 4
    flaky.down.clear()
    monitor.flush(timeout=10)
    df = monitor.get_recent_predictions()
    assert sorted(df["prediction_id"]) == sorted(stored + pending)
    assert "pending_records" not in df.attrs


# ---------------------------------------------------------------------- garbage collection
def test_waiting_records_leave_no_container_for_the_garbage_collector(make_monitor):
    """A tuple holding a dict stays tracked by the collector; thousands of waiting records
    kept as such tuples survived young collections, were promoted and triggered full
    collections (170-280 ms pauses on the serving thread, 30 per million calls)."""
    import gc

    monitor = make_monitor(flush_interval=3600, batch_size=1_000_000)
    features = [{"a": float(i), "b": "x", "c": i} for i in range(5_000)]
    monitor.log_prediction(features[0], 0.5)  # starts the writer thread
    gc.collect()
    before = len(gc.get_objects())
    for f in features:
        monitor.log_prediction(f, 0.5, metadata={"latency_ms": 1.5})
    gc.collect()
    grown = len(gc.get_objects()) - before
    assert monitor._buffer.pending() == 5_001  # all still waiting in the buffer
    assert grown < 100, f"{grown} objects tracked for 5,000 waiting records"
    monitor.flush()
    assert len(monitor.get_recent_predictions()) == 5_001
