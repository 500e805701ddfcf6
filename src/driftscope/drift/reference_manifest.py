"""The manifest of a reference file (``reference.json``): its layout and its schema.

:func:`parse_manifest` checks a parsed manifest field by field (types, required and allowed
keys, ranges, nesting depth, counts, unique names) and then its ``digest``, the SHA-256 of
the canonical JSON of every other field (:func:`canonical_digest`), so that no setting,
count or category can be edited unnoticed. Every failure is a
:class:`~driftscope.errors.ReferenceFileError` naming the file and the field. The zip
around the manifest is read by :mod:`driftscope.drift.reference_file`.

>>> canonical_digest({"b": [1, 2], "a": "é"}) == canonical_digest({"a": "é", "b": (1, 2)})
True
>>> parse_manifest({"format": "other"}, "x.dsref", max_columns=10, max_depth=24,
...                max_left_out=10)
Traceback (most recent call last):
...
driftscope.errors.ReferenceFileError: x.dsref is not a driftscope reference file
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from driftscope.core.kinds import NUMERIC_KINDS, ColumnKind
from driftscope.core.reference_blob import MANIFEST_NAME, REFERENCE_FORMAT
from driftscope.drift.results import ColumnSummary
from driftscope.errors import ReferenceFileError

FORMAT = REFERENCE_FORMAT
FORMAT_VERSION = 2
#: Format versions this driftscope reads: 1 (no digest) and 2.
READABLE_VERSIONS = (1, 2)
META_NAME = MANIFEST_NAME
CATEGORY_KINDS = frozenset({ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN})
#: Arrays of a numerical column: key -> (dtype kind and size, number of dimensions, required).
ARRAY_KEYS = {
    "values": ("f8", 1, True),
    "cumcounts": ("i8", 1, False),
    "n": ("i8", 0, True),
    "mean": ("f8", 0, True),
    "m2": ("f8", 0, True),
}

MAX_INT = 2**63 - 1


@dataclass(frozen=True)
class ColumnEntry:
    """One fitted column of the manifest, validated; ``arrays`` maps array keys to member
    names (numerical and datetime columns), ``categories``/``counts`` the rest, and
    ``other_counts`` the counts of the levels left out (empty when none were).

    In the manifest the left-out counts are stored compactly, as ``other_counts``: a list
    of ``[count, levels]`` pairs, count descending (``[[2, 1], [1, 3]]`` stands for
    ``[2, 1, 1, 1]``), present only when a level was left out, so that files without any
    stay as they were.

    >>> import json, os, tempfile, zipfile, pandas as pd, driftscope as ds
    >>> reference = ds.Reference.fit(pd.DataFrame({"age": [31.0, 45.0], "plan": ["a", "b"]}))
    >>> path = reference.save(os.path.join(tempfile.mkdtemp(), "ref.dsref"))
    >>> with zipfile.ZipFile(path) as archive:
    ...     meta = json.loads(archive.read("reference.json"))
    >>> manifest = parse_manifest(meta, "ref.dsref", max_columns=10, max_depth=24,
    ...                           max_left_out=10)
    >>> age, plan = manifest.columns
    >>> sorted(age.arrays), plan.categories, plan.counts.tolist()
    (['m2', 'mean', 'n', 'values'], ('a', 'b'), [1, 1])
    """

    name: str
    kind: ColumnKind
    summary: ColumnSummary
    arrays: Mapping[str, str]
    categories: tuple[str, ...]
    counts: np.ndarray
    other_counts: np.ndarray


@dataclass(frozen=True)
class Manifest:
    """The validated manifest of a reference file.

    >>> import json, os, tempfile, zipfile, pandas as pd, driftscope as ds
    >>> reference = ds.Reference.fit(pd.DataFrame({"age": [31.0, 45.0], "plan": ["a", "b"]}))
    >>> path = reference.save(os.path.join(tempfile.mkdtemp(), "ref.dsref"))
    >>> with zipfile.ZipFile(path) as archive:
    ...     meta = json.loads(archive.read("reference.json"))
    >>> manifest = parse_manifest(meta, "ref.dsref", max_columns=10, max_depth=24,
    ...                           max_left_out=10)
    >>> manifest.rows, [column.name for column in manifest.columns]
    (2, ['age', 'plan'])
    """

    format_version: int
    version: str
    rows: int
    source: str
    fitted_at: datetime
    skipped: dict[str, str]
    columns: tuple[ColumnEntry, ...]
    extra: dict[str, Any]
    row_sample: str | None


def canonical_digest(meta: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of ``meta`` without its ``digest``, as canonical JSON (sorted keys, no
    spaces, ASCII): what a manifest's ``digest`` records."""
    body = {k: v for k, v in meta.items() if k != "digest"}
    text = json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return hashlib.sha256(text.encode("ascii")).hexdigest()


