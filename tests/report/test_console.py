"""The terminal table and summary line."""

from __future__ import annotations

from rich.console import Console

from driftscope.drift.formatting import summary_line
from driftscope.report.console import drift_table, print_result


def _render(result) -> str:
    console = Console(width=120, color_system=None)
    with console.capture() as cap:
        print_result(result, console)
    return cap.get()


def test_table_lists_drifted_first(churn_report):
    text = _render(churn_report.feature_drift)
    assert text.index("monthly_charges") < text.index("tenure_months")
    assert text.count("DRIFT") == 2
    assert "skipped comment: text column: not checked" in text


def test_drifted_rows_are_highlighted(churn_report):
    table = drift_table(churn_report.feature_drift)
    styles = [row.style for row in table.rows]
    assert styles[:2] == ["bold red", "bold red"] and styles[2] is None


def test_column_names_are_not_markup(result, column):
    text = _render(result([column("[bold]x[/bold]")]))
    assert "[bold]x[/bold]" in text


def test_summary_line_variants(result, column):
    assert summary_line(result([])).startswith("No features were checked.")
    assert summary_line(result([column("a")])).startswith("No drift detected in 1 feature.")
    many = [column(f"c{i}", drifted=True) for i in range(10)]
    assert "and 2 more" in summary_line(result(many))
