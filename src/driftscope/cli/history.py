"""``driftscope history MODEL``: a model's stored check results over a period, one row per
series (a metric of a check, or of one column), worst first.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(history, ["--help"]).output.splitlines()[0]
'Usage: history [OPTIONS] MODEL'
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from driftscope.cli._options import format_option, split_names, stdout_console
from driftscope.cli._reading import (
    parse_period,
    since_option,
    store_option,
    until_option,
)
from driftscope.cli._store import open_existing_store

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from driftscope.report.health_page import Series

#: Eight heights of a sparkline, lowest first.
BARS = "▁▂▃▄▅▆▇█"
#: The most characters a trend takes (longer series are averaged in groups).
TREND_WIDTH = 15


@click.command()
@click.argument("model")
@click.option(
    "--check",
    "checks",
    multiple=True,
    metavar="NAME",
    help="Only this check: drift, performance, quality, predictions, ... (repeatable, or "
    "comma-separated).",
)
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    metavar="NAME",
    help="Only this metric, e.g. accuracy, or completeness (every column) or "
    "completeness:plan (one column); repeatable, or comma-separated.",
)
@since_option
@until_option
@format_option(
    "table", "json", help="table: one row per series; json: every point, with the series."
)
@store_option
def history(
    model: str,
    checks: tuple[str, ...],
    metrics: tuple[str, ...],
    since: str | None,
    until: str | None,
    fmt: str,
    location: str | None,
) -> None:
    """Show MODEL's stored check results over a period, worst series first."""
    from driftscope.report.health_page import read_history, summarize

    start, end = parse_period(since, until)
    store = open_existing_store(location)
    try:
        points = read_history(
            store,
            model,
            since=start,
            until=end,
            checks=_names(checks),
            metrics=_names(metrics),
        )
    finally:
        store.close()
    series = summarize(points)
    if fmt == "json":
        click.echo(json.dumps(history_document(model, points, series), indent=2))
    else:
        print_history(model, points, series, stdout_console())


def _names(values: tuple[str, ...]) -> list[str] | None:
    names = [name for value in values for name in split_names(value) or []]
    return names or None


def sparkline(values: tuple[float | None, ...], width: int = TREND_WIDTH) -> str:
    """The values over the period as a line of bars, lowest ``▁`` to highest ``█``; more
    values than ``width`` are averaged in ``width`` consecutive groups; a space where no
    value could be computed.

    >>> sparkline((0.0, 0.5, None, 1.0))
    '▁▅ █'
    >>> sparkline((0.1,) * 20 + (0.3,) * 20, width=4)
    '▁▁██'
    """
    if len(values) > width:
        groups = [[v for v in group if v is not None] for group in _groups(values, width)]
        values = tuple(sum(g) / len(g) if g else None for g in groups)
    numbers = [v for v in values if v is not None]
    if not numbers:
        return ""
    low, high = min(numbers), max(numbers)
    span = high - low
    return "".join(
        " "
        if v is None
        else BARS[0 if span == 0 else min(len(BARS) - 1, int((v - low) / span * len(BARS)))]
        for v in values
    )


def _groups(values: tuple[float | None, ...], count: int) -> list[tuple[float | None, ...]]:
    """``values`` cut into ``count`` consecutive groups of (nearly) equal length."""
    n = len(values)
    return [values[i * n // count : (i + 1) * n // count] for i in range(count)]


def _value(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


STATUS_STYLE = {"ok": "green", "unknown": "dim", "warning": "yellow", "critical": "bold red"}


def print_history(model: str, points: pd.DataFrame, series: list[Series], console: Console) -> None:
    """The table of ``series``, with a title naming the model, the period and the windows."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from driftscope.report.console import plain

    first, last = points["window_start"].min(), points["window_end"].max()
    daily = all(t.hour == 0 and t.minute == 0 for t in points["window_start"].drop_duplicates())
    when = "%Y-%m-%d" if daily else "%Y-%m-%d %H:%M"
    windows = points["window_start"].nunique()
    table = Table(
        title=plain(
            f"{model}: {len(series)} series over {windows} windows, "
            f"{first:{when}} to {last:{when}} (UTC)"
        ),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    names = [f"{s.metric}:{s.column}" if s.column else s.metric for s in series]
    # a narrow terminal wraps the value and worst cells (status, then date) rather than
    # the names, and leaves the trend out below 120 columns
    trend = console.width >= 120
    table.add_column("check", no_wrap=True)
    table.add_column("metric", overflow="fold", min_width=min(max(map(len, names)), 18))
    table.add_column("windows", justify="right", min_width=7)
    narrow = console.width < 100
    table.add_column("latest", justify="right", overflow="fold", max_width=9 if narrow else None)
    table.add_column("worst", overflow="fold", max_width=10 if narrow else None)
    table.add_column("warn/crit", justify="right", no_wrap=True)
    if trend:
        table.add_column("trend", no_wrap=True)
    for s, name in zip(series, names, strict=True):
        latest = Text(f"{_value(s.latest_value)} ")
        latest.append(s.latest_status, STATUS_STYLE.get(s.latest_status, ""))
        worst = Text(s.worst, STATUS_STYLE.get(s.worst, ""))
        if s.worst != "ok":
            worst.append(f" {s.worst_window:{when}}")
        table.add_row(
            plain(s.check),
            plain(name),
            str(s.windows),
            latest,
            worst,
            f"{s.warnings}/{s.criticals}",
            *([sparkline(s.values)] if trend else []),
        )
    table.caption = (
        "worst series first; latest: the last window's value (— not computed) and status; "
        "worst: the first window at the worst status"
        + ("; trend: the values over the period" if trend else "")
    )
    console.print(table)


def history_document(model: str, points: pd.DataFrame, series: list[Series]) -> dict[str, Any]:
    """The JSON of ``history --format json``: the model, the period, one summary per series
    (worst first) and every point (oldest first)."""

    def time(value: Any) -> str:
        return value.isoformat()

    def number(value: Any) -> float | None:
        return None if value != value or value is None else float(value)  # NaN: missing

    return {
        "model": model,
        "since": time(points["window_start"].min()),
        "until": time(points["window_end"].max()),
        "series": [
            {
                "check": s.check,
                "metric": s.metric,
                "column": s.column or None,
                "windows": s.windows,
                "latest_value": s.latest_value,
                "latest_status": s.latest_status,
                "worst_status": s.worst,
                "worst_window_start": time(s.worst_window),
                "warnings": s.warnings,
                "criticals": s.criticals,
            }
            for s in series
        ],
        "points": [
            {
                "window_start": time(row.window_start),
                "window_end": time(row.window_end),
                "check": row.check,
                "metric": row.metric,
                "value": number(row.value),
                "threshold": number(row.threshold),
                "status": row.status,
                "baseline_version": row.baseline_version,
                "details": row.details if isinstance(row.details, dict) else {},
            }
            for row in points.itertuples(index=False)
        ],
    }
