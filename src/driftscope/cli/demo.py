"""``driftscope demo``: the main job end to end on synthetic churn data.

A telecom's churn model meets a month of production in which prices rose (see
:func:`make_churn_data` for the story): the demo logs its predictions, checks them for
drift and health against the stored baseline and writes an HTML report.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(demo, ["--help"]).output.splitlines()[0]
'Usage: demo [OPTIONS]'
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from driftscope.cli._options import progress_option, stdout_console
from driftscope.cli._progress import ProgressCallback, progress_bar

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from driftscope.drift.results import DriftReport
    from driftscope.store import Store

__all__ = [
    "DEMO_STORE",
    "HEALTH_NAME",
    "MODEL",
    "REPORT_NAME",
    "demo",
    "fresh_demo_store",
    "run_demo",
]

#: Names of the churn data's module offered here too, loaded on first use (with NumPy and
#: pandas), so that ``driftscope --help`` does not pay for them.
_FROM_CHURN = frozenset({"PREDICTION", "churn_model", "make_churn_data"})


def __getattr__(name: str) -> Any:
    if name in _FROM_CHURN:
        from driftscope.cli import _churn

        return getattr(_churn, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


MODEL = "churn_demo"
REPORT_NAME = "driftscope-demo-report.html"
HEALTH_NAME = "driftscope-demo-health.html"
#: The demo's own store, a folder in the output directory made anew at each run.
DEMO_STORE = "driftscope-demo"
#: The file that marks a folder as the demo's store (which the next run may remove).
MARKER = ".driftscope-demo"


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
    predictions (June 2025, prices rose on the 12th) through a
    :class:`~driftscope.ModelMonitor`, with late labels for half of them; read them back,
    check them against the stored baseline, run the health checks (drift, data quality,
    performance, ...) per day and store their results; print the tables and write two HTML
    reports: the month's drift (``driftscope-demo-report.html``) and its health over time
    (``driftscope-demo-health.html``), in ``output_dir`` (created when missing). Returns
    the drift report (feature drift and prediction drift).

    ``store`` defaults to a fresh store, ``output_dir / "driftscope-demo"``, wiped at each
    run (a folder there that the demo did not make is an error, never wiped); a given store
    is reused as it is. The same ``seed`` gives the same figures: the times are fixed
    dates, the prediction ids follow from ``seed`` and ``rows``.

    >>> import tempfile
    >>> from rich.console import Console
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     report = run_demo(Path(tmp), console=Console(quiet=True), rows=600)
    ...     sorted(p.name for p in Path(tmp).iterdir())
    ['driftscope-demo', 'driftscope-demo-health.html', 'driftscope-demo-report.html']
    >>> report.feature_drift.has_drift
    True
    """
    from driftscope.store import open_store

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    if store is None:
        location: Any = fresh_demo_store(output_dir / DEMO_STORE)
        console.print(
            f"A fresh demo store at {location} (made anew at each run; --store keeps the "
            "records in another store).",
            highlight=False,
        )
    else:
        location = store
    opened = open_store(location)
    try:
        if store is not None:
            earlier = MODEL in opened.models()
            console.print(
                f"Reusing the store at {_where(opened)}"
                + (
                    f": {MODEL}'s earlier records stay and count in its checks." if earlier else "."
                ),
                highlight=False,
            )
        report = _check_the_month(opened, console, rows, seed, progress)
        _report_health(opened, console, output_dir)
    finally:
        opened.close()
    report.save_html(str(output_dir / REPORT_NAME))
    for name, what in ((REPORT_NAME, "the month's drift"), (HEALTH_NAME, "its health by day")):
        console.print(f"HTML report written to {output_dir / name} ({what})", highlight=False)
    flag = f" --store {_store_flag(location, opened)}"
    console.print(
        f"Next: every series, and the health report of any period:\n"
        f"  driftscope history {MODEL}{flag}\n"
        f"  driftscope report {MODEL}{flag} --output health.html",
        highlight=False,
    )
    return report


def _check_the_month(
    store: Store,
    console: Console,
    rows: int,
    seed: int,
    progress: ProgressCallback | None,
) -> DriftReport:
    """Log the month through a monitor, check its drift against the baseline, print the
    drift tables, run the health checks by day; returns the month's drift report."""
    import numpy as np

    from driftscope import DriftDetector, ModelMonitor
    from driftscope.cli._churn import (
        MONTH_START,
        PREDICTION,
        make_churn_data,
        make_production_month,
        month_end,
    )
    from driftscope.report.console import print_result

    reference, _ = make_churn_data(rows, 1, seed=seed, drift=False)
    production, stamps = make_production_month(rows, seed=seed)
    features = [c for c in reference.columns if c != PREDICTION]
    run = f"demo-seed{seed}-rows{rows}"  # this run's rows, even in a reused store
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
        _log_production_month(monitor, production, stamps, features, seed, run)
        logged = monitor.get_recent_predictions(
            since=MONTH_START, until=month_end(), model_version=run
        )
        detector = DriftDetector(reference=monitor.reference(baseline.version))
        feature_drift = detector.detect_feature_drift(logged, features, progress=progress)
        prediction_drift = detector.detect_prediction_drift(
            logged["prediction"], baseline_predictions=reference[PREDICTION]
        )
        monitor.run_checks("day", since=MONTH_START, until=month_end())
    labelled = int(logged["label"].notna().sum())
    console.print(
        f"Logged {len(logged):,} predictions of June 2025 ({labelled:,} with late labels) to "
        f"the store at {_where(store)}; baseline version {baseline.version}.",
        highlight=False,
    )
    print_result(feature_drift, console, title="Feature drift: churn model, production vs training")
    print_result(prediction_drift, console, title="Prediction drift: churn_probability")
    return detector.generate_report(feature_drift=feature_drift, prediction_drift=prediction_drift)


