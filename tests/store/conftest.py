"""The ``store`` fixture: every contract test runs on the embedded store and on PostgreSQL.

PostgreSQL tests talk to the real server at ``$DRIFTSCOPE_TEST_PG`` (default
``postgresql://postgres@127.0.0.1:5432/test``); each test gets its own schema, dropped
afterwards. They are not skipped when the server is missing: they fail.
"""

from __future__ import annotations

import os
import uuid

import pytest

PG_URL = os.environ.get("DRIFTSCOPE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_schema():
    """A fresh schema name; dropped (with everything in it) after the test."""
    import psycopg

    name = f"ds_test_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture(params=["embedded", "postgres"])
def store_factory(request, tmp_path):
    """A callable opening (again) the same store: lets tests close and reopen it."""
    opened = []

    if request.param == "embedded":
        from driftscope.store import EmbeddedStore

        def factory(**options):
            s = EmbeddedStore(tmp_path / "home", **options)
            opened.append(s)
            return s
    else:
        from driftscope.store import PostgresStore

        schema = request.getfixturevalue("pg_schema")

        def factory(**options):
            options.setdefault("archive_dir", tmp_path / "archive")
            s = PostgresStore(PG_URL, schema=schema, **options)
            opened.append(s)
            return s

    factory.kind = request.param
    yield factory
    for s in opened:
        s.close()


@pytest.fixture
def store(store_factory):
    return store_factory()
