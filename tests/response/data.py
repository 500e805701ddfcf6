"""A model with a saved baseline and logged predictions, drifted as much as asked: the
data of the analyzer, drift response and quick start tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from driftscope.monitor import ModelMonitor

FEATURES = ["tenure_months", "monthly_charges", "support_calls", "contract"]


def churn_frame(rng: np.random.Generator, n: int, shift: float = 0.0) -> pd.DataFrame:
    """Customers; ``shift`` in [0, 1] moves every feature: that share of the rows comes
    from a clearly different population."""
    moved = rng.random(n) < shift
    return pd.DataFrame(
        {
            "tenure_months": np.where(moved, rng.normal(8, 3, n), rng.normal(30, 10, n)),
            "monthly_charges": np.where(moved, rng.normal(110, 8, n), rng.normal(65, 15, n)),
            "support_calls": np.where(moved, rng.poisson(6, n), rng.poisson(1, n)),
            "contract": np.where(
                moved,
                rng.choice(["monthly"], n),
                rng.choice(["monthly", "yearly", "two_year"], n, p=[0.5, 0.3, 0.2]),
            ),
        }
    )


def logged_model(
    location, model: str, *, shift: float, rows: int = 1500, seed: int = 7, days_ago: float = 2
) -> tuple[pd.DataFrame, datetime]:
    """Save a baseline for ``model`` in ``location`` and log ``rows`` predictions spread
    over the day that ended ``days_ago`` days ago (UTC midnight), drifted by ``shift``.
    Returns the logged features and the start of that day."""
    rng = np.random.default_rng(seed)
    baseline = churn_frame(rng, 3000)
    baseline["prediction"] = rng.random(3000)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=days_ago)
    production = churn_frame(rng, rows, shift=shift)
    stamps = [start + timedelta(seconds=int(s)) for s in np.linspace(0, 86_000, rows)]
    with ModelMonitor(model, store=location) as monitor:
        monitor.save_reference(baseline)
        monitor.log_predictions(production, rng.random(rows), timestamps=stamps)
    return production, start
