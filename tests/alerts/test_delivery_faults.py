"""The outbox under faults, against a real HTTP receiver on 127.0.0.1 and a real embedded
store: a receiver down for ten minutes, a worker killed with a full outbox, dead letters
after their age, receivers that time out, and several workers (threads and processes)
on one store."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from driftscope.alerts.delivery import Deliverer, DeliveryReport
from driftscope.alerts.outbox import KIND, enqueue
from driftscope.alerts.retry import RetryPolicy
from driftscope.store.embedded import EmbeddedStore
from tests.alerts.delivery_support import (
    T0,
    DedupPostChannel,
    ManualClock,
    PostChannel,
    RecordingReceiver,
    notification,
)

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("DRIFTSCOPE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def receiver():
    # the outbox tests' own receiver (tests/alerts/delivery_support.py), not conftest's
    with RecordingReceiver() as server:
        yield server


@pytest.fixture(params=["embedded", "postgres"])
def two_stores(request, tmp_path):
    """Two store objects on the same storage: a folder, or a PostgreSQL schema (dropped
    afterwards; the real server at $DRIFTSCOPE_TEST_PG, not skipped when it is missing)."""
    if request.param == "embedded":
        stores = [EmbeddedStore(tmp_path / "home") for _ in range(2)]
    else:
        from driftscope.store import PostgresStore

        schema = f"ds_test_{uuid.uuid4().hex[:12]}"
        stores = [
            PostgresStore(PG_URL, schema=schema, archive_dir=tmp_path / f"a{k}") for k in range(2)
        ]
    yield stores
    for s in stores:
        s.close()
    if request.param == "postgres":
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _fill(store, count, at=T0):
    for i in range(count):
        assert enqueue(store, notification(i), now=at)


def _worker(home: object, url: str, *args: object) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.alerts.outbox_worker", str(home), url, *map(str, args)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_receiver_down_for_ten_minutes_loses_nothing_and_gets_each_once(store, receiver):
    clock = ManualClock()
    _fill(store, 20)
    deliverer = Deliverer(
        store, [PostChannel(receiver.url, timeout=1)], clock=clock, rng=random.Random(14)
    )
    receiver.answer(503)  # five minutes of 503, then five minutes of refused connections
    while clock() < T0 + timedelta(minutes=10):
        if clock() == T0 + timedelta(minutes=5):
            answered_503 = receiver.attempts()
            receiver.go_down()
        deliverer.deliver_due()
        clock.advance(seconds=5)
    assert receiver.delivered() == [] and answered_503 >= 20
    outage = deliverer.pending()
    assert len(outage) == 20 and deliverer.dead_letters() == []
    assert {e.last_error for e in outage} == {"post: cannot reach the receiver (ConnectError)"}
    # backed off, not hammered: with equal jitter the waits are at least 2.5, 5, 10, ... s,
    # so at most 8 attempts fit in ten minutes (a try every 5 s would be 120)
    assert all(2 <= e.attempts <= 8 for e in outage)

    receiver.come_up()
    receiver.answer(200)
    recovered_at = clock()
    while deliverer.pending() and clock() < recovered_at + timedelta(minutes=15):
        deliverer.deliver_due()
        clock.advance(seconds=5)
    # every retry falls due within the longest backoff (10 min) of the recovery
    assert clock() <= recovered_at + timedelta(minutes=10, seconds=10)
    counts = receiver.counts()
    assert sorted(counts) == sorted(f"n-{i}" for i in range(20))
    assert set(counts.values()) == {1}
    entries = [deliverer.entry(f"n-{i}") for i in range(20)]
    assert all(e.state == "delivered" and e.attempts >= 3 for e in entries)
    assert all(e.delivered_at >= recovered_at for e in entries)


@pytest.mark.parametrize("kind", ["post", "post-dedup"])
def test_a_worker_killed_with_a_full_outbox_loses_nothing(tmp_path, receiver, kind, capsys):
    home = tmp_path / "home"
    now = datetime.now(UTC)
    with EmbeddedStore(home) as store:
        _fill(store, 200, at=now)
    # past the 70th message the receiver takes messages in and never answers: each of the
    # worker's two threads is then between a send that arrived and its mark
    receiver.hold_after(70)
    first = _worker(home, receiver.url, "--kind", kind, "--threads", 2, "--limit", 20)
    try:
        assert receiver.wait_held(2, timeout=90), first.stderr.read() if first.poll() else ""
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL
    receiver.release()
    in_flight = receiver.held
    assert in_flight == 2

    with EmbeddedStore(home) as store:
        records = store.find_state(KIND)
        delivered = [r for r in records if r.state == "delivered"]
        leased = [r for r in records if r.state == "pending" and r.due_at > datetime.now(UTC)]
        assert len(delivered) == 70
        assert len(leased) >= in_flight  # claimed by the dead worker, some mid-send

    # another process, started once the dead worker's leases ran out (60 s)
    second = _worker(home, receiver.url, "--kind", kind, "--offset", 61)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert out.splitlines()[-1] == f"delivered {200 - 70}"

    with EmbeddedStore(home) as store:
        assert {r.state for r in store.find_state(KIND)} == {"delivered"}
    counts = receiver.counts()
    assert sorted(counts) == sorted(f"n-{i}" for i in range(200))  # nothing lost
    duplicates = sum(counts.values()) - 200
    twice = sorted(i for i, c in counts.items() if c > 1)
    with capsys.disabled():
        print(f"\n{kind}: {duplicates} duplicate(s) after kill -9 with {in_flight} in flight")
    assert duplicates == in_flight and len(twice) == in_flight
    if kind == "post-dedup":
        # what a de-duplicating receiver shows: one incident per notification, the
        # second message of the two in flight folded into the first (same dedup key)
        incidents = receiver.incidents()
        assert len(incidents) == 200
        assert sorted(k for k, c in incidents.items() if c > 1) == [
            f"driftscope-g-{i.removeprefix('n-')}" for i in twice
        ]


def test_dead_lettered_after_dead_after_with_the_last_error(store, receiver):
    clock = ManualClock()
    receiver.answer(503)
    _fill(store, 1)
    deliverer = Deliverer(
        store,
        [PostChannel(receiver.url)],
        retry=RetryPolicy(dead_after=timedelta(hours=1)),
        clock=clock,
        rng=random.Random(1),
    )
    reports = DeliveryReport()
    while clock() <= T0 + timedelta(hours=2):
        reports += deliverer.deliver_due()
        clock.advance(seconds=30)
    [dead] = deliverer.dead_letters()
    attempts = receiver.attempts()
    assert reports.dead == 1 and reports.retried == attempts - 1 and dead.attempts == attempts
    # the last attempt is made at the age itself, whatever the backoff
    assert dead.body["dead_at"] == (T0 + timedelta(hours=1)).isoformat()
    assert dead.dead_reason == (
        f"still undelivered 60 min after it was enqueued, after {attempts} attempts; "
        "last error: post: the receiver answered 503"
    )
    assert 8 <= attempts <= 16
    retried = [e.details["attempts"] for e in store.read_audit(action="notification.retry")]
    assert retried == [n for n in range(1, attempts) if n == 1 or n % 10 == 0]
    [audit] = store.read_audit(action="notification.dead")
    assert audit.reason == dead.dead_reason
    clock.advance(days=2)
    deliverer.deliver_due()
    assert receiver.attempts() == attempts  # a dead letter is not tried again


def test_a_timeout_is_retried_and_folded_by_a_deduplicating_receiver(store, receiver):
    clock = ManualClock()
    receiver.answer(200, delay=0.5)
    _fill(store, 1)
    deliverer = Deliverer(
        store, [DedupPostChannel(receiver.url, name="post", timeout=0.1)], clock=clock
    )
    assert deliverer.deliver_due().retried == 1
    assert deliverer.entry("n-0").last_error == "post: the receiver did not answer in time"
    receiver.answer(200)
    clock.advance(seconds=5)
    assert deliverer.deliver_due().delivered == 1
    # the timed-out message had arrived: a timeout is the other at-least-once case
    assert receiver.counts() == {"n-0": 2} and len(receiver.incidents()) == 1


def test_two_deliverers_in_threads_deliver_each_once(two_stores, receiver):
    first, second = two_stores
    receiver.answer(200, delay=0.002)
    _fill(first, 300, at=datetime.now(UTC))
    deliverers = [Deliverer(s, [PostChannel(receiver.url)]) for s in (first, second)]
    start = threading.Barrier(2)
    reports: dict[int, DeliveryReport] = {}

    def run(k: int) -> None:
        start.wait()
        total = DeliveryReport()
        while (report := deliverers[k].deliver_due(limit=10)).claimed:
            total += report
        reports[k] = total

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert {r.state for r in second.find_state(KIND)} == {"delivered"}
    counts = receiver.counts()
    assert len(counts) == 300 and set(counts.values()) == {1}
    assert reports[0].delivered + reports[1].delivered == 300
    assert reports[0].delivered > 0 and reports[1].delivered > 0
    assert len(first.read_audit(action="notification.delivered")) == 300


def test_a_rate_limit_holds_across_deliverers_on_one_store(two_stores, receiver):
    clock = ManualClock()
    _fill(two_stores[0], 12)
    limit = {"post": "2/10s"}
    a, b = (
        Deliverer(s, [PostChannel(receiver.url)], rate_limits=limit, clock=clock)
        for s in two_stores
    )
    sent_at = []
    while len(receiver.delivered()) < 12 and clock() < T0 + timedelta(minutes=5):
        before = len(receiver.delivered())
        threads = [threading.Thread(target=d.deliver_due) for d in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        sent_at += [clock()] * (len(receiver.delivered()) - before)
        clock.advance(seconds=1)
    assert sorted(receiver.counts().values()) == [1] * 12
    for i in range(2, 12):  # never more than 2 in any 10 s, whichever deliverer sent
        assert sent_at[i] - sent_at[i - 2] >= timedelta(seconds=10)
    assert sent_at[-1] - T0 <= timedelta(seconds=51)  # postponed, not slowed further
    entries = [b.entry(f"n-{i}") for i in range(12)]
    assert all(e.state == "delivered" and e.attempts == 1 for e in entries)  # no failures


def test_two_processes_deliver_each_once(two_stores, tmp_path, receiver):
    receiver.answer(200, delay=0.002)
    _fill(two_stores[0], 300, at=datetime.now(UTC))
    if isinstance(two_stores[0], EmbeddedStore):
        where: list[object] = [tmp_path / "home"]
    else:
        where = [PG_URL, "--schema", two_stores[0].schema]
    workers = [
        _worker(where[0], receiver.url, *where[1:], "--wait-go", "--limit", 10) for _ in range(2)
    ]
    for w in workers:
        assert w.stdout.readline().strip() == "ready", w.stderr.read()
    for w in workers:
        w.stdin.write("go\n")
        w.stdin.flush()
    done = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [err for _, err in done]
    sent = [int(out.split()[-1]) for out, _ in done]
    assert sum(sent) == 300 and min(sent) > 0
    counts = receiver.counts()
    assert len(counts) == 300 and set(counts.values()) == {1}
    assert {r.state for r in two_stores[1].find_state(KIND)} == {"delivered"}
