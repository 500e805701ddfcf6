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

from driftscope.data import ColumnKind, read_table
from driftscope.data.roles import ColumnRoles
from driftscope.data.weights import equal_probability_sample, has_sampling_weights, without_weights
from driftscope.drift.auto import AutoPolicy
from driftscope.drift.chunks import ChunkedDrift, detect_chunks
from driftscope.drift.compare import Plan, compare, normalize_correction
from driftscope.drift.detector_settings import read_settings
from driftscope.drift.methods import (
    DEFAULT_MIN_CHANGE,
    DriftMethod,
    _check_level,
    _check_threshold,
)
from driftscope.drift.parallel import Progress
from driftscope.drift.reference import DEFAULT_MAX_CATEGORIES, Reference
from driftscope.drift.results import DriftReport, DriftResult
from driftscope.drift.roles import (
    ONLY_IN_BASELINE,
    ONLY_IN_PRODUCTION,
    absent_result,
    check_roles,
    excluded_names,
    is_input,
    left_out_columns,
    preview,
    role_skips,
)
from driftscope.drift.streaming import StreamDriftEvent, incremental_drift_monitoring
from driftscope.errors import ConfigError, DataError, ReferenceFileError


class DriftDetector:
    """Detects drift of production data against a baseline fitted once.

    ``detection_methods`` lists method objects (``KSTest()``, ``PSICalculator(0.2)``, …); each
    runs on the columns it applies to and a column drifts when ``combine="any"`` (default) or
    ``"all"`` of them say so. Without methods, each column gets the automatic choice of
    :mod:`driftscope.drift.auto`: a significance test and a relevance gate that must both
    open; ``min_change`` (default 0.025) is the smallest share of the data that must have
    moved for a change to count as drift (docs/methods.md explains the choice). P-values are
    corrected across columns (``correction="bh"``, ``"bonferroni"`` or ``None``).

    Column roles keep what is not a model input out of feature drift:
    ``prediction_column`` names the baseline column of the model's predictions (fitted, and
    compared by :meth:`detect_prediction_drift`); ``target_column`` the labels (fitted when
    the baseline has them, compared by :meth:`detect_target_drift` when the production data
    has them too); ``timestamp_column`` the event time (never compared; it cuts production
    data into chunks in :meth:`detect_chunks`); ``id_columns`` row identifiers (never
    compared). With ``detect_ids`` (default) and no ``columns=``, baseline columns that look
    like ids or event times (:mod:`driftscope.data.id_like`: near-unique integers or strings,
    near-unique datetimes) are left out too; each left-out column is listed in
    ``result.skipped`` with the reason, and naming it in ``columns=`` compares it after all.
    ``left_out_`` maps the left-out columns to the reason; ``left_out=`` gives it back to a
    detector built on a fitted ``reference=`` (as :meth:`load` does).

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
        target_column: str | None = None,
        timestamp_column: str | None = None,
        id_columns: Iterable[str] | str | None = None,
        detect_ids: bool = True,
        left_out: Mapping[str, str] | None = None,
        significance_level: float = 0.05,
        min_change: float = DEFAULT_MIN_CHANGE,
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
        self.min_change = _check_threshold(min_change, "min_change", 1.0)
        self.correction = normalize_correction(correction)
        self.combine = combine
        self.roles = ColumnRoles(
            target=target_column,
            prediction=prediction_column,
            timestamp=timestamp_column,
            ids=tuple([id_columns] if isinstance(id_columns, str) else id_columns or ()),
        )
        self.prediction_column = prediction_column
        self.target_column = target_column
        self.timestamp_column = timestamp_column
        self.id_columns = list(self.roles.ids)
        #: baseline columns left out of feature drift (roles, id-like columns) and why
        self.left_out_: dict[str, str] = dict(left_out or {})
        self.max_categories = max_categories
        self.workers = workers
        self._plan = Plan(
            methods=methods,
            auto=None if methods else AutoPolicy(significance_level, self.min_change),
            combine=combine,
            correction=self.correction,
        )
        if reference is None:
            if baseline_data is None:
                raise ConfigError("give baseline_data (or a fitted reference=) to the detector")
            baseline_data, _ = _unbiased(baseline_data)
            table = read_table(baseline_data, role="reference")
            asked = None if columns is None else list(columns)
            self.left_out_ = left_out_columns(table, self.roles, asked, detect_ids=detect_ids)
            names = [n for n in (asked or table.columns) if n not in self.left_out_]
            for name in (prediction_column, target_column):
                if name and name in table.columns and name not in names:
                    names.append(name)
            reference = Reference.fit(
                table,
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
        """Fitted columns checked by :meth:`detect_feature_drift` by default: every fitted
        column but the prediction and the target."""
        roles = (self.prediction_column, self.target_column)
        return [n for n in self.reference_.columns if n not in roles]

    @property
    def baseline_columns(self) -> set[str]:
        """Every column the baseline was known to have: fitted, skipped or left out."""
        return {*self.reference_.columns, *self.reference_.skipped, *self.left_out_}

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
        must be in both. The columns of :attr:`left_out_` (roles, id-like columns) are listed
        in ``result.skipped`` with the reason; a column whose production values are all
        missing is a finding (drifted, with a note), not an error.

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
        check_roles(self.roles, self.baseline_columns, table.columns)
        excluded = excluded_names(exclude, self.baseline_columns, table.columns)
        asked = features is not None
        names = self.feature_names if features is None else list(features)
        names = [n for n in names if n not in excluded]
        if not names:
            raise DataError("no feature columns to check")
        one_sided: dict[str, str] = {}
        for name in names:
            if name not in self.reference_.columns:
                reason = self.reference_.skipped.get(name) or self.left_out_.get(
                    name, "is not in the baseline data"
                )
                raise DataError(f"cannot be checked: {reason}", column=name)
        if not asked:
            present = set(table.columns)
            one_sided = {n: ONLY_IN_BASELINE for n in names if n not in present}
            names = [n for n in names if n in present]
            if not names:
                raise DataError(
                    "no column of the baseline is in the production data (the baseline has "
                    f"{preview(self.feature_names)})"
                )
            roles = role_skips(self.roles, self.left_out_, table.columns)
            one_sided.update({n: why for n, why in roles.items() if n not in excluded})
            known = {*self.baseline_columns, *excluded, *roles}
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
        ``prediction_column`` is used; production data of several columns without it gives a
        result with no column and the reason in ``skipped``.
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
            if self.prediction_column not in table.columns:
                if len(table.columns) > 1:
                    return absent_result("prediction", self.prediction_column, reference)
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

    def detect_target_drift(
        self, production_data: Any, *, progress: Progress | None = None
    ) -> DriftResult:
        """Compare the target (``target_column``) of ``production_data`` with the baseline's:
        a shift of the labels. Production data usually has no labels yet: then the result
        has no column and ``skipped`` says why (nothing is raised).

        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(3)
        >>> train = pd.DataFrame({"x": rng.normal(size=800), "y": rng.integers(0, 2, 800)})
        >>> detector = DriftDetector(train, target_column="y")
        >>> detector.detect_target_drift(train.drop(columns="y")).skipped
        {'y': 'only in the baseline data (labels usually arrive later)'}
        """
        if self.target_column is None:
            raise ConfigError("give target_column= when creating the detector")
        production_data, note = _unbiased(production_data)
        table = read_table(production_data, role="production")
        target = self.target_column
        if target not in self.reference_.columns or target not in table.columns:
            return absent_result("target", target, self.reference_, in_production=target in table)
        result = compare(
            self.reference_,
            table,
            [target],
            self._plan,
            kind="target",
            max_categories=self.max_categories,
            workers=self.workers,
            progress=progress,
        )
        result = replace(result, skipped={})
        return replace(result, notes=(note, *result.notes)) if note else result

    def detect(
        self,
        production_data: Any,
        features: Iterable[str] | None = None,
        *,
        exclude: Iterable[str] | None = None,
        progress: Progress | None = None,
    ) -> DriftReport:
        """Every check the roles allow, on data read once: feature drift, prediction drift
        (with ``prediction_column``) and target drift (with ``target_column``).

        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(4)
        >>> train = pd.DataFrame({"x": rng.normal(size=800), "p": rng.random(800)})
        >>> report = DriftDetector(train, prediction_column="p").detect(train)
        >>> report.feature_drift.has_drift, list(report.prediction_drift.features)
        (False, ['p'])
        """
        production_data, note = _unbiased(production_data)
        table = read_table(production_data, role="production")
        features_result = self.detect_feature_drift(
            table, features, exclude=exclude, progress=progress
        )
        if note:
            features_result = replace(features_result, notes=(note, *features_result.notes))
        prediction = target = None
        if self.prediction_column is not None:
            prediction = self.detect_prediction_drift(table)
        if self.target_column is not None:
            target = self.detect_target_drift(table)
        return DriftReport(
            feature_drift=features_result, prediction_drift=prediction, target_drift=target
        )

    def detect_chunks(
        self,
        production_data: Any,
        window: str | None = None,
        *,
        chunk_size: int | None = None,
        features: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        progress: Progress | None = None,
    ) -> ChunkedDrift:
        """Drift per chunk of ``production_data`` (feature drift, and prediction and target
        drift with those roles): calendar windows of the
        ``timestamp_column`` (``window="hour"``, ``"day"``, ``"week"`` or ``"month"``) or
        consecutive runs of ``chunk_size`` rows; see :mod:`driftscope.drift.chunks`.

        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(1)
        >>> train = pd.DataFrame({"x": rng.normal(size=900)})
        >>> later = pd.DataFrame({"x": np.r_[rng.normal(size=300), rng.normal(2, 1, 300)]})
        >>> DriftDetector(train).detect_chunks(later, chunk_size=300).drifted_chunks
        ['rows 300-599']
        """
        production_data, note = _unbiased(production_data)
        chunked = detect_chunks(
            self, production_data, window=window, chunk_size=chunk_size, features=features,
            exclude=exclude, progress=progress,
        )  # fmt: skip
        if note is None:
            return chunked
        chunks = tuple(
            replace(c, result=replace(c.result, notes=(note, *c.result.notes)))
            for c in chunked.chunks
        )  # the note once per chunk, on its feature drift
        return replace(chunked, chunks=chunks)

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
        *,
        target_drift: DriftResult | None = None,
    ) -> DriftReport:
        """Bundle results into a report with ``to_json()`` and ``save_html(path)``."""
        if feature_drift is None and prediction_drift is None and target_drift is None:
            raise ConfigError("generate_report needs feature_drift or prediction_drift")
        return DriftReport(
            feature_drift=feature_drift,
            prediction_drift=prediction_drift,
            target_drift=target_drift,
            title=title,
        )

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike[str]) -> str:
        """Save the fitted baseline and this detector's settings (no pickle). The roles and
        left-out columns are written only when there are some, so a file without them stays
        readable by driftscope versions that predate them."""
        config = {
            "methods": [{"name": m.name, "params": m.params()} for m in self.detection_methods],
            "significance_level": self.significance_level,
            "correction": self.correction,
            "combine": self.combine,
            "prediction_column": self.prediction_column,
            "max_categories": self.max_categories,
        }
        roles = {
            "target_column": self.target_column,
            "timestamp_column": self.timestamp_column,
            "id_columns": self.id_columns,
            "left_out": self.left_out_,
        }
        config.update({key: value for key, value in roles.items() if value})
        if self.min_change != DEFAULT_MIN_CHANGE:  # else readable by versions without it
            config["min_change"] = self.min_change
        return str(self.reference_.save(path, extra={"detector": config}))

    @classmethod
    def load(cls, path: str | os.PathLike[str], **overrides: Any) -> DriftDetector:
        """Load a detector saved with :meth:`save` (or a bare reference file). Settings
        :meth:`save` does not write, or out of range, raise ReferenceFileError."""
        reference, extra = Reference.load_with_extra(path)
        label = f"reference file {str(path)!r}"
        methods, settings = read_settings(extra.get("detector", {}), label)
        try:
            detector = cls(detection_methods=methods or None, reference=reference, **settings)
        except (TypeError, ValueError) as exc:  # ConfigError included
            raise ReferenceFileError(f"{label}: field 'extra.detector': {exc}") from None
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
