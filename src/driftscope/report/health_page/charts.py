"""One line chart of a series over time, as inline SVG: axes with tick labels (dates on
x), the alert threshold as a dashed line with its bad side shaded, points coloured by
status, and a gap where a value could not be computed (never a 0).

>>> from datetime import UTC, datetime, timedelta
>>> day = datetime(2025, 6, 1, tzinfo=UTC)
>>> points = [ChartPoint(day + timedelta(days=i), v, 0.2, s)
...           for i, (v, s) in enumerate([(0.05, "ok"), (None, "unknown"), (0.3, "critical")])]
>>> svg = line_chart(points, "data drift score")
>>> svg.startswith("<svg"), svg.count('class="pt '), "Jun 01" in svg, bad_side(points)
(True, 2, True, 'above')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

__all__ = ["ChartPoint", "bad_side", "line_chart", "nice_ticks"]

WIDTH, HEIGHT = 480, 210
LEFT, RIGHT, TOP, BOTTOM = 54, 14, 12, 30


@dataclass(frozen=True)
class ChartPoint:
    """One window of a series: its start, value (``None``: not computed), threshold and
    status.

    >>> from datetime import UTC, datetime
    >>> ChartPoint(datetime(2025, 6, 1, tzinfo=UTC), None, 0.85, "unknown").value is None
    True
    """

    start: datetime
    value: float | None
    threshold: float | None
    status: str


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round tick values covering ``[low, high]``.

    >>> nice_ticks(0.027, 0.244)
    [0.0, 0.1, 0.2, 0.3]
    """
    if not high > low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 12))
        value += step
    return ticks


def bad_side(points: Sequence[ChartPoint]) -> str | None:
    """Which side of the threshold raises an alert, ``"above"`` or ``"below"``, read off
    the points themselves; ``None`` when they do not say (no threshold, or a two-sided
    limit whose stored threshold is the nearer bound).

    ``critical`` points lie beyond the threshold, so they decide when there are any.
    Otherwise the ``ok`` points must all lie on one side, and the ``warning`` points (a
    warning may have other causes, such as a significant test below the threshold) must
    not all lie on that same side too.

    >>> from datetime import UTC, datetime
    >>> t = datetime(2025, 6, 1, tzinfo=UTC)
    >>> bad_side([ChartPoint(t, 0.9, 0.85, "ok"), ChartPoint(t, 0.8, 0.85, "warning")])
    'below'
    >>> bad_side([ChartPoint(t, 0.23, 0.20, "ok"), ChartPoint(t, 0.33, 0.25, "warning")]) is None
    True
    """
    sides: dict[str, set[bool]] = {"ok": set(), "warning": set(), "critical": set()}
    for p in points:
        if p.value is None or p.threshold is None or p.value == p.threshold:
            continue
        if p.status in sides:
            sides[p.status].add(p.value > p.threshold)
    if len(sides["critical"]) == 1:
        return "above" if True in sides["critical"] else "below"
    if sides["critical"] or len(sides["ok"]) != 1:
        return None
    good_above = True in sides["ok"]
    if sides["warning"] == {good_above}:
        return None
    return "below" if good_above else "above"


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _date_ticks(starts: Sequence[datetime], count: int = 5) -> list[int]:
    n = len(starts)
    if n <= count:
        return list(range(n))
    return sorted({round(i * (n - 1) / (count - 1)) for i in range(count)})


def _date_label(moment: datetime, hourly: bool) -> str:
    return moment.strftime("%b %d %H:%M" if hourly else "%b %d")


