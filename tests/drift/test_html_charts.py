"""The pieces of the report's charts: word boundaries of names, axis ticks, category pooling."""

from __future__ import annotations

import itertools
import math
import re
from datetime import datetime, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from driftscope.drift.html import render_report
from driftscope.drift.html.axes import calendar_ticks, histogram_ticks, round_ticks, share_ticks
from driftscope.drift.html.names import name_parts, wrap_lines, wrap_name
from driftscope.drift.html.svg import MAX_CATEGORIES, compact, distribution_chart
from driftscope.drift.results import ColumnDrift, Distribution, DriftReport, DriftResult

_NAMES = st.text(alphabet=st.sampled_from("abcXYZ_-. 09é<&"), max_size=40)


@given(_NAMES)
def test_name_parts_join_back_to_the_name(name):
    assert "".join(name_parts(name)) == name


def test_boundaries_are_separators_and_case_changes():
    assert name_parts("customer_lifetime_value") == ["customer_", "lifetime_", "value"]
    assert name_parts("numberOfTickets") == ["number", "Of", "Tickets"]
    assert name_parts("parseHTTPResponse2xx") == ["parse", "HTTP", "Response2xx"]
    assert wrap_name("a<b>_c") == "a&lt;b&gt;_<wbr>c"


@given(_NAMES, st.integers(4, 30), st.integers(1, 3))
def test_wrapped_lines_fit_and_keep_the_text(text, width, max_lines):
    lines = wrap_lines(text, width, max_lines)
    assert len(lines) <= max_lines
    assert all(len(line) <= width for line in lines)
    if not any("…" in line for line in lines):
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@given(st.floats(-1e9, 1e9), st.floats(1e-6, 1e9))
def test_round_ticks_are_few_round_and_inside_the_range(low, span):
    span = max(span, 1e-6 * abs(low))  # a range, not a few rounding errors: edges have 4 digits
    high = low + span
    ticks = round_ticks(low, high)
    assert 2 <= len(ticks) <= 6
    step = (ticks[-1] - ticks[0]) / (len(ticks) - 1)
    assert ticks[0] >= low - 1e-8 * step and ticks[-1] <= high + 1e-8 * step  # invisibly out
    rounding = 1e-15 * max(abs(low), abs(high), 1.0)  # what float sums of the step lose
    assert np.allclose(np.diff(ticks), step, rtol=1e-6, atol=rounding)
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(
        math.isclose(mantissa, m, rel_tol=1e-6 + rounding / step) for m in (1, 2, 2.5, 5, 10)
    )


@given(st.floats(1e-6, 1.0))
def test_share_ticks_start_at_zero_and_cover_the_tallest_bar(top):
    ticks = share_ticks(top)
    assert ticks[0] == 0 and ticks[-1] >= top * (1 - 1e-9) and len(ticks) <= 5


