"""The README's commands and the docs' examples stay true."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    first_two = _bash_blocks(readme)[:2]
    test_command = [ln for ln in first_two[1].splitlines() if ln and not ln.startswith("#")]
    assert len(test_command) == 1
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command[0] in ci


def test_readme_starts_with_the_demo_command():
    readme = (ROOT / "README.md").read_text()
    assert "driftscope demo" in _bash_blocks(readme)[0]


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)


@pytest.mark.parametrize(
    "doc",
    [
        "quickstart.md",
        "methods.md",
        "json.md",
        "streaming.md",
        "monitoring.md",
        "health.md",
        "roles.md",
        "response.md",
        "channels.md",
        "outbox.md",
        "alerting.md",
        "scheduling.md",
    ],
)
def test_doc_examples_run_as_written(doc, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = _python_blocks(ROOT / "docs" / doc)
    assert blocks, f"{doc} has no python example"
    namespace: dict = {"__name__": "__docs__"}
    for block in blocks:
        exec(compile(block, f"docs/{doc}", "exec"), namespace)
    if doc == "quickstart.md":
        _run_shell_lines(ROOT / "docs" / doc)


def _run_shell_lines(path: Path) -> None:
    """Each ``driftscope`` line of the page's shell blocks, run in the current folder as
    written; ``--fail-on-drift`` lines must exit 1 (the quick start's data drifts), the others 0."""
    lines = [
        line.strip()
        for block in _bash_blocks(path.read_text())
        for line in block.splitlines()
        if line.strip().startswith("driftscope ")
    ]
    assert lines, f"{path.name} has no driftscope command"
    for line in lines:
        argv = [sys.executable, "-m", "driftscope", *shlex.split(line)[1:]]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        expected = 1 if "--fail-on-drift" in line else 0
        assert done.returncode == expected, f"{line!r} exited {done.returncode}: {done.stderr}"
