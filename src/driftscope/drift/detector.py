"""``DriftDetector``: fit a baseline once, then check feature and prediction drift.

>>> import numpy as np, pandas as pd, driftscope as ds
>>> rng = np.random.default_rng(0)
>>> train = pd.DataFrame({"age": rng.normal(40, 10, 5000), "plan": rng.choice(["a", "b"], 5000)})
>>> prod = pd.DataFrame({"age": rng.normal(45, 10, 5000), "plan": rng.choice(["a", "b"], 5000)})
>>> detector = ds.DriftDetector(baseline_data=train)
>>> result = detector.detect_feature_drift(production_data=prod)
>>> result.has_drift, result.drifted_features
(True, ['age'])
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from driftscope.core.records import METADATA_PREFIX, PREDICTION_PREFIX, RESERVED
from driftscope.data import ColumnKind, read_table
from driftscope.data.weights import equal_probability_sample, has_sampling_weights, without_weights
from driftscope.drift.auto import AutoPolicy
from driftscope.drift.compare import Plan, compare, normalize_correction
from driftscope.drift.methods import METHODS, DriftMethod, _check_level
from driftscope.drift.parallel import Progress
from driftscope.drift.reference import DEFAULT_MAX_CATEGORIES, Reference
from driftscope.drift.results import DriftReport, DriftResult
from driftscope.drift.streaming import StreamDriftEvent, incremental_drift_monitoring
from driftscope.errors import ConfigError, DataError, ReferenceFileError


class DriftDetector:
    """Detects drift of production data against a baseline fitted once.

    ``detection_methods`` lists method objects (``KSTest()``, ``PSICalculator(0.2)``, …); each
    runs on the columns it applies to and a column drifts when ``combine="any"`` (default) or
    ``"all"`` of them say so. Without methods, each column gets the automatic choice of
    :mod:`driftscope.drift.auto`: a significance test and an effect-size gate that must both
    open. P-values are corrected across columns (``correction="bh"``, ``"bonferroni"`` or
    ``None``). ``prediction_column`` names a column of the baseline that holds the model's
    predictions: it is fitted too, left out of feature drift, and used by
    :meth:`detect_prediction_drift`.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> train = pd.DataFrame({"x": rng.normal(size=2000), "p": rng.random(2000)})
    >>> from driftscope.drift.methods import KSTest
    >>> detector = DriftDetector(train, [KSTest(0.01)], prediction_column="p")
    >>> detector.feature_names, detector.detect_prediction_drift(rng.random(2000)).has_drift
    (['x'], False)
    """

    def __init__(
        self,
        baseline_data: Any = None,
        detection_methods: Sequence[DriftMethod] | None = None,
        *,
        columns: Iterable[str] | None = None,
        prediction_column: str | None = None,
        significance_level: float = 0.05,
        correction: str | None = "bh",
        combine: str = "any",
        column_kinds: Mapping[str, str] | None = None,
        max_categories: int = DEFAULT_MAX_CATEGORIES,
        reference: Reference | None = None,
        workers: int | None = None,
        progress: Progress | None = None,
    ):
        if combine not in ("any", "all"):
            raise ConfigError(f"combine must be 'any' or 'all', got {combine!r}")
        methods = tuple(detection_methods or ())
        for m in methods:
            if not isinstance(m, DriftMethod):
                raise ConfigError(
                    f"detection_methods must hold method objects such as KSTest(); got {m!r}"
                )
        self.detection_methods = methods
        self.significance_level = _check_level(significance_level, "significance_level")
        self.correction = normalize_correction(correction)
        self.combine = combine
        self.prediction_column = prediction_column
        self.max_categories = max_categories
        self.workers = workers
        self._plan = Plan(
            methods=methods,
            auto=None if methods else AutoPolicy(significance_level=significance_level),
            combine=combine,
            correction=self.correction,
        )
        if reference is None:
            if baseline_data is None:
                raise ConfigError("give baseline_data (or a fitted reference=) to the detector")
            names = None if columns is None else list(columns)
            if names is not None and prediction_column and prediction_column not in names:
                names.append(prediction_column)
            baseline_data, _ = _unbiased(baseline_data)
            reference = Reference.fit(
                baseline_data,
                columns=names,
                column_kinds=column_kinds,
                max_categories=max_categories,
                workers=workers,
                progress=progress,
            )
        if prediction_column and prediction_column not in reference.columns:
            reason = reference.skipped.get(prediction_column, "is not in the baseline data")
            raise DataError(f"cannot be the prediction column: {reason}", column=prediction_column)
        self.reference_ = reference

    # ------------------------------------------------------------------ checks
    @property
    def feature_names(self) -> list[str]:
        """Fitted columns checked by :meth:`detect_feature_drift` by default."""
        return [n for n in self.reference_.columns if n != self.prediction_column]

    def detect_feature_drift(
        self,
        production_data: Any,
        features: Iterable[str] | None = None,
        *,
        exclude: Iterable[str] | None = None,
        progress: Progress | None = None,
    ) -> DriftResult:
        """Compare ``production_data`` with the baseline on ``features`` (default: every fitted
        column but the prediction column), leaving out the columns named in ``exclude``.

        Without ``features``, a column on one side only is reported, not fatal: a baseline
        column the production data lacks (a target, say) and a production column the baseline
        lacks are listed in ``result.skipped`` with the reason. A column named in ``features``
        must be in both.

        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(0)
        >>> train = pd.DataFrame({"age": rng.normal(40, 9, 500), "repaid": rng.integers(0, 2, 500)})
        >>> today = pd.DataFrame({"age": rng.normal(40, 9, 500), "id": np.arange(500)})
        >>> result = DriftDetector(train).detect_feature_drift(today)
        >>> list(result.features), result.skipped["repaid"], result.skipped["id"]
        (['age'], 'only in the baseline data', 'only in the production data')
        """
        production_data, note = _unbiased(production_data)
        table = read_table(production_data, role="production")
        excluded = _excluded(exclude, self.reference_, table.columns)
        asked = features is not None
        names = self.feature_names if features is None else list(features)
        names = [n for n in names if n not in excluded]
        if not names:
            raise DataError("no feature columns to check")
        one_sided: dict[str, str] = {}
        for name in names:
            if name not in self.reference_.columns:
                reason = self.reference_.skipped.get(name, "is not in the baseline data")
                raise DataError(f"cannot be checked: {reason}", column=name)
        if not asked:
            present = set(table.columns)
            one_sided = {n: ONLY_IN_BASELINE for n in names if n not in present}
            names = [n for n in names if n in present]
            if not names:
                raise DataError(
                    "no column of the baseline is in the production data (the baseline has "
                    f"{_preview(self.feature_names)})"
                )
            known = {*self.reference_.columns, *self.reference_.skipped, *excluded}
            for name in table.columns:
                if name not in known and name != self.prediction_column and is_input(name):
                    one_sided[name] = ONLY_IN_PRODUCTION
        result = compare(
            self.reference_,
            table,
            names,
            self._plan,
            max_categories=self.max_categories,
            workers=self.workers,
            progress=progress,
        )
        skipped = {n: why for n, why in result.skipped.items() if n not in excluded}
        if one_sided or len(skipped) != len(result.skipped):
            result = replace(result, skipped={**skipped, **one_sided})
        return replace(result, notes=(note, *result.notes)) if note else result

    def detect_prediction_drift(
        self,
        production_predictions: Any,
        baseline_predictions: Any = None,
        *,
        progress: Progress | None = None,
    ) -> DriftResult:
        """Compare the model's production predictions with its baseline predictions.

        Predictions may be one column (labels, scores or probabilities) or a frame with one
        column per class probability. Without ``baseline_predictions`` the detector's
        ``prediction_column`` is used.
        """
        production_predictions, note = _unbiased(production_predictions)
        table = read_table(production_predictions, role="production predictions")
        if baseline_predictions is not None:
            baseline = read_table(baseline_predictions, role="baseline predictions")
            reference = Reference.fit(baseline, max_categories=self.max_categories)
            names = list(reference.columns)
            if len(names) == 1 and len(table.columns) == 1:
                table = table.renamed(table.columns[0], names[0])
        elif self.prediction_column is not None:
            reference = self.reference_
            names = [self.prediction_column]
            if self.prediction_column not in table.columns and len(table.columns) == 1:
                table = table.renamed(table.columns[0], self.prediction_column)
        else:
            raise ConfigError(
                "give baseline_predictions, or prediction_column= when creating the detector"
            )
        result = compare(
            reference,
            table,
            names,
            self._plan,
            kind="prediction",
            max_categories=self.max_categories,
            workers=self.workers,
            progress=progress,
        )
        return replace(result, notes=(note, *result.notes)) if note else result

    def incremental_drift_monitoring(
        self,
        data_stream: Iterable[Mapping[str, Any]],
        window_size: int = 1000,
        check_frequency: int = 100,
        **options: Any,
    ) -> Iterator[StreamDriftEvent]:
        """Watch a stream of records (mappings) against this detector's reference: yields a
        :class:`~driftscope.drift.streaming.StreamDriftEvent` for every check of the sliding
        window that finds drift. Options as
        :class:`~driftscope.drift.streaming.StreamingDriftMonitor` (``method="psi"``,
        ``ert=``, ``threshold=``, ...); features default to :attr:`feature_names`."""
        if "features" not in options:
            columns = self.reference_.columns
            options["features"] = [
                n for n in self.feature_names if columns[n].kind != ColumnKind.DATETIME
            ]
        return incremental_drift_monitoring(
            data_stream, self.reference_, window_size, check_frequency, **options
        )

    def generate_report(
        self,
        feature_drift: DriftResult | None = None,
        prediction_drift: DriftResult | None = None,
        title: str = "driftscope drift report",
    ) -> DriftReport:
        """Bundle results into a report with ``to_json()`` and ``save_html(path)``."""
        if feature_drift is None and prediction_drift is None:
            raise ConfigError("generate_report needs feature_drift or prediction_drift")
        return DriftReport(
            feature_drift=feature_drift, prediction_drift=prediction_drift, title=title
        )

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike[str]) -> str:
        """Save the fitted baseline and this detector's settings (no pickle)."""
        config = {
            "methods": [{"name": m.name, "params": m.params()} for m in self.detection_methods],
            "significance_level": self.significance_level,
            "correction": self.correction,
            "combine": self.combine,
            "prediction_column": self.prediction_column,
            "max_categories": self.max_categories,
        }
        return str(self.reference_.save(path, extra={"detector": config}))

    @classmethod
    def load(cls, path: str | os.PathLike[str], **overrides: Any) -> DriftDetector:
        """Load a detector saved with :meth:`save` (or a bare reference file). Settings
        :meth:`save` does not write, or out of range, raise ReferenceFileError."""
        reference, extra = Reference.load_with_extra(path)
        config = extra.get("detector", {})
        label = f"reference file {str(path)!r}"
        where = f"{label}: field 'extra.detector'"
        saved = (
            "methods",
            "significance_level",
            "correction",
            "combine",
            "prediction_column",
            "max_categories",
        )
        if not isinstance(config, dict) or not set(config) <= set(saved):
            raise ReferenceFileError(f"{where}: expected an object with keys among {saved}")
        settings = {k: v for k, v in config.items() if k != "methods"}
        limit = settings.get("max_categories", DEFAULT_MAX_CATEGORIES)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 2:
            raise ReferenceFileError(
                f"{label}: field 'extra.detector.max_categories': expected an integer >= 2"
            )
        specs = config.get("methods", [])
        try:
            if not isinstance(specs, list) or not all(
                isinstance(m, dict) and set(m) == {"name", "params"} for m in specs
            ):
                raise TypeError("methods: expected a list of {name, params} objects")
            methods = [METHODS[str(m["name"])](**m["params"]) for m in specs]
            detector = cls(detection_methods=methods or None, reference=reference, **settings)
        except KeyError as exc:
            raise ReferenceFileError(f"{where}: unknown drift method {exc}") from None
        except (TypeError, ValueError) as exc:  # ConfigError included
            raise ReferenceFileError(f"{where}: {exc}") from None
        if not overrides:
            return detector
        settings.update(overrides)
        return cls(detection_methods=methods or None, reference=reference, **settings)

    @property
    def reference_version(self) -> str:
        return self.reference_.version

    def __repr__(self) -> str:
        methods = ", ".join(map(repr, self.detection_methods)) or "auto"
        return f"DriftDetector(methods=[{methods}], reference={self.reference_!r})"


