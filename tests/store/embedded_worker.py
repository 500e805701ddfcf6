"""A separate process working on an embedded store, for the crash and concurrency tests.

``python -m tests.store.embedded_worker write HOME PREFIX BATCHES ROWS [THRESHOLD]`` writes
prediction batches (each spanning two UTC days, so two segments) and a label batch for
each, printing ``wrote <k>`` once both writes of batch ``k`` have returned.
``... compact HOME ROUNDS`` calls ``compact()`` repeatedly, printing what it merged.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from driftscope.store.embedded import EmbeddedStore
from tests.store.batches import T0, label_batch, prediction_batch

MODEL = "crash/test model"


def batch_start(k: int) -> object:
    # the second half of every batch falls on the next UTC day
    return T0 + timedelta(hours=23, minutes=59) + timedelta(milliseconds=k)


def write(home: str, prefix: str, batches: int, rows: int, threshold: int) -> None:
    store = EmbeddedStore(home, compact_threshold=threshold)
    for k in range(batches):
        batch = prediction_batch(
            rows,
            start=batch_start(k),
            step=timedelta(seconds=120 / rows),
            id_prefix=f"{prefix}{k}-",
            seed=k,
        )
        store.write_predictions(MODEL, batch)
        store.write_labels(MODEL, label_batch([f"{prefix}{k}-0", f"{prefix}{k}-1"], [k % 2, 1]))
        print(f"wrote {k}", flush=True)
    store.close()


def compact(home: str, rounds: int) -> None:
    store = EmbeddedStore(home, auto_compact=False)
    for _ in range(rounds):
        print(f"compacted {store.compact()}", flush=True)
        time.sleep(0.01)
    store.close()


if __name__ == "__main__":
    mode, home, *args = sys.argv[1:]
    if mode == "write":
        prefix, batches, rows, *rest = args
        write(home, prefix, int(batches), int(rows), int(rest[0]) if rest else 32)
    else:
        compact(home, int(args[0]))
