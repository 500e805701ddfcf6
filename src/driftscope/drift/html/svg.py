"""Small inline SVG bar charts of a column's reference and current distributions.

No scripts, fonts or external references: the markup is plain ``<svg>`` that any browser
and any printer renders. Bars are drawn as one path per side to keep reports small.

>>> from driftscope.drift.results import Distribution
>>> svg = bar_chart(Distribution(("a", "b"), (0.5, 0.5), (0.2, 0.8)), name="plan")
>>> svg.startswith("<svg") and "reference 50%, current 80%" in svg
True
"""

from __future__ import annotations

import math
from html import escape

from driftscope.drift.formatting import fmt_share
from driftscope.drift.results import Distribution

MAX_BARS = 20
_LABEL_CHARS = 60


def _finite(values: tuple[float, ...]) -> list[float]:
    return [float(v) if math.isfinite(v) else 0.0 for v in values]


def compact(dist: Distribution, max_bars: int = MAX_BARS, *, ordered: bool = True) -> Distribution:
    """At most ``max_bars`` bins: adjacent bins merged (ordered) or small categories pooled.

    Ordered bins (numerical, datetime) are merged into runs of neighbours; categories keep the
    ``max_bars - 1`` largest (by the larger of both shares) and pool the rest into one bar.

    >>> d = Distribution(tuple("abcd"), (0.4, 0.3, 0.2, 0.1), (0.1, 0.2, 0.3, 0.4))
    >>> compact(d, 2, ordered=True).reference
    (0.7, 0.30000000000000004)
    >>> compact(d, 3, ordered=False).labels
    ('a', 'd', 'other (2)')
    """
    n = len(dist.labels)
    if n <= max_bars:
        return dist
    ref, cur = _finite(dist.reference), _finite(dist.current)
    if ordered:
        size = math.ceil(n / max_bars)
        groups = [range(i, min(i + size, n)) for i in range(0, n, size)]
        labels = tuple(
            dist.labels[g[0]] if len(g) == 1 else f"{dist.labels[g[0]]} … {dist.labels[g[-1]]}"
            for g in groups
        )
        return Distribution(
            labels,
            tuple(math.fsum(ref[i] for i in g) for g in groups),
            tuple(math.fsum(cur[i] for i in g) for g in groups),
        )
    by_size = sorted(range(n), key=lambda i: (-max(ref[i], cur[i]), i))
    keep, rest = by_size[: max_bars - 1], by_size[max_bars - 1 :]
    keep.sort()  # the categories' own order (the reference's), pooled remainder last
    return Distribution(
        (*(dist.labels[i] for i in keep), f"other ({len(rest)})"),
        (*(ref[i] for i in keep), math.fsum(ref[i] for i in rest)),
        (*(cur[i] for i in keep), math.fsum(cur[i] for i in rest)),
    )


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"


def _n(x: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def bar_chart(
    dist: Distribution,
    *,
    name: str = "",
    width: int = 168,
    height: int = 40,
    max_bars: int = MAX_BARS,
    ordered: bool = True,
) -> str:
    """Grouped bars, reference (grey) beside current (blue), one group per bin or category.

    Each group carries a ``<title>`` tooltip with its label and both shares. Returns an
    empty-chart placeholder when the distribution has no bins.

    >>> bar_chart(Distribution())
    '<span class="nochart">no distribution</span>'
    """
    dist = compact(dist, max_bars, ordered=ordered)
    n = len(dist.labels)
    if n == 0:
        return '<span class="nochart">no distribution</span>'
    ref, cur = _finite(dist.reference), _finite(dist.current)
    top = max(max(ref, default=0.0), max(cur, default=0.0)) or 1.0
    group = width / n
    bar = group * 0.4
    ref_path: list[str] = []
    cur_path: list[str] = []
    hits: list[str] = []
    for i, label in enumerate(dist.labels):
        x = i * group + group * 0.1
        for path, share, dx in ((ref_path, ref[i], 0.0), (cur_path, cur[i], bar)):
            h = height * share / top
            if h >= 0.05:
                path.append(f"M{_n(x + dx)} {height}v-{_n(h)}h{_n(bar)}v{_n(h)}z")
        tip = escape(
            f"{_short(str(label))}: reference {fmt_share(ref[i])}, current {fmt_share(cur[i])}"
        )
        hits.append(
            f'<rect class="hit" x="{_n(i * group)}" y="0" width="{_n(group)}" '
            f'height="{height}"><title>{tip}</title></rect>'
        )
    aria = escape(f"Distribution of {name}: reference versus current" if name else "Distribution")
    return (
        f'<svg class="chart" width="{width}" height="{height + 1}" '
        f'viewBox="0 0 {width} {height + 1}" role="img" aria-label="{aria}">'
        f'<path class="ref" d="{"".join(ref_path)}"/>'
        f'<path class="cur" d="{"".join(cur_path)}"/>'
        f'<path class="axis" d="M0 {height}.5H{width}"/>'
        f"{''.join(hits)}</svg>"
    )
