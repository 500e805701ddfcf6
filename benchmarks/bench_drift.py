"""Drift-check speed and memory: driftscope against a plain SciPy loop (and Evidently).

Generates ``--rows`` reference rows and as many production rows with 40 numerical and 10
categorical columns and times, in one run:

1. driftscope's full check: fit the reference and detect (``DriftDetector(ref)`` + detect);
2. driftscope's detect alone with the fitted reference;
3. a hand-written loop of ``scipy.stats.ks_2samp`` / ``chi2_contingency`` over the same columns;
4. Evidently's ``DataDriftPreset`` when Evidently is installed (``--evidently``).

Peak memory is sampled with psutil during each driftscope phase and compared with the memory
of the process holding the two DataFrames. Run: ``python benchmarks/bench_drift.py``.

``--no-avx512`` runs the same benchmark as on a CPU without AVX-512 (an AMD EPYC before Zen 4,
say): the script starts itself again with NumPy's AVX-512 code paths disabled
(``NPY_DISABLE_CPU_FEATURES``) and Numba compiling for an AVX2 CPU (``NUMBA_CPU_NAME``).
``--workers 1`` runs driftscope on one thread, like the SciPy loop; ``--also-one-worker`` times
driftscope on one thread too, in the same run as the default (one thread per available core).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import psutil
import scipy.stats as st

import driftscope as ds
from driftscope.drift.parallel import available_cores

N_NUMERIC = 40
N_CATEGORICAL = 10


AVX2_CPU = "haswell"  # what Numba compiles for under --no-avx512


def _numpy_dispatch() -> tuple[list[str], dict[str, bool]]:
    """NumPy's optional (dispatched) CPU targets and which features this process uses."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # NumPy 1.x
        from numpy.core import _multiarray_umath as umath  # type: ignore[no-redef]
    return list(umath.__cpu_dispatch__), dict(umath.__cpu_features__)


def avx512_targets() -> list[str]:
    """NumPy's dispatch targets that need AVX-512 (``X86_V4``, ``AVX512_*``), the ones
    ``NPY_DISABLE_CPU_FEATURES`` can switch off (baseline features cannot be)."""
    dispatch, _ = _numpy_dispatch()
    return [t for t in dispatch if "512" in t or t == "X86_V4"]


def cpu_paths() -> str:
    """One line on the code paths in use: NumPy's enabled dispatch targets, Numba's CPU."""
    dispatch, features = _numpy_dispatch()
    enabled = [t for t in dispatch if features.get(t)]
    numba_cpu = os.environ.get("NUMBA_CPU_NAME", "host")
    return (
        f"NumPy SIMD targets in use: {' '.join(enabled) or 'baseline only'}; Numba CPU: {numba_cpu}"
    )


def rerun_without_avx512() -> None:
    """Start this script again with AVX-512 switched off in NumPy and Numba (see module doc)."""
    env = dict(os.environ)
    env["NPY_DISABLE_CPU_FEATURES"] = " ".join(avx512_targets())
    env["NUMBA_CPU_NAME"] = AVX2_CPU
    env["DRIFTSCOPE_BENCH_NO_AVX512"] = "1"
    argv = [sys.executable, *sys.argv]
    os.execve(sys.executable, argv, env)