def _report_health(store: Store, console: Console, output_dir: Path) -> None:
    """Print the month's health as ``driftscope history`` does (the series that were not
    ok throughout) and write the health report, linked to the drift report."""
    from driftscope.cli._churn import MONTH_START, month_end
    from driftscope.cli.history import print_history
    from driftscope.report.health_page import read_history, summarize, write_health_page

    points = read_history(store, MODEL, since=MONTH_START, until=month_end())
    series = summarize(points)
    trouble = [s for s in series if s.worst != "ok"]
    console.print(
        f"Health checks day by day: {len(points):,} points over "
        f"{points['window_start'].nunique()} daily windows stored; "
        f"{len(series) - len(trouble)} of the {len(series)} series stayed ok, the others:",
        highlight=False,
    )
    if trouble:
        print_history(MODEL, points, trouble, console)
    write_health_page(
        store,
        MODEL,
        output_dir / HEALTH_NAME,
        since=MONTH_START,
        until=month_end(),
        see_also=(("The whole month's drift, feature by feature, with charts", REPORT_NAME),),
    )


def fresh_demo_store(folder: Path) -> Path:
    """``folder`` made anew for the demo's store: removed first when an earlier demo made
    it (it holds the demo's marker file); a folder there that the demo did not make, and is
    not empty, is a :class:`~driftscope.errors.ConfigError` (it is never removed).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "driftscope-demo"
    >>> fresh_demo_store(folder) == folder, (folder / MARKER).exists()
    (True, True)
    """
    import shutil

    from driftscope.errors import ConfigError

    if folder.is_dir() and (folder / MARKER).is_file():
        shutil.rmtree(folder)
    elif folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ConfigError(
            f"{folder} exists and was not made by the demo: remove it, or give the demo "
            "another --output-dir or a --store to reuse"
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("made by `driftscope demo`: removed at its next run\n")
    return folder


def _where(store: Any) -> str:
    home = getattr(store, "home", None)
    return str(getattr(home, "root", home) or type(store).__name__)


def _store_flag(location: Any, opened: Any) -> str:
    """``--store``'s value in the closing hints: the folder, quoted for a shell; never a
    database URL (it may hold a password)."""
    import os
    import shlex

    from driftscope.store import StoreLocation

    if isinstance(location, str | os.PathLike):
        if StoreLocation.parse(location).kind == "folder":
            return shlex.quote(os.fspath(location))
        return "LOCATION  # the --store given to the demo"
    return shlex.quote(_where(opened))


def _log_production_month(
    monitor: Any,
    production: pd.DataFrame,
    stamps: pd.DatetimeIndex,
    features: list[str],
    seed: int,
    run: str,
) -> None:
    """Log the production rows at their times; half get their churn outcome, all on
    1 July (a fixed time: the same seed gives the same records)."""
    import numpy as np

    from driftscope.cli._churn import PREDICTION, month_end

    rng = np.random.default_rng(seed + 1)
    n = len(production)
    ids = [f"{run}-{i:06d}" for i in range(n)]
    monitor.log_predictions(
        production[features],
        production[PREDICTION].to_numpy(),
        timestamps=stamps,
        prediction_ids=ids,
    )
    churned = (rng.random(n) < production[PREDICTION].to_numpy()).astype(int)
    labelled = rng.random(n) < 0.5
    monitor.log_ground_truths(
        list(np.asarray(ids)[labelled]), churned[labelled].tolist(), timestamp=month_end()
    )


@click.command()
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Directory for the HTML reports and the demo's own store (driftscope-demo/).",
)
@click.option(
    "--rows",
    type=click.IntRange(min=100),
    default=20_000,
    show_default=True,
    help="Customers in each of the reference and production sets.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Random seed of the synthetic data: the same seed gives the same figures.",
)
@click.option(
    "--store",
    "location",
    default=None,
    help="Reuse this store (folder or PostgreSQL URL) instead of a fresh "
    "OUTPUT_DIR/driftscope-demo.",
)
@progress_option
def demo(
    output_dir: str, rows: int, seed: int, location: str | None, progress: bool | None
) -> None:
    """Run the churn-model demo: a month of synthetic production data (prices rose mid-month)
    logged to a fresh store, checked for drift and health, with tables and HTML reports."""
    console = stdout_console()
    with progress_bar(progress, "Checking") as callback:
        run_demo(
            Path(output_dir),
            console=console,
            rows=rows,
            seed=seed,
            progress=callback,
            store=location,
        )