def _unbiased(source: Any) -> tuple[Any, str | None]:
    """Frames logged by a sampling monitor carry ``sampling_weight``: thin them to an
    equal-probability sample (see :mod:`driftscope.data.weights`) and drop the column."""
    if not has_sampling_weights(source):
        return source, None
    thinned, note = equal_probability_sample(source)
    return without_weights(thinned), note


ONLY_IN_BASELINE = "only in the baseline data"
ONLY_IN_PRODUCTION = "only in the production data"


def is_input(name: str) -> bool:
    """Whether a production column may be a model input (not the bookkeeping, label or
    metadata columns a monitor's frames carry)."""
    return name not in RESERVED and not name.startswith((PREDICTION_PREFIX, METADATA_PREFIX))


def _excluded(
    exclude: Iterable[str] | None, reference: Reference, production: Sequence[str]
) -> set[str]:
    """The names of ``exclude``, each known to the baseline or the production data."""
    if exclude is None:
        return set()
    if isinstance(exclude, str):
        exclude = [exclude]
    names = set(exclude)
    known = {*reference.columns, *reference.skipped, *production}
    unknown = sorted(n for n in names if n not in known)
    if unknown:
        raise ConfigError(
            f"exclude names {_preview(unknown)}, in neither the baseline nor the production data"
        )
    return names


def _preview(names: Sequence[str], limit: int = 10) -> str:
    shown = ", ".join(repr(n) for n in list(names)[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
