"""``driftscope history``: the stored series, worst first; every point in JSON; clear errors."""

from __future__ import annotations

import json

import pytest

from tests.stored_history import DAYS, LONG, MODEL, history_records, write_history


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return write_history(tmp_path_factory.mktemp("history") / "store")


def test_one_row_per_series_worst_first(run, store):
    result = run("history", MODEL, "--store", store)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    rows = [line for line in lines if line.startswith(" performance") or line.startswith(" drift")
            or line.startswith(" quality")]  # fmt: skip
    assert [row.split()[0] for row in rows] == ["performance", "drift", "quality"]
    accuracy = rows[0].split()
    # 10 windows; latest 0.78 critical; worst: critical, first on 9 June; 1 warning, 2 critical
    assert accuracy[1:4] == ["accuracy", "10", "0.78"]
    assert "critical 2025-06-09" in rows[0] and "1/2" in rows[0]
    assert f"{DAYS} windows" in result.stdout


def test_piped_output_keeps_long_names_whole(run, store):
    result = run("history", MODEL, "--store", store)
    assert "…" not in result.stdout
    assert f"completeness:{LONG}" in result.stdout.replace("\n", "").replace(" ", "") or all(
        part in result.stdout for part in ("completeness:customer_lifetime", "quarterly_model")
    )


def test_json_has_every_point(run, store):
    result = run("history", MODEL, "--store", store, "--format", "json")
    document = json.loads(result.stdout)
    written = history_records()
    assert len(document["points"]) == len(written)
    by_key = {(p["check"], p["metric"], p["window_start"]): p for p in document["points"]}
    for record in written:
        point = by_key[(record.check, record.metric, record.window_start.isoformat())]
        assert point["value"] == record.value  # None stays None: a gap, never 0
        assert point["status"] == record.status and point["threshold"] == record.threshold
    assert document["series"][0]["metric"] == "accuracy"
    assert document["series"][0]["criticals"] == 2 and document["series"][0]["warnings"] == 1


def test_filters(run, store):
    doc = json.loads(
        run("history", MODEL, "--store", store, "--format", "json", "--check", "drift").stdout
    )
    assert {p["check"] for p in doc["points"]} == {"drift"}
    doc = json.loads(
        run("history", MODEL, "--store", store, "--format", "json", "--metric", "completeness",
            "--since", "2025-06-03", "--until", "2025-06-05T00:00:00+00:00").stdout
    )  # fmt: skip
    assert {p["metric"] for p in doc["points"]} == {f"completeness:{LONG}"}
    assert [p["window_start"][:10] for p in doc["points"]] == ["2025-06-03", "2025-06-04"]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["nope"], ["no model 'nope'", "models stored: churn"]),
        ([MODEL, "--check", "drfit"], ["no check 'drfit'", "drift, performance, quality"]),
        ([MODEL, "--metric", "acc"], ["no metric 'acc'", "accuracy", "completeness"]),
        ([MODEL, "--since", "2025-06-05", "--until", "2025-06-02"], ["--until", "after"]),
        ([MODEL, "--since", "2026-01-01"], ["2025-06-01 00:00 to 2025-06-10 00:00"]),
        ([MODEL, "--since", "yesterday"], ["--since must be a date"]),
        ([MODEL, "--until", "2025-06-05T10:00"], ["time zone"]),
    ],
)
def test_bad_input_is_one_line(run, store, one_line_error, args, fragments):
    one_line_error(run("history", *args, "--store", store), *fragments)


def test_a_missing_store_is_not_created(run, tmp_path, one_line_error):
    missing = tmp_path / "no-such-store"
    one_line_error(run("history", MODEL, "--store", missing), "does not exist")
    assert not missing.exists()


def test_default_store_is_driftscope_home(run, store, monkeypatch):
    monkeypatch.setenv("DRIFTSCOPE_HOME", str(store))
    assert run("history", MODEL).exit_code == 0


def test_a_model_without_results_says_how_to_make_them(run, tmp_path, one_line_error):
    import pandas as pd

    from driftscope.monitor import ModelMonitor

    with ModelMonitor("fresh", store=tmp_path / "store") as monitor:
        monitor.log_predictions(pd.DataFrame({"age": [41.0]}), [0.8])
    one_line_error(run("history", "fresh", "--store", tmp_path / "store"), "driftscope check fresh")
