"""A model's baseline as its configuration gives it: ``stored`` (the one the store holds),
or a file that becomes the stored baseline when the store holds none yet.

A data file (Parquet, CSV) is fitted whole (every column, so that the data-quality check
knows them all; ``features`` only narrow the drift comparison, and must be columns of the
file); a saved reference (``.dsref``, ``DriftDetector.save``) is stored as it is. A
baseline already stored is never replaced by the file: to change it, save a new one
(``monitor.save_reference``) or clear the store.

>>> import tempfile, pathlib, pandas as pd
>>> from driftscope.store import open_store
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> pd.DataFrame({"x": [1.0, 2.0, 3.0], "prediction": [0.1, 0.5, 0.9]}).to_parquet(
...     folder / "train.parquet")
>>> with open_store(folder / "store") as store:
...     first = ensure_baseline(store, "churn", str(folder / "train.parquet"))
...     again = ensure_baseline(store, "churn", str(folder / "train.parquet"))
>>> first.startswith("baseline of model 'churn' saved from"), again
(True, None)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from driftscope.errors import ConfigError, DataError
from driftscope.ops._schema_models import STORED
from driftscope.store import Store


def ensure_baseline(
    store: Store, model: str, baseline: str, features: Sequence[str] | None = None
) -> str | None:
    """Store ``baseline`` as ``model``'s baseline when the store holds none; a note saying
    what was done (``None`` when nothing was)."""
    if store.reference_history(model):
        return None
    if baseline == STORED:
        return (
            f"no baseline stored for model {model!r} (baseline: stored): the checks that "
            "need one are unknown; save one with monitor.save_reference(data)"
        )
    reference = read_baseline(baseline, features)
    record = store.save_reference(model, reference, note=f"from the configuration: {baseline}")
    return f"baseline of model {model!r} saved from {baseline} (version {record.version})"


def read_baseline(path: str, features: Sequence[str] | None = None) -> Any:
    """A fitted :class:`~driftscope.drift.reference.Reference` from a data file or a saved
    reference; errors name the file."""
    from driftscope.drift.detector import DriftDetector
    from driftscope.drift.reference import Reference

    file = Path(path)
    if file.suffix.lower() == ".dsref":
        return DriftDetector.load(file).reference_
    frame = _read_frame(file)
    missing = [name for name in features or () if name not in frame.columns]
    if missing:
        raise DataError(
            f"baseline file {path}: no column {missing[0]!r} (features: {list(features or ())})"
        )
    return Reference.fit(frame)


def _read_frame(file: Path) -> Any:
    import pandas as pd

    suffix = file.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(file)
        if suffix in (".csv", ".txt"):
            return pd.read_csv(file)
    except (OSError, ValueError) as exc:
        raise DataError(f"baseline file {file} cannot be read: {exc}") from None
    raise ConfigError(
        f"baseline file {file}: give a Parquet (.parquet) or CSV (.csv) file, or a saved "
        "reference (.dsref)"
    )
