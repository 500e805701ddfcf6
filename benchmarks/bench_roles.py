"""What column roles and drift per chunk cost.

On a baseline and a production set of ``--rows`` rows each (an integer id, a timestamp stored
as text, 8 float features, a categorical and a count column), best of ``--repeat`` runs:

- fitting with id detection (the default) and without it (``detect_ids=False``; then the id
  and the timestamp are fitted as features instead);
- one check of the whole production set, then drift per day (about 12 chunks per million
  rows) and per 100,000 rows.

Run: ``python benchmarks/bench_roles.py`` (about a minute); the table goes to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import driftscope as ds


def data(rows: int, start: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    times = pd.date_range("2026-01-01", periods=rows, freq="s") + pd.Timedelta(seconds=start)
    return pd.DataFrame(
        {
            "id": np.arange(start, start + rows),
            "ts": times.strftime("%Y-%m-%d %H:%M:%S"),
            **{f"x{i}": rng.normal(size=rows) for i in range(8)},
            "plan": rng.choice(["basic", "plus", "pro"], rows),
            "visits": rng.poisson(3, rows),
        }
    )


def best(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    paths = {}
    for name, start, seed in (("baseline", 0, 1), ("production", args.rows, 2)):
        paths[name] = folder / f"{name}.parquet"
        frame = data(args.rows, start, seed)
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), paths[name])
    baseline, production = str(paths["baseline"]), str(paths["production"])
    detector = ds.DriftDetector(baseline, timestamp_column="ts")
    rows = [
        ("fit, ids found and left out", best(args.repeat, lambda: ds.DriftDetector(baseline))),
        (
            "fit, detect_ids=False (id and ts fitted)",
            best(args.repeat, lambda: ds.DriftDetector(baseline, detect_ids=False)),
        ),
        ("check the whole file", best(args.repeat, lambda: detector.detect(production))),
        (
            "drift per day",
            best(args.repeat, lambda: detector.detect_chunks(production, "day")),
        ),
        (
            "drift per 100,000 rows",
            best(args.repeat, lambda: detector.detect_chunks(production, chunk_size=100_000)),
        ),
    ]
    print(f"{args.rows:,} rows per side, {platform.processor() or platform.machine()}")
    print("| step | seconds |\n| --- | ---: |")
    for step, seconds in rows:
        print(f"| {step} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
