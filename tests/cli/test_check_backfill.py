"""``driftscope check`` run from cron over a backfill: it stops at the last data, prints one
line per metric instead of every point, never cuts piped output and draws no progress bar
when piped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from driftscope.health.runner import run_checks
from driftscope.monitor import ModelMonitor
from driftscope.report.backfill_table import DIGEST_ABOVE, metric_digest

DAYS = 24
LONG = "monthly_recurring_revenue_in_euros_after_discounts_and_taxes_for_the_account"
TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
FIRST = TODAY - timedelta(days=DAYS + 10)  # the data ends 10 days before today


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory):
    """A model that logged DAYS days of drifted data, ending ten days ago."""
    rng = np.random.default_rng(5)
    home = tmp_path_factory.mktemp("backfill")
    with ModelMonitor("churn", store=str(home)) as monitor:
        monitor.save_reference(pd.DataFrame({LONG: rng.normal(50, 15, 5000)}))
        rows = 150 * DAYS
        stamps = pd.Timestamp(FIRST) + pd.to_timedelta(
            np.sort(rng.uniform(0, DAYS * 86_400 - 1, rows)), unit="s"
        )
        frame = pd.DataFrame({LONG: rng.normal(80, 15, rows)})
        monitor.log_predictions(frame, rng.random(rows), timestamps=stamps)
    return home


def _since(days: int) -> str:
    return (FIRST - timedelta(days=days)).isoformat()


def test_backfill_stops_at_the_data_and_prints_one_line_per_metric(run, home):
    args = ("check", "churn", "--store", home, "--checks", "drift", "--fail-on", "never")
    result = run(*args, "--since", _since(400))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"over {DAYS} windows" in out  # neither the year before nor the 10 days after
    assert f"410 of the {DAYS + 410} due windows" in out
    assert "400 before its first stored prediction and 10 after its last" in out
    assert "…" not in out
    lines = [line for line in out.splitlines() if line.startswith("│")]
    metrics = {line.split("│")[2].strip() for line in lines}
    assert {"data_drift_score", "drift_share"} <= metrics
    assert len(lines) < 10  # not one row per window and metric
    score = next(line for line in lines if "data_drift_score" in line)
    cells = [cell.strip() for cell in score.split("│")[1:-1]]
    assert cells[:3] == ["drift", "data_drift_score", str(DAYS)]  # windows checked
    assert cells[3] == f"{DAYS} critical" and cells[4].startswith("critical on ")
    assert "--all or --format json lists each" in out
    assert "\x1b[" not in out and not result.stderr  # no colour, no progress bar when piped

    stored = json.loads(run(*args, "--since", _since(400), "--format", "json").stdout)
    assert {w[0][:10] for w in stored["windows"]} == {
        f"{FIRST + timedelta(days=i):%Y-%m-%d}" for i in range(DAYS)
    }
    every = run(*args, "--since", _since(400), "--all").stdout
    assert every.count("data_drift_score") == DAYS  # --all: every point


def test_until_bounds_the_backfill_and_a_short_run_keeps_the_table(run, home):
    until = (FIRST + timedelta(days=2)).isoformat()
    result = run(
        "check", "churn", "--store", home, "--checks", "drift", "--since", _since(0),
        "--until", until, "--fail-on", "never", "--all",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "churn: critical (baseline" in result.stdout  # the per-point table
    assert result.stdout.count("data_drift_score") == 2


def test_piped_tables_are_never_cut(run, home):
    result = run(
        "check", "churn", "--store", home, "--checks", "drift,quality", "--since", _since(0),
        "--until", (FIRST + timedelta(days=1)).isoformat(), "--all", "--fail-on", "never",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"completeness:{LONG}" in result.stdout  # a long metric name, whole on one line
    assert "…" not in result.stdout
    assert all(len(line) > 0 for line in result.stdout.splitlines())
    window = f"{FIRST:%Y-%m-%d %H:%M}"
    assert all(window in line for line in result.stdout.splitlines() if "drift_share" in line)


def test_progress_is_reported_window_by_window(home):
    seen: list[tuple[str, int, int]] = []
    with ModelMonitor("churn", store=str(home)) as monitor:
        run_checks(
            monitor, "day", since=FIRST, until=FIRST + timedelta(days=3), checks=["drift"],
            progress=lambda window, done, total: seen.append((window, done, total)),
        )  # fmt: skip
    assert [(done, total) for _, done, total in seen] == [(1, 3), (2, 3), (3, 3)]
    assert seen[0][0] == f"{FIRST:%Y-%m-%d %H:%M}"


def test_progress_bar_draws_on_a_terminal_only(run, home, monkeypatch):
    import driftscope.cli._progress as progress

    monkeypatch.setattr(progress, "_stderr_is_terminal", lambda: True)
    args = ("check", "churn", "--store", home, "--checks", "drift", "--fail-on", "never")
    updates: list[int] = []
    real = progress.Progress.update

    def update(self, task, **kwargs):
        updates.append(kwargs.get("completed", -1))
        return real(self, task, **kwargs)

    monkeypatch.setattr(progress.Progress, "update", update)
    result = run(*args, "--since", _since(0), "--until", (FIRST + timedelta(days=4)).isoformat())
    assert result.exit_code == 0, result.output
    assert updates[-4:] == [1, 2, 3, 4]
    monkeypatch.setattr(progress, "_stderr_is_terminal", lambda: False)
    updates.clear()
    run(*args, "--since", _since(0), "--until", (FIRST + timedelta(days=4)).isoformat())
    assert updates == []


def test_digest_counts_match_the_points(home):
    with ModelMonitor("churn", store=str(home)) as monitor:
        summary = run_checks(
            monitor, "day", since=FIRST, until=FIRST + timedelta(days=DAYS), checks=["drift"]
        )
    digest = {(d.check, d.metric): d for d in metric_digest(summary)}
    frame = summary.to_frame()
    for (check, metric), d in digest.items():
        mine = frame[(frame["check"] == check) & (frame["metric"] == metric)]
        assert d.windows == mine["window_start"].nunique()
        assert d.counts == {s: int((mine["status"] == s).sum()) for s in d.counts}
        latest = mine.sort_values("window_start").iloc[-1]
        assert d.latest.status == latest["status"]
    assert sum(r.status != "ok" for r in summary.records) > DIGEST_ABOVE


def test_a_value_that_could_not_be_computed_is_missing_not_zero(run, tmp_path):
    rng = np.random.default_rng(9)
    with ModelMonitor("gappy", store=str(tmp_path)) as monitor:
        monitor.save_reference(pd.DataFrame({"x": rng.normal(0, 1, 2000)}))
        for day in (0, 2):  # nothing logged on day 1
            stamps = pd.Timestamp(FIRST + timedelta(days=day)) + pd.to_timedelta(
                np.sort(rng.uniform(0, 80_000, 300)), unit="s"
            )
            monitor.log_predictions(
                pd.DataFrame({"x": rng.normal(0, 1, 300)}), rng.random(300), timestamps=stamps
            )
    args = ("check", "gappy", "--store", tmp_path, "--since", _since(0), "--fail-on", "never")
    table = run(*args, "--until", (FIRST + timedelta(days=3)).isoformat())
    gap, after = (f"{FIRST + timedelta(days=d):%Y-%m-%d %H:%M}" for d in (1, 2))
    rows = [line for line in table.stdout.splitlines() if "│" in line]
    assert not [row for row in rows if gap in row]  # no unknown rows for an empty window
    assert f"1 window(s) of model 'gappy' had no predictions ({gap})" in table.stdout
    row = next(line for line in rows if after in line and "accuracy" in line)
    cells = [cell.strip() for cell in row.split("│")[1:-1]]
    assert cells[3] == "—" and cells[5] == "unknown" and "no labels yet" in cells[6]  # not 0
    data = json.loads(run(*args, "--format", "json").stdout)
    unlabelled = [r for r in data["records"] if r["metric"] == "accuracy"]
    assert unlabelled and all(r["value"] is None for r in unlabelled)
    at_gap = [r for r in data["records"] if r["window_start"].startswith(gap[:10])]
    assert [(r["metric"], r["value"]) for r in at_gap] == [("throughput_per_s", 0.0)]
    from driftscope.store import open_store

    store = open_store(str(tmp_path))
    try:
        stored = store.read_check_results("gappy")
    finally:
        store.close()
    accuracy = stored[stored["metric"] == "accuracy"]
    assert len(accuracy) and accuracy["value"].isna().all()  # stored as missing, never 0


def test_since_takes_a_bare_date_as_midnight_utc(run, home):
    day = FIRST + timedelta(days=1)
    args = ("check", "churn", "--store", home, "--checks", "drift", "--fail-on", "never")
    span = ("--since", f"{day:%Y-%m-%d}", "--until", f"{day + timedelta(days=2):%Y-%m-%d}")
    result = run(*args, *span, "--format", "json")
    assert result.exit_code == 0, result.output
    windows = [w[0] for w in json.loads(result.stdout)["windows"]]
    assert windows == [day.isoformat(), (day + timedelta(days=1)).isoformat()]
    naive = run(*args, "--since", f"{day:%Y-%m-%dT%H:%M}")
    assert naive.exit_code == 2 and "time zone" in naive.stderr
