"""Hypothesis throws hostile payloads at the logging calls, in a child interpreter, on both
stores.

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

from tests.store.conftest import PG_URL
from tests.store.conftest import pg_schema as pg_schema  # the fixture

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("store", "mode", "examples"),
    [
        ("embedded", "single", 120),
        ("embedded", "batch", 60),
        ("postgres", "single", 80),
        ("postgres", "batch", 40),
    ],
)
def test_hostile_payloads_never_crash_raise_or_lose_a_record(
    request, tmp_path, store, mode, examples
):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    where = [str(tmp_path / "home")]
    if store == "postgres":
        where = [PG_URL, request.getfixturevalue("pg_schema")]
    child = [sys.executable, "-m", "tests.monitor.fuzz_logging_child", where[0], mode]
    proc = subprocess.run(
        [*child, str(examples), *where[1:]],
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
