"""The HTML report: content, order, escaping, self-containment and size."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from driftscope.drift.html import render_report
from driftscope.drift.html.svg import MAX_BARS, MAX_CATEGORIES, compact, distribution_chart
from driftscope.drift.results import Distribution, DriftReport


class _Collector(HTMLParser):
    """Collects tags and attributes, and fails on nothing: a well-formedness smoke test."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text.append(data)


def _parse(page: str) -> _Collector:
    parser = _Collector()
    parser.feed(page)
    parser.close()
    return parser


def test_page_has_title_verdict_prediction_table_and_notes(churn_report):
    page = render_report(churn_report)
    assert page.startswith("<!doctype html>")
    assert "<title>Churn check</title>" in page
    assert "Drift detected" in page
    assert "2 of 5 features drifted (40%)" in page
    assert "Prediction drift" in page and "churn_probability" in page
    assert "data that moved (the Kolmogorov–Smirnov distance" in page  # the score is explained
    assert "comment</code> skipped: text column: not checked" in page
    assert "3 infinite values" in page
    assert "Benjamini–Hochberg" in page
    assert "1,000 reference rows · 800 current rows" in page


def test_rows_are_drifted_first_then_by_score(churn_report):
    page = render_report(churn_report)
    table = page[page.index('<table id="features"') :]
    names = re.findall(r'<tr class="(?:drift|ok)" data-name="([^"]+)"', table)
    assert names == ["monthly_charges", "contract", "data_usage_gb", "region", "tenure_months"]
    assert table.count('<tr class="drift"') == 2


def test_cells_show_method_rule_p_values_and_counts(churn_report):
    page = render_report(churn_report)
    assert "p &lt; 0.05" in page  # the rule of a p-value test
    assert "1.0e-40" in page and "adjusted 3.0e-40" in page
    assert "&lt; 1e-300" in page  # a p-value that underflowed to 0
    assert "psi 0.25 ≥ 0.1" in page  # the effect-size gate beside the test
    assert "120 / 95" in page  # missing reference / current
    assert "0 / 2" in page  # infinite reference / current


def test_no_drift_page(result, column):
    report = DriftReport(feature_drift=result([column("a"), column("b")]))
    page = render_report(report)
    assert "No drift detected" in page and "None of the 2 features drifted." in page
    assert 'class="verdict ok"' in page


def test_empty_report_renders():
    page = render_report(DriftReport())
    assert "The report holds no drift result." in page
    _parse(page)


def test_user_strings_are_escaped(result, column):
    evil = '<script>alert("x")</script>'
    col = column(evil, kind="categorical", notes=(evil,))
    labels = (evil, "b&c")
    col = col.__class__(
        **{**col.__dict__, "distribution": Distribution(labels, (0.5, 0.5), (0.4, 0.6))}
    )
    report = DriftReport(feature_drift=result([col], skipped={evil: evil}), title=f"report {evil}")
    page = render_report(report)
    assert evil not in page
    assert "&lt;script&gt;" in page
    parsed = _parse(page)
    assert parsed.tags.count("script") == 1  # only the page's own sorting script
    assert "alert" not in "".join(parsed.script_text)


def test_page_is_self_contained(churn_report):
    page = render_report(churn_report)
    assert "http://" not in page and "https://" not in page
    assert "src=" not in page and "@import" not in page and "url(" not in page
    assert "<link" not in page
    attrs = _parse(page).attrs
    assert not [a for a in attrs if a[0] in {"src", "href"}]


def test_fifty_column_report_is_small(result, column):
    cols = [
        column(f"feature_{i:02d}", drifted=i % 7 == 0, score=i / 100, bins=40) for i in range(25)
    ] + [column(f"category_{i:02d}", kind="categorical", bins=200, score=0.01) for i in range(25)]
    page = render_report(DriftReport(feature_drift=result(cols), prediction_drift=result(cols[:1])))
    assert len(page.encode("utf-8")) < 300_000
    assert page.count("<svg") == 51


def test_charts_are_capped_to_twenty_bins_and_twelve_categories(column):
    wide = column("wide", bins=500).distribution
    assert distribution_chart(wide).count("<title>") == 1 + MAX_BARS  # the chart's, each bar's
    svg = distribution_chart(
        column("cats", kind="categorical", bins=500).distribution, ordered=False
    )
    assert svg.count("<title>") == 1 + MAX_CATEGORIES
    assert "other (488 more)" in svg


def test_compact_keeps_shares_summing_to_one():
    n = 57
    dist = Distribution(
        tuple(str(i) for i in range(n)), (1 / n,) * n, tuple([2 / n] * 28 + [0] * 29)
    )
    for ordered in (True, False):
        small = compact(dist, ordered=ordered)
        assert len(small.labels) <= MAX_BARS
        assert abs(sum(small.reference) - 1) < 1e-9
        assert abs(sum(small.current) - sum(dist.current)) < 1e-9


def test_chart_handles_non_finite_and_zero_shares():
    svg = distribution_chart(Distribution(("a", "b"), (0.0, 0.0), (float("nan"), 0.0)))
    assert svg.startswith("<svg") and "nan" not in svg.lower()


def test_print_styles_present(churn_report):
    page = render_report(churn_report)
    assert "@media print" in page and "print-color-adjust" in page


def test_save_html_writes_the_page(tmp_path, churn_report):
    path = churn_report.save_html(str(tmp_path / "r.html"))
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == render_report(churn_report)
    assert path.endswith("r.html")
