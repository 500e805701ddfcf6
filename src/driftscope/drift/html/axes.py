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
from datetime import datetime, time, timedelta

_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
_DAY = 86400.0
_MONTHS = (1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200)
_DAYS: tuple[int, ...] = (1, 2, 7, 14, 28)
_MINUTES: tuple[int, ...] = (1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)


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


def _month_ticks(low: datetime, high: datetime, most: int) -> list[tuple[datetime, str]]:
    months = (high.year - low.year) * 12 + high.month - low.month
    step = next((m for m in _MONTHS if months / m <= most - 1), _MONTHS[-1])
    index = low.year * 12 + low.month - 1 + (low.day > 1 or low.time() != time())
    index += -index % step
    ticks = []
    while (stamp := datetime(index // 12, index % 12 + 1, 1)) <= high:
        ticks.append((stamp, stamp.strftime("%Y" if step >= 12 else "%Y-%m")))
        index += step
    return ticks


def calendar_ticks(low: datetime, high: datetime, most: int = 5) -> list[tuple[datetime, str]]:
    """Round moments from ``low`` to ``high``: month starts (``2024-03``) or years over months,
    midnights (``2024-03-15``) over days, round hours or minutes (``03-15 06:00``) within a
    day or two.

    >>> [t for _, t in calendar_ticks(datetime(2024, 1, 4), datetime(2024, 10, 20))]
    ['2024-04', '2024-07', '2024-10']
    >>> [t for _, t in calendar_ticks(datetime(2024, 3, 1, 5), datetime(2024, 3, 1, 17))]
    ['03-01 06:00', '03-01 09:00', '03-01 12:00', '03-01 15:00']
    """
    span = (high - low).total_seconds()
    if span >= 90 * _DAY:
        return _month_ticks(low, high, most)
    if span >= 3 * _DAY:
        unit, steps, pattern = _DAY, _DAYS, "%Y-%m-%d"
    else:
        unit, steps, pattern = 60.0, _MINUTES, "%m-%d %H:%M"
    step = next((s for s in steps if span / (s * unit) <= most - 1), steps[-1]) * unit
    origin = datetime(low.year, 1, 1)
    at = math.ceil((low - origin).total_seconds() / step) * step
    ticks = []
    while (stamp := origin + timedelta(seconds=at)) <= high:
        ticks.append((stamp, stamp.strftime(pattern)))
        at += step
    return ticks


def _edges(labels: tuple[str, ...]) -> list[str] | None:
    if len(labels) < 2 or not labels[0].startswith("< ") or not labels[-1].startswith(">= "):
        return None
    edges = [labels[0][2:]]
    for label in labels[1:-1]:
        low, sep, high = label.partition(" to ")
        if not sep or low != edges[-1]:
            return None
        edges.append(high)
    return edges if labels[-1][3:] == edges[-1] else None


def _evenly_spaced(values: list[float]) -> bool:
    width = (values[-1] - values[0]) / (len(values) - 1) if len(values) > 1 else 0.0
    return width > 0 and all(
        abs((b - a) - width) <= 0.02 * width for a, b in itertools.pairwise(values)
    )


def histogram_ticks(labels: tuple[str, ...]) -> list[tuple[float, str]] | None:
    """Ticks of a histogram's x axis as (position, text), the position counted in bars from
    the left edge; None when ``labels`` are not bins ``"< a"``, ``"a to b"`` … ``">= z"``.

    On equal-width bins the ticks are round numbers (:func:`round_ticks`) or round dates
    (:func:`calendar_ticks`) placed where they fall; otherwise the edges themselves.

    >>> histogram_ticks(("< 0", "0 to 2500", "2500 to 5000", ">= 5000"))[:3]
    [(1.0, '0'), (1.4, '1k'), (1.8, '2k')]
    >>> histogram_ticks(("< 2024-01-01 00:00", ">= 2024-01-01 00:00"))
    [(1.0, '2024-01-01')]
    >>> histogram_ticks(("a", "b")) is None
    True
    """
    edges = _edges(labels)
    if edges is None:
        return None
    if all(_DATE.match(e) for e in edges):
        stamps = [datetime.strptime(e, "%Y-%m-%d %H:%M") for e in edges]
        seconds = [(s - stamps[0]).total_seconds() for s in stamps]
        if _evenly_spaced(seconds):
            width = seconds[-1] / (len(seconds) - 1)
            ticks = calendar_ticks(stamps[0], stamps[-1])
            if len(ticks) >= 2:
                return [(1 + (t - stamps[0]).total_seconds() / width, x) for t, x in ticks]
        return [(i + 1.0, text) for i, text in enumerate(_dates(edges) or edges)]
    values = [_number(e) for e in edges]
    numbers = [v for v in values if v is not None]
    if len(numbers) < len(values):
        return [(i + 1.0, text) for i, text in enumerate(edges)]
    if not _evenly_spaced(numbers):
        return [(i + 1.0, fmt_compact(v)) for i, v in enumerate(numbers)]
    first, width = numbers[0], (numbers[-1] - numbers[0]) / (len(numbers) - 1)
    return [(1.0 + (t - first) / width, fmt_compact(t)) for t in round_ticks(first, numbers[-1])]


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
