"""A model's stored check results over a period, read and summed up per series.

A *series* is one metric of one check over the windows, e.g. ``drift`` /
``data_drift_score``, or ``quality`` / ``completeness:contract`` (a metric of one column:
the part after ``:`` names the column). :func:`read_history` reads a model's points and
says clearly what exists when a name is unknown; :func:`summarize` gives one
:class:`Series` per series, worst first.

>>> import tempfile
>>> from datetime import UTC, datetime
>>> from driftscope.core.checks import CheckRecord
>>> from driftscope.store import open_store
>>> day = lambda d: datetime(2026, 11, d, tzinfo=UTC)
>>> with open_store(tempfile.mkdtemp()) as store:
...     store.write_check_results([
...         CheckRecord("churn", "performance", day(1), day(2), "accuracy", 0.91, 0.85, "ok"),
...         CheckRecord("churn", "performance", day(2), day(3), "accuracy", 0.80, 0.85,
...                     "critical"),
...         CheckRecord("churn", "drift", day(2), day(3), "data_drift_score", 0.05, 0.2, "ok"),
...     ])
...     points = read_history(store, "churn")
>>> [(s.check, s.metric, s.windows, s.worst, s.latest_value) for s in summarize(points)]
[('performance', 'accuracy', 2, 'critical', 0.8), ('drift', 'data_drift_score', 1, 'ok', 0.05)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from driftscope.core.status import STATUSES, Status
from driftscope.errors import ConfigError
from driftscope.store.base import Store

__all__ = ["Series", "read_history", "split_metric", "summarize"]


def split_metric(metric: str) -> tuple[str, str]:
    """A stored metric name as ``(metric, column)``; ``column`` is empty for a metric of
    the whole window.

    >>> split_metric("completeness:contract"), split_metric("accuracy")
    (('completeness', 'contract'), ('accuracy', ''))
    """
    name, _, column = metric.partition(":")
    return name, column


def read_history(
    store: Store,
    model: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    checks: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``model``'s stored points with ``since <= window_start < until``, sorted by window,
    check and metric (the columns of :class:`~driftscope.core.checks.CheckRecord`).

    ``checks`` keeps those checks; ``metrics`` keeps the metrics named in full
    (``completeness:contract``) or by their name alone (``completeness``: every column).
    An unknown model, check or metric, ``until <= since``, or a period without a point is
    a :class:`~driftscope.errors.ConfigError` that names what exists.
    """
    if since is not None and until is not None and until <= since:
        raise ConfigError(
            f"--until ({until:%Y-%m-%d %H:%M}) must be after --since ({since:%Y-%m-%d %H:%M})"
        )
    models = store.models()
    if model not in models:
        where = f"models stored: {_listed(models)}" if models else "the store holds no model yet"
        raise ConfigError(f"no model {model!r} in the store; {where}")
    points = store.read_check_results(model)
    if points.empty:
        raise ConfigError(
            f"model {model!r} has no stored check results yet: run `driftscope check {model}`"
        )
    if checks:
        _require(checks, points["check"], "check")
        points = points[points["check"].isin(list(checks))]
    if metrics:
        names = points["metric"].map(lambda m: split_metric(m)[0])
        known = set(points["metric"]) | set(names)
        unknown = [name for name in metrics if name not in known]
        if unknown:
            raise ConfigError(
                f"no metric {', '.join(map(repr, unknown))} among the stored results; metrics "
                f"stored: {_listed(names, limit=30)} (NAME:COLUMN for one column's, e.g. "
                f"{next(iter(sorted(m for m in known if ':' in m)), 'completeness:age')})"
            )
        points = points[points["metric"].isin(list(metrics)) | names.isin(list(metrics))]
    span = points["window_start"]
    first, last = span.min(), span.max()
    if since is not None:
        points = points[points["window_start"] >= pd.Timestamp(since)]
    if until is not None:
        points = points[points["window_start"] < pd.Timestamp(until)]
    if points.empty:
        raise ConfigError(
            f"no stored result of model {model!r} in the period; its results run from "
            f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} (window starts, UTC)"
        )
    return points.reset_index(drop=True)


def _listed(names: Sequence[str] | pd.Series, limit: int = 12) -> str:
    unique = sorted(set(names))
    shown = ", ".join(unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


def _require(wanted: Sequence[str], present: pd.Series, what: str) -> None:
    unknown = [name for name in wanted if name not in set(present)]
    if unknown:
        raise ConfigError(
            f"no {what} {', '.join(map(repr, unknown))} among the stored results; "
            f"{what}s stored: {_listed(present)}"
        )


@dataclass(frozen=True)
class Series:
    """One series of stored points, summed up: how many windows, the latest value and
    status, the worst status and the window where it was first reached, how many windows
    were ``warning`` and ``critical``, and the values over the windows (``None`` where a
    value could not be computed), oldest first.

    >>> from datetime import UTC, datetime
    >>> s = Series("drift", "data_drift_score", "", 3, 0.31, "critical", "critical",
    ...            datetime(2026, 11, 3, tzinfo=UTC), 1, 1, (0.05, None, 0.31))
    >>> s.name, s.problems
    ('drift data_drift_score', 2)
    """

    check: str
    metric: str
    column: str
    windows: int
    latest_value: float | None
    latest_status: str
    worst: str
    worst_window: datetime
    warnings: int
    criticals: int
    values: tuple[float | None, ...]

    @property
    def name(self) -> str:
        """``check metric[:column]``, as stored."""
        return f"{self.check} {self.metric}" + (f":{self.column}" if self.column else "")

    @property
    def problems(self) -> int:
        """Windows at ``warning`` or ``critical``."""
        return self.warnings + self.criticals


def summarize(points: pd.DataFrame) -> list[Series]:
    """One :class:`Series` per stored ``(check, metric)`` of ``points``, worst first: by
    worst status, then latest status, then number of windows in trouble, then name."""
    out = []
    ordered = points.sort_values("window_start", kind="stable")
    for (check, metric), group in ordered.groupby(["check", "metric"], sort=True):
        statuses = group["status"].tolist()
        worst = Status.worst(statuses)
        at = group["window_start"].iloc[statuses.index(worst.value)]
        values = tuple(None if pd.isna(v) else float(v) for v in group["value"])
        name, column = split_metric(str(metric))
        out.append(
            Series(
                check=str(check),
                metric=name,
                column=column,
                windows=len(group),
                latest_value=values[-1],
                latest_status=statuses[-1],
                worst=worst.value,
                worst_window=at.to_pydatetime(),
                warnings=statuses.count("warning"),
                criticals=statuses.count("critical"),
                values=values,
            )
        )
    rank = {name: i for i, name in enumerate(STATUSES)}
    out.sort(key=lambda s: (-rank[s.worst], -rank[s.latest_status], -s.problems, s.check, s.name))
    return out
