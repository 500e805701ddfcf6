"""A real headless Chromium for the tests that look at HTML reports as a user would.

Reports are opened in Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``)
through Playwright, at a given window width; a test then asks the page what a user would
see (does anything run off the window? is a label cut?) and keeps a screenshot under
``tests/.screenshots/`` to look at. Without Chromium the tests are skipped on a developer's
machine and fail in CI (``CI`` set), so a missing browser is never silently green.

>>> Path(CHROMIUM).name
'chromium'
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / ".screenshots"

# Chromium's flags for a closed network, as root: no sandbox, no background connections.
_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Elements whose right edge passes the window, outside any box that scrolls sideways on
# purpose (a wide table inside an ``overflow-x: auto`` wrapper is fine: it scrolls).
_OVERFLOWING = """
() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if ((x === 'auto' || x === 'scroll') && p !== document.documentElement
          && p !== document.body) return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1 && !scrolls(el)) {
      out.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
               + ': right edge ' + Math.round(box.right) + ' px');
    }
  }
  return out;
}
"""

# Text cut by its box: an element that clips its own content (``overflow: hidden`` or an
# ellipsis) while the content is wider than the box.
_CLIPPED_TEXT = """
() => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    const clips = style.overflowX === 'hidden' || style.textOverflow === 'ellipsis';
    if (clips && el.scrollWidth > el.clientWidth + 1 && el.textContent.trim()) {
      out.push(el.tagName.toLowerCase() + ': ' + el.textContent.trim().slice(0, 40));
    }
  }
  return out;
}
"""


# One per test module, not per session: Playwright's sync API keeps an event loop running
# while it is open, which would break later tests that call asyncio.run(), and two modules
# importing this fixture would start it twice at once.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium shared by a module's tests (skipped, or failed in CI, without)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is not installed at {CHROMIUM} (.ci/run installs it)")
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_report(browser: Any, path: Path, width: int = 700, height: int = 900) -> Any:
    """A page of ``browser`` showing the HTML file ``path`` in a window ``width`` px wide."""
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(Path(path).resolve().as_uri())
    page.wait_for_load_state("load")
    page.script_errors = errors  # what the page's own script threw, for the test to check
    return page


def overflowing(page: Any) -> list[str]:
    """Elements that run off the right edge of the window (outside sideways scrollers)."""
    return list(page.evaluate(_OVERFLOWING))


def clipped_text(page: Any) -> list[str]:
    """Elements whose text is cut by their own box."""
    return list(page.evaluate(_CLIPPED_TEXT))


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as ``tests/.screenshots/<name>.png`` and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
