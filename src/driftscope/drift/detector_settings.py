"""The settings a :class:`~driftscope.drift.detector.DriftDetector` saves beside its
reference (``extra.detector`` of the reference file), and their checks on loading.

>>> settings = {"significance_level": 0.01, "target_column": "y", "left_out": {"id": "an id"}}
>>> methods, checked = read_settings({"methods": [{"name": "ks", "params": {}}], **settings},
...                                  "reference file 'r.dsref'")
>>> [m.name for m in methods], checked["target_column"]
(['ks'], 'y')
"""

from __future__ import annotations

from typing import Any

from driftscope.drift.methods import METHODS, DriftMethod
from driftscope.drift.reference import DEFAULT_MAX_CATEGORIES
from driftscope.errors import ReferenceFileError

SAVED = (
    "methods",
    "significance_level",
    "min_change",
    "correction",
    "combine",
    "prediction_column",
    "target_column",
    "timestamp_column",
    "id_columns",
    "left_out",
    "max_categories",
)


def read_settings(config: Any, label: str) -> tuple[list[DriftMethod], dict[str, Any]]:
    """The method objects and the other settings of ``config``, or ReferenceFileError naming
    the field; ``label`` names the file. The settings' own values are checked when the
    detector is built from them."""
    where = f"{label}: field 'extra.detector'"
    if not isinstance(config, dict) or not set(config) <= set(SAVED):
        raise ReferenceFileError(f"{where}: expected an object with keys among {SAVED}")
    settings = {k: v for k, v in config.items() if k != "methods"}
    left_out = settings.get("left_out", {})
    if not isinstance(left_out, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in left_out.items()
    ):
        raise ReferenceFileError(f"{where}.left_out: expected an object of strings")
    limit = settings.get("max_categories", DEFAULT_MAX_CATEGORIES)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 2:
        raise ReferenceFileError(f"{where}.max_categories: expected an integer >= 2")
    specs = config.get("methods", [])
    try:
        if not isinstance(specs, list) or not all(
            isinstance(m, dict) and set(m) == {"name", "params"} for m in specs
        ):
            raise TypeError("methods: expected a list of {name, params} objects")
        methods = [METHODS[str(m["name"])](**m["params"]) for m in specs]
    except KeyError as exc:
        raise ReferenceFileError(f"{where}: unknown drift method {exc}") from None
    except (TypeError, ValueError) as exc:  # ConfigError included
        raise ReferenceFileError(f"{where}: {exc}") from None
    return methods, settings
