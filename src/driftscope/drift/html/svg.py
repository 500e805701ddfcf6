"""Inline SVG charts of a column's reference and current distributions, with axes.

Three shapes, chosen from the column's bins:

* a histogram (numbers, dates on equal-width bins): the reference as grey bars, the current
  data as a blue outline over them, bin edges as x ticks (``2.5k``, ``2024-03-01``);
* columns side by side for a few distinct values (``0``, ``1``, ``≥5``);
* horizontal bars for categories, the names written beside their bars (wrapped at word
  boundaries), the twelve largest shown and the rest pooled as
  ``other (k more)``.

Every chart has a share axis with percentage ticks, a legend, a ``<title>`` naming it, and a
tooltip per bar. The markup is plain ``<svg>`` with a ``viewBox``, so it scales with its box
and prints; grey against blue, filled against outlined, reads without colour too.

>>> from driftscope.drift.results import Distribution
>>> svg = distribution_chart(Distribution(("a", "b"), (0.5, 0.5), (0.2, 0.8)), name="plan")
>>> svg.startswith("<svg") and "b: reference 50.0%, current 80.0%" in svg
True
"""

from __future__ import annotations

import math
import re
from html import escape

from driftscope.drift.html.axes import (
    fmt_share_tick,
    histogram_ticks,
    share_ticks,
    thin,
    value_ticks,
)
from driftscope.drift.html.names import wrap_lines
from driftscope.drift.results import Distribution

MAX_BARS = 20
MAX_CATEGORIES = 13  # bars: the 12 largest categories and `other (k more)`
WIDTH = 360
_CHAR = 6.2  # the width of one character of 11 px tick text, on average
_TOP, _PLOT_H, _LEFT, _RIGHT = 24, 110, 40, 10
_LABEL_W, _LABEL_CHARS = 140, 20  # the widest category name column, in px and characters
_POOLED = re.compile(r"^\((\d+) others\)$|^other \((\d+)(?: more)?\)$")


def _finite(values: tuple[float, ...]) -> list[float]:
    return [float(v) if math.isfinite(v) else 0.0 for v in values]


def _n(x: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _merged_label(first: str, last: str) -> str:
    """The label of adjacent bins ``first`` … ``last`` merged into one."""
    low = first[2:] if first.startswith("< ") else first.partition(" to ")[0]
    high = last[3:] if last.startswith(">= ") else last.partition(" to ")[2]
    if first.startswith("< ") and high:
        return f"< {high}"
    if last.startswith(">= ") and " to " in first:
        return f">= {low}"
    if " to " in first and high:
        return f"{low} to {high}"
    return f"{first} … {last}"


def _pooled(label: str) -> int:
    """How many categories a pooled label stands for (0 for an ordinary category)."""
    match = _POOLED.match(label)
    return int(match.group(1) or match.group(2)) if match else 0


def compact(dist: Distribution, max_bars: int = MAX_BARS, *, ordered: bool = True) -> Distribution:
    """At most ``max_bars`` bars: adjacent bins merged (ordered) or small categories pooled.

    Ordered bins (numbers, dates) are merged into runs of neighbours; categories keep the
    ``max_bars - 1`` largest (by the sum of both shares), largest first, and pool the rest
    into ``other (k more)``, counting categories an earlier pooling already merged.

    >>> d = Distribution(tuple("abcd"), (0.4, 0.3, 0.2, 0.1), (0.4, 0.1, 0.1, 0.4))
    >>> compact(d, 2, ordered=True).reference
    (0.7, 0.30000000000000004)
    >>> compact(d, 3, ordered=False).labels
    ('a', 'd', 'other (2 more)')
    """
    n = len(dist.labels)
    ref, cur = _finite(dist.reference), _finite(dist.current)
    if ordered:
        if n <= max_bars:
            return dist
        size = math.ceil(n / max_bars)
        groups = [range(i, min(i + size, n)) for i in range(0, n, size)]
        return Distribution(
            tuple(
                dist.labels[g[0]]
                if len(g) == 1
                else _merged_label(dist.labels[g[0]], dist.labels[g[-1]])
                for g in groups
            ),
            tuple(math.fsum(ref[i] for i in g) for g in groups),
            tuple(math.fsum(cur[i] for i in g) for g in groups),
        )
    pooled = [i for i in range(n) if _pooled(dist.labels[i])]
    named = sorted((i for i in range(n) if i not in pooled), key=lambda i: (-(ref[i] + cur[i]), i))
    if not pooled and len(named) <= max_bars:
        return Distribution(
            tuple(dist.labels[i] for i in named),
            tuple(ref[i] for i in named),
            tuple(cur[i] for i in named),
        )
    keep, rest = named[: max_bars - 1], named[max_bars - 1 :] + pooled
    more = len(rest) - len(pooled) + sum(_pooled(dist.labels[i]) for i in pooled)
    return Distribution(
        (*(dist.labels[i] for i in keep), f"other ({more} more)"),
        (*(ref[i] for i in keep), math.fsum(ref[i] for i in rest)),
        (*(cur[i] for i in keep), math.fsum(cur[i] for i in rest)),
    )


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _tip(label: str, ref: float, cur: float) -> str:
    return escape(f"{label}: reference {_pct(ref)}, current {_pct(cur)}")


def _legend(x: float, outlined: bool) -> str:
    """Swatches and names of both series; the current one drawn as it is in the chart."""
    cur = (
        f'<path class="cur-line" d="M{_n(x + 84)} 9h12"/>'
        if outlined
        else f'<rect class="cur" x="{_n(x + 84)}" y="4" width="10" height="10"/>'
    )
    return (
        f'<g class="legend"><rect class="ref" x="{_n(x)}" y="4" width="10" height="10"/>'
        f'<text x="{_n(x + 14)}" y="13">reference</text>{cur}'
        f'<text x="{_n(x + 100)}" y="13">current</text></g>'
    )


def _svg(name: str, height: float, body: str) -> str:
    title = escape(f"Distribution of {name}: reference versus current" if name else "Distribution")
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {_n(height)}" role="img">'
        f"<title>{title}</title>{body}</svg>"
    )


