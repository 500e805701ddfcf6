"""``driftscope drift``: formats, options and exit codes."""

from __future__ import annotations

import json

import pytest

from driftscope.cli import EXIT_DRIFT, EXIT_OK

DRIFTING = {"monthly_charges", "contract", "support_calls"}


def test_table_output_lists_columns_and_summary(run, files):
    result = run("drift", files.reference, files.drifted)
    assert result.exit_code == EXIT_OK, result.output
    for name in (*DRIFTING, "region", "tenure_months"):
        assert name in result.stdout
    assert "Drift detected in" in result.stdout and "DRIFT" in result.stdout
    assert result.stderr == ""


def test_piped_output_has_no_escape_codes_or_progress(run, files):
    result = run("drift", files.reference, files.drifted)
    assert "\x1b" not in result.stdout and "\x1b" not in result.stderr
    assert "Checking" not in result.stderr


def test_fail_on_drift_exits_1_only_when_drift(run, files):
    assert run("drift", files.reference, files.drifted, "--fail-on-drift").exit_code == EXIT_DRIFT
    assert run("drift", files.reference, files.drifted).exit_code == EXIT_OK
    same = run("drift", files.reference, files.same, "--fail-on-drift")
    assert same.exit_code == EXIT_OK, same.stdout
    assert "No drift detected" in same.stdout


def test_json_has_documented_fields(run, files):
    result = run("drift", files.reference, files.drifted, "--format", "json")
    assert result.exit_code == EXIT_OK
    doc = json.loads(result.stdout)
    assert doc["kind"] == "feature" and doc["has_drift"] is True
    assert set(doc["drifted_features"]) >= DRIFTING
    assert 0.0 < doc["score"] <= 1.0
    assert {"schema_version", "drift_share", "computed_at", "skipped"} <= set(doc)
    for name, feature in doc["features"].items():
        assert {"method", "statistic", "p_value", "threshold", "drifted", "kind"} <= set(feature)
        assert feature["column"] == name
    assert doc["features"]["monthly_charges"]["drifted"] is True


def test_json_to_file(run, files, tmp_path):
    out = tmp_path / "drift.json"
    result = run("drift", files.reference, files.drifted, "--format", "json", "--output", out)
    assert result.exit_code == EXIT_OK
    assert json.loads(out.read_text())["has_drift"] is True
    assert f"written to {out}" in result.stdout


def test_table_to_file(run, files, tmp_path):
    out = tmp_path / "drift.txt"
    result = run("drift", files.reference, files.drifted, "--output", out)
    assert result.exit_code == EXIT_OK
    assert "monthly_charges" in out.read_text() and "\x1b" not in out.read_text()


