"""The command line on hostile data (issue 10): values near the float64 limits and
infinities (finding 8), terminal escape sequences in names and values, one-row files
(finding 9). The numeric cases run the real command in a child process, as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats

BIG = 1e308
ESC = "\x1b[31mRED\x1b]0;pwned\x07\x9b2J\u202e"


def driftscope(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "default", "-m", "driftscope", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def huge(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("huge")
    rng = np.random.default_rng(10)
    x = rng.normal(size=1000)
    x[:5], x[5:10] = BIG, -BIG
    with_inf = x.copy()
    with_inf[10:20], with_inf[20:25] = np.inf, -np.inf
    cur = rng.normal(0.8, 1.0, 1000)
    # deciles straddling -1e308 .. 1e308 (their interpolation used to overflow) and infinities
    edges = np.concatenate([np.full(300, -BIG), rng.normal(size=400), np.full(300, BIG)])
    edges[::50] = np.inf
    paths = {name: root / f"{name}.csv" for name in ("ref", "ref_inf", "ref_edges", "cur")}
    pd.DataFrame({"x": edges, "y": rng.normal(size=1000)}).to_csv(paths["ref_edges"], index=False)
    pd.DataFrame({"x": x, "y": rng.normal(size=1000)}).to_csv(paths["ref"], index=False)
    pd.DataFrame({"x": with_inf, "y": rng.normal(size=1000)}).to_csv(paths["ref_inf"], index=False)
    pd.DataFrame({"x": cur, "y": rng.normal(size=1000)}).to_csv(paths["cur"], index=False)
    paths["p_value"] = scipy.stats.ks_2samp(x, cur).pvalue  # type: ignore[assignment]
    return paths


@pytest.mark.parametrize("reference", ["ref", "ref_inf", "ref_edges"])
def test_extreme_reference_values_give_drift_without_warnings(huge, reference):
    assert huge["p_value"] < 1e-30  # SciPy on the same data (ref; ref_edges differs more)
    done = driftscope("drift", huge[reference], huge["cur"], "--fail-on-drift")
    assert done.returncode == 1, done.stderr  # drift found
    assert "Warning" not in done.stderr and done.stderr == ""
    row = next(line for line in done.stdout.splitlines() if " x " in line)
    assert "DRIFT" in row and "n/a" not in row


def test_reference_fit_and_drift_agree_on_extreme_values_and_infinities(huge, tmp_path):
    saved = tmp_path / "ref.dsref"
    fit = driftscope("reference", "fit", huge["ref_inf"], "--output", saved)
    assert fit.returncode == 0 and fit.stderr == "", fit.stderr
    direct = driftscope("drift", huge["ref_inf"], huge["cur"], "--format", "json")
    loaded = driftscope("drift", saved, huge["cur"], "--format", "json")
    assert direct.returncode == loaded.returncode == 0, loaded.stderr
    a, b = json.loads(direct.stdout), json.loads(loaded.stdout)
    assert a["features"]["x"]["drifted"] and b["features"]["x"]["drifted"]
    assert (
        a["features"]["x"]["reference"]
        == b["features"]["x"]["reference"]
        == {
            "rows": 1000,
            "missing": 0,
            "positive_infinite": 10,
            "negative_infinite": 5,
            "valid": 985,
        }
    )
    assert "share of +inf values fell from 1.0% to 0.0%" in a["features"]["x"]["notes"]
    for d in (a, b):
        d.pop("computed_at")
        d.pop("reference_version")
    assert a == b


@pytest.fixture(scope="module")
def escapes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("escapes")
    rng = np.random.default_rng(3)
    name = f"col{ESC}"
    frames = {
        "ref": pd.DataFrame(
            {name: rng.normal(size=60), "cat": [f"v{ESC}{i % 3}" for i in range(60)]}
        ),
        "cur": pd.DataFrame(
            {name: rng.normal(3.0, 1.0, 60), "cat": [f"w{ESC}{i % 4}" for i in range(60)]}
        ),
        "bad": pd.DataFrame({name: [f"bad{ESC}"] * 60, "cat": ["a"] * 60}),
        "other": pd.DataFrame({"other": [1.0] * 60}),
    }
    paths = {}
    for key, df in frames.items():
        paths[key] = root / f"{key}.parquet"
        df.to_parquet(paths[key])
    return paths


def assert_no_controls(text: str) -> None:
    """No control character but newline; no bidi override."""
    bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0]
    assert not bad and "\u202e" not in text, repr(text)


@pytest.mark.parametrize("current", ["bad", "other"])
def test_error_lines_escape_control_characters(run, one_line_error, escapes, current):
    result = run("drift", escapes["ref"], escapes[current])
    one_line_error(result, "col\\x1b[31mRED")
    assert_no_controls(result.stderr)


def test_table_summary_and_notes_escape_control_characters(run, escapes):
    result = run("drift", escapes["ref"], escapes["cur"])
    assert result.exit_code == 0, result.stderr
    assert_no_controls(result.stdout)
    assert "col\\x1b[31mRED" in result.stdout  # shown escaped, not dropped
    assert "not seen in the reference" in result.stdout  # the category note, escaped too


def test_json_keeps_the_names_exactly(run, escapes):
    result = run("drift", escapes["ref"], escapes["cur"], "--format", "json")
    data = json.loads(result.stdout)
    assert f"col{ESC}" in data["features"]
    assert "\x1b" not in result.stdout  # JSON writes it as \u001b


def test_health_table_escapes_names():
    from datetime import UTC, datetime

    from rich.console import Console

    from driftscope.health import HealthSummary
    from driftscope.report.health_table import print_health
    from driftscope.store import CheckRecord

    t0, t1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    record = CheckRecord(f"m{ESC}", "drift", t0, t1, f"drift:[bold]{ESC}", 0.5, 0.2, "warning")
    summary = HealthSummary(f"m{ESC}[red]", "3f2a", (record,))
    console = Console(width=200, color_system=None)
    with console.capture() as out:
        print_health(summary, console)
    text = out.get()
    assert_no_controls(text)
    assert "[bold]" in text and "[red]" in text  # names are text, not markup


def test_one_row_current_file_warns_about_power(run, files, tmp_path):
    one = tmp_path / "one.parquet"
    pd.read_parquet(files.drifted).head(1).to_parquet(one)
    table = run("drift", files.reference, one)
    assert table.exit_code == 0
    warning = [line for line in table.stdout.splitlines() if line.startswith("warning: ")]
    assert warning and "low power" in warning[0] and "1 current rows" in table.stdout
    data = json.loads(run("drift", files.reference, one, "--format", "json").stdout)
    assert data["notes"] and "low power" in data["notes"][0]


def test_no_power_warning_on_ordinary_files(run, files):
    table = run("drift", files.reference, files.same)
    assert "warning:" not in table.stdout
    assert (
        json.loads(run("drift", files.reference, files.same, "--format", "json").stdout)["notes"]
        == []
    )


def test_progress_bar_shows_column_names_escaped():
    from rich.console import Console

    from driftscope.cli import progress_bar

    console = Console(width=120, force_terminal=True, color_system=None)
    with console.capture() as out, progress_bar(True, "Checking", console=console) as update:
        update(f"[bold]{ESC}", 1, 2)
        console.print()  # let the live display render once
    text = out.get()
    assert "Checking [bold]\\x1b[31mRED" in text  # rendered, escaped, and not markup
    assert "\x1b[31m" not in text and "\u202e" not in text
