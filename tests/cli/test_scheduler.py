"""``driftscope scheduler`` as real processes on one embedded store: every window runs
once with two schedulers at once and after a restart; a model whose baseline file is
corrupt keeps failing while another model's checks keep running; SIGTERM stops cleanly."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from driftscope.monitor import ModelMonitor
from driftscope.ops import claims
from driftscope.store import open_store

SPAN = 40  # seconds of predictions logged ahead, for one-second windows


@pytest.fixture
def receiver():
    from tests.alerts.receiver import Receiver

    with Receiver() as recording:
        yield recording


@pytest.fixture
def setup(tmp_path, receiver):
    """A store with two models logging one-second windows into the near future: 'good'
    (a readable baseline file) and 'bad' (a corrupt one)."""
    rng = np.random.default_rng(5)
    train = pd.DataFrame({"x": rng.normal(0, 1, 500), "prediction": rng.random(500)})
    train.to_parquet(tmp_path / "train.parquet")
    (tmp_path / "corrupt.parquet").write_bytes(b"PAR1 this is not a parquet file")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=3)
    stamps = [start + timedelta(seconds=i / 10) for i in range(SPAN * 10)]
    frame = pd.DataFrame({"x": rng.normal(0, 1, len(stamps))})
    with open_store(tmp_path / "store") as store:
        for model in ("good", "bad"):
            with ModelMonitor(model, store=store) as monitor:
                monitor.log_predictions(frame, rng.random(len(stamps)), timestamps=stamps)
    config = tmp_path / "monitor.yaml"
    config.write_text(
        textwrap.dedent(
            """
            store: ./store
            models:
              - name: good
                baseline: train.parquet
                window: 1s
                checks: [drift]
                schedule: {cron: "* * * * * *"}
                rules:
                  - {name: rows-seen, metric: rows, check: drift, threshold: 0}
              - name: bad
                baseline: corrupt.parquet
                window: 1s
                checks: [drift]
                schedule: {cron: "* * * * * *"}
            channels:
              hook: {kind: webhook, url: "RECEIVER/hook"}
            grouping: {group_wait: 0s}
            delivery: {tick: 1s}
            """
        ).replace("RECEIVER", receiver.url)
    )
    return tmp_path


def start(folder: Path, name: str) -> subprocess.Popen:
    log = open(folder / f"{name}.log", "w")  # noqa: SIM115  # closed by the process's end
    return subprocess.Popen(
        [sys.executable, "-m", "driftscope", "scheduler", "--config", str(folder / "monitor.yaml")],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )


def stop(process: subprocess.Popen, folder: Path, name: str) -> str:
    assert process.poll() is None, (folder / f"{name}.log").read_text()
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=30)
    text = (folder / f"{name}.log").read_text()
    assert code == 0, text
    return text


def spans(folder: Path, model: str) -> list[tuple[str | None, str, str]]:
    with open_store(folder / "store") as store:
        entries = store.read_audit(model=model, action="schedule.claimed")
    return [(e.details["since"], e.details["until"], e.actor) for e in entries]


def outcomes(folder: Path, model: str) -> list[str]:
    with open_store(folder / "store") as store:
        return [
            e.action
            for e in store.read_audit(model=model, action="schedule.")
            if e.action != "schedule.claimed"
        ]


def assert_each_window_once(found: list[tuple[str | None, str, str]]) -> None:
    """Claimed spans follow one another: each starts where the previous ended, none twice."""
    ends = [until for _, until, _ in found]
    assert len(ends) == len(set(ends)), found
    for (_, previous_end, _), (since, _, _) in itertools.pairwise(found):
        assert since == previous_end, found


def wait_for(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)


def test_two_schedulers_then_a_restart_run_each_window_once(setup, receiver):
    first, second = start(setup, "a"), start(setup, "b")
    try:
        wait_for(lambda: len(outcomes(setup, "good")) >= 6, timeout=40)
        wait_for(lambda: len(outcomes(setup, "bad")) >= 3, timeout=10)
    finally:
        logs = [stop(first, setup, "a"), stop(second, setup, "b")]
    before = spans(setup, "good")
    assert len(before) >= 6, logs
    assert_each_window_once(before)
    # the checks of every claimed span were stored, one point per one-second window
    with open_store(setup / "store") as store:
        points = store.read_check_results("good", check="drift", metric="rows")
        cursor = store.get_state(claims.CURSOR, "good")
    assert cursor.state == claims.DONE
    last = datetime.fromisoformat(cursor.body["until"])
    assert pd.Timestamp(points["window_end"].max()) == pd.Timestamp(last)
    assert points["window_start"].is_unique
    # the corrupt baseline fails at every run; the good model kept going meanwhile
    bad = outcomes(setup, "bad")
    assert bad and set(bad) == {"schedule.failed"}, bad
    assert set(outcomes(setup, "good")) == {"schedule.done"}
    assert any("model bad: failed: " in text for text in logs), logs
    # the rule fired once and its group was notified by a tick, once, whichever process
    receiver.wait_for(1, timeout=10)
    keys = [r.headers["idempotency-key"] for r in receiver.requests]
    assert len(keys) == len(set(keys)), keys
    first = receiver.requests[0].json()
    assert first["alerts"][0]["labels"]["alertname"] == "rows-seen"
    # a restart goes on after the last window run, never before
    again = start(setup, "c")
    try:
        wait_for(lambda: len(spans(setup, "good")) >= len(before) + 3, timeout=30)
    finally:
        stop(again, setup, "c")
    after = spans(setup, "good")
    assert len(after) >= len(before) + 3
    assert_each_window_once(after)
    assert {actor for _, _, actor in after[len(before) :]} != {actor for _, _, actor in before[-1:]}


def test_a_config_without_schedules_is_refused(tmp_path):
    (tmp_path / "monitor.yaml").write_text("models: [{name: churn}]\n")
    done = subprocess.run(
        [sys.executable, "-m", "driftscope", "scheduler", "--config", "monitor.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("driftscope: error: monitor.yaml: no model has a schedule")
