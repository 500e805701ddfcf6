"""``driftscope report MODEL --output FILE``: one self-contained HTML health report."""

from __future__ import annotations

import re

import pytest

from tests.stored_history import HOSTILE, MODEL, write_history


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return write_history(tmp_path_factory.mktemp("report") / "store")


def test_writes_a_self_contained_page(run, store, tmp_path):
    out = tmp_path / "health.html"
    result = run("report", MODEL, "--store", store, "--output", out)
    assert result.exit_code == 0, result.output
    assert f"Health report written to {out}" in result.stdout
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched
    assert "<script" not in page.replace("&lt;script", "")  # the hostile name is escaped
    assert HOSTILE not in page
    assert page.count('<svg class="chart"') == 2  # accuracy and the data drift score
    assert "Model health: churn" in page and "2025-06-01 00:00 to 2025-06-11 00:00" in page


def test_period(run, store, tmp_path):
    out = tmp_path / "week.html"
    result = run("report", MODEL, "--store", store, "-o", out, "--since", "2025-06-04",
                 "--until", "2025-06-08")  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "2025-06-04 00:00 to 2025-06-08 00:00" in page
    assert "Jun 03" not in page and "Jun 08" not in page


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["nope"], ["no model 'nope'"]),
        ([MODEL, "--since", "2025-06-05", "--until", "2025-06-05"], ["--until", "after"]),
        ([MODEL, "--since", "2030-01-01"], ["no stored result", "2025-06-01 00:00"]),
    ],
)
def test_bad_input_is_one_line(run, store, tmp_path, one_line_error, args, fragments):
    out = tmp_path / "health.html"
    one_line_error(run("report", *args, "--store", store, "--output", out), *fragments)
    assert not out.exists()


def test_missing_store_or_output_folder(run, store, tmp_path, one_line_error):
    missing = tmp_path / "no-store"
    one_line_error(
        run("report", MODEL, "--store", missing, "-o", tmp_path / "h.html"), "does not exist"
    )
    assert not missing.exists()
    one_line_error(
        run("report", MODEL, "--store", store, "-o", tmp_path / "no" / "h.html"), "--output"
    )
