"""A small stored history of check results, written by hand for the history and report
tests: known values, statuses, a missing value and awkward names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from driftscope.core.checks import CheckRecord
from driftscope.store import open_store

MODEL = "churn"
START = datetime(2025, 6, 1, tzinfo=UTC)
DAYS = 10
LONG = "customer_lifetime_value_estimate_from_the_finance_team_quarterly_model"
HOSTILE = "<script>alert('plan')</script>"


def day(i: int) -> datetime:
    return START + timedelta(days=i)


def history_records(model: str = MODEL, days: int = DAYS) -> list[CheckRecord]:
    """Per day: accuracy (falls below 0.85 from day 6: warning, day 8: critical; day 4 has no
    labels: missing), data drift score (ok), per-feature drift details, and a completeness
    series of a column with a long name (ok throughout)."""
    out = []
    for i in range(days):
        start, end = day(i), day(i + 1)
        accuracy = None if i == 4 else 0.9 - (0.03 * (i - 5) if i > 5 else 0.0)
        status = (
            "unknown" if accuracy is None
            else "critical" if accuracy < 0.82
            else "warning" if accuracy < 0.85
            else "ok"
        )  # fmt: skip
        out.append(CheckRecord(model, "performance", start, end, "accuracy", accuracy, 0.85,
                               status))  # fmt: skip
        features = {
            "age": {"score": 0.01 * i, "drifted": i >= 7, "kind": "numerical", "method": "ks",
                    "statistic": 0.02 * i, "p_value": 0.5 / (i + 1), "threshold": 0.05},
            HOSTILE: {"score": 0.02, "drifted": False, "kind": "categorical",
                      "method": "chi_square", "statistic": 1.0, "p_value": 0.6,
                      "threshold": 0.05},
            LONG: {"score": 0.005, "drifted": False, "kind": "numerical", "method": "ks",
                   "statistic": 0.01, "p_value": 0.9, "threshold": 0.05},
        }  # fmt: skip
        out.append(CheckRecord(model, "drift", start, end, "data_drift_score", 0.02 + 0.005 * i,
                               0.2, "warning" if i >= 7 else "ok",
                               details={"drifted_features": ["age"] if i >= 7 else [],
                                        "features": features}))  # fmt: skip
        out.append(CheckRecord(model, "quality", start, end, f"completeness:{LONG}", 1.0, 0.99,
                               "ok"))  # fmt: skip
    return out


def write_history(folder: Path) -> Path:
    """An embedded store in ``folder`` holding :func:`history_records`; returns ``folder``."""
    with open_store(folder) as store:
        store.write_check_results(history_records())
    return folder
