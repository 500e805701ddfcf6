"""Drift of a model's recent data against its stored baseline, as the response sees it.

:class:`DriftAnalyzer` compares production data with the model's current baseline (what
``monitor.save_reference`` stored) exactly as the health check does
(:mod:`driftscope.health.drift_check`): the same detector, the same feature columns, and
``drift_score`` is the same number as the check's ``data_drift_score`` (the mean over the
features of the share of the data that moved, 0 to 1), so one threshold means one thing
across driftscope: in alert rules, in ``alert_thresholds`` and in the response tiers.

:meth:`~DriftAnalyzer.log_drift_event` keeps a result where the history and the
dashboard read check results: a point of check ``"drift_event"``, metric
``"data_drift_score"``, over the analysed data's time span, with the drifted features and
the response tier in its details; and an audit entry ``drift.event``.

>>> import tempfile, numpy as np, pandas as pd
>>> from driftscope.store import open_store
>>> rng = np.random.default_rng(0)
>>> store = open_store(tempfile.mkdtemp())
>>> import driftscope as ds
>>> _ = store.save_reference("churn", ds.Reference.fit(pd.DataFrame(
...     {"age": rng.normal(40, 9, 2000), "plan": rng.choice(["a", "b"], 2000)})))
>>> analyzer = DriftAnalyzer("churn", store=store)
>>> now = pd.DataFrame({"age": rng.normal(52, 9, 800), "plan": rng.choice(["a", "b"], 800)})
>>> result = analyzer.analyze_drift(now)
>>> result["drifted_features"], round(result["drift_score"], 2) > 0.2, result["rows"]
(['age'], True, 800)
>>> event = analyzer.log_drift_event(result)
>>> store.read_check_results("churn", check="drift_event")["value"].round(3).tolist() == [
...     round(result["drift_score"], 3)]
True
>>> store.close()
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from driftscope.core.checks import CheckRecord
from driftscope.drift.auto import DEFAULT_MIN_CHANGE
from driftscope.drift.detector import DriftDetector
from driftscope.drift.methods.base import DriftMethod
from driftscope.drift.reference import Reference
from driftscope.drift.results import ColumnDrift
from driftscope.errors import ConfigError, DataError
from driftscope.health.context import is_feature, plain, successful
from driftscope.health.drift_check import DEFAULTS, drift_status
from driftscope.response.jobs import utc_now
from driftscope.store import Store, open_store
from driftscope.store.state import AuditEntry

#: The check name of drift events among a model's check results.
EVENT_CHECK = "drift_event"
#: The metric of a drift event (the same as the health drift check's).
EVENT_METRIC = "data_drift_score"


@dataclass(frozen=True)
class DriftEvent:
    """A logged drift result: its ``id``, the stored point, and the tier it was given.
    Awaitable (``await analyzer.log_drift_event(result)`` gives the same event).

    >>> import tempfile
    >>> analyzer = DriftAnalyzer("churn", store=tempfile.mkdtemp())
    >>> event = analyzer.log_drift_event({"drift_score": 0.34, "drifted_features": ["age"],
    ...                                   "tier": "severe"})
    >>> event.status, event.tier, event.point.metric
    ('critical', 'severe', 'data_drift_score')
    >>> analyzer.close()
    """

    id: str
    model: str
    drift_score: float
    status: str
    tier: str | None
    point: CheckRecord

    def __await__(self) -> Generator[Any, None, DriftEvent]:
        return self
        yield  # pragma: no cover - makes this a generator


class DriftAnalyzer:
    """Analyses a model's data against its stored baseline (see the module's text).

    ``store``: a Store or its location (default ``$DRIFTSCOPE_HOME``). The detector options
    are those of :class:`~driftscope.drift.detector.DriftDetector` (default: the automatic
    choice per column, as the health check uses); they decide which features count as
    drifted, not the drift score. ``threshold``: the drift score at which a logged event's
    status is ``critical`` (default 0.2, the ``data_drift_score`` default of the health
    check). ``clock``: the current UTC time, for tests.

    >>> import tempfile
    >>> analyzer = DriftAnalyzer("churn", store=tempfile.mkdtemp(), threshold=0.3)
    >>> analyzer.baseline()
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: no baseline saved for model 'churn': call monitor.save_re...
    >>> analyzer.close()
    """

    def __init__(
        self,
        model_name: str,
        *,
        store: Store | str | os.PathLike[str] | None = None,
        detection_methods: Sequence[DriftMethod] | None = None,
        significance_level: float = 0.05,
        min_change: float = DEFAULT_MIN_CHANGE,
        correction: str | None = "bh",
        threshold: float = DEFAULTS["data_drift_score"],
        clock: Callable[[], datetime] | None = None,
    ):
        if not isinstance(model_name, str) or not model_name:
            raise ConfigError(f"model_name must be non-empty text, got {model_name!r}")
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise ConfigError(f"threshold must be a number, got {threshold!r}")
        if not 0 < threshold <= 1:
            raise ConfigError(f"threshold must be in (0, 1], got {threshold!r}")
        self.model_name = model_name
        self.detector_options: dict[str, Any] = {
            "detection_methods": detection_methods,
            "significance_level": significance_level,
            "min_change": min_change,
            "correction": correction,
        }
        self.threshold = float(threshold)
        self.clock = clock or utc_now
        self._owns_store = not isinstance(store, Store)
        self.store = open_store(store)

    def __repr__(self) -> str:
        return f"DriftAnalyzer({self.model_name!r}, threshold={self.threshold})"

    def now(self) -> datetime:
        """The current UTC time of this analyzer's clock."""
        return self.clock()

    def baseline(self) -> Reference:
        """The model's current stored baseline (a ConfigError saying how to save one when
        there is none)."""
        if not self.store.reference_history(self.model_name):
            raise ConfigError(
                f"no baseline saved for model {self.model_name!r}: call "
                "monitor.save_reference(training_data) first"
            )
        return Reference.from_blob(self.store.load_reference(self.model_name))

    def analyze_drift(
        self, production_data: Any, features: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """Drift of ``production_data`` (a DataFrame of logged predictions, as
        ``store.read_predictions`` or ``monitor.get_recent_predictions`` give, or any table
        the detector reads) against the current baseline, on ``features`` (default: the
        baseline's feature columns present in the data, as the health check chooses).

        Returns plain JSON: ``drift_score``, ``drifted_features``, ``has_drift``,
        ``drift_share``, ``features`` (per column: ``score``, ``drifted``, ``kind``,
        ``method``, ``statistic``, ``p_value``, ``threshold``, ``reason``), ``skipped``,
        ``status`` (as the health check would judge the score), ``threshold``,
        ``baseline_version``, ``rows``, ``window_start``/``window_end`` (the data's time
        span, when it has timestamps), ``analyzed_at`` and ``model``. No rows is a
        DataError."""
        reference = self.baseline()
        detector = DriftDetector(reference=reference, **self.detector_options)
        frame = production_data
        if isinstance(frame, pd.DataFrame):
            frame = successful(frame)  # calls that raised have no prediction
            rows = len(frame)
        else:
            rows = _rows(frame)
        if rows == 0:
            raise DataError(f"no production data to analyze for model {self.model_name!r}")
        if features is None:
            names = [n for n in detector.feature_names if is_feature(n)]
            if isinstance(frame, pd.DataFrame):
                names = [n for n in names if n in frame.columns]
        else:
            if isinstance(features, str):
                raise ConfigError(f"features must be a list of column names, got {features!r}")
            names = list(features)
        if not names:
            raise DataError(
                f"no feature of the baseline of model {self.model_name!r} is in the data "
                f"(the baseline has {', '.join(detector.feature_names) or 'none'})"
            )
        result = detector.detect_feature_drift(frame, names)
        start, end = _span(frame)
        score = float(result.score)
        return plain(
            {
                "model": self.model_name,
                "drift_score": score,
                "drifted_features": result.drifted_features,
                "has_drift": result.has_drift,
                "drift_share": result.drift_share,
                "status": drift_status(score, self.threshold, result.has_drift),
                "threshold": self.threshold,
                "features": {name: _column(col) for name, col in result.features.items()},
                "skipped": dict(result.skipped),
                "baseline_version": reference.version,
                "rows": rows,
                "window_start": None if start is None else start.isoformat(),
                "window_end": None if end is None else end.isoformat(),
                "analyzed_at": self.now().isoformat(),
            }
        )

    def log_drift_event(self, drift_result: Mapping[str, Any]) -> DriftEvent:
        """Store ``drift_result`` (a dict from :meth:`analyze_drift`, optionally with the
        ``tier`` the response gave it) as a drift event (see the module's text) and audit
        it as ``drift.event``; returns the :class:`DriftEvent` (also awaitable). Logging the
        same result twice keeps one point."""
        score = drift_result.get("drift_score") if isinstance(drift_result, Mapping) else None
        if isinstance(score, bool) or not isinstance(score, int | float):
            raise ConfigError(
                "log_drift_event needs a drift result with a numeric 'drift_score' (what "
                f"analyze_drift returns), got {type(drift_result).__name__}"
            )
        model = drift_result.get("model", self.model_name)
        if model != self.model_name:
            raise ConfigError(f"this drift result is of model {model!r}, not {self.model_name!r}")
        at = _moment(drift_result.get("analyzed_at")) or self.now()
        start = _moment(drift_result.get("window_start")) or at
        end = max(_moment(drift_result.get("window_end")) or at, start)
        drifted = list(drift_result.get("drifted_features") or [])
        threshold = float(drift_result.get("threshold", self.threshold))
        status = drift_result.get("status") or drift_status(float(score), threshold, bool(drifted))
        tier = drift_result.get("tier")
        event_id = _event_id(self.model_name, start, end)
        point = CheckRecord(
            self.model_name,
            EVENT_CHECK,
            start,
            end,
            EVENT_METRIC,
            float(score),
            threshold,
            str(status),
            baseline_version=drift_result.get("baseline_version"),
            details=plain(
                {
                    "event_id": event_id,
                    "drifted_features": drifted,
                    "tier": tier,
                    "rows": drift_result.get("rows"),
                    "features": {
                        name: facts.get("score")
                        for name, facts in (drift_result.get("features") or {}).items()
                        if isinstance(facts, Mapping)
                    },
                }
            ),
            computed_at=at,
        )
        self.store.write_check_results([point])
        shown = ", ".join(drifted[:5]) + (
            f" and {len(drifted) - 5} more" if len(drifted) > 5 else ""
        )
        self.store.append_audit(
            [
                AuditEntry(
                    "drift.event",
                    model=self.model_name,
                    subject=event_id,
                    reason=f"drift score {score:.3f}"
                    + (f" ({tier} tier)" if tier else "")
                    + (f"; drifted: {shown}" if drifted else "; no feature drifted"),
                    details={
                        "drift_score": float(score),
                        "status": str(status),
                        "tier": tier,
                        "drifted_features": drifted,
                        "window_start": start.isoformat(),
                        "window_end": end.isoformat(),
                    },
                    at=at,
                )
            ]
        )
        return DriftEvent(event_id, self.model_name, float(score), str(status), tier, point)

    def close(self) -> None:
        """Close the store if this analyzer opened it."""
        if self._owns_store:
            self.store.close()


def _column(col: ColumnDrift) -> dict[str, Any]:
    fields = ("score", "drifted", "kind", "method", "statistic", "p_value", "threshold", "reason")
    return {name: getattr(col, name) for name in fields}


def _rows(data: Any) -> int:
    try:
        return len(data)
    except TypeError:
        return -1  # unknown (a path, a query): the detector reads and checks it


def _span(frame: Any) -> tuple[datetime | None, datetime | None]:
    if not isinstance(frame, pd.DataFrame) or "timestamp" not in frame.columns:
        return None, None
    times = pd.to_datetime(frame["timestamp"], utc=True, errors="coerce").dropna()
    if times.empty:
        return None, None
    return times.min().to_pydatetime(), times.max().to_pydatetime()


def _moment(text: Any) -> datetime | None:
    if isinstance(text, datetime):
        return text
    if not isinstance(text, str) or not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else None


def _event_id(model: str, start: datetime, end: datetime) -> str:
    digest = hashlib.sha256(f"{model}\x1f{start.isoformat()}\x1f{end.isoformat()}".encode())
    return f"de-{start:%Y%m%d}-{digest.hexdigest()[:10]}"
