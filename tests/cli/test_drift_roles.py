"""``driftscope drift`` with column roles and chunks, as a user runs it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from driftscope.cli import EXIT_DRIFT, EXIT_OK

N = 2_000


def _loans(rng, start, n=N, labels=True, moved=0.0):
    times = pd.date_range("2026-03-02", periods=n, freq="5min") + pd.Timedelta(minutes=5 * start)
    frame = pd.DataFrame(
        {
            "id": np.arange(start, start + n),
            "ts": times.strftime("%Y-%m-%d %H:%M:%S"),  # text, as in NannyML's files
            "income": rng.normal(50, 10, n) + moved * (np.arange(n) >= n // 2),
            "plan": rng.choice(["basic", "pro"], n),
            "score": rng.random(n),
        }
    )
    if labels:
        frame["repaid"] = rng.integers(0, 2, n)
    return frame


@pytest.fixture(scope="module")
def loans(tmp_path_factory):
    rng = np.random.default_rng(7)
    root = tmp_path_factory.mktemp("loans")
    paths = {}
    for name, frame in {
        "train": _loans(rng, 0),
        "today": _loans(rng, N, labels=False),
        "moved": _loans(rng, N, labels=False, moved=15.0),  # income moves halfway through
    }.items():
        paths[name] = root / f"{name}.parquet"
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), paths[name])
    return paths


def test_ids_and_timestamps_never_fail_a_gated_run(run, loans):
    result = run("drift", loans["train"], loans["today"], "--fail-on-drift")
    assert result.exit_code == EXIT_OK, result.stdout
    assert "skipped id: looks like an id" in result.stdout
    assert "skipped ts: looks like an event time" in result.stdout
    assert "skipped repaid: only in the baseline data" in result.stdout


def test_roles_give_their_own_sections(run, loans):
    args = ["--target", "repaid", "--prediction", "score", "--timestamp", "ts", "--id", "id"]
    table = run("drift", loans["train"], loans["today"], *args)
    assert table.exit_code == EXIT_OK, table.stdout
    assert "Prediction drift" in table.stdout
    assert "Target drift: repaid not checked: only in the baseline data" in table.stdout
    assert "skipped id: an id column: not compared" in table.stdout
    doc = json.loads(run("drift", loans["train"], loans["today"], *args, "--format", "json").stdout)
    assert list(doc["features"]) == ["income", "plan"]
    assert doc["prediction_drift"]["kind"] == "prediction"
    assert list(doc["prediction_drift"]["features"]) == ["score"]
    assert doc["target_drift"]["features"] == {}
    assert doc["skipped"]["ts"] == "the timestamp column: not compared as a feature"


def test_plain_json_has_no_sections(run, loans):
    doc = json.loads(run("drift", loans["train"], loans["today"], "--format", "json").stdout)
    assert "prediction_drift" not in doc and "target_drift" not in doc


def test_a_role_in_neither_file_is_one_line(run, loans, one_line_error):
    result = run("drift", loans["train"], loans["today"], "--prediction", "p")
    one_line_error(result, "'p'")
    result = run("drift", loans["train"], loans["today"], "--timestamp", "time")
    one_line_error(result, "column 'time': is the timestamp column but is in neither")


def test_window_gives_one_verdict_per_day(run, loans):
    args = ["--timestamp", "ts", "--window", "day", "--fail-on-drift"]
    result = run("drift", loans["train"], loans["moved"], *args)
    assert result.exit_code == EXIT_DRIFT, result.stdout
    assert "Drift per day" in result.stdout and "Chunk 2026-03-" in result.stdout
    doc = json.loads(run("drift", loans["train"], loans["moved"], *args, "--format", "json").stdout)
    assert doc["kind"] == "chunks" and doc["window"] == "day"
    times = pd.to_datetime(_loans(np.random.default_rng(0), N)["ts"])
    expected = times.dt.floor("D").value_counts().sort_index()
    assert [c["rows"] for c in doc["chunks"]] == expected.tolist()
    assert [c["label"] for c in doc["chunks"]] == [d.strftime("%Y-%m-%d") for d in expected.index]
    first = doc["chunks"][0]
    assert (
        first["start"] == "2026-03-08T00:00:00+00:00"
        and first["end"] == "2026-03-09T00:00:00+00:00"
    )
    assert set(first["result"]["features"]) == {"income", "plan", "score"}
    assert doc["drifted_chunks"] == [c["label"] for c in doc["chunks"] if c["result"]["has_drift"]]


def test_chunk_size_and_the_html_grid(run, loans, tmp_path):
    out = tmp_path / "chunks.html"
    args = ["--chunk-size", "500", "--format", "html", "-o", out]
    result = run("drift", loans["train"], loans["moved"], *args)
    assert result.exit_code == EXIT_OK and "HTML report written" in result.stdout
    page = out.read_text()
    assert "Drift per chunk" in page and "rows 1500-1999" in page
    assert page.count('class="c drift"') >= 2  # income in the last two chunks
    doc = json.loads(run("drift", loans["train"], loans["moved"], "--chunk-size", "500",
                         "--format", "json").stdout)  # fmt: skip
    drifted = [c["label"] for c in doc["chunks"] if "income" in c["result"]["drifted_features"]]
    assert drifted == ["rows 1000-1499", "rows 1500-1999"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--window", "day"], "--window needs the timestamp column"),
        (["--window", "day", "--chunk-size", "9", "--timestamp", "ts"], "not both"),
    ],
)
def test_chunk_options_in_error(run, loans, one_line_error, args, message):
    one_line_error(run("drift", loans["train"], loans["today"], *args), message)


def test_a_saved_reference_remembers_roles(run, loans, tmp_path):
    saved = tmp_path / "loans.dsref"
    fitted = run("reference", "fit", loans["train"], "-o", saved, "--target", "repaid",
                 "--timestamp", "ts")  # fmt: skip
    assert fitted.exit_code == EXIT_OK, fitted.output
    doc = json.loads(
        run("drift", saved, loans["moved"], "--window", "day", "--format", "json").stdout
    )
    assert doc["timestamp_column"] == "ts" and len(doc["chunks"]) == 8  # 2,000 times 5 min apart
    plain = json.loads(run("drift", saved, loans["today"], "--format", "json").stdout)
    assert plain["skipped"]["repaid"] == "the target column: compared in target drift"


def test_a_column_gone_in_production_is_a_finding(run, loans, tmp_path):
    gone = pd.read_parquet(loans["today"]).assign(plan=None)
    gone.to_parquet(tmp_path / "gone.parquet")
    result = run("drift", loans["train"], tmp_path / "gone.parquet", "--fail-on-drift")
    assert result.exit_code == EXIT_DRIFT, result.output
    assert f"all {N:,} production values are missing" in result.stdout


@pytest.mark.parametrize(
    ("name", "target", "prediction"),
    [
        ("car_loan", "repaid", "y_pred_proba"),
        ("car_price", "y_true", "y_pred"),
    ],
)
def test_nannyml_pairs(run, nannyml_data, name, target, prediction):
    reference, analysis = nannyml_data(name, "reference"), nannyml_data(name, "analysis")
    roles = ["--target", target, "--prediction", prediction, "--timestamp", "timestamp"]
    doc = json.loads(run("drift", reference, analysis, *roles, "--format", "json").stdout)
    assert "id" not in doc["features"] and "timestamp" not in doc["features"]
    assert doc["target_drift"]["skipped"] == {
        target: "only in the baseline data (labels usually arrive later)"
    }
    chunks = json.loads(
        run("drift", reference, analysis, "--chunk-size", "5000", "--format", "json").stdout
    )["chunks"]
    flags = [c["result"]["has_drift"] for c in chunks]
    assert len(chunks) == (12 if name == "car_price" else 10)
    assert not any(flags[:5]) and all(flags[-5:])  # the change of NannyML's data, halfway
