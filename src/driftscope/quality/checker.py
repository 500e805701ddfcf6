"""Data quality of one frame of logged predictions: fitted once, checked on any frame.

:class:`QualityChecker` is the core of :mod:`driftscope.quality`: ``fit`` takes the
baseline (a fitted :class:`~driftscope.drift.reference.Reference`, or None) and the
thresholds once, ``check`` measures one frame and returns a
:class:`~driftscope.quality.results.QualityReport`. :func:`~driftscope.quality.check_quality`
and the health check both call it, per window of the one grid.

**The schema** a record is judged against comes from the baseline when there is one (its
feature columns), else from the records themselves: the union of the feature columns of
the frame, never the first record's. A feature of the schema that a record lacks is a
*missing value* (counted by completeness), not a schema violation: the monitor's own
``missing_feature:<f>`` / ``extra_feature:<f>`` codes, which follow the first record it
saw, are dropped for every feature of the schema. Only a feature outside the baseline is
an extra column, and only a baseline feature absent from every record is a missing
column. Without a baseline the checks that need one (types, ranges, categories,
correlations) are not run; completeness, missing features and the invalid-input rate are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from driftscope.core.baseline import Baseline, FittedColumn, numeric_names
from driftscope.core.windows import utc_timestamps
from driftscope.errors import ConfigError, DataError
from driftscope.quality.checks import Window, feature_checks, record_checks
from driftscope.quality.config import QualityThresholds
from driftscope.quality.correlation import ReferenceCorrelations, correlation_checks
from driftscope.quality.frame import extra_columns, parse_issues, weights_of
from driftscope.quality.results import QualityReport, QualityResult

#: The monitor's schema codes: they follow the first record it saw, so a feature of the
#: schema is judged by its values instead (a lacking one is null: a missing value).
SCHEMA_CODES = frozenset({"missing_feature", "extra_feature"})


@dataclass(frozen=True)
class QualityChecker:
    """The data-quality checks, fitted on a baseline once and run on one frame at a time.

    >>> import numpy as np, pandas as pd
    >>> from driftscope.drift.reference import Reference
    >>> ref = Reference.fit(pd.DataFrame({"age": [20.0, 40.0, 60.0], "plan": ["a", "b", "a"]}))
    >>> checker = QualityChecker.fit(ref)
    >>> frame = pd.DataFrame({"age": [30.0, np.nan], "plan": ["a", "zz"]})
    >>> out = checker.check(frame).to_frame()
    >>> out.query("feature == 'age' and check == 'completeness'")["value"].tolist()
    [0.5]
    >>> out.query("check == 'unseen_categories'")["value"].tolist()
    [0.5]

    Without a baseline, the schema is the frame's columns and only completeness, missing
    features and invalid inputs are measured:

    >>> sorted(set(QualityChecker.fit(None).check(frame).to_frame()["check"]))
    ['completeness', 'invalid_inputs', 'missing_features']
    """

    reference: Baseline | None
    thresholds: QualityThresholds
    correlations: ReferenceCorrelations | None = None

    @classmethod
    def fit(
        cls,
        reference: Baseline | None,
        thresholds: QualityThresholds | None = None,
        *,
        reference_data: pd.DataFrame | ReferenceCorrelations | None = None,
    ) -> QualityChecker:
        """The checks of ``reference`` (a fitted Reference, or None for none) with
        ``thresholds`` (default: the documented ones). Correlation changes are checked only when
        ``reference_data`` is given: the raw baseline rows, or their
        :class:`~driftscope.quality.correlation.ReferenceCorrelations`."""
        thresholds = thresholds or QualityThresholds()
        if not isinstance(thresholds, QualityThresholds):
            raise ConfigError(
                f"thresholds must be QualityThresholds, got {type(thresholds).__name__}"
            )
        if reference is not None and not isinstance(reference, Baseline):
            raise ConfigError("reference must be a fitted driftscope Reference")
        if reference is None or reference_data is None:
            return cls(reference, thresholds)
        if isinstance(reference_data, ReferenceCorrelations):
            if reference_data.method != thresholds.correlation_method:
                raise ConfigError(
                    f"reference_data holds {reference_data.method} correlations, the "
                    f"thresholds ask for {thresholds.correlation_method}"
                )
            return cls(reference, thresholds, reference_data)
        if not isinstance(reference_data, pd.DataFrame):
            raise DataError(
                "reference_data must be a pandas DataFrame or ReferenceCorrelations, "
                f"got {type(reference_data).__name__}"
            )
        fitted = ReferenceCorrelations.fit(
            reference_data,
            numeric_features(reference),
            thresholds.correlation_method,
            thresholds.min_correlation_rows,
        )
        return cls(reference, thresholds, fitted)

    def check(
        self, frame: pd.DataFrame, *, start: datetime | None = None, end: datetime | None = None
    ) -> QualityReport:
        """Every check on ``frame`` (the layout of ``ModelMonitor.get_recent_predictions``)
        as one window ``[start, end]``; the bounds default to its first and last
        ``timestamp`` (NaT without one)."""
        if not isinstance(frame, pd.DataFrame):
            raise DataError(f"predictions must be a pandas DataFrame, got {type(frame).__name__}")
        lo, hi = _bounds(frame, start, end)
        columns = self.schema(frame)
        win = Window(lo, hi, frame, weights_of(frame), issue_rows(frame, set(columns)))
        results: list[QualityResult] = list(record_checks(win, columns, self.thresholds))
        for name, col in columns.items():
            results.extend(feature_checks(win, name, col, self.thresholds))
        if self.correlations is not None:
            c = self.correlations
            results.extend(
                correlation_checks(
                    win, numeric_features(self.reference), c.matrix, self.thresholds, c.rows
                )
            )
        return QualityReport(tuple(results))

    def schema(self, frame: pd.DataFrame) -> Mapping[str, FittedColumn | None]:
        """The features ``frame`` is judged against: the baseline's fitted columns, or
        (without a baseline) every feature column of the frame, mapped to None."""
        if self.reference is not None:
            return self.reference.columns
        return {col.removeprefix("feature."): None for col in extra_columns(frame, set())}


def numeric_features(reference: Baseline | None) -> list[str]:
    """The baseline's numerical features (the ones correlations are measured on)."""
    return [] if reference is None else numeric_names(reference)


