"""Which columns a drift check compares, and what it says about the others.

A column on one side only, a column with a role (target, prediction, timestamp, id) and a
column that looks like an id are not compared as features: each is listed in
``result.skipped`` with the reason. A role naming a column in neither data set is an error.

>>> from driftscope.data.roles import ColumnRoles
>>> role_skips(ColumnRoles(timestamp="ts"), {}, ["ts", "age"])
{'ts': 'the timestamp column: not compared as a feature'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from driftscope.core.records import METADATA_PREFIX, PREDICTION_PREFIX, RESERVED
from driftscope.data import Table
from driftscope.data.id_like import id_like_reason
from driftscope.data.roles import ColumnRoles
from driftscope.drift.reference import Reference
from driftscope.drift.results import DriftResult
from driftscope.errors import ConfigError, DataError

ONLY_IN_BASELINE = "only in the baseline data"
ONLY_IN_PRODUCTION = "only in the production data"
NO_LABELS_YET = f"{ONLY_IN_BASELINE} (labels usually arrive later)"
OVERRIDE = "name it in --columns (columns=) to compare it"


def is_input(name: str) -> bool:
    """Whether a production column may be a model input (not the bookkeeping, label or
    metadata columns a monitor's frames carry).

    >>> is_input("age"), is_input("prediction_id")
    (True, False)
    """
    return name not in RESERVED and not name.startswith((PREDICTION_PREFIX, METADATA_PREFIX))


def check_roles(roles: ColumnRoles, baseline: Iterable[str], production: Iterable[str]) -> None:
    """A role must name a column of the baseline or of the production data.

    >>> check_roles(ColumnRoles(target="label"), ["age"], ["age"])
    Traceback (most recent call last):
    ...
    driftscope.errors.DataError: column 'label': is the target column but is in neither \
the baseline nor the production data
    """
    known = {*baseline, *production}
    for role, name in roles.pairs():
        if name not in known:
            raise DataError(
                f"is the {role} column but is in neither the baseline nor the production data",
                column=name,
            )


def left_out_columns(
    table: Table, roles: ColumnRoles, asked: Sequence[str] | None, *, detect_ids: bool = True
) -> dict[str, str]:
    """Baseline columns kept out of fitting, and why: the timestamp and ids (unless named in
    ``asked``, the columns the user asked for), and, when no column was asked for, the
    columns that look like ids or event times (:mod:`driftscope.data.id_like`).

    >>> import numpy as np
    >>> from driftscope.data import read_table
    >>> table = read_table({"id": np.arange(200), "x": np.random.default_rng(0).random(200)})
    >>> left_out_columns(table, ColumnRoles(ids=("id",)), None)
    {'id': 'an id column: not compared'}
    >>> left_out_columns(table, ColumnRoles(), None)["id"]
    'looks like an id: named like one, 100% distinct values; name it in --columns (columns=) \
to compare it'
    """
    left_out = {
        name: roles.reason(name)
        for role, name in roles.pairs()
        if role in ("timestamp", "id") and name in table.columns
        and (asked is None or name not in asked)
    }  # fmt: skip
    if detect_ids and asked is None:
        for name in table.columns:
            if name in roles.not_features or name in left_out:
                continue
            reason = id_like_reason(table, name)
            if reason is not None:
                left_out[name] = f"{reason}; {OVERRIDE}"
    return left_out


def role_skips(
    roles: ColumnRoles, left_out: Mapping[str, str], production: Sequence[str]
) -> dict[str, str]:
    """The ``skipped`` entries of a feature check for the columns not compared as features:
    those left out at fitting (roles, id-like columns), the timestamp and id columns of the
    production data, and the target (the prediction column has its own section and is not
    listed)."""
    skips = dict(left_out)
    for role, name in roles.pairs():
        if role == "target" or (role != "prediction" and name in production):
            skips[name] = roles.reason(name)
    return skips


def absent_result(
    kind: str, name: str, reference: Reference, *, in_production: bool = False
) -> DriftResult:
    """The result of a prediction or target check whose column is on one side only: no
    column compared, the reason in ``skipped``.

    >>> import numpy as np
    >>> ref = Reference.fit({"y": np.arange(10.0)})
    >>> absent_result("target", "y", ref).skipped
    {'y': 'only in the baseline data (labels usually arrive later)'}
    """
    if name in reference.columns:
        reason = NO_LABELS_YET if kind == "target" else ONLY_IN_BASELINE
    elif in_production:
        reason = reference.skipped.get(name, ONLY_IN_PRODUCTION)
    else:
        reason = reference.skipped.get(name, "in neither the baseline nor the production data")
    return DriftResult(
        kind=kind,
        features={},
        skipped={name: reason},
        reference_version=reference.version,
        reference_rows=reference.rows,
        computed_at=datetime.now(UTC),
    )


def excluded_names(
    exclude: Iterable[str] | None, known: Iterable[str], production: Sequence[str]
) -> set[str]:
    """The names of ``exclude``, each known to the baseline or the production data.

    >>> sorted(excluded_names("id", ["id", "age"], []))
    ['id']
    """
    if exclude is None:
        return set()
    if isinstance(exclude, str):
        exclude = [exclude]
    names = set(exclude)
    everything = {*known, *production}
    unknown = sorted(n for n in names if n not in everything)
    if unknown:
        raise ConfigError(
            f"exclude names {preview(unknown)}, in neither the baseline nor the production data"
        )
    return names


def preview(names: Sequence[str], limit: int = 10) -> str:
    """Quoted names, cut after ``limit``.

    >>> preview(["a", "b", "c"], limit=2)
    "'a', 'b' and 1 more"
    """
    shown = ", ".join(repr(n) for n in list(names)[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