def line_chart(points: Sequence[ChartPoint], title: str) -> str:
    """The SVG chart of ``points`` (oldest first); ``title`` names it for screen readers."""
    values = [p.value for p in points if p.value is not None]
    limits = [p.threshold for p in points if p.threshold is not None]
    low = min(values + limits, default=0.0)
    high = max(values + limits, default=1.0)
    ticks = nice_ticks(low, high)
    y0, y1 = ticks[0], ticks[-1]
    n = len(points)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - y0) / (y1 - y0))

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)} over time" preserveAspectRatio="xMidYMid meet">'
    ]
    side = bad_side(points)
    if limits:
        parts.append(_threshold(points, side, x, y, TOP, TOP + plot_h))
    for tick in ticks:
        ty = y(tick)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">'
            f"{_fmt(tick)}</text>"
        )
    hourly = n > 1 and (points[1].start - points[0].start).total_seconds() < 86_400
    for i in _date_ticks([p.start for p in points]):
        anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
        parts.append(
            f'<line class="axis" x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{TOP + plot_h}" '
            f'y2="{TOP + plot_h + 4}"/><text class="tick" x="{x(i):.1f}" '
            f'y="{HEIGHT - 10}" text-anchor="{anchor}">'
            f"{_date_label(points[i].start, hourly)}</text>"
        )
    parts.append(
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" '
        f'y2="{TOP + plot_h}"/>'
    )
    for run in _runs(points):  # a gap where the value is missing
        path = " ".join(
            f"{'M' if k == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for k, (i, v) in enumerate(run)
        )
        parts.append(f'<path class="line" d="{path}"/>')
    radius = 3.2 if n <= 60 else 2.0
    for i, p in enumerate(points):
        label = f"{p.start:%Y-%m-%d %H:%M}: "
        if p.value is None:
            parts.append(
                f'<text class="gap" x="{x(i):.1f}" y="{TOP + plot_h - 4}" text-anchor="middle">'
                f"×<title>{escape(label)}not computed ({escape(p.status)})</title></text>"
            )
            continue
        limit = "" if p.threshold is None else f", threshold {_fmt(p.threshold)}"
        parts.append(
            f'<circle class="pt {escape(p.status)}" cx="{x(i):.1f}" cy="{y(p.value):.1f}" '
            f'r="{radius}"><title>{escape(label)}{_fmt(p.value)} ({escape(p.status)}{limit})'
            "</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _runs(points: Sequence[ChartPoint]) -> list[list[tuple[int, float]]]:
    runs: list[list[tuple[int, float]]] = [[]]
    for i, p in enumerate(points):
        if p.value is None:
            runs.append([])
        else:
            runs[-1].append((i, p.value))
    return [r for r in runs if r]


def _threshold(
    points: Sequence[ChartPoint],
    side: str | None,
    x: Callable[[int], float],
    y: Callable[[float], float],
    top: float,
    bottom: float,
) -> str:
    """The threshold as a dashed level over each window, its bad side shaded."""
    n = len(points)
    steps: list[tuple[float, float]] = []
    for i, p in enumerate(points):
        if p.threshold is None:
            continue
        left = LEFT if i == 0 else (x(i - 1) + x(i)) / 2
        right = WIDTH - RIGHT if i == n - 1 else (x(i) + x(i + 1)) / 2
        steps += [(left, y(p.threshold)), (right, y(p.threshold))]
    # one level per window, not joined: a limit that jumps (the nearer bound of a two-sided
    # limit) shows as levels, not as a wall
    line = " ".join(
        f"M{a[0]:.1f},{a[1]:.1f} L{b[0]:.1f},{b[1]:.1f}"
        for a, b in zip(steps[::2], steps[1::2], strict=True)
    )
    out = ""
    if side is not None:
        edge = top if side == "above" else bottom
        area = " ".join(f"L{a:.1f},{b:.1f}" for a, b in steps)
        out = (
            f'<path class="band" d="M{steps[0][0]:.1f},{edge:.1f} {area} '
            f'L{steps[-1][0]:.1f},{edge:.1f} Z"><title>alert zone: {side} the threshold'
            "</title></path>"
        )
    return out + f'<path class="limit" d="{line}"><title>alert threshold</title></path>'
