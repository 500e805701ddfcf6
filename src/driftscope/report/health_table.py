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

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from driftscope.core.checks import CheckRecord
from driftscope.core.status import Status
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
    rows = _rows(shown[:limit], summary.records, collapse=not show_all)
    in_column = any(row[-1] for row in rows) and console.width >= NOTES_COLUMN_WIDTH
    if in_column:
        table.add_column("notes", overflow="fold", min_width=10)
    for row in rows:
        # plain(): names and notes are data, never console markup nor terminal control
        table.add_row(*map(plain, row[: None if in_column else -1]))
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
        for row in rows:
            if row[-1]:
                console.print(plain(f"{row[0]} {row[2]}: {row[-1]}"))
    print_explanations(summary, console, {r.window_start for r in shown[:limit]})


def _rows(
    shown: list[CheckRecord], records: Sequence[CheckRecord], *, collapse: bool
) -> list[tuple[str, ...]]:
    """The table's rows (window, check, metric, value, threshold, status, notes); with
    ``collapse``, a window in which nothing could be computed (every point ``unknown``
    without a value: no records in it) is one row saying how many points and why."""
    blank = set()
    if collapse:
        by_window: dict[datetime, list[CheckRecord]] = {}
        for r in records:
            by_window.setdefault(r.window_start, []).append(r)
        blank = {
            w for w, rs in by_window.items() if all(r.value is None for r in rs) and len(rs) > 1
        }
    rows: list[tuple[str, ...]] = []
    done: set[datetime] = set()
    for r in shown:
        when = f"{r.window_start:%Y-%m-%d %H:%M}"
        if r.window_start in blank:
            if r.window_start not in done:
                done.add(r.window_start)
                mine = [p for p in records if p.window_start == r.window_start]
                why = dict.fromkeys(point_notes(p.details) for p in mine if point_notes(p.details))
                worst = Status.worst(p.status for p in mine).value
                rows.append((when, "all", f"{len(mine)} points", "—", "", worst, "; ".join(why)))
            continue
        threshold = "" if r.threshold is None else f"{r.threshold:g}"
        rows.append(
            (when, r.check, r.metric, fmt_value(r.value), threshold, r.status,
             point_notes(r.details))
        )  # fmt: skip
    return rows


def print_explanations(summary: HealthSummary, console: Console, windows: set[datetime]) -> None:
    """One line per explanation (what changed, in words) of the given windows, unless it
    says all is well (its ``status`` is ``ok``)."""
    for e in summary.explanations:
        if e.window_start in windows and e.details.get("status") != "ok":
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
