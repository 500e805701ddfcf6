"""Fixtures of the response tests: a real embedded store in a temporary folder, a clock
the test moves, and real HTTP receivers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from driftscope.store import EmbeddedStore, Store
from tests.alerts.receiver import Receiver, Reply, Request

#: A fake service: a request in, ``(status, body)`` or ``(status, body, headers)`` out; a
#: dict or list body is sent as JSON.
Handler = Callable[[Request], tuple]


def _reply(answer: tuple) -> Reply:
    status, body = answer[0], answer[1]
    headers = answer[2] if len(answer) > 2 else {}
    if isinstance(body, dict | list):
        return Reply(status, json=body, headers=headers)
    return Reply(status, body=body or b"", headers=headers)


class Clock:
    """A settable UTC clock: ``clock()`` is the time, ``clock.advance(hours=2)`` moves it."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **span: float) -> datetime:
        self.now += timedelta(**span)
        return self.now


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    with EmbeddedStore(tmp_path / "store") as opened:
        yield opened


@pytest.fixture(params=["embedded", "postgres"])
def opener(request, tmp_path) -> Iterator[Callable[[], Store]]:
    """A function opening another store object on one store (embedded, or a fresh schema of
    the PostgreSQL server at $DRIFTSCOPE_TEST_PG): as separate processes would."""
    if request.param == "embedded":
        folder = tmp_path / "shared"
        yield lambda: EmbeddedStore(folder)
        return
    import uuid

    import psycopg

    from driftscope.store import PostgresStore
    from tests.store.conftest import PG_URL

    schema = f"ds_test_{uuid.uuid4().hex[:12]}"
    yield lambda: PostgresStore(PG_URL, schema=schema, archive_dir=tmp_path / "archive")
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def receiver() -> Iterator[Callable[[Handler], Receiver]]:
    """``receiver(handler)`` starts a recording server (tests/alerts/receiver.py) answering
    through ``handler``; every one started is stopped after the test."""
    started: list[Receiver] = []

    def start(handler: Handler) -> Receiver:
        server = Receiver()
        server.handler = lambda request: _reply(handler(request))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
