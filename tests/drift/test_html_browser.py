"""The HTML drift report as a user sees it, in a real headless Chromium at 700 and 1280 px.

One report from a real detector run holds every kind of column a user brings: numbers,
dates, booleans, few and many categories with long names, a column with missing values and
infinities, long snake_case and camelCase column names, and prediction drift. Screenshots go
to ``tests/.screenshots/html-report-<width>.png``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import driftscope as ds
from driftscope.drift.html.names import name_parts
from tests.browser import browser, clipped_text, open_report, overflowing, screenshot

__all__ = ["browser"]

LONG = "customer_lifetime_value_in_euros_last_12_months"
CAMEL = "numberOfSupportTicketsOpenedLastQuarterByCustomer"
HASH = "hash_" + "0123456789abcdef" * 3  # a part with no boundary, longer than any line
MERCHANTS = [f"Merchant category with a rather long name, number {i}" for i in range(30)]
WIDTHS = (700, 1280)


def _frame(rng: np.random.Generator, n: int, shift: float) -> pd.DataFrame:
    values = rng.normal(0, 1, n)
    values[rng.random(n) < 0.05 + 0.1 * shift] = np.nan
    values[rng.random(n) < 0.02 * shift] = np.inf
    return pd.DataFrame(
        {
            "age": rng.normal(40 + 4 * shift, 12, n),
            LONG: rng.lognormal(8 + shift, 1, n),
            CAMEL: rng.poisson(2 + shift, n),
            "plan": rng.choice(
                ["basic", "plus", "pro"], n, p=[0.5 - 0.1 * shift, 0.3, 0.2 + 0.1 * shift]
            ),
            "merchant": rng.choice(MERCHANTS, n),
            "is_member": rng.random(n) < 0.3 + 0.1 * shift,
            "signup_time": pd.Timestamp("2024-01-01", tz="UTC")
            + pd.to_timedelta(rng.uniform(0, 300 + 60 * shift, n), unit="D"),
            "with_gaps": values,
            HASH: rng.normal(0, 1, n),
        }
    )


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    rng = np.random.default_rng(7)
    detector = ds.DriftDetector(baseline_data=_frame(rng, 2000, 0.0))
    features = detector.detect_feature_drift(production_data=_frame(rng, 2000, 1.0))
    predictions = detector.detect_prediction_drift(
        production_predictions=rng.beta(2, 4, 2000), baseline_predictions=rng.beta(2, 5, 2000)
    )
    path = tmp_path_factory.mktemp("report") / "report.html"
    detector.generate_report(feature_drift=features, prediction_drift=predictions).save_html(path)
    return path


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(request, browser, report_file):
    page = open_report(browser, report_file, width=request.param)
    screenshot(page, f"html-report-{request.param}")
    yield page
    page.close()


def test_nothing_runs_off_the_window_or_is_cut(page):
    assert overflowing(page) == []
    assert clipped_text(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert page.script_errors == []


def test_the_feature_table_scrolls_inside_its_own_box(page):
    scroller = page.evaluate(
        "getComputedStyle(document.getElementById('features').parentElement).overflowX"
    )
    assert scroller == "auto"


# Each chart: its title, its share ticks, its x ticks or category names, its legend, and
# every text inside the chart's box (a label half outside the SVG is cut by the SVG).
_CHARTS = """
() => Array.from(document.querySelectorAll('svg.chart')).map((svg) => {
  const box = svg.getBoundingClientRect();
  const texts = Array.from(svg.querySelectorAll('text'));
  const outside = texts.filter((t) => {
    const r = t.getBoundingClientRect();
    return r.left < box.left - 1 || r.right > box.right + 1
        || r.top < box.top - 1 || r.bottom > box.bottom + 1;
  }).map((t) => t.textContent);
  const rects = (sel) => Array.from(svg.querySelectorAll(sel)).map((t) => {
    const r = t.getBoundingClientRect(); return [r.left, r.right, t.textContent];
  });
  return {
    title: svg.querySelector(':scope > title')?.textContent || '',
    y: Array.from(svg.querySelectorAll('.y text')).map((t) => t.textContent),
    x: rects('.x text'),
    legend: Array.from(svg.querySelectorAll('.legend text')).map((t) => t.textContent),
    outside: outside,
    width: box.width,
  };
})
"""


def test_every_chart_has_axes_ticks_a_legend_and_nothing_cut(page):
    charts = page.evaluate(_CHARTS)
    assert len(charts) == 10  # nine features and the prediction
    for chart in charts:
        assert chart["title"].startswith("Distribution of "), chart
        assert chart["legend"] == ["reference", "current"], chart
        assert len(chart["x"]) >= 2, chart  # x ticks, or share ticks under category bars
        assert len(chart["y"]) >= 2, chart  # share ticks, or the category names
        assert chart["outside"] == [], chart
        xs = sorted(chart["x"])
        for (_, right, a), (left, _, b) in itertools.pairwise(xs):
            assert right <= left + 0.5, f"tick labels {a!r} and {b!r} overlap in {chart['title']}"
        assert chart["width"] >= 280  # readable, not a thumbnail


def test_vertical_charts_have_percentage_ticks(page):
    charts = {c["title"]: c for c in page.evaluate(_CHARTS)}
    age = charts["Distribution of age: reference versus current"]
    assert age["y"][0] == "0%" and all(t.endswith("%") for t in age["y"])
    dates = charts["Distribution of signup_time: reference versus current"]
    assert all(text[:4] == "2024" and text[4] == "-" for _, _, text in dates["x"])


def test_histogram_ticks_sit_on_the_bin_edges_they_name(page):
    """A tick labelled v lies where the bins' own labels put v (read from the tooltips)."""
    found = page.evaluate(
        """
        () => {
          const svg = Array.from(document.querySelectorAll('svg.chart')).find(
            (s) => s.querySelector('title').textContent.startsWith('Distribution of age:'));
          const bins = Array.from(svg.querySelectorAll('rect.hit')).map((r) => {
            const b = r.getBoundingClientRect();
            return [b.left, b.right, r.querySelector('title').textContent];
          });
          const ticks = Array.from(svg.querySelectorAll('.x text')).map((t) => {
            const b = t.getBoundingClientRect();
            return [(b.left + b.right) / 2, t.textContent];
          });
          return {bins, ticks};
        }
        """
    )
    edges = []  # (pixel, value) at each inner bin edge, from "a to b: reference …" tooltips
    for left, right, tip in found["bins"]:
        label = tip.split(":")[0]
        if " to " in label:
            low, high = (float(v) for v in label.split(" to "))
            edges += [(left, low), (right, high)]
    pixels, values = zip(*sorted(edges), strict=True)
    for centre, text in found["ticks"]:
        expected = np.interp(float(text), values, pixels)
        assert abs(centre - expected) < 2.0, (text, centre, expected)