def make_data(rows: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ref: dict[str, np.ndarray] = {}
    cur: dict[str, np.ndarray] = {}
    for i in range(N_NUMERIC):
        shift = 0.25 if i % 8 == 0 else 0.0  # 5 of 40 columns drift
        match i % 4:
            case 0:
                ref[f"num_{i}"] = rng.normal(0, 1, rows)
                cur[f"num_{i}"] = rng.normal(shift, 1, rows)
            case 1:
                ref[f"num_{i}"] = rng.lognormal(0, 0.5, rows)
                cur[f"num_{i}"] = rng.lognormal(shift, 0.5, rows)
            case 2:
                ref[f"num_{i}"] = rng.exponential(2.0, rows)
                cur[f"num_{i}"] = rng.exponential(2.0 + shift, rows)
            case 3:
                ref[f"num_{i}"] = rng.poisson(5, rows).astype(np.int64)
                cur[f"num_{i}"] = rng.poisson(5 + shift, rows).astype(np.int64)
    for j in range(N_CATEGORICAL):
        k = 3 + j  # 3 to 12 categories
        labels = np.array([f"cat{j}_{c}" for c in range(k)], dtype=object)
        p = rng.dirichlet(np.ones(k) * 5)
        q = p.copy()
        if j % 5 == 0:  # 2 of 10 columns drift
            q[0], q[-1] = q[0] * 0.7, q[-1] + q[0] * 0.3
        ref[f"cat_{j}"] = labels[rng.choice(k, rows, p=p)]
        cur[f"cat_{j}"] = labels[rng.choice(k, rows, p=q)]
    ref_df = pd.DataFrame(ref)
    cur_df = pd.DataFrame(cur)
    for j in range(N_CATEGORICAL):  # pandas' string dtype (pyarrow-backed)
        ref_df[f"cat_{j}"] = ref_df[f"cat_{j}"].astype("string[pyarrow]")
        cur_df[f"cat_{j}"] = cur_df[f"cat_{j}"].astype("string[pyarrow]")
    return ref_df, cur_df


class PeakRSS:
    """Samples the process's resident memory in a thread; ``peak`` after the block."""

    def __init__(self, interval: float = 0.005):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._proc = psutil.Process()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self) -> PeakRSS:
        self.peak = self._proc.memory_info().rss
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def timed(fn: Callable[[], object], repeats: int = 3) -> tuple[float, float, object, int]:
    """Best wall time and best CPU time (all threads of the process) of ``repeats`` runs
    (the machine is shared and noisy: other jobs lengthen the wall time more than the CPU
    time), the last result and the highest peak RSS seen."""
    best, best_cpu, peak, out = float("inf"), float("inf"), 0, None
    for _ in range(repeats):
        gc.collect()
        with PeakRSS() as mem:
            t0, c0 = time.perf_counter(), time.process_time()
            out = fn()
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        best, best_cpu, peak = min(best, elapsed), min(best_cpu, cpu), max(peak, mem.peak)
    return best, best_cpu, out, peak


def detect_alone(
    ref: pd.DataFrame, cur: pd.DataFrame, repeats: int, workers: int | None = None
) -> tuple[float, float, int, int]:
    """Time detect with a fitted reference; also return the fitted reference's size."""
    detector = ds.DriftDetector(ref, workers=workers)
    t_detect, cpu, _, peak = timed(lambda: detector.detect_feature_drift(cur), repeats)
    reference_bytes = sum(
        c.sample.values.nbytes + (0 if c.sample.cumcounts is None else c.sample.cumcounts.nbytes)
        for c in detector.reference_.columns.values()
        if hasattr(c, "sample")
    )
    return t_detect, cpu, peak, reference_bytes


def scipy_loop(ref: pd.DataFrame, cur: pd.DataFrame) -> dict[str, float]:
    pvalues = {}
    for name in ref.columns:
        if name.startswith("num_"):
            pvalues[name] = st.ks_2samp(ref[name].to_numpy(), cur[name].to_numpy()).pvalue
        else:
            table = pd.concat([ref[name].value_counts(), cur[name].value_counts()], axis=1).fillna(
                0
            )
            counts = table.to_numpy(dtype=float).T
            pvalues[name] = st.chi2_contingency(counts, correction=False).pvalue
    return pvalues


