"""A health summary as a terminal table: the points that are not ok, worst first, with what
their details say (the drifted columns, why a point is unknown) and, under the table, what
changed in the windows shown, in words.

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

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from driftscope.health.summary import HealthSummary
from driftscope.report.console import plain

#: Below this console width a point's notes are lines under the table, not a column.
NOTES_COLUMN_WIDTH = 110


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
    # names are data: never markup or terminal control
    table = Table(title=plain(title), title_justify="left", caption_justify="left")
    table.add_column("window", min_width=10)  # a narrow terminal wraps at the space
    table.add_column("check", overflow="fold", min_width=5)
    table.add_column("metric", overflow="fold", min_width=12)  # wrapped, never cut
    for name in ("value", "threshold", "status"):
        table.add_column(name, no_wrap=True)
    shown = [r for r in summary.worst_first() if show_all or r.status != "ok"]
    notes = [point_notes(r.details) for r in shown[:limit]]
    in_column = any(notes) and console.width >= NOTES_COLUMN_WIDTH
    if in_column:
        table.add_column("notes", overflow="fold", min_width=10)
    for r, note in zip(shown[:limit], notes, strict=True):
        cells = [
            f"{r.window_start:%Y-%m-%d %H:%M}",
            plain(r.check),
            plain(r.metric),
            fmt_value(r.value),
            "" if r.threshold is None else f"{r.threshold:g}",
            r.status,
        ]
        table.add_row(*cells, *([plain(note)] if in_column else []))
    caption = []
    if limit is not None and len(shown) > limit:
        caption.append(f"{len(shown) - limit} more not listed")
    ok = len(summary.records) - len(shown)
    if ok:
        caption.append(f"{ok} point{'s' if ok > 1 else ''} ok, not listed")
    if caption:
        table.caption = "; ".join(caption)
    console.print(table)
    if not in_column:
        for r, note in zip(shown[:limit], notes, strict=True):
            if note:
                console.print(plain(f"{r.window_start:%Y-%m-%d %H:%M} {r.metric}: {note}"))
    print_explanations(summary, console, {r.window_start for r in shown[:limit]})


def print_explanations(summary: HealthSummary, console: Console, windows: set[datetime]) -> None:
    """One line per explanation (what changed, in words) of the given windows."""
    for e in summary.explanations:
        if e.window_start in windows:
            console.print(plain(f"{e.window_start:%Y-%m-%d %H:%M} {e.check}: {e.text}"))


#: The keys of a point's details worth a word in the table, in the order shown.
_NOTE_KEYS = {
    "reason": "",
    "error": "error: ",
    "drifted_features": "drifted: ",
    "notes": "",
    "top_reasons": "",
    "top_features": "",
}


def point_notes(details: Mapping[str, Any], shown: int = 3) -> str:
    """What a point's details say in a few words: why it is unknown, the error of a check
    that failed, the drifted columns, the notes, the top reasons of anomalies; lists cut
    after ``shown`` items (``+N more``). Numbers stay in ``--format json``.

    >>> point_notes({"drifted_features": ["a", "b", "c", "d"], "notes": [], "p_value": 0.01})
    'drifted: a, b, c +1 more'
    >>> point_notes({"reason": "no labels yet"}), point_notes({})
    ('no labels yet', '')
    """
    parts = []
    for key, prefix in _NOTE_KEYS.items():
        value = details.get(key)
        if isinstance(value, str) and value:
            parts.append(prefix + value)
        elif isinstance(value, list | tuple) and value:
            more = f" +{len(value) - shown} more" if len(value) > shown else ""
            parts.append(prefix + ", ".join(str(v) for v in value[:shown]) + more)
    return "; ".join(parts)
