"""The terminal tables say what the JSON says: each column's notes (missing share that rose,
infinities, unseen categories), the details of a health point, what changed in a window;
and piped, nothing is cut: long names and the score column survive ``| cat``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from click.testing import CliRunner
from rich.console import Console

from driftscope.cli import cli
from driftscope.core.checks import CheckRecord, Explanation
from driftscope.health import HealthSummary
from driftscope.report.health_table import point_notes, print_health

LONG = "average_monthly_data_usage_in_gigabytes_over_the_last_ninety_days_per_line"


def _drift_files(tmp_path):
    rng = np.random.default_rng(3)
    n = 2000
    reference = pd.DataFrame(
        {
            "income": rng.normal(50, 10, n),
            "plan": rng.choice(["basic", "plus"], n),
            LONG: rng.normal(0, 1, n),
        }
    )
    current = reference.copy()
    current.loc[:399, "income"] = np.nan  # 20 % missing, none in the reference
    current.loc[400:409, "income"] = np.inf
    current.loc[:99, "plan"] = "enterprise"  # a category the reference never saw
    paths = tmp_path / "reference.parquet", tmp_path / "current.parquet"
    reference.to_parquet(paths[0])
    current.to_parquet(paths[1])
    return paths


def test_piped_drift_table_keeps_names_score_and_every_note(tmp_path):
    reference, current = _drift_files(tmp_path)
    result = CliRunner().invoke(cli, ["drift", str(reference), str(current)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    header = next(line for line in out.splitlines() if "column" in line and "score" in line)
    assert header.rstrip().endswith("score ┃")  # the last column is not cut off
    assert any(LONG in line for line in out.splitlines())  # whole, on one line
    assert "…" not in out and "\x1b[" not in out

    data = json.loads(
        CliRunner().invoke(cli, ["drift", str(reference), str(current), "--format", "json"]).stdout
    )
    assert data["features"]["income"]["current"]["missing"] == 400  # what the JSON carries ...
    for name, column in data["features"].items():
        for note in column["notes"]:  # ... the table says too, one line per note and column
            assert f"note ({name}): {note}" in out or f", {name}" in out, note
    assert "note (income): missing share rose from 0.0% to 20.0%" in out
    assert "10 infinite values in the production data" in out
    assert "note (plan): " in out and "'enterprise'" in out


def _summary() -> HealthSummary:
    t0, t1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    drifted = ["income", "plan", "region", LONG]
    return HealthSummary(
        "churn",
        "3f2a",
        (
            CheckRecord(
                "churn",
                "drift",
                t0,
                t1,
                "data_drift_score",
                0.31,
                0.2,
                "critical",
                details={"drifted_features": drifted, "notes": ["income: 20% missing"]},
            ),
            CheckRecord(
                "churn",
                "performance",
                t0,
                t1,
                "accuracy",
                None,
                0.85,
                "unknown",
                details={"reason": "no labels yet"},
            ),
            CheckRecord("churn", "quality", t0, t1, f"completeness:{LONG}", 0.8, 0.99, "warning"),
        ),
        explanations=(Explanation("predictions", t0, t1, "what_changed", "scores rose"),),
    )


def test_health_table_shows_each_points_notes_and_what_changed():
    console = Console(width=10_000, color_system=None)
    with console.capture() as out:
        print_health(_summary(), console)
    text = out.get()
    row = next(line for line in text.splitlines() if "data_drift_score" in line)
    assert "drifted: income, plan, region +1 more; income: 20% missing" in row
    unknown = next(line for line in text.splitlines() if "accuracy" in line)
    assert "│ —" in unknown and "no labels yet" in unknown  # not 0
    assert f"completeness:{LONG}" in text
    assert "2026-11-01 00:00 predictions: scores rose" in text


def test_an_80_column_terminal_wraps_names_instead_of_cutting_them():
    console = Console(width=80, color_system=None)
    with console.capture() as out:
        print_health(_summary(), console)
    text = out.get()
    assert "…" not in text and all(len(line) <= 80 for line in text.splitlines())
    rows = [line.split("│") for line in text.splitlines() if line.startswith("│")]
    assert all(len(cells) == 8 for cells in rows)  # every column there, status included
    assert LONG in "".join(cells[3].strip() for cells in rows)
    assert "unknown" in text and "critical" in text
    assert "2026-11-01 00:00 accuracy: no labels yet" in text  # notes under the table


def test_point_notes_say_nothing_without_details():
    assert point_notes({}) == "" and point_notes({"notes": [], "p_value": 0.2}) == ""
    assert point_notes({"error": "ValueError: boom"}) == "error: ValueError: boom"


def test_a_window_without_records_is_one_row_and_all_is_well_is_not_said():
    t0, t1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    why = {"reason": "no predictions in the window"}
    empty = tuple(
        CheckRecord("churn", check, t0, t1, "rows", None, None, "unknown", details=why)
        for check in ("drift", "quality", "operational")
    )
    t2 = datetime(2026, 11, 3, tzinfo=UTC)
    markup = CheckRecord("churn", "quality", t1, t2, "completeness:[bold]x", 0.5, 0.9, "warning")
    calm = Explanation("predictions", t1, t2, "what_changed", "no change", {"status": "ok"})
    summary = HealthSummary("churn", "3f2a", (*empty, markup), explanations=(calm,))
    console = Console(width=200, color_system=None)
    with console.capture() as out:
        print_health(summary, console)
    text = out.get()
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert len(rows) == 2
    assert "3 points" in rows[1] and "no predictions in the window" in rows[1]
    assert "completeness:[bold]x" in rows[0]  # data, not markup
    assert "no change" not in text
    with console.capture() as out:
        print_health(summary, console, show_all=True)
    assert out.get().count("no predictions in the window") == 3  # --all: every point


def test_the_backfill_digest_fits_an_80_column_terminal():
    from datetime import timedelta

    from driftscope.report.backfill_table import print_backfill

    day = timedelta(days=1)
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    metric, status = f"completeness:{LONG}", ("warning", "critical")
    points = [
        CheckRecord("churn", "quality", t0 + i * day, t0 + i * day + day, metric, 0.5, 0.99,
                    status[i % 2])
        for i in range(30)
    ]  # fmt: skip
    summary = HealthSummary("churn", "3f2a", tuple(points))
    console = Console(width=80, color_system=None)
    with console.capture() as out:
        print_backfill(summary, console)
    text = out.get()
    assert all(len(line) <= 80 for line in text.splitlines()) and "…" not in text
    rows = [line.split("│") for line in text.splitlines() if line.startswith("│")]
    column = lambda i: " ".join(cells[i].strip() for cells in rows)  # noqa: E731
    assert LONG in column(2).replace(" ", "")
    assert column(3).split() == ["30"] and "15 critical, 15 warning" in column(4)
    assert "critical on 2026-11-30 00:00" in column(5)
    assert "0.5 critical on 2026-11-30 00:00" in column(6)
