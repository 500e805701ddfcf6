"""Streaming feature drift throughput: records per second through the sliding window.

20 features (19 numerical, 1 categorical), a 100,000-row reference, a window of 1,000
records checked every 100 records, for PSI, Jensen-Shannon and KS; records fed one at a time
as dicts (``update``) and as a DataFrame (``update_many``). Best of 3.

Run: ``python benchmarks/bench_stream_features.py [--records N]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from driftscope.drift.reference import Reference
from driftscope.drift.streaming import StreamingDriftMonitor


def frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    data = {f"x{i}": rng.normal(0, 1, n) for i in range(19)}
    data["plan"] = rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2])
    return pd.DataFrame(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    reference = Reference.fit(frame(rng, 100_000))
    data = frame(rng, args.records)
    records = data.to_dict("records")
    print("| method | update (dict records) /s | update_many (DataFrame) /s |")
    print("| --- | ---: | ---: |")
    for method in ("psi", "js", "ks"):
        best_one = best_many = float("inf")
        for _ in range(3):
            monitor = StreamingDriftMonitor(reference, method=method)
            t0 = time.perf_counter()
            for record in records:
                monitor.update(record)
            best_one = min(best_one, time.perf_counter() - t0)
            monitor = StreamingDriftMonitor(reference, method=method)
            t0 = time.perf_counter()
            monitor.update_many(data)
            best_many = min(best_many, time.perf_counter() - t0)
        print(f"| {method} | {len(data) / best_one:,.0f} | {len(data) / best_many:,.0f} |")


if __name__ == "__main__":
    main()
