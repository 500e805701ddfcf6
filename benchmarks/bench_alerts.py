"""Rule evaluation after a check cycle of 1,000 models x 50 features x 10 rules (issue 14).

Synthesises one daily check cycle the way ``run_checks`` stores it: per model, the
performance points (accuracy, AUC, precision, recall, labelled rows), the drift points
(data and prediction drift scores, drift share, rows), the operational ones (p95 latency,
error rate) and three data-quality points per feature (completeness, out-of-range rate,
missing-feature rate): 1,000 models x (50 x 3 + 11) = 161,000 points. Ten rules watch
them (two of them per feature, so 100,000 (rule, model, feature) pairs each cycle).

Then times, on an embedded store in a temporary folder, with ``deliver=False`` (the outbox
is filled, nothing is sent):

1. a first cycle in which ``--bad`` of the models (2 %) have problems: ``evaluate()``
   plus the group flush (``tick()`` after the group wait) that puts their notifications
   in the outbox;
2. the next cycle, same problems (every firing alert seen again: folded as repeats);
3. a cycle in which they recover (alerts resolve, resolved notifications);
4. a quiet cycle (nothing bad, nothing stored: the common case).

Target (issue 14): evaluate + flush of a cycle under 1 s. Run:
``python benchmarks/bench_alerts.py`` (``--models 100`` for a quick look; ``--store
postgresql://...`` for PostgreSQL; ``--profile`` prints where the time goes).
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import tempfile
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from driftscope.alerts.channels.base import Channel
from driftscope.alerts.manager import AlertManager
from driftscope.alerts.model import Notification
from driftscope.alerts.rules import AlertRule
from driftscope.core.checks import CheckRecord
from driftscope.store import open_store

T0 = datetime(2026, 11, 1, tzinfo=UTC)
DAY = timedelta(days=1)
PER_FEATURE = ("completeness", "out_of_range_rate", "missing_feature_rate")

RULES = [
    AlertRule("accuracy_low", "accuracy", 0.85, "below", severity="critical", min_samples=100),
    AlertRule("auc_low", "auc", 0.90, "below", min_samples=100),
    AlertRule("precision_low", "precision", 0.80, "below", min_samples=100),
    AlertRule("recall_low", "recall", 0.80, "below", min_samples=100),
    AlertRule("data_drift", "data_drift_score", 0.2, check="drift", severity="critical"),
    AlertRule("prediction_drift", "prediction_drift_score", 0.15, check="drift"),
    AlertRule("latency_high", "latency_p95_ms", 500.0, check="operational"),
    AlertRule("errors_high", "error_rate", 0.05, check="operational", severity="critical"),
    AlertRule("incomplete", "completeness", 0.99, "below", check="quality", for_windows=2),
    AlertRule("out_of_range", "out_of_range_rate", 0.05, check="quality"),
]


class Sink(Channel):
    """A channel that is never called here (``deliver=False``): the outbox keeps all."""

    kind = "sink"

    def send(self, notification: Notification) -> None:
        pass


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cycle(
    rng: np.random.Generator, models: int, features: int, day: int, bad: set[int]
) -> list[CheckRecord]:
    """One day's points; the models in ``bad`` have low accuracy, drift and one
    incomplete feature."""
    start, end = T0 + DAY * day, T0 + DAY * (day + 1)
    out = []
    names = [f"f{j}" for j in range(features)]
    for i in range(models):
        model = f"model_{i:04d}"
        sick = i in bad

        def rec(check: str, metric: str, value: float, model: str = model, **details) -> None:
            out.append(
                CheckRecord(model, check, start, end, metric, value, None, "ok", details=details)
            )

        rec("performance", "labelled_rows", 2000.0)
        for metric, base in (
            ("accuracy", 0.91),
            ("auc", 0.95),
            ("precision", 0.88),
            ("recall", 0.86),
        ):
            rec("performance", metric, base - (0.2 if sick else 0.0) + rng.normal(0, 0.005), n=2000)
        rec("drift", "rows", 5000.0)
        rec("drift", "data_drift_score", 0.35 if sick else rng.uniform(0, 0.1))
        rec("drift", "prediction_drift_score", 0.25 if sick else rng.uniform(0, 0.05))
        rec("drift", "drift_share", 0.4 if sick else 0.0)
        rec("operational", "latency_p95_ms", rng.uniform(50, 200), timed_records=5000)
        rec("operational", "error_rate", rng.uniform(0, 0.01))
        complete = 1.0 - rng.uniform(0, 0.005, features)
        if sick:
            complete[3] = 0.7
        oor = rng.uniform(0, 0.02, features)
        for j, name in enumerate(names):
            rec("quality", f"completeness:{name}", float(complete[j]))
            rec("quality", f"out_of_range_rate:{name}", float(oor[j]))
            rec("quality", f"missing_feature_rate:{name}", 0.0)
    return out


def timed(manager: AlertManager, points: list[CheckRecord], day: int) -> tuple[float, float, dict]:
    now = T0 + DAY * (day + 1) + timedelta(hours=1)
    t = time.perf_counter()
    report = manager.evaluate(points, now=now)
    evaluated = time.perf_counter() - t
    t = time.perf_counter()
    ticked = manager.tick(now + timedelta(seconds=30))
    flushed = time.perf_counter() - t
    facts = {
        "fired": len(report.fired),
        "resolved": len(report.resolved),
        "repeats": report.repeats,
        "states written": report.states_written,
        "notifications": len(ticked.notification_ids),
    }
    return evaluated, flushed, facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--bad", type=float, default=0.02, help="share of models with problems")
    parser.add_argument("--store", default=None, help="a store location (default: a temp dir)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(14)
    bad = set(rng.choice(args.models, int(args.models * args.bad), replace=False).tolist())
    location = args.store or tempfile.mkdtemp(prefix="bench-alerts-")
    print(f"CPU: {cpu_model()}; Python {platform.python_version()}")
    print(
        f"{args.models:,} models x {args.features} features x {len(RULES)} rules; "
        f"{len(bad)} models with problems; store: {'embedded' if not args.store else args.store}"
    )
    plans = [
        ("first cycle (problems start)", bad),
        ("same problems", bad),
        ("recovery", set()),
        ("quiet", set()),
    ]
    with open_store(location) as store:
        manager = AlertManager(
            [Sink(name="slack"), Sink(name="pagerduty")],
            store=store,
            rules=RULES,
            deliver=False,
            group_wait="30s",
        )
        profiler = cProfile.Profile() if args.profile else None
        print(f"{'cycle':<30} {'points':>8} {'evaluate':>9} {'flush':>7} {'total':>7}  facts")
        for day, (label, sick) in enumerate(plans):
            points = cycle(rng, args.models, args.features, day, sick)
            if profiler is not None:
                profiler.enable()
            evaluated, flushed, facts = timed(manager, points, day)
            if profiler is not None:
                profiler.disable()
            total = evaluated + flushed
            mark = "" if total < 1.0 else "  (over the 1 s target)"
            said = ", ".join(f"{k} {v:,}" for k, v in facts.items())
            print(
                f"{label:<30} {len(points):>8,} {evaluated:>8.3f}s {flushed:>6.3f}s "
                f"{total:>6.3f}s  {said}{mark}"
            )
        manager.close()
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
