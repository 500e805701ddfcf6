"""The embedded store across processes: SIGKILL at random moments, concurrent writers."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from driftscope.store.embedded import EmbeddedStore
from tests.store.batches import prediction_batch
from tests.store.embedded_worker import MODEL

ROOT = Path(__file__).resolve().parents[2]
ROWS = 30


def _worker(*args: object) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store.embedded_worker", *map(str, args)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _ids_by_batch(store: EmbeddedStore) -> dict[str, int]:
    df = store.read_predictions(MODEL)
    assert df["prediction_id"].is_unique
    counts: dict[str, int] = {}
    for pid in df["prediction_id"]:
        batch = pid.rsplit("-", 1)[0]
        counts[batch] = counts.get(batch, 0) + 1
    return counts


def _catalog_matches_disk(home: Path) -> None:
    store = EmbeddedStore(home)
    try:
        segs = store._catalog.segments(None, tiers=("hot", "archive"))
        for seg in segs:
            assert (home / seg.path).is_file(), seg.path
        assert store._catalog.trash() == []
    finally:
        store.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_loses_no_returned_write_and_shows_no_partial_batch(tmp_path, seed):
    rng = random.Random(seed)
    home = tmp_path / "home"
    reported: set[str] = set()
    for round_ in range(2):
        prefix = f"s{seed}r{round_}b"
        # a low compaction threshold: kills also land in the middle of compactions
        proc = _worker("write", home, prefix, 200, ROWS, 3)
        target = rng.randint(1, 6)
        seen = 0
        assert proc.stdout is not None
        while seen < target:
            line = proc.stdout.readline()
            assert line, f"writer died early: {proc.stderr.read() if proc.stderr else ''}"
            reported.add(f"{prefix}{line.split()[1]}")
            seen += 1
        threading.Event().wait(rng.random() * 0.05)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        reported.update(f"{prefix}{line.split()[1]}" for line in out.splitlines())
        assert proc.returncode == -signal.SIGKILL

        with EmbeddedStore(home, auto_compact=False) as store:
            counts = _ids_by_batch(store)
            for batch in reported:  # every batch whose write returned is complete
                assert counts.get(batch) == ROWS, batch
            for batch, n in counts.items():  # and no batch is half there
                assert n == ROWS, batch
            labelled = store.read_predictions(MODEL).set_index("prediction_id")["label"]
            for batch in reported:  # the labels written after each batch are there too
                assert labelled.loc[f"{batch}-0"] == int(batch.rsplit("b", 1)[1]) % 2
                assert labelled.loc[f"{batch}-1"] == 1
            assert store.count_predictions(MODEL) == sum(counts.values())
    _catalog_matches_disk(home)


def test_concurrent_processes_write_and_compact_without_loss(tmp_path):
    home = tmp_path / "home"  # a new home: the processes also race to create the catalog
    batches, writers = 12, 4
    procs = [_worker("write", home, f"w{i}b", batches, ROWS, 4) for i in range(writers)]
    procs.append(_worker("compact", home, 40))
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with EmbeddedStore(home) as store:
        df = store.read_predictions(MODEL)
        assert len(df) == writers * batches * ROWS
        assert df["prediction_id"].is_unique
        assert df["label"].notna().sum() == writers * batches * 2
        assert store.count_predictions(MODEL) == len(df)
        store.compact()
        assert len(store.read_predictions(MODEL)) == len(df)
        on_disk = {p.relative_to(home).as_posix() for p in home.glob("segments/**/*.parquet")}
        listed = {s.path for s in store._catalog.segments(None)}
        assert on_disk == listed
    _catalog_matches_disk(home)


def test_a_store_inherited_by_a_forked_child_keeps_working_in_both(tmp_path):
    store = EmbeddedStore(tmp_path / "home", auto_compact=False)
    store.write_predictions(MODEL, prediction_batch(5, id_prefix="parent-a"))
    assert len(store.read_predictions(MODEL)) == 5
    pid = os.fork()
    if pid == 0:  # the child: write through the inherited object, leave without cleanup
        code = 1
        try:
            store.write_predictions(MODEL, prediction_batch(5, id_prefix="child"))
            code = 0 if len(store.read_predictions(MODEL)) == 10 else 2
            store.close()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    store.write_predictions(MODEL, prediction_batch(5, id_prefix="parent-b"))
    assert len(store.read_predictions(MODEL)) == 15
    store.close()
