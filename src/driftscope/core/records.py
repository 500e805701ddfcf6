"""The record layout shared by every store: what a batch of predictions or labels looks like.

A monitor hands a store *prediction batches* and *label batches* as flat
:class:`pyarrow.Table` objects. Stores keep them as they like and give them back, joined,
as one pandas DataFrame in the *output layout*.

Prediction batch (storage layout), one row per logged prediction:

============================  ======================================================
column                        meaning
============================  ======================================================
``prediction_id``             string, unique per model
``timestamp``                 ``timestamp[us, UTC]``, when the prediction was made
``model_version``             string or null
``sampling_weight``           float64 >= 1: inverse of the probability that this
                              record was kept by sampling (1 = always kept)
``sample_reason``             string: ``"all"``, ``"sampled"`` or ``"rule:<name>"``
``quality_issues``            string or null: ``"; "``-joined data-quality events
                              found when the record was logged
``feature.<name>``            one column per feature (float64, int64, bool or string)
``prediction``                the model output when it is a scalar
``prediction.<key>``          one column per key when the output is a mapping
``metadata.<key>``            one column per metadata key (scalars; other values as
                              JSON text)
============================  ======================================================

Label batch: ``prediction_id`` (string), ``label`` (float64, int64, bool or string) and
``labeled_at`` (``timestamp[us, UTC]``). When a prediction gets several labels, the latest
``labeled_at`` wins.

Output layout (:func:`to_output_names`): features lose their ``feature.`` prefix unless the
plain name would collide with another column; the joined ``label`` and ``labeled_at``
follow the prediction columns. Types: timestamps are tz-aware UTC; text columns are
``object`` columns holding ``None`` where a value is missing (pandas 3's ``str`` dtype would
turn it into NaN), except ``prediction_id``, never missing, which may come back as pandas'
``str`` dtype; integer columns with missing values come back as float64, as pyarrow
converts them. When two labels of a prediction have the same ``labeled_at``, the one
written later wins.

>>> to_output_names(["prediction_id", "timestamp", "feature.age", "feature.label", "prediction"])
['prediction_id', 'timestamp', 'age', 'feature.label', 'prediction']
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

PREDICTION_ID = "prediction_id"
TIMESTAMP = "timestamp"
MODEL_VERSION = "model_version"
SAMPLING_WEIGHT = "sampling_weight"
SAMPLE_REASON = "sample_reason"
QUALITY_ISSUES = "quality_issues"
PREDICTION = "prediction"
LABEL = "label"
LABELED_AT = "labeled_at"

FEATURE_PREFIX = "feature."
PREDICTION_PREFIX = "prediction."
METADATA_PREFIX = "metadata."

TIMESTAMP_TYPE = pa.timestamp("us", tz="UTC")

#: Columns every prediction batch has, in this order, with these types.
BASE_FIELDS: tuple[pa.Field, ...] = (
    pa.field(PREDICTION_ID, pa.string(), nullable=False),
    pa.field(TIMESTAMP, TIMESTAMP_TYPE, nullable=False),
    pa.field(MODEL_VERSION, pa.string()),
    pa.field(SAMPLING_WEIGHT, pa.float64(), nullable=False),
    pa.field(SAMPLE_REASON, pa.string()),
    pa.field(QUALITY_ISSUES, pa.string()),
)
BASE_COLUMNS: tuple[str, ...] = tuple(f.name for f in BASE_FIELDS)

LABEL_FIELDS: tuple[str, ...] = (PREDICTION_ID, LABEL, LABELED_AT)

#: Names that a feature cannot take in the output layout without its prefix.
RESERVED = frozenset((*BASE_COLUMNS, PREDICTION, LABEL, LABELED_AT))


def is_feature(column: str) -> bool:
    return column.startswith(FEATURE_PREFIX)


def feature_name(column: str) -> str:
    """``"feature.age"`` -> ``"age"``."""
    return column[len(FEATURE_PREFIX) :]


def to_output_names(columns: Iterable[str]) -> list[str]:
    """Storage column names -> output column names (see the module docstring)."""
    columns = list(columns)
    taken = {c for c in columns if not is_feature(c)}
    out = []
    for c in columns:
        if is_feature(c):
            plain = feature_name(c)
            clash = (
                plain in RESERVED
                or plain in taken
                or plain.startswith((PREDICTION_PREFIX, METADATA_PREFIX, FEATURE_PREFIX))
            )
            out.append(c if clash else plain)
        else:
            out.append(c)
    return out


def check_prediction_batch(batch: pa.Table) -> None:
    """Raise ``ValueError`` naming the column when ``batch`` breaks the storage layout.

    Stores call this before writing; monitors build batches that always pass.
    """
    names = batch.column_names
    for i, field in enumerate(BASE_FIELDS):
        if i >= len(names) or names[i] != field.name:
            raise ValueError(
                f"prediction batch: column {i} must be {field.name!r}, got "
                f"{names[i] if i < len(names) else 'nothing'!r}"
            )
        if not batch.schema.field(i).type.equals(field.type):
            raise ValueError(
                f"prediction batch: column {field.name!r} must be {field.type}, "
                f"got {batch.schema.field(i).type}"
            )
    for name in names[len(BASE_FIELDS) :]:
        if not (
            name == PREDICTION
            or name.startswith((FEATURE_PREFIX, PREDICTION_PREFIX, METADATA_PREFIX))
        ):
            raise ValueError(
                f"prediction batch: column {name!r} is neither a feature, a prediction nor metadata"
            )


def check_label_batch(batch: pa.Table) -> None:
    """Raise ``ValueError`` when ``batch`` is not ``prediction_id, label, labeled_at``."""
    if tuple(batch.column_names) != LABEL_FIELDS:
        raise ValueError(
            f"label batch: columns must be {list(LABEL_FIELDS)}, got {batch.column_names}"
        )
    if not batch.schema.field(LABELED_AT).type.equals(TIMESTAMP_TYPE):
        raise ValueError(f"label batch: 'labeled_at' must be {TIMESTAMP_TYPE}")
