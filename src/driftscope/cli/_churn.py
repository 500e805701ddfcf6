"""The demo's data: synthetic churn customers, a drifted production month, the model.

The story: a telecom's churn model was trained on last year's customers (the reference).
In production, prices rose, so monthly charges (and with them total charges) moved up;
more customers are on month-to-month contracts; and support calls went up. The model's
predicted churn probability rose with them. Everything else (tenure, usage, payment method,
internet service, region, demographics, signup dates) kept its distribution.
:func:`make_production_month` dates the story: June 2025, with the price rise on 12 June.

>>> reference, production = make_churn_data(n_reference=500, n_production=400, seed=1)
>>> reference.shape, production.shape
((500, 13), (400, 13))
>>> bool(production["monthly_charges"].mean() > reference["monthly_charges"].mean())
True
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

PREDICTION = "churn_probability"
AS_OF = datetime(2025, 6, 30, tzinfo=UTC)
#: The production month of the demo (fixed dates: every run logs the same times) and the
#: day prices rose within it.
MONTH_START = datetime(2025, 6, 1, tzinfo=UTC)
MONTH_DAYS = 30
PRICE_RISE = datetime(2025, 6, 12, tzinfo=UTC)

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


def make_production_month(
    n_production: int = 20_000,
    seed: int = 0,
    *,
    start: datetime = MONTH_START,
    days: int = MONTH_DAYS,
    price_rise: datetime = PRICE_RISE,
) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """A month of production customers, in time order, with the time each was scored:
    spread evenly at random over ``days`` days from ``start``; those scored before
    ``price_rise`` come from the reference distribution, the later ones from the drifted
    one (see the module docstring). The same ``seed`` gives the same rows and times.

    >>> month, stamps = make_production_month(2_000, seed=1)
    >>> len(month), str(stamps[0].date()), str(stamps[-1].date())
    (2000, '2025-06-01', '2025-06-30')
    >>> before = month[stamps < PRICE_RISE]["monthly_charges"].mean()
    >>> bool(month[stamps >= PRICE_RISE]["monthly_charges"].mean() > before + 5)
    True
    """
    if n_production < 1 or days < 1:
        from driftscope.errors import ConfigError

        raise ConfigError(f"make_production_month needs rows and days >= 1, got {n_production}")
    rng = np.random.default_rng([seed, 1])
    offsets = np.sort(rng.uniform(0.0, days * 86_400.0, n_production))
    stamps = pd.DatetimeIndex(pd.Timestamp(start) + pd.to_timedelta(offsets, unit="s"))
    before = int(np.searchsorted(stamps, pd.Timestamp(price_rise)))
    parts = [
        _customers(rng, count, drifted=drifted)
        for count, drifted in ((before, False), (n_production - before, True))
        if count
    ]
    return pd.concat(parts, ignore_index=True), stamps


def month_end(start: datetime = MONTH_START, days: int = MONTH_DAYS) -> datetime:
    """The end (exclusive) of the production month.

    >>> month_end().isoformat()
    '2025-07-01T00:00:00+00:00'
    """
    return start + timedelta(days=days)