def evidently_run(ref: pd.DataFrame, cur: pd.DataFrame) -> object:  # pragma: no cover
    try:
        from evidently import Report
        from evidently.presets import DataDriftPreset

        return Report([DataDriftPreset()]).run(cur, ref)
    except ImportError:
        from evidently.metric_preset import DataDriftPreset
        from evidently.report import Report

        report = Report(metrics=[DataDriftPreset()])
        report.run(reference_data=ref, current_data=cur)
        return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--evidently", action="store_true", help="also time Evidently")
    parser.add_argument("--skip-scipy", action="store_true")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument(
        "--workers", type=int, default=None, help="driftscope's threads (default: one per core)"
    )
    parser.add_argument(
        "--also-one-worker",
        action="store_true",
        help="also time driftscope on one thread in the same run (the speed per core)",
    )
    parser.add_argument(
        "--no-avx512",
        action="store_true",
        help="run as on a CPU without AVX-512 (NumPy and Numba on AVX2 code paths)",
    )
    args = parser.parse_args()
    if args.no_avx512 and not os.environ.get("DRIFTSCOPE_BENCH_NO_AVX512"):
        rerun_without_avx512()

    print(
        f"driftscope {ds.__version__} on {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d}, "
        f"{available_cores()} available to this process, "
        f"driftscope workers: {args.workers or 'one per available core'}"
    )
    print(cpu_paths())
    t0 = time.perf_counter()
    ref, cur = make_data(args.rows)
    frames_bytes = int(ref.memory_usage(deep=True).sum() + cur.memory_usage(deep=True).sum())
    gc.collect()
    rss_frames = psutil.Process().memory_info().rss
    print(
        f"data: 2 x {args.rows:,} rows x {ref.shape[1]} columns, "
        f"{frames_bytes / 2**20:,.0f} MiB in DataFrames "
        f"(process RSS {rss_frames / 2**20:,.0f} MiB), "
        f"generated in {time.perf_counter() - t0:.1f} s"
    )

    # one-time costs of a fresh process (loading the compiled kernels), reported apart
    t0 = time.perf_counter()
    ds.DriftDetector(ref.iloc[:20_000], workers=args.workers).detect_feature_drift(
        cur.iloc[:20_000]
    )
    print(
        f"warm-up (first check in a process: loads compiled kernels): "
        f"{time.perf_counter() - t0:.2f} s"
    )

    def full() -> ds.DriftResult:
        return ds.DriftDetector(ref, workers=args.workers).detect_feature_drift(cur)

    t_full, cpu_full, result, peak_full = timed(full, args.repeats)
    t_detect, cpu_detect, peak_detect, reference_bytes = detect_alone(
        ref, cur, args.repeats, args.workers
    )
    rows = [
        ("driftscope fit + detect", t_full, cpu_full, peak_full),
        ("driftscope detect (fitted)", t_detect, cpu_detect, peak_detect),
    ]
    if args.also_one_worker and args.workers != 1:
        t1, cpu1, _, peak1 = timed(
            lambda: ds.DriftDetector(ref, workers=1).detect_feature_drift(cur), args.repeats
        )
        t1_detect, cpu1_detect, peak1_detect, _ = detect_alone(ref, cur, args.repeats, 1)
        rows.append(("driftscope fit + detect, 1 thread", t1, cpu1, peak1))
        rows.append(("driftscope detect (fitted), 1 thread", t1_detect, cpu1_detect, peak1_detect))
    if not args.skip_scipy:
        t_scipy, cpu_scipy, _, peak_scipy = timed(lambda: scipy_loop(ref, cur), args.repeats)
        rows.append(("scipy ks_2samp/chi2 loop", t_scipy, cpu_scipy, peak_scipy))
    t_ev = None
    if args.evidently:
        try:
            t_ev, cpu_ev, _, peak_ev = timed(lambda: evidently_run(ref, cur), 1)
            rows.append(("Evidently DataDriftPreset (one run)", t_ev, cpu_ev, peak_ev))
        except Exception as exc:  # an incompatible Evidently must not lose the other numbers
            print(f"Evidently could not run: {type(exc).__name__}: {exc}")

    print(f"\ndrifted: {result.drifted_features}")
    print(f"reference (fitted) holds {reference_bytes / 2**20:,.0f} MiB of sorted values\n")
    print(f"best of {args.repeats} runs each\n")
    print(
        "| run | seconds | CPU seconds | peak RSS MiB | peak / RSS holding the frames "
        "| extra / frames |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, secs, cpu, peak in rows:
        print(
            f"| {name} | {secs:.2f} | {cpu:.2f} | {peak / 2**20:,.0f} | "
            f"{peak / rss_frames:.2f} | {(peak - rss_frames) / frames_bytes:.2f} |"
        )
    if not args.skip_scipy:
        print(
            f"\nspeed-up vs SciPy loop: full check {t_scipy / t_full:.1f}x, "
            f"detect alone {t_scipy / t_detect:.1f}x (wall time); "
            f"in CPU time {cpu_scipy / cpu_full:.1f}x and {cpu_scipy / cpu_detect:.1f}x"
        )
        if args.also_one_worker and args.workers != 1:
            print(
                f"on 1 thread: full check {t_scipy / t1:.1f}x, detect alone "
                f"{t_scipy / t1_detect:.1f}x (wall time); in CPU time {cpu_scipy / cpu1:.1f}x "
                f"and {cpu_scipy / cpu1_detect:.1f}x"
            )
    if t_ev is not None:
        print(f"speed-up vs Evidently: full check {t_ev / t_full:.1f}x")


if __name__ == "__main__":
    main()
