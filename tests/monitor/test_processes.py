"""Interpreter exit flushes; forked children log with their own thread and ids."""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys
import textwrap

import pytest

from tests.monitor.conftest import real_store

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def test_interpreter_exit_flushes_an_unclosed_monitor(tmp_path):
    home = tmp_path / "home"
    script = textwrap.dedent(
        f"""
        from driftscope.monitor import ModelMonitor
        monitor = ModelMonitor("exit", store={str(home)!r}, flush_interval=60)
        for i in range(500):
            monitor.log_prediction({{"x": float(i)}}, 0.5)
        # no close(), no flush(): the atexit hook must write the 500 records
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, env=_env(), timeout=60)
    store = real_store(home)
    try:
        assert store.count_predictions("exit") == 500
    finally:
        store.close()


def _child_logs(home: str, tag: str) -> None:
    from driftscope.monitor.monitor import ModelMonitor

    monitor = ModelMonitor("forked", store=home, flush_interval=60)
    for i in range(100):
        monitor.log_prediction({"x": float(i), "who": tag}, 0.5)
    # ends without close: multiprocessing's exit (os._exit) must still flush


@needs_fork
def test_forked_children_log_with_their_own_thread_and_ids(tmp_path, make_monitor):
    home = str(tmp_path / "home")
    parent = make_monitor("forked", store=home, flush_interval=0.05)
    parent_ids = [parent.log_prediction({"x": float(i), "who": "parent"}, 0.5) for i in range(50)]
    parent.flush()
    pid = os.fork()
    if pid == 0:  # the child inherits the parent's monitor: it must work here too
        code = 1
        try:
            for i in range(30):
                parent.log_prediction({"x": float(i), "who": "child"}, 0.5)
            parent.flush(timeout=30)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    ctx = mp.get_context("fork")
    proc = ctx.Process(target=_child_logs, args=(home, "mp-child"))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    parent_ids += [parent.log_prediction({"x": 1.0, "who": "parent"}, 0.5) for _ in range(5)]
    df = parent.get_recent_predictions()
    counts = df["who"].value_counts().to_dict()
    assert counts == {"parent": 55, "child": 30, "mp-child": 100}
    assert df["prediction_id"].is_unique
    assert set(parent_ids) <= set(df["prediction_id"])


@pytest.mark.parametrize("seed", [1, 2])
def test_kill_9_after_flush_loses_nothing_flushed(tmp_path, seed):
    """A serving process logs, flushes, keeps logging, and is killed with SIGKILL at a random
    moment: every prediction logged before a flush that returned is in the store."""
    import random
    import signal
    import time

    home = tmp_path / "home"
    script = textwrap.dedent(
        f"""
        import sys
        from driftscope.monitor import ModelMonitor
        monitor = ModelMonitor("killed", store={str(home)!r}, flush_interval=0.01)
        i = 0
        while True:
            for _ in range(200):
                monitor.log_prediction({{"x": float(i)}}, 0.5, prediction_id=f"id{{i}}")
                i += 1
            monitor.flush()
            print(i, flush=True)  # every id below i is durable
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], env=_env(), stdout=subprocess.PIPE, text=True
    )
    flushed = 0
    deadline = time.monotonic() + random.Random(seed).uniform(1.0, 2.5)
    try:
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            flushed = int(line)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        # lines already printed but not yet read are durable too
        flushed = max([flushed, *(int(x) for x in proc.stdout.read().split())])
    finally:
        proc.kill()
        proc.stdout.close()
    assert flushed > 0
    store = real_store(home)
    try:
        ids = set(store.read_predictions("killed")["prediction_id"])
    finally:
        store.close()
    assert {f"id{i}" for i in range(flushed)} <= ids
