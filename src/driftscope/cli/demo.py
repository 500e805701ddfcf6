"""``driftscope demo``: the main job end to end on synthetic churn data.

A telecom's churn model meets a month of production in which prices rose (see
:func:`make_churn_data` for the story): the demo logs its predictions, checks them for
drift and health against the stored baseline and writes an HTML report.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(demo, ["--help"]).output.splitlines()[0]
'Usage: demo [OPTIONS]'
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np
import pandas as pd

from driftscope.cli._churn import PREDICTION, churn_model, make_churn_data
from driftscope.cli._options import progress_option, stdout_console
from driftscope.cli._progress import ProgressCallback, progress_bar

if TYPE_CHECKING:
    from rich.console import Console

    from driftscope.drift.results import DriftReport

__all__ = [
    "MODEL",
    "PREDICTION",
    "REPORT_NAME",
    "churn_model",
    "demo",
    "make_churn_data",
    "run_demo",
]

MODEL = "churn_demo"
REPORT_NAME = "driftscope-demo-report.html"


def run_demo(
    output_dir: Path,
    *,
    console: Console,
    rows: int = 20_000,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    store: Any = None,
) -> DriftReport:
    """The main job, end to end on the embedded store: log a month of production
    predictions through a :class:`~driftscope.ModelMonitor` (with late labels for half of
    them), read them back, check them against the stored baseline, run the health checks
    (drift, data quality, performance, ...) per week and store their results, print the
    tables and write the HTML report.

    ``store`` defaults to ``$DRIFTSCOPE_HOME`` or ``output_dir / ".driftscope"``. Writes
    ``output_dir / "driftscope-demo-report.html"`` (creating ``output_dir``) and returns the
    report holding feature drift and prediction drift.

    >>> import tempfile
    >>> from rich.console import Console
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     report = run_demo(Path(tmp), console=Console(quiet=True), rows=600)
    ...     (Path(tmp) / REPORT_NAME).exists(), (Path(tmp) / ".driftscope").is_dir()
    (True, True)
    >>> report.feature_drift.has_drift
    True
    """
    import os

    from driftscope import DriftDetector, ModelMonitor
    from driftscope.report.console import print_result
    from driftscope.report.health_table import print_health
    from driftscope.store import open_store

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    reference, production = make_churn_data(rows, rows, seed=seed, drift=True)
    features = [c for c in reference.columns if c != PREDICTION]
    store = open_store(store or os.environ.get("DRIFTSCOPE_HOME") or output_dir / ".driftscope")
    run = f"demo-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"  # this run's rows, even in a used store
    with ModelMonitor(
        MODEL,
        metrics=["accuracy", "auc"],
        alert_thresholds={"data_drift_score": 0.2, "prediction_drift_score": 0.15},
        store=store,
        model_version=run,
    ) as monitor:
        outcome = np.random.default_rng(seed + 2).random(len(reference))
        training = reference[features].assign(
            prediction=reference[PREDICTION].to_numpy(),
            label=(outcome < reference[PREDICTION].to_numpy()).astype(int),
        )
        baseline = monitor.save_reference(training, note="churn demo validation set")
        _log_production_month(monitor, production, features, seed)
        logged = monitor.get_recent_predictions(days=31, model_version=run)
        detector = DriftDetector(reference=monitor.reference(baseline.version))
        feature_drift = detector.detect_feature_drift(logged, features, progress=progress)
        prediction_drift = detector.detect_prediction_drift(
            logged["prediction"], baseline_predictions=reference[PREDICTION]
        )
        health = monitor.run_checks("week", since=datetime.now(UTC) - timedelta(days=31))
    report = detector.generate_report(
        feature_drift=feature_drift, prediction_drift=prediction_drift
    )
    console.print(
        f"Logged {len(logged):,} predictions ({int(logged['label'].notna().sum()):,} with "
        f"late labels) to the store at {_where(store)}; "
        f"baseline version {baseline.version}.",
        highlight=False,
    )
    print_result(feature_drift, console, title="Feature drift: churn model, production vs training")
    print_result(prediction_drift, console, title="Prediction drift: churn_probability")
    print_health(health, console, limit=12)
    console.print(
        f"Health checks: {len(health.records):,} points over {len(health.windows)} weekly "
        "windows stored (drift, data quality, performance, ...); `driftscope check "
        f"{MODEL} --store {_where(store)} --all` lists them.",
        highlight=False,
    )
    report.save_html(str(output_dir / REPORT_NAME))
    store.close()
    return report


def _where(store: Any) -> str:
    home = getattr(store, "home", None)
    return str(getattr(home, "root", home) or type(store).__name__)


def _log_production_month(
    monitor: Any, production: pd.DataFrame, features: list[str], seed: int
) -> None:
    """Log the production rows over the last 30 days; half get their churn outcome later."""
    rng = np.random.default_rng(seed + 1)
    n = len(production)
    now = datetime.now(UTC)
    offsets = np.sort(rng.uniform(0, 30 * 86_400, n))[::-1]
    stamps = pd.to_datetime(now) - pd.to_timedelta(offsets, unit="s")
    ids = monitor.log_predictions(
        production[features], production[PREDICTION].to_numpy(), timestamps=stamps
    )
    churned = (rng.random(n) < production[PREDICTION].to_numpy()).astype(int)
    labelled = rng.random(n) < 0.5
    monitor.log_ground_truths(list(np.asarray(ids)[labelled]), churned[labelled].tolist())


@click.command()
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Directory for the HTML report.",
)
@click.option(
    "--rows",
    type=click.IntRange(min=100),
    default=20_000,
    show_default=True,
    help="Customers in each of the reference and production sets.",
)
@progress_option
def demo(output_dir: str, rows: int, progress: bool | None) -> None:
    """Run the churn-model demo: synthetic drifted data, a table and an HTML report."""
    console = stdout_console()
    with progress_bar(progress, "Checking") as callback:
        run_demo(Path(output_dir), console=console, rows=rows, progress=callback)
    console.print(f"HTML report written to {Path(output_dir) / REPORT_NAME}", highlight=False)
