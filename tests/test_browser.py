"""The browser the report tests rely on sees what a user sees: overflow and cut text."""

from __future__ import annotations

from pathlib import Path

from tests.browser import browser, clipped_text, open_report, overflowing, screenshot

__all__ = ["browser"]


def test_a_page_wider_than_the_window_is_seen_and_a_scroller_is_not(browser, tmp_path: Path):
    page_file = tmp_path / "page.html"
    page_file.write_text(
        "<!doctype html><body style='margin:0'>"
        "<div id='wide' style='width:900px'>too wide</div>"
        "<div style='overflow-x:auto'><table style='width:1200px'><tr><td>scrolls</td></tr>"
        "</table></div>"
        "<div style='width:60px;overflow:hidden;white-space:nowrap'>a long label cut short</div>"
        "</body>",
        encoding="utf-8",
    )
    page = open_report(browser, page_file, width=700)
    try:
        assert overflowing(page) == ["div: right edge 900 px"]
        assert clipped_text(page) == ["div: a long label cut short"]
        shot = screenshot(page, "browser-self-test")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert page.script_errors == []
    finally:
        page.close()
