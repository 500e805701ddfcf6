"""Versioned schema migrations of the PostgreSQL store.

The store's schema holds a ``schema_migrations(version, applied_at, description)`` table.
:data:`MIGRATIONS` is the ordered list of steps this code knows; :func:`migrate` applies the
missing ones in one transaction that holds a transaction-level advisory lock on the schema,
so two processes opening a fresh schema at once do not race (the second waits, then finds
nothing to do). A database already at a newer version than the code knows is refused.

Each step is SQL text in which ``{schema}`` stands for the quoted schema name.

>>> [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
True
>>> latest_version() == MIGRATIONS[-1].version
True
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from driftscope.errors import StoreError
from driftscope.store.postgres._connection import one_row

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its version, what it does, its SQL statements.

    >>> MIGRATIONS[0].version, MIGRATIONS[-1].version == latest_version()
    (1, True)
    """

    version: int
    description: str
    statements: tuple[str, ...]


_INITIAL = (
    # every model with anything stored (predictions, labels, references, check results)
    """CREATE TABLE {schema}.models (
        model text COLLATE "C" PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now())""",
    # the column registry: each (column, kind) a model's batches had, and the slot its values
    # take in the row array of that kind; a column seen with two kinds has two slots
    """CREATE TABLE {schema}.columns (
        model text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        kind text NOT NULL CHECK (kind IN ('float64', 'int64', 'bool', 'string', 'null')),
        slot integer CHECK (slot >= 1),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (model, name, kind),
        UNIQUE (model, kind, slot))""",
    """CREATE TABLE {schema}.predictions (
        model text COLLATE "C" NOT NULL,
        prediction_id text COLLATE "C" NOT NULL,
        ts timestamptz NOT NULL,
        model_version text,
        sampling_weight double precision NOT NULL,
        sample_reason text,
        quality_issues text,
        float_values double precision[],
        int_values bigint[],
        bool_values boolean[],
        text_values text[],
        PRIMARY KEY (model, prediction_id))""",
    "CREATE INDEX predictions_model_ts ON {schema}.predictions (model, ts, prediction_id)",
    """CREATE TABLE {schema}.labels (
        model text COLLATE "C" NOT NULL,
        prediction_id text COLLATE "C" NOT NULL,
        labeled_at timestamptz NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        label_float double precision,
        label_int bigint,
        label_bool boolean,
        label_text text)""",
    """CREATE INDEX labels_latest ON {schema}.labels
        (model, prediction_id, labeled_at DESC, seq DESC)""",
    """CREATE TABLE {schema}.reference_versions (
        model text COLLATE "C" NOT NULL,
        version text COLLATE "C" NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        stored_at timestamptz NOT NULL,
        rows bigint NOT NULL,
        columns text[] NOT NULL,
        note text NOT NULL DEFAULT '',
        data bytea NOT NULL,
        PRIMARY KEY (model, version))""",
    """CREATE TABLE {schema}.current_reference (
        model text COLLATE "C" PRIMARY KEY,
        version text COLLATE "C" NOT NULL,
        set_at timestamptz NOT NULL,
        FOREIGN KEY (model, version) REFERENCES {schema}.reference_versions (model, version))""",
    """CREATE TABLE {schema}.check_results (
        model text COLLATE "C" NOT NULL,
        "check" text COLLATE "C" NOT NULL,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        metric text COLLATE "C" NOT NULL,
        value double precision NOT NULL,
        threshold double precision,
        status text NOT NULL,
        baseline_version text,
        details jsonb NOT NULL DEFAULT '{{}}',
        computed_at timestamptz NOT NULL,
        PRIMARY KEY (model, "check", window_start, window_end, metric))""",
    "CREATE INDEX check_results_model_window ON {schema}.check_results (model, window_start)",
    # one row per archived chunk: its predictions file and (when any) its labels file,
    # paths relative to the store's archive folder
    """CREATE TABLE {schema}.archive_files (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        model text COLLATE "C" NOT NULL,
        path text NOT NULL UNIQUE,
        rows bigint NOT NULL,
        labels_path text UNIQUE,
        label_rows bigint NOT NULL DEFAULT 0,
        bytes bigint NOT NULL,
        min_ts timestamptz NOT NULL,
        max_ts timestamptz NOT NULL,
        archived_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX archive_files_model_ts ON {schema}.archive_files (model, min_ts, max_ts)",
)

# the alerting and response layers' state records and audit log
# (:mod:`~driftscope.store.postgres._state`); JSON is kept as ``json``, not ``jsonb``:
# ``json`` keeps the text as written, so every body reads back exactly (``jsonb`` turns
# ``1e+20`` into an integer and refuses an escaped NUL character)
_STATE = (
    """CREATE TABLE {schema}.state_records (
        kind text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        model text COLLATE "C" NOT NULL,
        state text COLLATE "C" NOT NULL,
        due_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version bigint NOT NULL CHECK (version >= 1),
        body json NOT NULL,
        PRIMARY KEY (kind, key))""",
    "CREATE INDEX state_due ON {schema}.state_records (kind, state, due_at)",
    "CREATE INDEX state_model ON {schema}.state_records (kind, model, state)",
    """CREATE TABLE {schema}.audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        action text COLLATE "C" NOT NULL,
        model text COLLATE "C" NOT NULL,
        subject text COLLATE "C" NOT NULL,
        reason text NOT NULL,
        actor text NOT NULL,
        details json NOT NULL)""",
    "CREATE INDEX audit_by_model ON {schema}.audit_log (model, id)",
    "CREATE INDEX audit_by_subject ON {schema}.audit_log (subject, id)",
)

#: Every schema step this code knows, in order. Append; never edit a released step.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "predictions, labels, column registry, references, checks, archive", _INITIAL),
    Migration(
        2,
        "a check value that could not be computed is stored as NULL",
        ("ALTER TABLE {schema}.check_results ALTER COLUMN value DROP NOT NULL",),
    ),
    Migration(3, "state records and the audit log of alerting and response", _STATE),
    Migration(
        4,
        "a state record remembers the write that made it (a retried compare-and-set "
        "recognises its own committed write)",
        ("ALTER TABLE {schema}.state_records ADD COLUMN writer text",),
    ),
)


def latest_version() -> int:
    """The schema version this code writes."""
    return MIGRATIONS[-1].version


def lock_key(*parts: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock`` from text parts."""
    digest = hashlib.blake2b("\0".join(("driftscope", *parts)).encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def _quoted(schema: str) -> str:
    return '"' + schema.replace('"', '""') + '"'


def _current_version(conn: psycopg.Connection, schema: str) -> int | None:
    """The schema's version, or None when it has no migration table yet."""
    table = f"{_quoted(schema)}.schema_migrations"
    if one_row(conn.execute("SELECT to_regclass(%s)", (table,)), "to_regclass")[0] is None:
        return None
    row = conn.execute(f"SELECT max(version) FROM {table}").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _refuse_newer(version: int, schema: str) -> None:
    if version > latest_version():
        raise StoreError(
            f"PostgreSQL schema {schema!r} is at version {version}, newer than this driftscope "
            f"knows ({latest_version()}); upgrade driftscope to use it"
        )


def migrate(conn: psycopg.Connection, schema: str) -> list[int]:
    """Bring ``schema`` up to :func:`latest_version`; return the versions applied.

    ``conn`` must be in autocommit mode: this opens and commits its own transaction.
    """
    with conn.transaction():
        version = _current_version(conn, schema)
    if version is not None:
        _refuse_newer(version, schema)
        if version == latest_version():
            return []  # the common case: no lock taken
    quoted = _quoted(schema)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("migrate", schema),))
        exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
        if exists.fetchone() is None:
            conn.execute(f"CREATE SCHEMA {quoted}")
        conn.execute(
            f"""CREATE TABLE IF NOT EXISTS {quoted}.schema_migrations (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now(),
                description text NOT NULL)"""
        )
        version = _current_version(conn, schema) or 0  # again, now that we hold the lock
        _refuse_newer(version, schema)
        applied = []
        for step in MIGRATIONS:
            if step.version <= version:
                continue
            for statement in step.statements:
                conn.execute(statement.format(schema=quoted))
            conn.execute(
                f"INSERT INTO {quoted}.schema_migrations (version, description) VALUES (%s, %s)",
                (step.version, step.description),
            )
            applied.append(step.version)
    return applied
