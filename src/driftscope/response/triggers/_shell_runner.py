"""The small process a :class:`~driftscope.response.triggers.shell.ShellTrigger` starts:
it runs the command, waits for it (killing it after the timeout) and writes its exit code
to ``exit.json`` in the job's folder, so any process can later tell how the run ended.

Usage: ``python path/to/_shell_runner.py FOLDER TIMEOUT -- ARGV...`` (``TIMEOUT``: seconds,
or ``-`` for none); run as a script, it imports nothing but the standard library. Its stdin,
stdout and stderr are the command's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

#: The exit code recorded for a command killed at its timeout (as coreutils' timeout).
TIMED_OUT = 124


def write_exit(folder: str, code: int, timed_out: bool) -> None:
    """Write ``exit.json`` atomically: a reader sees all of it or none."""
    facts = {
        "exit_code": code,
        "timed_out": timed_out,
        "finished_at": datetime.now(UTC).isoformat(),
    }
    path = os.path.join(folder, "exit.json")
    with open(path + ".tmp", "w") as out:
        json.dump(facts, out)
    os.replace(path + ".tmp", path)


def main(argv: list[str]) -> int:
    folder, limit, separator, *command = argv
    if separator != "--" or not command:
        print("usage: _shell_runner FOLDER TIMEOUT -- ARGV...", file=sys.stderr)
        return 2
    timeout = None if limit == "-" else float(limit)
    started = time.monotonic()
    try:
        child = subprocess.Popen(command, start_new_session=True)
    except OSError as exc:
        print(f"driftscope: cannot run {command[0]!r}: {exc.strerror or exc}", file=sys.stderr)
        write_exit(folder, 127, False)
        return 127
    try:
        code = child.wait(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        elapsed = time.monotonic() - started
        print(f"driftscope: command killed after {elapsed:.1f} s (timeout)", file=sys.stderr)
        code, timed_out = TIMED_OUT, True
    write_exit(folder, code, timed_out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
