"""Hypothesis throws hostile payloads at the logging calls, in a child interpreter.

The run itself is :mod:`tests.monitor.fuzz_logging_child` (what is drawn and what is
checked is described there); a crash of the child (a segfault in a C library) fails the
test with the child's exit code and faulthandler's traceback instead of killing pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("mode", "examples"), [("single", 120), ("batch", 60)])
def test_hostile_payloads_never_crash_raise_or_lose_a_record(tmp_path, mode, examples):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.monitor.fuzz_logging_child",
            str(tmp_path / "home"),
            mode,
            str(examples),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=900,
    )
    assert proc.returncode == 0, (
        f"the fuzz child failed (exit code {proc.returncode}):\n"
        f"{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    )
    assert "verified" in proc.stdout
