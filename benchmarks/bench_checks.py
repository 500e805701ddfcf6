"""Health checks over many daily windows from the embedded store (issue 4's benchmark).

Fills an embedded store with ``--days`` daily windows of ``--rows-per-day`` predictions with
``--features`` numerical features (labels on half of them), saves the baseline, then times:

1. ``monitor.run_checks("day")`` over all the windows (the first run);
2. one more day logged, then ``run_checks`` again: only the new window is due, so its time
   should be about one window's share of the first run (no recomputation of finished
   windows).

Target (issue 4): 30 windows of 1,000,000 predictions with 50 features in under 90 s on the
2-core machine. Run: ``python benchmarks/bench_checks.py`` (``--days 3 --rows-per-day
100000`` for a quick look). All of ``run_checks``' default checks run; the monitor has the
seed's metrics (accuracy, AUC, precision, recall) and the baseline carries predictions and
labels, so performance is compared with it. ``--profile`` prints where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

import driftscope as ds


def _frame(rng: np.random.Generator, n: int, features: int, shift: float) -> pd.DataFrame:
    data = rng.normal(0, 1, size=(n, features))
    data[:, 0] += shift
    return pd.DataFrame(data, columns=[f"f{i}" for i in range(features)])


def log_day(monitor, rng, day_start: datetime, rows: int, features: int, shift: float) -> None:
    chunk = min(rows, 250_000)
    for part in range(0, rows, chunk):
        n = min(chunk, rows - part)
        offsets = np.sort(rng.uniform(0, 86_399, n))
        stamps = pd.Timestamp(day_start) + pd.to_timedelta(offsets, unit="s")
        ids = monitor.log_predictions(
            _frame(rng, n, features, shift), rng.random(n), timestamps=stamps
        )
        half = np.asarray(ids)[::2]
        monitor.log_ground_truths(list(half), rng.integers(0, 2, len(half)).tolist())
    monitor.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rows-per-day", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="cProfile the first run")
    parser.add_argument("--keep", metavar="DIR", help="fill the store in DIR and keep it")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    home = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ds-bench-checks-"))
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=args.days + 1)  # the extra day is yesterday
    try:
        with ds.ModelMonitor(
            "bench",
            store=str(home),
            metrics=["accuracy", "auc", "precision", "recall"],
            alert_thresholds={"accuracy": 0.85, "auc": 0.90, "data_drift_score": 0.2},
        ) as monitor:
            baseline = _frame(rng, 200_000, args.features, 0.0)
            baseline["prediction"] = rng.random(len(baseline))
            baseline["label"] = rng.integers(0, 2, len(baseline))
            monitor.save_reference(baseline)
            t0 = time.perf_counter()
            for day in range(args.days):
                log_day(
                    monitor,
                    rng,
                    first + timedelta(days=day),
                    args.rows_per_day,
                    args.features,
                    shift=0.3 if day == args.days - 1 else 0.0,
                )
            fill = time.perf_counter() - t0
            profiler = cProfile.Profile() if args.profile else None
            t0 = time.perf_counter()
            if profiler:
                profiler.enable()
            summary = monitor.run_checks(
                "day", since=first, until=first + timedelta(days=args.days)
            )
            all_windows = time.perf_counter() - t0
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            log_day(
                monitor,
                rng,
                first + timedelta(days=args.days),
                args.rows_per_day,
                args.features,
                shift=0.0,
            )
            t0 = time.perf_counter()
            extra = monitor.run_checks("day")
            one_more = time.perf_counter() - t0
        result = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "days": args.days,
            "rows_per_day": args.rows_per_day,
            "features": args.features,
            "fill_seconds": fill,
            "run_checks_all_windows_seconds": all_windows,
            "windows": len(summary.windows),
            "status": summary.status,
            "checks": sorted({r.check for r in summary.records}),
            "seconds_per_window": all_windows / max(1, len(summary.windows)),
            "run_checks_one_more_day_seconds": one_more,
            "windows_in_second_run": len(extra.windows),
        }
        print(json.dumps(result, indent=2))
        out = Path(__file__).parent / "results"
        out.mkdir(exist_ok=True)
        (out / f"checks-{datetime.now(UTC):%Y%m%dT%H%M%S}.json").write_text(json.dumps(result))
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