def _share_axis_y(top: float) -> tuple[str, float]:
    """Horizontal grid lines with percentage labels on the left; returns the scale's top."""
    ticks = share_ticks(top)
    scale = ticks[-1]
    lines, labels = [], []
    for tick in ticks:
        y = _TOP + _PLOT_H * (1 - tick / scale)
        lines.append(f"M{_LEFT} {_n(y)}H{WIDTH - _RIGHT}")
        labels.append(f'<text x="{_LEFT - 5}" y="{_n(y + 3.5)}">{fmt_share_tick(tick)}</text>')
    grid = f'<path class="grid" d="{"".join(lines)}"/>'
    return f'{grid}<g class="y">{"".join(labels)}</g>', scale


def _x_labels(positions: list[float], texts: list[str], y: float) -> str:
    """Tick marks and labels along the x axis, every k-th when they would overlap."""
    longest = max((len(t) for t in texts), default=1)
    plot = WIDTH - _RIGHT - _LEFT
    room = int(plot // (longest * _CHAR + 10))
    step = thin(len(texts), room)
    marks, labels = [], []
    for i in range(0, len(texts), step):
        x, text = positions[i], texts[i]
        half = len(text) * _CHAR / 2
        anchor = ""
        if x + half > WIDTH - 1:
            anchor, x_text = ' text-anchor="end"', WIDTH - 1.0
        elif x - half < 1:
            anchor, x_text = ' text-anchor="start"', 1.0
        else:
            x_text = x
        marks.append(f"M{_n(x)} {_TOP + _PLOT_H}v4")
        labels.append(f'<text x="{_n(x_text)}" y="{_n(y)}"{anchor}>{escape(text)}</text>')
    return f'<path class="base" d="{"".join(marks)}"/><g class="x">{"".join(labels)}</g>'


def _vertical(dist: Distribution, name: str, edges: list[tuple[float, str]] | None) -> str:
    """A histogram (``edges`` given as ticks: bars touching, current as an outline), or
    columns side by side, one pair per value."""
    ref, cur = _finite(dist.reference), _finite(dist.current)
    n = len(ref)
    axis, scale = _share_axis_y(max(*ref, *cur, 0.0))
    base = _TOP + _PLOT_H
    plot = WIDTH - _RIGHT - _LEFT
    group = plot / n
    ref_path: list[str] = []
    cur_path: list[str] = []
    hits: list[str] = []
    for i in range(n):
        x = _LEFT + i * group
        h_ref, h_cur = _PLOT_H * ref[i] / scale, _PLOT_H * cur[i] / scale
        if edges is not None:
            if h_ref >= 0.05:
                ref_path.append(f"M{_n(x + 0.5)} {base}v-{_n(h_ref)}h{_n(group - 1)}v{_n(h_ref)}z")
            cur_path.append(f"V{_n(base - h_cur)}H{_n(x + group)}")
        else:
            bar = group * 0.4
            for path, h, dx in ((ref_path, h_ref, 0.1), (cur_path, h_cur, 0.5)):
                if h >= 0.05:
                    path.append(f"M{_n(x + group * dx)} {base}v-{_n(h)}h{_n(bar)}v{_n(h)}z")
        hits.append(
            f'<rect class="hit" x="{_n(x)}" y="{_TOP}" width="{_n(group)}" height="{_PLOT_H}">'
            f"<title>{_tip(dist.labels[i], ref[i], cur[i])}</title></rect>"
        )
    if edges is not None:
        current = f'<path class="cur-line" d="M{_LEFT} {base}{"".join(cur_path)}V{base}"/>'
        ticks = _x_labels([_LEFT + at * group for at, _ in edges], [t for _, t in edges], base + 16)
    else:
        current = f'<path class="cur" d="{"".join(cur_path)}"/>'
        centres = [_LEFT + (i + 0.5) * group for i in range(n)]
        ticks = _x_labels(centres, value_ticks(dist.labels), base + 16)
    body = (
        f'{_legend(_LEFT, edges is not None)}{axis}<path class="ref" d="{"".join(ref_path)}"/>'
        f'{current}<path class="base" d="M{_LEFT} {base}.5H{WIDTH - _RIGHT}"/>{ticks}'
        f"{''.join(hits)}"
    )
    return _svg(name, base + 24, body)


def _horizontal(dist: Distribution, name: str) -> str:
    """One row per category: its name (wrapped), the reference bar above the current one."""
    ref, cur = _finite(dist.reference), _finite(dist.current)
    names = [wrap_lines(str(label), _LABEL_CHARS) for label in dist.labels]
    row = 28 if any(len(lines) > 1 for lines in names) else 22
    longest = max(len(line) for lines in names for line in lines)
    label_w = round(min(_LABEL_W, max(40.0, longest * _CHAR + 14)))
    ticks = share_ticks(max(*ref, *cur, 0.0))
    scale = ticks[-1]
    plot = WIDTH - _RIGHT - 8 - label_w
    bottom = _TOP + row * len(names)
    grid, tick_text = [], []
    for tick in ticks:
        x = label_w + plot * tick / scale
        grid.append(f"M{_n(x)} {_TOP}V{bottom}")
        tick_text.append(f'<text x="{_n(x)}" y="{bottom + 15}">{fmt_share_tick(tick)}</text>')
    ref_path: list[str] = []
    cur_path: list[str] = []
    labels: list[str] = []
    hits: list[str] = []
    for i, lines in enumerate(names):
        y = _TOP + i * row
        middle = y + row / 2
        for path, share, dy in ((ref_path, ref[i], -8.5), (cur_path, cur[i], 0.5)):
            w = plot * share / scale
            if w >= 0.05:
                path.append(f"M{label_w} {_n(middle + dy)}h{_n(w)}v8h-{_n(w)}z")
        first = middle + 4 - 6 * (len(lines) - 1)
        spans = "".join(
            f'<tspan x="{label_w - 6}" y="{_n(first + 12 * k)}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        labels.append(f"<text>{spans}</text>")
        hits.append(
            f'<rect class="hit" x="0" y="{_n(y)}" width="{WIDTH}" height="{row}">'
            f"<title>{_tip(dist.labels[i], ref[i], cur[i])}</title></rect>"
        )
    body = (
        f'{_legend(label_w, False)}<path class="grid" d="{"".join(grid)}"/>'
        f'<path class="ref" d="{"".join(ref_path)}"/><path class="cur" d="{"".join(cur_path)}"/>'
        f'<path class="base" d="M{label_w}.5 {_TOP}V{bottom}"/>'
        f'<g class="y">{"".join(labels)}</g><g class="x">{"".join(tick_text)}</g>'
        f"{''.join(hits)}"
    )
    return _svg(name, bottom + 22, body)


def distribution_chart(dist: Distribution, *, name: str = "", ordered: bool = True) -> str:
    """The chart of one column: a histogram, columns or category bars (see the module).

    ``ordered`` says the bins are numbers or dates in order; otherwise they are categories.
    Returns a placeholder when the distribution has no bins.

    >>> distribution_chart(Distribution())
    '<span class="nochart">no distribution</span>'
    >>> d = Distribution(("< 0", "0 to 10", ">= 10"), (0.2, 0.5, 0.3), (0.1, 0.5, 0.4))
    >>> svg = distribution_chart(d, name="x")
    >>> ">10<" in svg, ">60%<" in svg, "Distribution of x" in svg
    (True, True, True)
    """
    if not dist.labels:
        return '<span class="nochart">no distribution</span>'
    if not ordered:
        return _horizontal(compact(dist, MAX_CATEGORIES, ordered=False), name)
    dist = compact(dist, MAX_BARS, ordered=True)
    return _vertical(dist, name, histogram_ticks(dist.labels))