def test_html_report_default_path_is_self_contained(run, files, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("drift", files.reference, files.drifted, "--format", "html")
    assert result.exit_code == EXIT_OK, result.output
    page = (tmp_path / "drift-report.html").read_text(encoding="utf-8")
    assert "monthly_charges" in page and "<svg" in page
    assert "http://" not in page and "https://" not in page and "src=" not in page
    assert len(page.encode()) < 200_000
    assert "HTML report written to drift-report.html" in result.stdout


def test_html_report_to_output(run, files, tmp_path):
    out = tmp_path / "r.html"
    result = run("drift", files.reference, files.drifted, "--format", "HTML", "-o", out)
    assert result.exit_code == EXIT_OK and out.exists()


def test_columns_restricts_the_check(run, files):
    result = run(
        "drift",
        files.reference,
        files.drifted,
        "--format",
        "json",
        "--columns",
        " region, contract ",
    )
    doc = json.loads(result.stdout)
    assert set(doc["features"]) == {"region", "contract"}
    assert doc["drifted_features"] == ["contract"]


def test_csv_files(run, files):
    result = run("drift", files.reference_csv, files.drifted_csv, "--format", "json")
    assert result.exit_code == EXIT_OK, result.output
    assert "monthly_charges" in json.loads(result.stdout)["drifted_features"]


@pytest.mark.parametrize(
    ("options", "method", "threshold"),
    [
        (["--method", "ks", "--threshold", "0.01"], "ks", 0.01),
        (["--method", "psi", "--threshold", "0.3"], "psi", 0.3),
        (["--method", "jensen_shannon"], "jensen_shannon", None),
    ],
)
def test_method_and_threshold(run, files, options, method, threshold):
    result = run(
        "drift", files.reference, files.drifted, "--format", "json", "--columns",
        "monthly_charges,tenure_months", *options,
    )  # fmt: skip
    assert result.exit_code == EXIT_OK, result.output
    features = json.loads(result.stdout)["features"]
    for feature in features.values():
        assert feature["method"] == method
        if threshold is not None:
            assert feature["threshold"] == pytest.approx(threshold)
    assert features["monthly_charges"]["drifted"] is True


def test_several_methods(run, files):
    result = run(
        "drift", files.reference, files.drifted, "--format", "json", "--columns",
        "monthly_charges", "--method", "ks", "--method", "psi",
    )  # fmt: skip
    assert result.exit_code == EXIT_OK, result.output
    used = {
        m["method"] for m in json.loads(result.stdout)["features"]["monthly_charges"]["methods"]
    }
    assert used == {"ks", "psi"}


def test_threshold_sets_auto_significance_level(run, files):
    result = run(
        "drift", files.reference, files.drifted, "--format", "json", "--threshold", "0.001"
    )
    assert result.exit_code == EXIT_OK, result.output
    doc = json.loads(result.stdout)
    assert doc["features"]["monthly_charges"]["threshold"] == pytest.approx(0.001)


# ----------------------------------------------------------------------- bad input: exit 2
def test_missing_reference_file(one_line_error, run, files, tmp_path):
    result = run("drift", tmp_path / "nope.parquet", files.drifted)
    one_line_error(result, "nope.parquet", "does not exist")


def test_missing_current_file(one_line_error, run, files, tmp_path):
    one_line_error(run("drift", files.reference, tmp_path / "nope.csv"), "nope.csv")


def test_column_missing_in_production_is_reported(one_line_error, run, files):
    """The most common real pair: the training set has a column production lacks."""
    result = run("drift", files.reference, files.missing_column, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["skipped"]["region"] == "only in the baseline data"
    asked = run("drift", files.reference, files.missing_column, "--columns", "age,region")
    one_line_error(asked, "region")


def test_exclude_leaves_columns_out(one_line_error, run, files):
    result = run("drift", files.reference, files.drifted, "--exclude", "region", "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert "region" not in out["features"] and "region" not in out["skipped"]
    one_line_error(run("drift", files.reference, files.drifted, "--exclude", "regoin"), "regoin")


def test_requested_column_missing(one_line_error, run, files):
    result = run("drift", files.reference, files.drifted, "--columns", "age")
    one_line_error(result, "age")


def test_empty_columns_option(one_line_error, run, files):
    one_line_error(run("drift", files.reference, files.drifted, "--columns", " , "), "--columns")


def test_unknown_method(one_line_error, run, files):
    result = run("drift", files.reference, files.drifted, "--method", "magic")
    one_line_error(result, "magic")


@pytest.mark.parametrize(
    "options",
    [
        ["--method", "ks", "--threshold", "1.5"],
        ["--method", "ks", "--threshold", "0"],
        ["--threshold", "2"],
        ["--threshold", "nan"],
        ["--method", "psi", "--threshold", "-1"],
        ["--method", "auto", "--method", "ks"],
    ],
)
def test_bad_method_options(one_line_error, run, files, options):
    one_line_error(run("drift", files.reference, files.drifted, *options))


def test_threshold_not_a_number(one_line_error, run, files):
    result = run("drift", files.reference, files.drifted, "--threshold", "high")
    one_line_error(result, "--threshold")


def test_bad_format_choice(one_line_error, run, files):
    one_line_error(run("drift", files.reference, files.drifted, "--format", "xml"), "xml")


def test_unreadable_data_file(one_line_error, run, files, tmp_path):
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"this is not parquet")
    one_line_error(run("drift", junk, files.drifted))


def test_corrupt_reference_file(one_line_error, run, files, tmp_path):
    junk = tmp_path / "junk.dsref"
    junk.write_bytes(b"PK\x03\x04 truncated")
    one_line_error(run("drift", junk, files.drifted), "junk.dsref")


def test_missing_arguments(one_line_error, run):
    one_line_error(run("drift"), "REFERENCE")


def test_unknown_option(one_line_error, run, files):
    one_line_error(run("drift", files.reference, files.drifted, "--colour"), "--colour")


def test_output_directory_must_exist(one_line_error, run, files, tmp_path):
    out = tmp_path / "no" / "such" / "dir" / "r.html"
    result = run("drift", files.reference, files.drifted, "--format", "html", "-o", out)
    one_line_error(result, "--output", "does not exist")


def test_threshold_error_names_the_option(one_line_error, run, files):
    result = run("drift", files.reference, files.drifted, "--method", "ks", "--threshold", "3")
    one_line_error(result, "--threshold 3.0 for --method ks")
