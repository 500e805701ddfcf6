"""Prediction-logging cost and store speed, in one run.

Measures, with 20 numerical features per prediction:

1. ``log_prediction`` overhead in-process, p50 and p99 over ``--calls`` timed calls, for a
   record that sampling drops and for one it keeps (the background flush thread running);
2. sustained logging throughput, records logged and made durable per second (the clock
   stops after ``flush()`` returns), into the embedded store and into PostgreSQL, from one
   process and from four: through the batch form ``log_predictions`` and through single
   ``log_prediction`` calls;
3. ``get_recent_predictions(days=7)`` over 7 days of ``--rows-per-day`` predictions a day
   (half of them labelled), into one pandas DataFrame (best of 3).

Run: ``python benchmarks/bench_logging.py`` (add ``--skip-postgres`` without a server;
``--pg`` sets the server URL). Targets (issue 3): p50 <= 5 us sampled out and <= 30 us
kept; >= 500,000/s through the batch form and >= 30,000/s through single calls into the
embedded store from one process; 7 x 1M rows read in under 5 s.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import shutil
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

import driftscope as ds
from driftscope.store import EmbeddedStore

N_FEATURES = 20
FEATURES = [f"f{i}" for i in range(N_FEATURES)]
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


# ---------------------------------------------------------------------- helpers
def _store(kind: str, where: str, schema: str | None = None):
    if kind == "embedded":
        return EmbeddedStore(where)
    from driftscope.store import PostgresStore

    return PostgresStore(where, schema=schema or "driftscope_bench")


def _frame(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(rows, N_FEATURES)), columns=FEATURES)


def _feature_dicts(count: int, seed: int) -> list[dict[str, float]]:
    values = np.random.default_rng(seed).normal(size=(count, N_FEATURES)).tolist()
    return [dict(zip(FEATURES, row, strict=True)) for row in values]


# ---------------------------------------------------------------------- 1. overhead
def overhead(home: str, calls: int) -> dict[str, float]:
    feats = _feature_dicts(1000, 1)
    out: dict[str, float] = {}
    cases = {
        # rate 0 for the rest and a rule that never fires: every record is sampled out
        "sampled_out": ds.SamplingPolicy(rate=0.0, always_log=[ds.LowConfidence(below=-1.0)]),
        "kept": ds.SamplingPolicy(rate=1.0),
    }
    for name, policy in cases.items():
        store = EmbeddedStore(Path(home) / name)
        with ds.ModelMonitor(f"overhead_{name}", store=store, sampling=policy) as monitor:
            log = monitor.log_prediction
            for i in range(2000):  # warm up
                log(feats[i % 1000], 0.7)
            monitor.flush()
            times = np.empty(calls, dtype=np.int64)
            clock = time.perf_counter_ns
            for i in range(calls):
                f = feats[i % 1000]
                t0 = clock()
                log(f, 0.7)
                times[i] = clock() - t0
            monitor.flush()
        store.close()
        out[f"{name}_p50_us"] = float(np.percentile(times, 50)) / 1000
        out[f"{name}_p99_us"] = float(np.percentile(times, 99)) / 1000
    return out


# ---------------------------------------------------------------------- 2. throughput
def _batch_worker(
    kind: str, where: str, schema: str | None, rows: int, chunk: int, seed: int, result: mp.Queue
) -> None:
    frames = [_frame(chunk, seed + i) for i in range(max(1, rows // chunk))]
    preds = np.random.default_rng(seed).random(chunk)
    store = _store(kind, where, schema)
    with ds.ModelMonitor("throughput", store=store) as monitor:
        t0 = time.perf_counter()
        for frame in frames:
            monitor.log_predictions(frame, preds)
        monitor.flush()
        seconds = time.perf_counter() - t0
    store.close()
    result.put((len(frames) * chunk, seconds))


def _single_worker(
    kind: str, where: str, schema: str | None, rows: int, chunk: int, seed: int, result: mp.Queue
) -> None:
    feats = _feature_dicts(1000, seed)
    store = _store(kind, where, schema)
    with ds.ModelMonitor("throughput", store=store) as monitor:
        log = monitor.log_prediction
        t0 = time.perf_counter()
        for i in range(rows):
            log(feats[i % 1000], 0.5)
        monitor.flush()
        seconds = time.perf_counter() - t0
    store.close()
    result.put((rows, seconds))


def throughput(
    kind: str, where: str, schema: str | None, form: str, processes: int, rows: int
) -> float:
    """Records per second, from the first call to the last flush, over all processes."""
    worker = _batch_worker if form == "batch" else _single_worker
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    start = time.perf_counter()
    procs = [
        ctx.Process(target=worker, args=(kind, where, schema, rows, 100_000, 100 * p, queue))
        for p in range(processes)
    ]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.perf_counter() - start
    total = sum(r for r, _ in results)
    slowest = max(s for _, s in results)
    # one process: its own clock; several: the slowest worker's logging window, which
    # excludes interpreter start-up (each worker logs for the whole window)
    del wall
    return total / slowest


# ---------------------------------------------------------------------- 3. reads
def fill_week(home: str, rows_per_day: int) -> ds.ModelMonitor:
    store = EmbeddedStore(home)
    monitor = ds.ModelMonitor("week", store=store)
    now = datetime.now(UTC)
    chunk = min(rows_per_day, 250_000)
    rng = np.random.default_rng(7)
    for day in range(7):
        day_start = now - timedelta(days=7 - day) + timedelta(minutes=5)
        for part in range(rows_per_day // chunk):
            frame = pd.DataFrame(rng.normal(size=(chunk, N_FEATURES)), columns=FEATURES)
            offsets = np.sort(rng.random(chunk)) * (86_400 / (rows_per_day // chunk))
            base = day_start + timedelta(seconds=part * 86_400 / (rows_per_day // chunk))
            stamps = pd.Timestamp(base) + pd.to_timedelta(offsets, unit="s")
            ids = monitor.log_predictions(frame, rng.random(chunk), timestamps=stamps)
            half = np.asarray(ids)[::2]
            monitor.log_ground_truths(list(half), rng.integers(0, 2, len(half)).tolist())
    monitor.flush()
    return monitor


def read_week(monitor: ds.ModelMonitor, repeats: int) -> tuple[float, int]:
    best = float("inf")
    rows = 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        df = monitor.get_recent_predictions(days=7)
        best = min(best, time.perf_counter() - t0)
        rows = len(df)
        del df
    return best, rows


# ---------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--batch-rows", type=int, default=2_000_000)
    parser.add_argument("--single-rows", type=int, default=300_000)
    parser.add_argument("--rows-per-day", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("DRIFTSCOPE_TEST_PG", PG_DEFAULT))
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--only", choices=["overhead", "throughput", "read"], default=None)
    args = parser.parse_args()

    results: dict[str, object] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    tmp = Path(tempfile.mkdtemp(prefix="ds-bench-logging-"))
    try:
        if args.only in (None, "overhead"):
            results["overhead"] = overhead(str(tmp / "overhead"), args.calls)
            print("overhead (us):", results["overhead"], flush=True)
        if args.only in (None, "throughput"):
            table: dict[str, float] = {}
            kinds = ["embedded"] + ([] if args.skip_postgres else ["postgres"])
            for kind in kinds:
                for form, rows in (("batch", args.batch_rows), ("single", args.single_rows)):
                    for procs in (1, 4):
                        schema = f"bench_{uuid.uuid4().hex[:8]}" if kind == "postgres" else None
                        where = (
                            args.pg if kind == "postgres" else str(tmp / f"tp_{uuid.uuid4().hex}")
                        )
                        per_proc = rows if procs == 1 else rows // 2
                        rate = throughput(kind, where, schema, form, procs, per_proc)
                        table[f"{kind}/{form}/{procs}p"] = rate
                        print(
                            f"{kind:9s} {form:6s} {procs} process(es): {rate:12,.0f} /s", flush=True
                        )
                        if schema:
                            _drop_schema(args.pg, schema)
            results["throughput_per_s"] = table
        if args.only in (None, "read"):
            t0 = time.perf_counter()
            monitor = fill_week(str(tmp / "week"), args.rows_per_day)
            fill = time.perf_counter() - t0
            seconds, rows = read_week(monitor, args.repeats)
            monitor.close()
            results["read_week"] = {"rows": rows, "seconds": seconds, "fill_seconds": fill}
            print(
                f"get_recent_predictions(days=7): {rows:,} rows in {seconds:.2f} s "
                f"(filled in {fill:.1f} s)",
                flush=True,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    path = out / f"logging-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"wrote {path}")


def _drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()
