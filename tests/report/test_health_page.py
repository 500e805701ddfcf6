"""The health report page: charts with axes, thresholds, bands and gaps; the drift heatmap;
the latest drift detail; escaping; and how it looks in a real browser at 700 and 1280 px."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from driftscope.core.checks import CheckRecord
from driftscope.report.health_page import read_history, render_health_page, summarize
from driftscope.report.health_page.charts import ChartPoint, bad_side, line_chart, nice_ticks
from driftscope.report.health_page.heatmap import drift_heatmap
from driftscope.store import open_store
from tests.browser import browser, clipped_text, open_report, overflowing, screenshot
from tests.stored_history import HOSTILE, LONG, MODEL, history_records, write_history

__all__ = ["browser"]

T0 = datetime(2025, 6, 1, tzinfo=UTC)


def points_frame(records: list[CheckRecord]) -> pd.DataFrame:
    return pd.DataFrame([r.__dict__ for r in records])


def chart_points(values, threshold=0.2, statuses=None):
    statuses = statuses or ["ok"] * len(values)
    return [
        ChartPoint(T0 + timedelta(days=i), v, threshold, s)
        for i, (v, s) in enumerate(zip(values, statuses, strict=True))
    ]


@pytest.mark.parametrize(("low", "high"), [(0.027, 0.244), (0.7, 0.83), (612, 709), (0, 0),
                                           (-1.5, 2.5), (0.99, 0.9995), (1e-5, 3e-4)])  # fmt: skip
def test_nice_ticks_cover_the_range_with_round_steps(low, high):
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high and 3 <= len(ticks) <= 9
    steps = {round(b - a, 12) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    mantissa = f"{steps.pop():e}".split("e")[0]
    assert mantissa in {"1.000000", "2.000000", "2.500000", "5.000000"}


def test_bad_side_follows_the_statuses():
    assert bad_side(chart_points([0.1, 0.3], statuses=["ok", "critical"])) == "above"
    assert bad_side(chart_points([0.9, 0.8], 0.85, ["ok", "warning"])) == "below"
    # a warning on the near side (a significant test under the threshold) decides nothing
    assert bad_side(chart_points([0.05, 0.08], 0.2, ["ok", "warning"])) is None
    assert bad_side(chart_points([0.05, 0.3, 0.08], 0.2, ["ok", "critical", "warning"])) == "above"
    assert bad_side(chart_points([0.5], None)) is None


def test_a_missing_value_is_a_gap_not_zero():
    svg = line_chart(chart_points([0.1, 0.15, None, 0.12], statuses=["ok", "ok", "unknown", "ok"]),
                     "score")  # fmt: skip
    assert svg.count('class="line"') == 2  # the line breaks at the gap
    assert svg.count('class="pt ') == 3 and "not computed" in svg
    assert "2025-06-03 00:00: 0 (" not in svg


def test_chart_has_axes_threshold_and_band():
    svg = line_chart(chart_points([0.05, 0.1, 0.3], statuses=["ok", "ok", "critical"]), "score")
    texts = re.findall(r'<text class="tick"[^>]*>([^<]+)</text>', svg)
    assert {"Jun 01", "Jun 03"} <= set(texts) and "0.3" in texts
    assert 'class="limit"' in svg and 'class="band"' in svg and 'class="pt critical"' in svg


def test_heatmap_orders_drifted_features_first_and_escapes():
    html = drift_heatmap(points_frame(history_records()))
    names = re.findall(r'<th scope="row" class="feat">(.*?)</th>', html)
    assert names[0] == "age"
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("●") == 3  # age drifted on days 7, 8 and 9


def test_summary_is_worst_first_and_counts():
    series = summarize(points_frame(history_records()))
    assert [(s.check, s.metric) for s in series][:2] == [("performance", "accuracy"),
                                                        ("drift", "data_drift_score")]  # fmt: skip
    accuracy = series[0]
    assert (accuracy.worst, accuracy.warnings, accuracy.criticals) == ("critical", 1, 2)
    assert accuracy.values[4] is None and accuracy.worst_window == T0 + timedelta(days=8)


def test_page_escapes_every_string():
    records = [
        CheckRecord(
            HOSTILE,
            "drift",
            T0,
            T0 + timedelta(days=1),
            f"x:{HOSTILE}",
            0.3,
            0.2,
            "critical",
            baseline_version=HOSTILE,
        )
    ]
    page = render_health_page(points_frame(records), HOSTILE)
    assert HOSTILE not in page and "<script" not in page


def test_read_history_never_returns_another_models_points(tmp_path):
    with open_store(tmp_path) as store:
        store.write_check_results(history_records() + history_records("other", days=3))
        points = read_history(store, "other")
    assert set(points["model"]) == {"other"} and len(points) == 9


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The hand-made history, and a long one: 90 daily windows with many features."""
    root = tmp_path_factory.mktemp("pages")
    out = {}
    with open_store(write_history(root / "store")) as store:
        points = read_history(store, MODEL)
    out["short"] = root / "short.html"
    out["short"].write_text(render_health_page(points, MODEL), encoding="utf-8")
    long = []
    for i in range(90):
        start, end = T0 + timedelta(days=i), T0 + timedelta(days=i + 1)
        features = {f"feature_{k:02d}_{LONG[: 10 + k]}": {"score": (i * k % 37) / 100,
                    "drifted": (i * k) % 37 > 25} for k in range(15)}  # fmt: skip
        long.append(CheckRecord(MODEL, "drift", start, end, "data_drift_score",
                                None if i % 17 == 5 else 0.01 * (i % 30), 0.2,
                                "unknown" if i % 17 == 5 else "critical" if i % 30 >= 20 else "ok",
                                details={"features": features}))  # fmt: skip
    out["long"] = root / "long.html"
    out["long"].write_text(render_health_page(points_frame(long), MODEL), encoding="utf-8")
    from rich.console import Console

    from driftscope.cli.demo import HEALTH_NAME, run_demo

    run_demo(root / "demo", console=Console(quiet=True), rows=1_000)
    out["demo"] = root / "demo" / HEALTH_NAME
    return out


@pytest.mark.parametrize("name", ["short", "long", "demo"])
@pytest.mark.parametrize("width", [700, 1280])
def test_in_a_browser(browser, pages, name, width):
    page = open_report(browser, pages[name], width=width)
    try:
        assert overflowing(page) == []
        assert clipped_text(page) == []
        assert page.script_errors == []
        charts = page.locator("svg.chart")
        assert charts.count() >= 1
        for i in range(charts.count()):
            ticks = charts.nth(i).locator("text.tick").all_text_contents()
            assert any(re.fullmatch(r"[A-Z][a-z]{2} \d\d", t) for t in ticks), ticks  # dates
            assert sum(bool(re.fullmatch(r"-?[\d.,]+", t)) for t in ticks) >= 3, ticks  # values
            box = charts.nth(i).bounding_box()
            assert box is not None and box["width"] >= 300  # readable, not squeezed
        assert page.locator("table.heatmap th.feat").count() >= 3
        screenshot(page, f"health-{name}-{width}")
    finally:
        page.close()
