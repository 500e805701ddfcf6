"""The other commands, the entry points, progress and internal errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

import driftscope.cli as cli_module
import driftscope.cli._progress as progress_module
import driftscope.cli.drift as drift_module
from driftscope._version import package_version
from driftscope.cli import EXIT_DRIFT, EXIT_INTERNAL, EXIT_OK, progress_bar
from driftscope.cli.demo import REPORT_NAME

SRC = Path(cli_module.__file__).resolve().parents[2]


def test_version_and_help(run):
    version = run("--version")
    assert version.exit_code == EXIT_OK and version.stdout == f"driftscope {package_version()}\n"
    for args in (["--help"], ["drift", "--help"], ["demo", "-h"], ["reference", "fit", "--help"]):
        result = run(*args)
        assert result.exit_code == EXIT_OK and "Usage:" in result.stdout


def test_unknown_command(one_line_error, run):
    one_line_error(run("drfit"), "drfit")


def test_python_dash_m(tmp_path):
    env = {"PYTHONPATH": str(SRC), "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "driftscope", "--version"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0 and done.stdout.startswith("driftscope ")
    bad = subprocess.run(
        [sys.executable, "-m", "driftscope", "drift", "a.parquet", "b.parquet"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_reference_fit_then_drift(run, files, tmp_path):
    ref = tmp_path / "churn.dsref"
    fitted = run("reference", "fit", files.reference, "--output", ref, "--method", "psi")
    assert fitted.exit_code == EXIT_OK, fitted.output
    assert ref.exists() and "written to" in fitted.stdout
    result = run("drift", ref, files.drifted, "--format", "json", "--fail-on-drift")
    assert result.exit_code == EXIT_DRIFT, result.output
    doc = json.loads(result.stdout)
    assert {f["method"] for f in doc["features"].values()} == {"psi"}
    # a new threshold applies to the saved method
    rethresholded = run("drift", ref, files.drifted, "--format", "json", "--threshold", "0.9")
    doc = json.loads(rethresholded.stdout)
    assert {f["threshold"] for f in doc["features"].values()} == {0.9}
    assert doc["has_drift"] is False
    # another method on the saved reference
    ks = run(
        "drift",
        ref,
        files.drifted,
        "--format",
        "json",
        "--method",
        "ks",
        "--columns",
        "tenure_months",
    )
    assert json.loads(ks.stdout)["features"]["tenure_months"]["method"] == "ks"


def test_reference_fit_columns(run, files, tmp_path):
    ref = tmp_path / "two.dsref"
    assert (
        run(
            "reference", "fit", files.reference, "-o", ref, "--columns", "region,contract"
        ).exit_code
        == 0
    )
    doc = json.loads(run("drift", ref, files.drifted, "--format", "json").stdout)
    assert set(doc["features"]) == {"region", "contract"}


def test_reference_fit_needs_dsref_name(one_line_error, run, files, tmp_path):
    result = run("reference", "fit", files.reference, "--output", tmp_path / "ref.zip")
    one_line_error(result, ".dsref")


def test_demo_command(run, tmp_path):
    result = run("demo", "--output-dir", tmp_path / "out", "--rows", "800")
    assert result.exit_code == EXIT_OK, result.output
    assert (tmp_path / "out" / REPORT_NAME).exists()
    assert f"HTML report written to {tmp_path / 'out' / REPORT_NAME}" in result.stdout
    assert "monthly_charges" in result.stdout and "\x1b" not in result.stdout


def test_demo_rejects_too_few_rows(one_line_error, run, tmp_path):
    one_line_error(run("demo", "--rows", "5", "--output-dir", tmp_path), "--rows")


def test_forced_progress_bar_runs(run, files):
    result = run("drift", files.reference, files.drifted, "--progress", "--columns", "region")
    assert result.exit_code == EXIT_OK, result.output


def test_progress_bar_draws_on_a_terminal():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    with progress_bar(True, "Checking", console=console) as update:
        for i in range(3):
            update(f"col{i}", i + 1, 3)
    assert "Checking" in buffer.getvalue() and "\x1b" in buffer.getvalue()


def test_progress_bar_is_off_when_stderr_is_piped(monkeypatch):
    monkeypatch.setattr(progress_module, "_stderr_is_terminal", lambda: False)
    with progress_bar(None, "Checking") as update:
        assert update is None
    monkeypatch.setattr(progress_module, "_stderr_is_terminal", lambda: True)
    with progress_bar(None, "Checking", console=Console(file=io.StringIO())) as update:
        assert callable(update)


def test_internal_errors_exit_3_not_1(run, files, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(drift_module, "make_detector", broken)
    result = run("drift", files.reference, files.drifted)
    assert result.exit_code == EXIT_INTERNAL
    assert "internal error: RuntimeError: boom" in result.stderr


@pytest.mark.parametrize("argv", [["--version"]])
def test_main_function(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main(argv)
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("driftscope ")
