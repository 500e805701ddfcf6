"""A churn-model demo: synthetic customers, a drifted production month, a drift report.

The story: a telecom's churn model was trained on last year's customers (the reference).
In production, prices rose, so monthly charges (and with them total charges) moved up;
more customers are on month-to-month contracts; and support calls went up. The model's
predicted churn probability rose with them. Everything else (tenure, usage, payment method,
internet service, region, demographics, signup dates) kept its distribution.

>>> reference, production = make_churn_data(n_reference=500, n_production=400, seed=1)
>>> reference.shape, production.shape
((500, 13), (400, 13))
>>> bool(production["monthly_charges"].mean() > reference["monthly_charges"].mean())
True
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np
import pandas as pd

from driftscope.cli._options import progress_option, stdout_console
from driftscope.cli._progress import ProgressCallback, progress_bar

if TYPE_CHECKING:
    from rich.console import Console

    from driftscope.drift.results import DriftReport

PREDICTION = "churn_probability"
MODEL = "churn_demo"
REPORT_NAME = "driftscope-demo-report.html"
AS_OF = datetime(2025, 6, 30, tzinfo=UTC)

CONTRACTS = ("month-to-month", "one-year", "two-year")
PAYMENTS = ("electronic check", "mailed check", "bank transfer", "credit card")
INTERNET = ("DSL", "fiber optic", "none")
REGIONS = ("north", "south", "east", "west", "central")


def _customers(rng: np.random.Generator, n: int, drifted: bool) -> pd.DataFrame:
    """``n`` synthetic customers; ``drifted`` applies the production story."""
    contract_p = (0.58, 0.22, 0.20) if drifted else (0.45, 0.25, 0.30)
    contract = rng.choice(len(CONTRACTS), size=n, p=contract_p)
    internet = rng.choice(len(INTERNET), size=n, p=(0.35, 0.45, 0.20))
    payment = rng.choice(len(PAYMENTS), size=n, p=(0.34, 0.23, 0.22, 0.21))
    region = rng.choice(len(REGIONS), size=n, p=(0.22, 0.20, 0.21, 0.19, 0.18))

    tenure = np.clip(np.round(rng.gamma(shape=1.6, scale=18.0, size=n)), 1, 72).astype(np.int64)
    base = np.array([55.0, 85.0, 22.0])[internet]
    spread = np.array([10.0, 12.0, 4.0])[internet]
    monthly = base + rng.normal(0.0, 1.0, size=n) * spread
    if drifted:  # the price rise: +9 % and a new 4.50 service fee
        monthly = monthly * 1.09 + 4.5
    monthly = np.round(np.clip(monthly, 15.0, None), 2)
    total = np.round(monthly * tenure * rng.uniform(0.93, 1.02, size=n), 2)

    support_calls = rng.poisson(1.9 if drifted else 1.2, size=n).astype(np.int64)
    usage = np.where(internet == 2, 0.0, rng.lognormal(np.log(180.0), 0.6, size=n))
    usage = np.round(usage, 1)
    usage[rng.random(n) < 0.012] = np.nan  # meter readings that never arrived

    senior = rng.random(n) < 0.16
    partner = rng.random(n) < 0.48
    days = tenure * 30.44 + rng.uniform(0.0, 30.0, size=n)
    signup = pd.Timestamp(AS_OF) - pd.to_timedelta(np.round(days), unit="D")

    frame = pd.DataFrame(
        {
            "tenure_months": tenure,
            "monthly_charges": monthly,
            "total_charges": total,
            "support_calls": support_calls,
            "data_usage_gb": usage,
            "contract": pd.Categorical.from_codes(contract, CONTRACTS),
            "payment_method": pd.Categorical.from_codes(payment, PAYMENTS),
            "internet_service": pd.Categorical.from_codes(internet, INTERNET),
            "region": pd.Categorical.from_codes(region, REGIONS),
            "is_senior": senior,
            "has_partner": partner,
            "signup_date": signup.floor("D"),
        }
    )
    frame[PREDICTION] = churn_model(frame)
    return frame


def churn_model(frame: pd.DataFrame) -> np.ndarray:
    """The "model": a fixed logistic function of the features, its churn probability.

    >>> reference, _ = make_churn_data(n_reference=2_000, n_production=10, seed=0)
    >>> 0.15 < float(churn_model(reference).mean()) < 0.35
    True
    """
    contract = frame["contract"].astype(str).to_numpy()
    z = (
        -1.55
        + 1.15 * (contract == "month-to-month")
        - 0.85 * (contract == "two-year")
        - 0.032 * frame["tenure_months"].to_numpy()
        + 0.022 * (frame["monthly_charges"].to_numpy() - 60.0)
        + 0.32 * frame["support_calls"].to_numpy()
        + 0.35 * frame["is_senior"].to_numpy()
        - 0.25 * frame["has_partner"].to_numpy()
        + 0.30 * (frame["payment_method"].astype(str).to_numpy() == "electronic check")
        + 0.20 * (frame["internet_service"].astype(str).to_numpy() == "fiber optic")
    )
    return np.round(1.0 / (1.0 + np.exp(-z)), 4)


def make_churn_data(
    n_reference: int = 20_000,
    n_production: int = 20_000,
    seed: int = 0,
    drift: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reference (training) and production customers of a churn model.

    Columns: ``tenure_months``, ``monthly_charges``, ``total_charges``, ``support_calls``
    (int), ``data_usage_gb`` (about 1 % missing), ``contract``, ``payment_method``,
    ``internet_service``, ``region`` (categorical), ``is_senior``, ``has_partner`` (bool),
    ``signup_date`` (UTC datetime) and the model's output ``churn_probability``. With
    ``drift=False`` both frames come from the same distribution.

    >>> ref, prod = make_churn_data(1_000, 1_000, seed=3, drift=False)
    >>> bool(abs(ref["support_calls"].mean() - prod["support_calls"].mean()) < 0.2)
    True
    """
    if n_reference < 1 or n_production < 1:
        from driftscope.errors import ConfigError

        raise ConfigError(
            f"make_churn_data needs at least one row per side, got {n_reference} and {n_production}"
        )
    rng = np.random.default_rng(seed)
    reference = _customers(rng, n_reference, drifted=False)
    production = _customers(rng, n_production, drifted=drift)
    return reference, production


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
