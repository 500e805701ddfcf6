"""A health run over many windows (a backfill) as one line per check and metric.

A backfill of a year of days holds tens of thousands of points; a log wants what matters:
for each metric that was not ``ok`` in some window, how many windows were checked, how
many were ``critical``, ``warning`` and ``unknown``, the worst status and the last window
that had it, and the latest value and status (on an 80-column terminal too: long names
and times wrap, nothing is cut). The metrics that were ``ok`` in every
window are counted in the caption. Every point is in ``--all`` and ``--format json``.

>>> from datetime import datetime, timedelta, UTC
>>> from rich.console import Console
>>> from driftscope.core.checks import CheckRecord
>>> from driftscope.health import HealthSummary
>>> day = timedelta(days=1)
>>> t = [datetime(2026, 11, 1, tzinfo=UTC) + i * day for i in range(3)]
>>> summary = HealthSummary("churn", "3f2a", tuple(
...     CheckRecord("churn", "performance", t[i], t[i] + day, "accuracy", v, 0.85, s)
...     for i, (v, s) in enumerate([(0.9, "ok"), (0.7, "critical"), (0.88, "ok")])))
>>> digest = metric_digest(summary)
>>> digest[0].windows, digest[0].counts["critical"], digest[0].worst, digest[0].latest.value
(3, 1, 'critical', 0.88)
>>> console = Console(width=150, color_system=None)
>>> with console.capture() as out:
...     print_backfill(summary, console)
>>> "critical on 2026-11-02" in out.get()
True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.console import Console
from rich.table import Table

from driftscope.core.checks import CheckRecord
from driftscope.core.status import STATUSES, Status
from driftscope.health.summary import HealthSummary
from driftscope.report.console import plain
from driftscope.report.health_table import fmt_value, print_explanations

#: A run over several windows that would list more points than this prints the digest.
DIGEST_ABOVE = 20
WHEN = "%Y-%m-%d %H:%M"  # a window's start


@dataclass(frozen=True)
class MetricDigest:
    """One metric of one check over the windows of a run: ``counts`` of points per status,
    the ``worst`` status and the last window start that had it, and the ``latest`` point.

    >>> from datetime import datetime, UTC
    >>> t0, t1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    >>> point = CheckRecord("churn", "drift", t0, t1, "drift_share", None, None, "unknown")
    >>> MetricDigest("drift", "drift_share", 1, {"unknown": 1}, "unknown", t0, point).worst
    'unknown'
    """

    check: str
    metric: str
    windows: int
    counts: dict[str, int]
    worst: str
    worst_at: datetime
    latest: CheckRecord


def metric_digest(summary: HealthSummary) -> list[MetricDigest]:
    """One :class:`MetricDigest` per check and metric of ``summary``, worst first (then by
    check and metric name)."""
    groups: dict[tuple[str, str], list[CheckRecord]] = {}
    for record in summary.records:
        groups.setdefault((record.check, record.metric), []).append(record)
    out = []
    for (check, metric), points in groups.items():
        worst = Status.worst(p.status for p in points)
        counts = {name: sum(p.status == name for p in points) for name in STATUSES}
        out.append(
            MetricDigest(
                check,
                metric,
                len({p.window_start for p in points}),
                counts,
                worst.value,
                max(p.window_start for p in points if p.status == worst),
                max(points, key=lambda p: p.window_start),
            )
        )
    return sorted(out, key=lambda d: (-Status(d.worst).rank, d.check, d.metric))


def wants_digest(summary: HealthSummary, show_all: bool = False) -> bool:
    """Whether ``summary`` is a backfill to print as a digest: it covers several windows
    and its table would list more than :data:`DIGEST_ABOVE` points (``show_all``: never).

    >>> wants_digest(HealthSummary("churn", None, ()))
    False
    """
    if show_all or len(summary.windows) < 2:
        return False
    return sum(r.status != "ok" for r in summary.records) > DIGEST_ABOVE


def print_backfill(summary: HealthSummary, console: Console) -> None:
    """Print ``summary``'s notes, one row per metric that was not ``ok`` somewhere, and
    what changed in the latest window."""
    for note in summary.notes:
        console.print(plain(f"note: {note}"))
    windows = summary.windows
    if not windows:
        console.print(plain(f"{summary.model}: no window is due"))
        return
    span = f"{windows[0][0]:{WHEN}} to {windows[-1][1]:{WHEN}}"
    title = (
        f"{summary.model}: {summary.status} over {len(windows)} windows, {span} "
        f"(baseline {summary.baseline_version})"
    )
    table = Table(title=plain(title), title_justify="left")
    table.add_column("check", overflow="fold", min_width=5)
    table.add_column("metric", overflow="fold", min_width=12)
    table.add_column("windows", justify="right", min_width=7)
    table.add_column("not ok", min_width=10)
    table.add_column("worst", min_width=10)  # a narrow terminal wraps at the spaces
    table.add_column("latest", min_width=10)
    digest = metric_digest(summary)
    shown = [d for d in digest if d.worst != "ok"]
    for d in shown:
        table.add_row(
            plain(d.check),
            plain(d.metric),
            str(d.windows),
            not_ok(d.counts),
            f"{d.worst} on {d.worst_at:{WHEN}}",
            f"{fmt_value(d.latest.value)} {d.latest.status} on {d.latest.window_start:{WHEN}}",
        )
    table.caption = _caption(len(digest) - len(shown), len(summary.records))
    table.caption_justify = "left"
    console.print(table)
    print_explanations(summary, console, {windows[-1][0]})  # what changed lately, in words


def not_ok(counts: dict[str, int]) -> str:
    """How many windows were ``critical``, ``warning`` and ``unknown``, the zeros left out.

    >>> not_ok({"ok": 20, "unknown": 2, "warning": 8, "critical": 0})
    '8 warning, 2 unknown'
    """
    return ", ".join(
        f"{counts[s]} {s}" for s in ("critical", "warning", "unknown") if counts.get(s)
    )


def _caption(ok_metrics: int, points: int) -> str:
    parts = [f"{ok_metrics} metric{'s' if ok_metrics != 1 else ''} ok in every window"]
    parts = parts if ok_metrics else []
    return "; ".join([*parts, f"{points} points stored; --all or --format json lists each"])
