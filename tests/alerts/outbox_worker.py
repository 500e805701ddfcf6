"""A separate process delivering an embedded store's outbox, for the crash and
several-process tests.

``python -m tests.alerts.outbox_worker HOME URL [--kind post|post-dedup] [--threads N]
[--limit N] [--offset SECONDS] [--wait-go] [--schema S]`` opens the store at HOME (a
folder, or with ``--schema`` a PostgreSQL URL and that schema), sends to URL with the
test channel (``--kind post-dedup``: the de-duplicating one), its clock ``--offset``
seconds ahead of the real one (to play a process started after the leases of a dead one
ran out). It prints ``ready``; with ``--wait-go`` it then waits for a line on stdin (so
that several workers start together); then ``--threads`` threads drain the outbox and it
prints ``delivered <n>`` and exits.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta

from driftscope.alerts.delivery import Deliverer, DeliveryReport
from driftscope.store import EmbeddedStore, PostgresStore, Store
from tests.alerts.delivery_support import DedupPostChannel, PostChannel


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("home")
    parser.add_argument("url")
    parser.add_argument("--kind", choices=["post", "post-dedup"], default="post")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--offset", type=float, default=0.0)
    parser.add_argument("--wait-go", action="store_true")
    parser.add_argument("--schema")
    args = parser.parse_args(argv)

    offset = timedelta(seconds=args.offset)
    kind = DedupPostChannel if args.kind == "post-dedup" else PostChannel
    if args.schema:
        store: Store = PostgresStore(args.home, schema=args.schema, archive_dir=tempfile.mkdtemp())
    else:
        store = EmbeddedStore(args.home)
    deliverer = Deliverer(
        store,
        [kind(args.url, name="post")],
        clock=lambda: datetime.now(UTC) + offset,
    )
    print("ready", flush=True)
    if args.wait_go:
        sys.stdin.readline()
    reports: list[DeliveryReport] = []

    def drain() -> None:
        total = DeliveryReport()
        while True:
            report = deliverer.deliver_due(limit=args.limit)
            total += report
            if not report.claimed:
                break
        reports.append(total)

    threads = [threading.Thread(target=drain) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"delivered {sum(r.delivered for r in reports)}", flush=True)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1:])