def issue_rows(
    frame: pd.DataFrame, schema: set[str] | frozenset[str] = frozenset()
) -> dict[int, list[tuple[str, str]]]:
    """The parsed ``quality_issues`` of the rows that have any, by row position, without
    the monitor's schema codes for the features of ``schema`` (see the module docstring).

    >>> f = pd.DataFrame({"quality_issues": [None, "extra_feature:plan; nan:age"]})
    >>> issue_rows(f, {"plan", "age"}), issue_rows(f)
    ({1: [('nan', 'age')]}, {1: [('extra_feature', 'plan'), ('nan', 'age')]})
    """
    if "quality_issues" not in frame.columns:
        return {}
    values = frame["quality_issues"].to_numpy(dtype=object)
    out = {}
    for i in np.flatnonzero(pd.notna(values)).tolist():
        parsed = [
            (code, f)
            for code, f in parse_issues(values[i])
            if not (code in SCHEMA_CODES and f in schema)
        ]
        if parsed:
            out[i] = parsed
    return out


def _bounds(frame: pd.DataFrame, start: Any, end: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    ts = None
    if (start is None or end is None) and "timestamp" in frame.columns and len(frame):
        ts = utc_timestamps(frame["timestamp"])
    lo = pd.Timestamp(start) if start is not None else (ts.min() if ts is not None else pd.NaT)
    hi = pd.Timestamp(end) if end is not None else (ts.max() if ts is not None else pd.NaT)
    return lo, hi