# ---------------------------------------------------------------------- the manifest schema
TOP_REQUIRED = {
    "format",
    "format_version",
    "version",
    "rows",
    "source",
    "fitted_at",
    "skipped",
    "columns",
    "extra",
}
TOP_OPTIONAL = {"digest", "row_sample"}
SUMMARY_KEYS = ("rows", "missing", "positive_infinite", "negative_infinite")


def parse_manifest(
    meta: Any, label: str, *, max_columns: int, max_depth: int, max_left_out: int
) -> Manifest:
    """``meta`` (parsed JSON) checked against the schema of format 1 or 2, its digest
    verified (format 2): the :class:`Manifest`, or a ReferenceFileError naming the field.
    ``max_left_out`` caps the left-out levels of all columns together (they are expanded to
    one int64 each)."""
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ReferenceFileError(f"{label} is not a driftscope reference file")
    version = meta.get("format_version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise ReferenceFileError(
            f"{label} has reference format version {short_repr(version)}; this driftscope reads "
            f"versions {', '.join(map(str, READABLE_VERSIONS))} (fit and save the reference "
            "again with this version)"
        )
    fields = _Fields(label)
    required = TOP_REQUIRED | ({"digest"} if version >= 2 else set())
    fields.keys(meta, "", required, TOP_OPTIONAL)
    check_json(meta, "", fields.fail, max_depth)
    content = fields.text(meta["version"], "version", pattern="0123456789abcdef", length=16)
    rows = fields.integer(meta["rows"], "rows")
    source = fields.text(meta["source"], "source")
    fitted_at = fields.time(meta["fitted_at"], "fitted_at")
    skipped = fields.mapping(meta["skipped"], "skipped")
    for name, why in skipped.items():
        fields.text(why, f"skipped.{name}")
    columns_raw = fields.array(meta["columns"], "columns")
    if len(columns_raw) + len(skipped) > max_columns:
        raise fields.fail(
            "columns",
            f"holds {len(columns_raw) + len(skipped):,} columns, over FileLimits.max_columns "
            f"({max_columns:,})",
        )
    columns: list[ColumnEntry] = []
    for i, entry in enumerate(columns_raw):
        column = _column(entry, f"columns[{i}]", fields, max_left_out)
        max_left_out -= len(column.other_counts)  # the cap is on all columns together
        columns.append(column)
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise fields.fail("columns", "names a column twice")
    extra = fields.mapping(meta["extra"], "extra")
    row_sample = meta.get("row_sample")
    if row_sample is not None:
        row_sample = fields.text(row_sample, "row_sample")
    if version >= 2:  # last: a field of the wrong type is reported as such, digest or not
        digest = fields.text(meta["digest"], "digest", pattern="0123456789abcdef", length=64)
        actual = canonical_digest(meta)
        if actual != digest:
            raise ReferenceFileError(
                f"{label} was modified: its manifest (detector settings, counts, categories "
                f"or metadata) hashes to {actual[:16]}…, not to its recorded digest {digest[:16]}…"
            )
    return Manifest(
        version, content, rows, source, fitted_at, skipped, tuple(columns), extra, row_sample
    )


