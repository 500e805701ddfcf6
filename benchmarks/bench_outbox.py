"""Outbox throughput: notifications enqueued and delivered per second.

Measures, for the embedded store and PostgreSQL, with 1 and 4 threads:

* enqueue: ``alerts.outbox.enqueue`` of ``--count`` notifications (one alert each),
  split over the threads, each call durable when it returns;
* deliver: a :class:`~driftscope.alerts.delivery.Deliverer` taking them from the store
  (``deliver_due`` rounds of ``--limit``, one per thread), POSTing each as JSON to a local
  recording HTTP receiver (another process, keep-alive, answers 200 at once) and marking it
  delivered, with its audit entry: the clock stops when every notification is marked.

Run: ``python benchmarks/bench_outbox.py`` (``--skip-postgres`` without a server, ``--pg``
sets its URL). Not a test: numbers depend on the disk (the embedded store syncs each write)
and on what else the machine runs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import shutil
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from driftscope.alerts.channels.base import Channel, DeliveryError
from driftscope.alerts.delivery import Deliverer
from driftscope.alerts.model import Alert, Notification
from driftscope.alerts.outbox import KIND, enqueue

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


# ---------------------------------------------------------------------- the receiver
def _serve(port: Any, received: Any) -> None:
    """Child process: a keep-alive HTTP receiver counting the POSTs it answers."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with received.get_lock():
                received.value += 1
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port.value = server.server_address[1]
    server.serve_forever()


class JsonPost(Channel):
    """A webhook-like channel: the notification as JSON, one POST (httpx, keep-alive)."""

    kind = "bench"

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self._client = httpx.Client(timeout=10)

    def send(self, notification: Notification) -> dict[str, Any] | None:
        try:
            response = self._client.post(self.url, content=json.dumps(notification.to_dict()))
        except httpx.TransportError as exc:
            raise DeliveryError(f"bench: {type(exc).__name__}") from None
        if response.status_code >= 300:
            raise DeliveryError(f"bench: {response.status_code}")
        return None


# ---------------------------------------------------------------------- the runs
def _notifications(count: int, run: str) -> list[Notification]:
    out = []
    for i in range(count):
        alert = Alert.of("warning", "Drift", "age moved", labels={"model": "churn", "i": i})
        out.append(Notification(f"{run}-{i}", "bench", f"g{i}", {"model": "churn"}, (alert,)))
    return out


def _in_threads(threads: int, work: Any, items: list[Any]) -> float:
    """Seconds for ``threads`` threads to run ``work`` over their share of ``items``."""
    shares = [items[k::threads] for k in range(threads)]
    start = threading.Barrier(threads + 1)

    def run(share: list[Any]) -> None:
        start.wait()
        work(share)

    pool = [threading.Thread(target=run, args=(share,)) for share in shares]
    for t in pool:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in pool:
        t.join()
    return time.perf_counter() - began


def measure(store: Any, url: str, threads: int, count: int, limit: int) -> tuple[float, float]:
    """(enqueued per second, delivered per second) on ``store``."""
    run = uuid.uuid4().hex[:8]
    notes = _notifications(count, run)

    def put(share: list[Notification]) -> None:
        now = datetime.now(UTC)
        for n in share:
            enqueue(store, n, now=now)

    enqueue_s = _in_threads(threads, put, notes)
    deliverer = Deliverer(store, [JsonPost(url)])

    def drain(_: list[int]) -> None:
        while deliverer.deliver_due(limit=limit).claimed:
            pass

    deliver_s = _in_threads(threads, drain, list(range(threads)))
    left = store.find_state(KIND, states=["pending"], limit=1)
    assert not left, "notifications left undelivered"
    return count / enqueue_s, count / deliver_s


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=50, help="notifications per round")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--pg", default=PG_DEFAULT)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()

    port, received = mp.Value("i", 0), mp.Value("q", 0)
    server = mp.Process(target=_serve, args=(port, received), daemon=True)
    server.start()
    while not port.value:
        time.sleep(0.01)
    url = f"http://127.0.0.1:{port.value}/hook"

    print(f"CPU: {_cpu()} ({mp.cpu_count()} cores); {args.count} notifications a run")
    print(f"{'store':<11} {'threads':>7} {'enqueue/s':>10} {'deliver/s':>10}")
    kinds = ["embedded"] + ([] if args.skip_postgres else ["postgres"])
    for kind in kinds:
        for threads in args.threads:
            folder = tempfile.mkdtemp(prefix="bench-outbox-")
            schema = f"bench_outbox_{uuid.uuid4().hex[:8]}"
            if kind == "embedded":
                from driftscope.store import EmbeddedStore

                store: Any = EmbeddedStore(folder)
            else:
                from driftscope.store import PostgresStore

                store = PostgresStore(args.pg, schema=schema, archive_dir=folder)
            try:
                before = received.value
                enq, dlv = measure(store, url, threads, args.count, args.limit)
                assert received.value - before == args.count, "the receiver missed some"
                print(f"{kind:<11} {threads:>7} {enq:>10,.0f} {dlv:>10,.0f}", flush=True)
            finally:
                store.close()
                shutil.rmtree(folder, ignore_errors=True)
                if kind == "postgres":
                    import psycopg

                    with psycopg.connect(args.pg, autocommit=True) as conn:
                        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    server.terminate()


if __name__ == "__main__":
    main()