def test_category_names_are_written_beside_their_bars(page):
    labels = page.evaluate(
        """
        () => {
          const svg = Array.from(document.querySelectorAll('svg.chart')).find(
            (s) => s.querySelector('title').textContent.startsWith('Distribution of merchant:'));
          return Array.from(svg.querySelectorAll('.y text')).map((t) =>
            Array.from(t.querySelectorAll('tspan')).map((s) => s.textContent).join(' '));
        }
        """
    )
    assert len(labels) == 13 and labels[-1] == "other (18 more)"
    numbers = set()
    for label in labels[:-1]:
        assert label.startswith("Merchant category"), label
        numbers.add(label.rsplit(" ", 1)[-1])  # the end of a long name is kept
    assert len(numbers) == 12


# Every character of the element's text with the top of the line it is drawn on.
_LINES = """
(el) => {
  const out = [];
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      out.push([node.data[i], rect ? Math.round(rect.top) : null]);
    }
  }
  return out;
}
"""


def _breaks(chars: list[list]) -> tuple[str, list[int]]:
    text = "".join(c for c, _ in chars)
    tops = [top for _, top in chars]
    return text, [i for i in range(1, len(tops)) if tops[i] is not None and tops[i] > tops[i - 1]]


def test_long_names_wrap_only_at_word_boundaries(page):
    """Lines of a name end at ``_`` or a case change; a part longer than 20 characters (no
    boundary at all) may also end every 20 characters."""
    width = page.viewport_size["width"]
    wrapped = 0
    for selector in ("td.name button", ".dist .cname", ".pred .cname"):
        for element in page.query_selector_all(selector):
            text, breaks = _breaks(element.evaluate(_LINES))
            boundaries, at = set(), 0
            for part in name_parts(text):
                boundaries.update(range(at + 20, at + len(part), 20))
                at += len(part)
                boundaries.add(at)
            assert set(breaks) <= boundaries, f"{text!r} broken mid-word at {breaks} ({width}px)"
            wrapped += bool(breaks)
    if width == 700:
        assert wrapped >= 3  # the long names did need wrapping in the table


def test_names_stay_inside_their_cells_and_in_view_when_the_table_scrolls(page):
    too_wide = page.evaluate(
        "Array.from(document.querySelectorAll('td.name')).filter("
        "(td) => td.scrollWidth > td.clientWidth + 1).map((td) => td.textContent)"
    )
    assert too_wide == []
    page.evaluate("(s) => { s.scrollLeft = s.scrollWidth; }", page.query_selector(".scroll"))
    boxes = page.evaluate(
        "() => { const s = document.querySelector('.scroll').getBoundingClientRect();"
        " const n = document.querySelector('td.name').getBoundingClientRect();"
        " return [s.left, n.left, n.right, s.right]; }"
    )
    page.evaluate("(s) => { s.scrollLeft = 0; }", page.query_selector(".scroll"))
    scroller_left, name_left, name_right, scroller_right = boxes
    assert scroller_left <= name_left and name_right <= scroller_right  # the name sticks


def test_sorting_filtering_and_the_jump_to_a_chart_work(page):
    page.fill("#q", "merchant")
    visible = page.evaluate(
        "Array.from(document.querySelectorAll('#features tbody tr, .dist'))"
        ".filter((el) => !el.hidden).map((el) => el.dataset.name)"
    )
    assert visible == ["merchant", "merchant"]
    page.fill("#q", "")
    page.click("th[data-k=score] button")
    scores = page.evaluate(
        "Array.from(document.querySelectorAll('#features tbody tr')).map((r) => +r.dataset.score)"
    )
    assert scores == sorted(scores)
    page.click("td.name button >> nth=0")
    target = page.evaluate("document.querySelector('td.name button').dataset.go")
    box = page.evaluate(f"document.getElementById('{target}').getBoundingClientRect().toJSON()")
    assert box["top"] >= -1 and box["bottom"] <= page.viewport_size["height"] + 1  # in view
    assert page.evaluate("document.activeElement.id") == target  # and has the focus
    assert page.script_errors == []