def _column(entry: Any, where: str, fields: _Fields, max_left_out: int) -> ColumnEntry:
    entry = fields.mapping(entry, where)
    name = fields.text(entry.get("name"), f"{where}.name")
    kind_text = fields.text(entry.get("kind"), f"{where}.kind")
    kinds = sorted(k.value for k in NUMERIC_KINDS | CATEGORY_KINDS)
    if kind_text not in kinds:
        raise fields.fail(
            f"{where}.kind", f"is {short_repr(kind_text)}; expected one of {', '.join(kinds)}"
        )
    kind = ColumnKind(kind_text)
    numeric = kind in NUMERIC_KINDS
    own = {"arrays"} if numeric else {"categories", "counts"}
    optional = set() if numeric else {"other_counts"}
    fields.keys(entry, where, {"name", "kind", "summary"} | own, optional)
    raw = fields.mapping(entry["summary"], f"{where}.summary")
    fields.keys(raw, f"{where}.summary", set(SUMMARY_KEYS), set())
    counts_ = [fields.integer(raw[k], f"{where}.summary.{k}") for k in SUMMARY_KEYS]
    if sum(counts_[1:]) > counts_[0]:
        raise fields.fail(f"{where}.summary", "counts more missing and infinite values than rows")
    summary = ColumnSummary(*counts_)
    if numeric:
        arrays = fields.mapping(entry["arrays"], f"{where}.arrays")
        fields.keys(
            arrays,
            f"{where}.arrays",
            {k for k, v in ARRAY_KEYS.items() if v[2]},
            {k for k, v in ARRAY_KEYS.items() if not v[2]},
        )
        members = {k: fields.text(v, f"{where}.arrays.{k}") for k, v in arrays.items()}
        empty = np.zeros(0, dtype=np.int64)
        return ColumnEntry(name, kind, summary, members, (), empty, empty)
    categories = fields.array(entry["categories"], f"{where}.categories")
    counts = fields.array(entry["counts"], f"{where}.counts")
    if not all(type(c) is str for c in categories):  # the slow path finds the culprit
        for i, c in enumerate(categories):
            fields.text(c, f"{where}.categories[{i}]")
    cats = tuple(categories)
    if len(set(cats)) != len(cats):
        raise fields.fail(f"{where}.categories", "names a category twice")
    values = counts
    if not all(type(c) is int and 0 <= c <= MAX_INT for c in counts):
        values = [fields.integer(c, f"{where}.counts[{i}]") for i, c in enumerate(counts)]
    if len(values) != len(cats):
        raise fields.fail(f"{where}.counts", f"has {len(values)} counts for {len(cats)} categories")
    other = _other_counts(
        entry.get("other_counts", []), f"{where}.other_counts", fields, max_left_out
    )
    labelled = sum(values)
    if sum(int(c) for c in other.tolist()) > summary.rows - summary.missing - labelled:
        raise fields.fail(f"{where}.other_counts", "counts more values than the column's rows hold")
    return ColumnEntry(name, kind, summary, {}, cats, np.asarray(values, dtype=np.int64), other)


def _other_counts(raw: Any, where: str, fields: _Fields, max_left_out: int) -> np.ndarray:
    """The left-out counts, expanded from ``[[count, levels], ...]`` (count descending) once
    their number is known to be at most ``max_left_out``."""
    pairs = fields.array(raw, where)
    counts: list[int] = []
    levels: list[int] = []
    for i, pair in enumerate(pairs):
        pair = fields.array(pair, f"{where}[{i}]")
        if len(pair) != 2:
            raise fields.fail(f"{where}[{i}]", "expected a pair [count, levels]")
        count = fields.integer(pair[0], f"{where}[{i}][0]")
        level = fields.integer(pair[1], f"{where}[{i}][1]")
        if count < 1 or level < 1:
            raise fields.fail(f"{where}[{i}]", "expected a count and a number of levels >= 1")
        if counts and count >= counts[-1]:
            raise fields.fail(f"{where}[{i}]", "expected counts in descending order")
        counts.append(count)
        levels.append(level)
    if sum(levels) > max_left_out:
        raise fields.fail(
            where,
            f"holds {sum(levels):,} left-out levels, more than the {max(max_left_out, 0):,} "
            "left in FileLimits.max_entry_bytes (8 bytes a level, all columns together)",
        )
    return np.repeat(np.asarray(counts, dtype=np.int64), np.asarray(levels, dtype=np.int64))


