"""Axis ticks for the report's charts: shares on the value axis, bin edges on the x axis.

A chart's :class:`~driftscope.drift.results.Distribution` carries its bins as labels, in the
forms the drift check writes: ``"< a"``, ``"a to b"`` … ``">= z"`` for a histogram on equal
widths, ``"<= v"``, ``"v"`` … ``">= w"`` for one bar per distinct value, dates as
``YYYY-MM-DD HH:MM``. :func:`histogram_ticks` reads the edges back and puts round ticks
along them, printed compactly (``12.5k``, ``2024-03-01``).

>>> share_ticks(0.37)
[0.0, 0.1, 0.2, 0.3, 0.4]
>>> [text for _, text in histogram_ticks(("< 0", "0 to 100", "100 to 200", ">= 200"))]
['0', '50', '100', '150', '200']
"""

from __future__ import annotations

import itertools
import math
import re
from datetime import datetime

_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def share_ticks(top: float, most: int = 5) -> list[float]:
    """Round ticks from 0 to at least ``top`` (a share in [0, 1]), at most ``most`` of them.

    >>> share_ticks(0.049)
    [0.0, 0.02, 0.04, 0.06]
    >>> share_ticks(0.0)
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    if not math.isfinite(top) or top <= 0:
        top = 1.0
    raw = top / (most - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(s * power for s in _STEPS if s * power >= raw * (1 - 1e-9))
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 12) for i in range(count + 1)]


def fmt_share_tick(share: float) -> str:
    """A tick of the share axis as a percentage with no needless decimals.

    >>> fmt_share_tick(0.1), fmt_share_tick(0.025), fmt_share_tick(0.0)
    ('10%', '2.5%', '0%')
    """
    return f"{share * 100:.3g}%"


def fmt_compact(value: float) -> str:
    """A number in at most three significant digits, with k, M, B, T for thousands and up.

    >>> fmt_compact(12500), fmt_compact(-3.0), fmt_compact(0.00012345), fmt_compact(2e6)
    ('12.5k', '-3', '0.000123', '2M')
    """
    if not math.isfinite(value):
        return "∞" if value > 0 else ("-∞" if value < 0 else "n/a")
    size = abs(value)
    for scale, suffix in _SUFFIXES:
        if size >= scale * 0.9995:
            return f"{value / scale:.3g}{suffix}"
    if size and size < 1e-4:
        return f"{value:.2g}"
    return f"{value:.3g}"


def _dates(texts: list[str]) -> list[str] | None:
    """Dates as tick labels (with the time when they lie hours apart), None if not dates."""
    if not all(_DATE.match(t) for t in texts):
        return None
    stamps = [datetime.strptime(t, "%Y-%m-%d %H:%M") for t in texts]
    span = (max(stamps) - min(stamps)).total_seconds()
    if span >= 3 * 86400 or all(t.endswith("00:00") for t in texts):
        return [s.strftime("%Y-%m-%d") for s in stamps]
    return [s.strftime("%m-%d %H:%M") for s in stamps]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def round_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round values (1, 2, 2.5 or 5 times a power of ten apart) from ``low`` to ``high``.

    >>> round_ticks(285, 33000)
    [10000.0, 20000.0, 30000.0]
    >>> round_ticks(-2.27, 1.8)
    [-2.0, -1.0, 0.0, 1.0]
    """
    if not high > low:
        return [low]
    raw = (high - low) / (most - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(s * power for s in _STEPS if s * power >= raw * (1 - 1e-9))
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [round(i * step, 12) + 0.0 for i in range(first, last + 1)]


def histogram_ticks(labels: tuple[str, ...]) -> list[tuple[float, str]] | None:
    """Ticks of a histogram's x axis as (position, text), the position counted in bars from
    the left edge; None when ``labels`` are not bins ``"< a"``, ``"a to b"`` … ``">= z"``.

    Numbers get round ticks placed along the equal-width bins; dates are labelled at the
    bins' edges.

    >>> histogram_ticks(("< 0", "0 to 2500", "2500 to 5000", ">= 5000"))[:3]
    [(1.0, '0'), (1.4, '1k'), (1.8, '2k')]
    >>> histogram_ticks(("< 2024-01-01 00:00", ">= 2024-01-01 00:00"))
    [(1.0, '2024-01-01')]
    >>> histogram_ticks(("a", "b")) is None
    True
    """
    if len(labels) < 2 or not labels[0].startswith("< ") or not labels[-1].startswith(">= "):
        return None
    edges = [labels[0][2:]]
    for label in labels[1:-1]:
        low, sep, high = label.partition(" to ")
        if not sep or low != edges[-1]:
            return None
        edges.append(high)
    if labels[-1][3:] != edges[-1]:
        return None
    dates = _dates(edges)
    if dates is not None:
        return [(i + 1.0, text) for i, text in enumerate(dates)]
    values = [_number(e) for e in edges]
    if any(v is None for v in values):
        return [(i + 1.0, text) for i, text in enumerate(edges)]
    numbers = [v for v in values if v is not None]
    first, last, gaps = numbers[0], numbers[-1], len(numbers) - 1
    width = (last - first) / gaps if gaps else 0.0
    even = width > 0 and all(
        abs((b - a) - width) <= 0.02 * width for a, b in itertools.pairwise(numbers)
    )
    if not even:
        return [(i + 1.0, fmt_compact(v)) for i, v in enumerate(numbers)]
    return [(1.0 + (t - first) / width, fmt_compact(t)) for t in round_ticks(first, last)]


def value_ticks(labels: tuple[str, ...]) -> list[str]:
    """The labels of bars that stand for single values (``"<= 1"``, ``"2"``, ``">= 3"``),
    printed compactly; other labels are returned as they are.

    >>> value_ticks(("<= 1000", "2000", ">= 3000"))
    ['≤1k', '2k', '≥3k']
    """
    out = []
    for label in labels:
        prefix = ""
        for sign, mark in (("<= ", "≤"), (">= ", "≥")):
            if label.startswith(sign):
                prefix, label = mark, label[len(sign) :]
        dates = _dates([label])
        value = _number(label)
        text = dates[0] if dates else (fmt_compact(value) if value is not None else label)
        out.append(prefix + text)
    return out


def thin(count: int, room: int) -> int:
    """Label every ``step``-th tick of ``count`` so that at most ``room`` labels are shown.

    >>> thin(19, 6), thin(3, 6)
    (4, 1)
    """
    return max(1, math.ceil(count / max(room, 1)))
