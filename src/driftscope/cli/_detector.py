"""The detector a command works with: fitted on a data file, or loaded from a ``.dsref``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftscope.errors import ConfigError

if TYPE_CHECKING:
    from driftscope import DriftDetector
    from driftscope.cli._progress import ProgressCallback

REFERENCE_SUFFIX = ".dsref"


def method_objects(names: Sequence[str], threshold: float | None) -> tuple[list[Any] | None, float]:
    """Method objects for ``--method`` (``None`` for the automatic choice) and the
    significance level of the automatic choice."""
    from driftscope.drift.methods import method_from_name

    if threshold is not None and not math.isfinite(threshold):
        raise ConfigError(f"--threshold must be a finite number, got {threshold}")
    keys = [n.strip().lower() for n in names] or ["auto"]
    if "auto" in keys:
        if len(keys) > 1:
            raise ConfigError("--method auto cannot be combined with other methods")
        if threshold is not None and not 0.0 < threshold < 1.0:
            raise ConfigError(
                f"--threshold is the significance level of the automatic choice and must be "
                f"in (0, 1), got {threshold}"
            )
        return None, 0.05 if threshold is None else threshold
    methods = []
    for key in keys:
        try:
            methods.append(method_from_name(key, threshold))
        except ConfigError as exc:
            if threshold is None or "unknown drift method" in str(exc):
                raise
            raise ConfigError(f"--threshold {threshold} for --method {key}: {exc}") from exc
    return methods, 0.05


def role_settings(
    target: str | None, prediction: str | None, timestamp: str | None, ids: list[str] | None
) -> dict[str, Any]:
    """The detector settings of the role options that were given.

    >>> role_settings("repaid", None, "ts", ["id"])
    {'target_column': 'repaid', 'timestamp_column': 'ts', 'id_columns': ['id']}
    """
    given = {
        "target_column": target,
        "prediction_column": prediction,
        "timestamp_column": timestamp,
        "id_columns": ids,
    }
    return {key: value for key, value in given.items() if value is not None}


def make_detector(
    reference: str,
    methods: Sequence[str],
    threshold: float | None,
    columns: list[str] | None,
    progress: ProgressCallback | None,
    roles: dict[str, Any] | None = None,
) -> DriftDetector:
    """A detector from a data file (fitted now) or a saved ``.dsref`` reference; ``roles``
    (from :func:`role_settings`, plus ``min_change`` when given) replace the saved settings
    they name."""
    from driftscope import DriftDetector

    roles = roles or {}
    chosen, level = method_objects(methods, threshold)
    if Path(reference).suffix.lower() == REFERENCE_SUFFIX:
        saved = DriftDetector.load(reference)
        if not methods:
            if threshold is None and not roles:
                return saved
            if threshold is None:  # the saved methods as they are
                chosen = list(saved.detection_methods) or None
            elif saved.detection_methods:  # a new threshold for the saved methods
                saved_names = [m.name for m in saved.detection_methods]
                chosen, level = method_objects(saved_names, threshold)
        return DriftDetector(
            detection_methods=chosen,
            reference=saved.reference_,
            significance_level=saved.significance_level if threshold is None else level,
            correction=saved.correction,
            combine=saved.combine,
            max_categories=saved.max_categories,
            left_out=saved.left_out_,
            **{
                "prediction_column": saved.prediction_column,
                "target_column": saved.target_column,
                "timestamp_column": saved.timestamp_column,
                "id_columns": saved.id_columns,
                "min_change": saved.min_change,
                **roles,
            },
        )
    return DriftDetector(
        reference,
        chosen,
        columns=columns,
        significance_level=level,
        progress=progress,
        **roles,
    )