def _value(tick: str) -> float:
    scale = {"k": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
    return float(tick[:-1]) * scale[tick[-1]] if tick[-1] in scale else float(tick)


def test_histogram_ticks_lie_where_their_values_fall_between_the_edges():
    for start, stop in ((-2.466, 2.221), (285.0, 33000.0), (0.0, 1.0), (1e6, 4.2e6)):
        edges = np.linspace(start, stop, 19)
        text = [f"{e:.4g}" for e in edges]
        labels = (f"< {text[0]}", *(f"{a} to {b}" for a, b in itertools.pairwise(text)))
        labels += (f">= {text[-1]}",)
        ticks = histogram_ticks(labels)
        assert ticks is not None and len(ticks) >= 2
        for position, tick in ticks:
            # edge i lies between bar i and bar i + 1, i.e. at position i + 1
            expected = np.interp(_value(tick), edges, np.arange(1, 20))
            assert abs(position - expected) < 0.01 * 18, (tick, position, expected)


def test_categories_beyond_twelve_are_pooled_as_other_with_their_count():
    n = 40
    labels = tuple(f"c{i}" for i in range(n))
    ref = tuple(float(i + 1) for i in range(n))
    dist = Distribution(labels, tuple(r / sum(ref) for r in ref), (1 / n,) * n)
    small = compact(dist, MAX_CATEGORIES, ordered=False)
    assert len(small.labels) == MAX_CATEGORIES
    assert small.labels[0] == "c39" and small.labels[-1] == f"other ({n - 12} more)"
    assert math.isclose(sum(small.reference), 1.0) and math.isclose(sum(small.current), 1.0)
    # an already pooled bar from the drift check counts its categories too
    pooled = Distribution((*labels[:19], "(21 others)"), (0.05,) * 20, (0.05,) * 20)
    assert compact(pooled, MAX_CATEGORIES, ordered=False).labels[-1] == "other (28 more)"


def test_category_names_and_ticks_are_escaped_text():
    svg = distribution_chart(
        Distribution(("<b>x</b>", "a&b"), (0.5, 0.5), (0.4, 0.6)), name="<i>", ordered=False
    )
    assert "<b>" not in svg and "<i>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg
    assert re.search(r">a&amp;b<", svg)


@given(
    st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1)),
    st.timedeltas(timedelta(minutes=30), timedelta(days=365 * 80)),
)
def test_calendar_ticks_are_round_moments_inside_the_range(low, span):
    ticks = calendar_ticks(low, low + span)
    assert 1 <= len(ticks) <= 6
    stamps = [t for t, _ in ticks]
    assert stamps == sorted(stamps) and low <= stamps[0] and stamps[-1] <= low + span
    assert all(t.second == 0 and t.microsecond == 0 for t in stamps)
    if span >= timedelta(days=90):
        assert all(t.day == 1 and t.hour == 0 for t in stamps)  # month starts
    elif span >= timedelta(days=3):
        assert all(t.hour == 0 and t.minute == 0 for t in stamps)  # midnights


def test_date_ticks_lie_where_their_dates_fall_between_the_edges():
    start = datetime(2024, 1, 4, 7, 30)
    for days in (2, 40, 300, 3000):
        edges = [start + timedelta(days=days) * i / 18 for i in range(19)]
        text = [e.strftime("%Y-%m-%d %H:%M") for e in edges]
        labels = (f"< {text[0]}", *(f"{a} to {b}" for a, b in itertools.pairwise(text)))
        ticks = histogram_ticks((*labels, f">= {text[-1]}"))
        assert ticks is not None and len(ticks) >= 2
        seconds = [(e - start).total_seconds() for e in edges]
        for position, tick in ticks:
            moment = _parse_date(tick, start.year)
            expected = np.interp((moment - start).total_seconds(), seconds, np.arange(1, 20))
            assert abs(position - expected) < 0.05, (days, tick, position, expected)


def _parse_date(tick: str, year: int) -> datetime:
    for pattern in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            return datetime.strptime(tick, pattern)
        except ValueError:
            pass
    return datetime.strptime(f"{year}-{tick}", "%Y-%m-%d %H:%M")


def _column(name: str, kind: str, labels: tuple[str, ...]) -> ColumnDrift:
    n = len(labels)
    weights = [1.0 + (i % 7) for i in range(n)]
    dist = Distribution(labels, (1 / n,) * n, tuple(w / sum(weights) for w in weights))
    return ColumnDrift(name, kind, False, 0.01, "ks", 0.02, 0.4, 0.05, distribution=dist)


def test_a_two_hundred_column_report_stays_small():
    edges = [f"{e:.4g}" for e in np.linspace(-2.466, 2.221, 19)]
    histogram = (f"< {edges[0]}", *(f"{a} to {b}" for a, b in itertools.pairwise(edges)))
    histogram += (f">= {edges[-1]}",)
    categories = tuple(f"Merchant category with a rather long name {i}" for i in range(100))
    columns = [
        _column(f"customer_feature_number_{i}", "numerical", histogram) for i in range(150)
    ] + [_column(f"merchantCategory{i}", "categorical", categories) for i in range(50)]
    result = DriftResult("feature", {c.column: c for c in columns})
    page = render_report(DriftReport(feature_drift=result))
    assert page.count('<svg class="chart"') == 200
    assert len(page.encode("utf-8")) < 1_300_000  # about 5 KB a column, 1.1 MB measured
