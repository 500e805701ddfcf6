"""A quick start: ``import driftscope`` and ``driftscope --help`` load no heavy dependency.

Import time is checked by what gets loaded, not by a clock (machines are shared and noisy):
SciPy's statistics, Numba and DuckDB cost seconds between them, so they are loaded where a
check, a compiled loop or a store first needs them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("scipy", "numba", "duckdb", "psycopg")

LOADED = (
    "import json, sys; {code}; print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))"
)


def _loaded(code: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", LOADED.format(code=code, heavy=(*HEAVY, "pandas"))],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_bare_import_loads_nothing_heavy():
    assert _loaded("import driftscope") == []


def test_a_public_name_is_there_when_used():
    assert "scipy" in _loaded("import driftscope as ds; ds.KSTest")


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["drift", "--help"],
        ["check", "--help"],
        ["history", "--help"],
        ["report", "--help"],
        ["demo", "--help"],
        ["drift"],
        ["nope"],
    ],
)
def test_help_and_usage_errors_load_no_statistics_store_or_pandas(argv):
    code = (
        f"import contextlib, io, sys; sys.argv = ['driftscope', *{argv!r}]; "
        "from driftscope.cli import main\n"
        "out, err = io.StringIO(), io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):\n"
        "    try:\n        main()\n    except SystemExit:\n        pass"
    )
    assert _loaded("exec(" + repr(code) + ")") == []


def test_every_public_name_resolves():
    import driftscope

    missing = [name for name in driftscope.__all__ if not hasattr(driftscope, name)]
    assert not missing
    assert set(driftscope.__all__) <= set(dir(driftscope))