class _Fields:
    """Type checks of manifest fields, each failure naming the file and the field."""

    def __init__(self, label: str):
        self.label = label

    def fail(self, field: str, problem: str) -> ReferenceFileError:
        return field_error(self.label, field or "the manifest", problem)

    def keys(self, obj: dict[str, Any], where: str, required: set[str], optional: set[str]) -> None:
        missing = sorted(required - obj.keys())
        if missing:
            raise self.fail(_join(where, missing[0]), "is missing")
        unknown = sorted(obj.keys() - required - optional)
        if unknown:
            raise self.fail(
                _join(where, unknown[0]),
                "is not a field of the reference format (allowed: "
                f"{', '.join(sorted(required | optional))})",
            )

    def mapping(self, value: Any, field: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(field, f"expected an object, got {_kind_of(value)}")
        return value

    def array(self, value: Any, field: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(field, f"expected a list, got {_kind_of(value)}")
        return value

    def integer(self, value: Any, field: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
            raise self.fail(
                field, f"expected an integer from 0 to 2**63-1, got {short_repr(value)}"
            )
        return value

    def text(self, value: Any, field: str, *, pattern: str = "", length: int = 0) -> str:
        if not isinstance(value, str):
            raise self.fail(field, f"expected a string, got {_kind_of(value)}")
        if length and (len(value) != length or not set(value) <= set(pattern)):
            raise self.fail(
                field, f"expected {length} lowercase hexadecimal digits, got {short_repr(value)}"
            )
        return value

    def time(self, value: Any, field: str) -> datetime:
        text = self.text(value, field)
        try:
            stamp = datetime.fromisoformat(text) if len(text) <= 64 else None
            if stamp is not None and stamp.tzinfo is not None:
                return stamp.astimezone(UTC)
        except (ValueError, OverflowError):
            pass
        raise self.fail(
            field, f"expected an ISO 8601 time with a UTC offset, got {short_repr(value)}"
        )


def check_json(value: Any, field: str, fail: Any, max_depth: int) -> None:
    """Walk ``value`` (iteratively): plain JSON types only, finite numbers, at most
    ``max_depth`` levels. ``fail(field, problem)`` builds the error (or ``fail`` is an error
    class, given the message). Tuples count as lists, in objects as in lists.

    >>> check_json({"a": [1, {"b": None}], "c": (2, 3)}, "extra", ValueError, 24)
    >>> check_json({"a": float("nan")}, "extra", ValueError, 24)
    Traceback (most recent call last):
    ...
    ValueError: extra.a: holds nan, not a plain JSON value (...)
    """
    stack = [(value, field, 1)]
    while stack:
        item, where, depth = stack.pop()
        if depth > max_depth:
            raise _raise(fail, where, f"is nested deeper than {max_depth} levels")
        if isinstance(item, dict):
            for key, sub in item.items():
                if not isinstance(key, str):
                    raise _raise(fail, where, f"has a key that is not a string: {short_repr(key)}")
                if isinstance(sub, dict | list | tuple):
                    stack.append((sub, _join(where, key), depth + 1))
                else:
                    _scalar(sub, _join(where, key), fail)
        elif isinstance(item, list | tuple):
            for i, sub in enumerate(item):
                if isinstance(sub, dict | list | tuple):
                    stack.append((sub, f"{where}[{i}]", depth + 1))
                else:
                    _scalar(sub, f"{where}[{i}]", fail)
        else:
            _scalar(item, where, fail)


def _scalar(value: Any, where: str, fail: Any) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float) and math.isfinite(value):
        return
    raise _raise(
        fail,
        where,
        f"holds {short_repr(value)}, not a plain JSON value (string, finite number, true, "
        "false, null, list or object)",
    )


def _raise(fail: Any, where: str, problem: str) -> Exception:
    if isinstance(fail, type):  # an error class: writing, where the caller passed the value
        return fail(f"{where or 'the value'}: {problem}")
    return fail(where, problem)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _show_name(field: str) -> str:
    return f"field {field!r}" if len(field) <= 120 else f"field {field[:117]!r}…"


def short_repr(value: Any) -> str:
    """``repr(value)`` cut to 60 characters, for quoting a bad value in an error.

    >>> short_repr("abc"), len(short_repr("x" * 100)), short_repr("x" * 100)[-2:]
    ("'abc'", 58, 'x…')
    """
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _kind_of(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return short_repr(value)


def field_error(label: str, field: str, problem: str) -> ReferenceFileError:
    """The error for ``field`` of the file ``label``.

    >>> field_error("x.dsref", "rows", "is missing")
    ReferenceFileError("x.dsref: field 'rows': is missing")
    """
    return ReferenceFileError(f"{label}: {_show_name(field)}: {problem}")
