"""Prediction-logging cost and store speed, in one run.

Measures:

1. what logging costs a serving process, with 20 features a prediction (15 numbers and 5
   categories), in one process, through the public calls: per-call latency on the caller's
   thread (p50, p99, p99.9) and the whole process's CPU per record (the background writer's
   share included: the clock stops after ``flush()``), for a record kept and for one that
   sampling skips; a 75-100 µs NumPy ``predict`` bare and under ``@monitor.track_predictions``;
   the CPU of one background cycle (convert and write 100, 1,000, 10,000 records); and the
   CPU per record when predictions arrive at 100, 1,000 and 10,000 a second (``--only
   overhead``; the other parts use 20 numerical features);
2. sustained logging throughput, records logged and made durable per second (the clock
   stops after ``flush()`` returns), into the embedded store and into PostgreSQL, from one
   process and from four: through the batch form ``log_predictions`` and through single
   ``log_prediction`` calls;
3. ``get_recent_predictions(days=7)`` over 7 days of ``--rows-per-day`` predictions a day
   (half of them labelled), into one pandas DataFrame (best of 3).

Run: ``python benchmarks/bench_logging.py`` (add ``--skip-postgres`` without a server;
``--pg`` sets the server URL). Targets (issue 3): p50 <= 5 us sampled out and <= 30 us
kept (on the caller's thread); >= 500,000/s through the batch form and >= 30,000/s
through single calls into the embedded store from one process; 7 x 1M rows read in
under 5 s.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import shutil
import sys
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
N_CATEGORIES = 5  # of the 20 features: 15 numbers, 5 categories
PLANS = ("basic", "plus", "pro", "team", "enterprise")


def _mixed_dicts(count: int, seed: int) -> list[dict[str, object]]:
    """20 features a prediction: 15 numbers and 5 categories (short text)."""
    rng = np.random.default_rng(seed)
    numbers = rng.normal(size=(count, N_FEATURES - N_CATEGORIES)).tolist()
    picks = rng.integers(0, len(PLANS), size=(count, N_CATEGORIES)).tolist()
    out = []
    for row, cats in zip(numbers, picks, strict=True):
        record: dict[str, object] = dict(zip(FEATURES, row, strict=False))
        for j, c in enumerate(cats):
            record[FEATURES[N_FEATURES - N_CATEGORIES + j]] = PLANS[c]
        out.append(record)
    return out


def _percentiles(ns: np.ndarray) -> dict[str, float]:
    us = ns / 1000.0
    return {
        "p50_us": float(np.percentile(us, 50)),
        "p99_us": float(np.percentile(us, 99)),
        "p99.9_us": float(np.percentile(us, 99.9)),
        "mean_us": float(us.mean()),
    }


_POLICIES = {
    "kept": lambda: ds.SamplingPolicy(rate=1.0),
    # kept, with the writer held back until the end (no conversion meanwhile): what the
    # call costs when no background work competes with it for the GIL
    "kept_writer_idle": lambda: ds.SamplingPolicy(rate=1.0),
    # rate 0 and a rule that never fires: every record is sampled out
    "sampled_out": lambda: ds.SamplingPolicy(rate=0.0, always_log=[ds.LowConfidence(below=-1.0)]),
}


def _log_calls(home: Path, case: str, feats: list[dict[str, object]], calls: int) -> dict:
    """``log_prediction`` from one thread: the caller's latency per call, and the CPU the
    whole process spent per record (the writer thread's share included: the clock stops
    after ``flush()``)."""
    store = EmbeddedStore(home / f"log_{case}")
    held = {"flush_interval": 3600, "batch_size": 10**7, "max_buffered": 10**7}
    with ds.ModelMonitor(
        f"log_{case}",
        store=store,
        sampling=_POLICIES[case](),
        **(held if case == "kept_writer_idle" else {}),
    ) as monitor:
        log = monitor.log_prediction
        for i in range(5000):  # warm up: the schema, the column kinds, the store's files
            log(feats[i % len(feats)], 0.7)
        monitor.flush()
        times = np.empty(calls, dtype=np.int64)
        clock = time.perf_counter_ns
        cpu0, own0 = time.process_time(), time.thread_time()
        for i in range(calls):
            f = feats[i % len(feats)]
            t0 = clock()
            log(f, 0.7)
            times[i] = clock() - t0
        own = time.thread_time() - own0  # before the flush: the caller's share only
        monitor.flush()
        cpu = time.process_time() - cpu0
    store.close()
    out = _percentiles(times)
    out["cpu_per_record_us"] = cpu / calls * 1e6
    out["caller_cpu_per_record_us"] = own / calls * 1e6
    return out


def _loop_floor(feats: list[dict[str, object]], calls: int) -> float:
    """CPU per iteration of the same timing loop with nothing logged (included in the
    figures above, reported so that the reader can take it off)."""

    def log(f: object, p: object) -> None:
        return None

    times = np.empty(calls, dtype=np.int64)
    clock = time.perf_counter_ns
    cpu0 = time.process_time()
    for i in range(calls):
        f = feats[i % len(feats)]
        t0 = clock()
        log(f, 0.7)
        times[i] = clock() - t0
    return (time.process_time() - cpu0) / calls * 1e6


def _pacing_floor(rate: int, seconds: float) -> float:
    """CPU per iteration of the same paced loop with nothing logged (the sleeps' own
    cost, included in the paced figures and reported so that the reader can take it off)."""
    count = int(rate * seconds)
    cpu0, start = time.process_time(), time.perf_counter()
    own, clock = 0, time.thread_time_ns
    for i in range(count):
        ahead = start + i / rate - time.perf_counter()
        if ahead > 0.001:
            time.sleep(ahead)
        t0 = clock()
        own += clock() - t0
    return (time.process_time() - cpu0) / count * 1e6


def _paced(home: Path, feats: list[dict[str, object]], rate: int, seconds: float) -> dict:
    """``log_prediction`` at ``rate`` records a second for ``seconds`` (the caller sleeps
    between calls, as a server waits for requests): the process CPU per record, the
    writer's store writes included (the writer wakes every ``flush_interval``, 1 s, and
    writes what came in meanwhile, so the fixed cost of a write is shared by fewer records
    at lower rates)."""
    store = EmbeddedStore(home / f"paced_{rate}")
    with ds.ModelMonitor(f"paced_{rate}", store=store) as monitor:
        log = monitor.log_prediction
        for i in range(1000):
            log(feats[i % len(feats)], 0.7)
        monitor.flush()
        count = int(rate * seconds)
        cpu0, start = time.process_time(), time.perf_counter()
        own = 0
        clock = time.thread_time_ns
        for i in range(count):
            ahead = start + i / rate - time.perf_counter()
            if ahead > 0.001:
                time.sleep(ahead)
            t0 = clock()
            log(feats[i % len(feats)], 0.7)
            own += clock() - t0
        monitor.flush()
        cpu = time.process_time() - cpu0
    store.close()
    return {
        "rate_per_s": rate,
        "records": count,
        "cpu_per_record_us": cpu / count * 1e6,
        "caller_cpu_per_record_us": own / count / 1000,
        "loop_floor_us": _pacing_floor(rate, min(seconds, 2.0)),
    }


def _write_cycles(home: Path, feats: list[dict[str, object]], sizes: tuple[int, ...]) -> dict:
    """The CPU of one background cycle (converting ``n`` waiting records and writing them
    to the embedded store), median of 5: the process CPU spent in ``flush()``, while the
    caller only waits."""
    out = {}
    for n in sizes:
        store = EmbeddedStore(home / f"cycle_{n}")
        with ds.ModelMonitor(
            f"cycle_{n}", store=store, flush_interval=3600, batch_size=10**7
        ) as monitor:
            cpus = []
            for round_ in range(6):
                for i in range(n):
                    monitor.log_prediction(feats[i % len(feats)], 0.7)
                cpu0 = time.process_time()
                monitor.flush()
                if round_:  # the first one creates the store's files
                    cpus.append(time.process_time() - cpu0)
        store.close()
        cycle = float(np.median(cpus))
        out[str(n)] = {"cycle_ms": cycle * 1e3, "per_record_us": cycle / n * 1e6}
    return out


class _FakeModel:
    """A predict that costs 75-100 µs of NumPy work (74 µs on a 2-CPU Xeon), on one core
    (element-wise work only: no BLAS threads competing with the writer)."""

    def __init__(self, seed: int = 0, width: int = 1500):
        rng = np.random.default_rng(seed)
        self.w1 = rng.normal(size=(N_FEATURES, width))
        self.w2 = rng.normal(size=width)
        self.order = FEATURES[: N_FEATURES - N_CATEGORIES]

    def __call__(self, features: dict[str, object]) -> float:
        x = np.zeros(N_FEATURES)
        x[: len(self.order)] = [features[k] for k in self.order]
        h = np.tanh(self.w1 * x[:, None]).sum(axis=0)
        return float(1 / (1 + np.exp(-(np.tanh(h) @ self.w2) / 50)))


def _model_latency(home: Path, feats: list[dict[str, object]], calls: int, rounds: int) -> dict:
    """The latency of a 75-100 µs predict, bare and under ``@monitor.track_predictions``
    (every record kept), timed around the call as the serving code sees it, in alternating
    blocks so that both meet the same machine; CPU per call of each, flush included."""
    model = _FakeModel()
    store = EmbeddedStore(home / "tracked")
    monitor = ds.ModelMonitor("tracked", store=store)
    tracked = monitor.track_predictions(model)
    for i in range(2000):
        tracked(feats[i % len(feats)])
        model(feats[i % len(feats)])
    monitor.flush()
    times = {"bare": [], "tracked": []}
    cpu = {"bare": 0.0, "tracked": 0.0}
    clock = time.perf_counter_ns
    block = max(1, calls // rounds)
    for _ in range(rounds):
        for name, fn in (("bare", model), ("tracked", tracked)):
            arr = np.empty(block, dtype=np.int64)
            c0 = time.process_time()
            for i in range(block):
                f = feats[i % len(feats)]
                t0 = clock()
                fn(f)
                arr[i] = clock() - t0
            if name == "tracked":
                monitor.flush()
            cpu[name] += time.process_time() - c0
            times[name].append(arr)
    monitor.close()
    store.close()
    out: dict[str, dict[str, float]] = {}
    for name in times:
        out[name] = _percentiles(np.concatenate(times[name]))
        out[name]["cpu_per_call_us"] = cpu[name] / (block * rounds) * 1e6
    return out


def overhead(home: str, calls: int, paced_seconds: float = 5.0) -> dict[str, object]:
    """What logging costs a serving process, 20 features (15 numbers, 5 categories)."""
    feats = _mixed_dicts(1000, 1)
    where = Path(home)
    out: dict[str, object] = {"loop_floor_cpu_us": _loop_floor(feats, calls)}
    for case in _POLICIES:
        out[f"log_prediction_{case}"] = _log_calls(where, case, feats, calls)
    out["model_100us"] = _model_latency(where, feats, max(calls // 4, 1000), rounds=10)
    out["write_cycle"] = _write_cycles(where, feats, (100, 1000, 10_000))
    out["paced"] = [_paced(where, feats, rate, paced_seconds) for rate in (100, 1000, 10_000)]
    return out


def print_overhead(result: dict[str, object]) -> None:
    print(f"timing loop alone: {result['loop_floor_cpu_us']:.2f} us CPU per iteration")
    for case in _POLICIES:
        r = result[f"log_prediction_{case}"]
        assert isinstance(r, dict)
        print(
            f"log_prediction, {case:16s}: caller p50 {r['p50_us']:6.2f} us  p99 {r['p99_us']:6.2f}"
            f" us  p99.9 {r['p99.9_us']:7.2f} us  mean {r['mean_us']:6.2f} us | process CPU per"
            f" record {r['cpu_per_record_us']:6.2f} us"
            f" (caller's thread {r['caller_cpu_per_record_us']:.2f} us)",
            flush=True,
        )
    m = result["model_100us"]
    assert isinstance(m, dict)
    for name in ("bare", "tracked"):
        r = m[name]
        print(
            f"model predict, {name:7s}: p50 {r['p50_us']:7.2f} us  p99 {r['p99_us']:7.2f} us  "
            f"p99.9 {r['p99.9_us']:8.2f} us  mean {r['mean_us']:7.2f} us | CPU per call "
            f"{r['cpu_per_call_us']:7.2f} us",
            flush=True,
        )
    cycles = result["write_cycle"]
    assert isinstance(cycles, dict)
    for n, r in cycles.items():
        print(
            f"one background cycle of {int(n):6,d} records (convert + write): "
            f"{r['cycle_ms']:6.2f} ms CPU, {r['per_record_us']:6.2f} us a record",
            flush=True,
        )
    paced = result["paced"]
    assert isinstance(paced, list)
    for r in paced:
        print(
            f"log_prediction at {r['rate_per_s']:6,d}/s: process CPU per record "
            f"{r['cpu_per_record_us']:7.2f} us, in the call {r['caller_cpu_per_record_us']:.2f} us "
            f"({r['records']:,} records; the paced loop alone {r['loop_floor_us']:.2f} us)",
            flush=True,
        )


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
    parser.add_argument("--paced-seconds", type=float, default=5.0)
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        help="sys.setswitchinterval for this run (CPython's default: 0.005 s)",
    )
    parser.add_argument("--batch-rows", type=int, default=2_000_000)
    parser.add_argument("--single-rows", type=int, default=300_000)
    parser.add_argument("--rows-per-day", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("DRIFTSCOPE_TEST_PG", PG_DEFAULT))
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--only", choices=["overhead", "throughput", "read"], default=None)
    args = parser.parse_args()
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)

    results: dict[str, object] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "switch_interval_s": sys.getswitchinterval(),
    }
    tmp = Path(tempfile.mkdtemp(prefix="ds-bench-logging-"))
    try:
        if args.only in (None, "overhead"):
            results["overhead"] = overhead(str(tmp / "overhead"), args.calls, args.paced_seconds)
            print_overhead(results["overhead"])
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
