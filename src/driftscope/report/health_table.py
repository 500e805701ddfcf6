"""A health summary as a terminal table: the points that are not ok, worst first.

>>> from datetime import datetime, UTC
>>> from rich.console import Console
>>> from driftscope.health import HealthSummary
>>> from driftscope.core.checks import CheckRecord
>>> t0, t1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
>>> summary = HealthSummary("churn", "3f2a", (
...     CheckRecord("churn", "performance", t0, t1, "accuracy", 0.71, 0.85, "critical"),
...     CheckRecord("churn", "drift", t0, t1, "data_drift_score", 0.05, 0.2, "ok"),
... ))
>>> console = Console(width=100, record=True, color_system=None)
>>> with console.capture() as out:
...     print_health(summary, console)
>>> "accuracy" in out.get(), "data_drift_score" in out.get(), "1 point ok" in out.get()
(True, False, True)
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from driftscope.health.summary import HealthSummary
from driftscope.report.console import plain


def fmt_value(value: float | None) -> str:
    """A point's value in four significant digits; ``—`` when it could not be computed
    (stored as missing, never as 0).

    >>> fmt_value(0.712345), fmt_value(None)
    ('0.7123', '—')
    """
    return "—" if value is None else f"{value:.4g}"


def print_health(
    summary: HealthSummary, console: Console, show_all: bool = False, limit: int | None = None
) -> None:
    """Print ``summary``'s points, worst first: those not ``ok`` (every point with
    ``show_all``), at most ``limit`` of them."""
    for note in summary.notes:
        console.print(plain(f"note: {note}"))
    if not summary.records:
        console.print(plain(f"{summary.model}: no window is due"))
        return
    title = f"{summary.model}: {summary.status} (baseline {summary.baseline_version})"
    table = Table(title=plain(title))  # names are data: never markup or terminal control
    table.add_column("window", no_wrap=True)
    table.add_column("check", overflow="fold")
    table.add_column("metric", overflow="fold")  # a narrow terminal wraps a name, never cuts it
    for name in ("value", "threshold", "status"):
        table.add_column(name, no_wrap=True)
    shown = [r for r in summary.worst_first() if show_all or r.status != "ok"]
    for r in shown[:limit]:
        table.add_row(
            f"{r.window_start:%Y-%m-%d %H:%M}",
            plain(r.check),
            plain(r.metric),
            fmt_value(r.value),
            "" if r.threshold is None else f"{r.threshold:g}",
            r.status,
        )
    notes = []
    if limit is not None and len(shown) > limit:
        notes.append(f"{len(shown) - limit} more not listed")
    ok = len(summary.records) - len(shown)
    if ok:
        notes.append(f"{ok} point{'s' if ok > 1 else ''} ok, not listed")
    if notes:
        table.caption = "; ".join(notes)
    console.print(table)
