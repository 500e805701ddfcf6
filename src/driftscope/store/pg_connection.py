"""Connections of the PostgreSQL store: a small thread-safe pool that heals itself.

Each call borrows one connection (threads never share one at the same time) and gives it
back. A connection lost under a call (server restarted, backend terminated, network cut) is
dropped together with the idle ones, which are likely dead too; :meth:`Connections.run`
then retries the call once on a fresh connection, so a call made after the server is back
just works. What still fails is a :class:`~driftscope.errors.StoreUnavailableError` naming
``host:port``; other database errors are :class:`~driftscope.errors.StoreError`.

Server examples need a server, so here is the offline part:

>>> Connections.describe("postgresql://u:secret@db.example:6543/monitoring")
'db.example:6543'
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from driftscope.errors import ConfigError, StoreError, StoreUnavailableError
from driftscope.store.location import libpq_dsn, postgres_where, redact, secrets_of

if TYPE_CHECKING:
    import psycopg

T = TypeVar("T")

#: Statements run on every new connection: UTC times, ISO dates, shortest-exact floats.
SESSION_SETUP = (
    "SET TIME ZONE 'UTC'",
    "SET DateStyle TO 'ISO, YMD'",
    "SET extra_float_digits TO 1",
    "SET client_encoding TO 'UTF8'",
)
#: Connection options added unless the DSN sets them: a name for pg_stat_activity and TCP
#: keepalives, so a dead server under a long call is noticed in about a minute.
DEFAULT_OPTIONS = {
    "application_name": "driftscope",
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}
MAX_IDLE = 4
DEADLOCK_RETRIES = 3


class Connections:
    """Borrow, give back and heal connections to one PostgreSQL database.

    ``dsn`` is a libpq connection string or URL; ``connect_timeout`` bounds how long a new
    connection may take (whole seconds, as libpq counts them).
    """

    def __init__(self, dsn: str, *, connect_timeout: float = 5.0):
        import psycopg.conninfo

        if not isinstance(connect_timeout, int | float) or not connect_timeout > 0:
            raise ConfigError(f"connect_timeout must be a positive number, got {connect_timeout}")
        dsn = libpq_dsn(dsn)
        self._secrets = secrets_of(dsn)  # kept out of every message
        try:
            options = psycopg.conninfo.conninfo_to_dict(dsn)
        except psycopg.Error:
            raise ConfigError("not a valid PostgreSQL connection string or URL") from None
        for key, value in DEFAULT_OPTIONS.items():
            options.setdefault(key, value)
        options["connect_timeout"] = str(max(1, math.ceil(connect_timeout)))
        self._options = options
        self.where = self.describe(dsn)
        self._idle: list[psycopg.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    @staticmethod
    def describe(dsn: str) -> str:
        """``host:port`` of ``dsn`` for messages (never the password)."""
        return postgres_where(libpq_dsn(dsn))

    # ------------------------------------------------------------------ borrowing
    def _connect(self) -> psycopg.Connection:
        import psycopg

        try:
            conn = psycopg.Connection.connect(**self._options, autocommit=True)  # type: ignore[arg-type]
        except psycopg.OperationalError as exc:
            # from None: libpq's text may quote the connection string; this one is redacted
            raise StoreUnavailableError(
                f"PostgreSQL at {self.where} is unreachable: "
                f"{redact(_first_line(exc), self._secrets)}"
            ) from None
        try:
            for statement in SESSION_SETUP:
                conn.execute(statement)  # type: ignore[arg-type]
        except psycopg.Error as exc:
            conn.close()
            raise StoreUnavailableError(
                f"PostgreSQL at {self.where}: could not set up the session: "
                f"{redact(_first_line(exc), self._secrets)}"
            ) from None
        return conn

    def acquire(self) -> psycopg.Connection:
        with self._lock:
            if self._closed:
                raise StoreError(f"the store at {self.where} is closed")
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def release(self, conn: psycopg.Connection) -> None:
        """Give ``conn`` back (closed instead when broken, surplus or the pool is closed)."""
        if conn.closed or conn.broken:
            return
        with self._lock:
            if not self._closed and len(self._idle) < MAX_IDLE:
                self._idle.append(conn)
                return
        conn.close()

    def drop_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def close(self) -> None:
        """Close the idle connections; busy ones close when given back. Idempotent."""
        with self._lock:
            self._closed = True
        self.drop_idle()

    # ------------------------------------------------------------------ running
    def run(self, what: str, work: Callable[[psycopg.Connection], T]) -> T:
        """``work(conn)`` on a borrowed connection, with errors translated.

        ``work`` must be safe to run again from the start: it is retried once when the
        connection was lost under it, and up to :data:`DEADLOCK_RETRIES` times on a
        deadlock or serialization failure. ``what`` names the call in error messages.
        """
        import psycopg
        from psycopg import errors

        lost_retries, conflict_retries = 1, DEADLOCK_RETRIES
        while True:
            conn = self.acquire()
            try:
                result = work(conn)
            except psycopg.Error as exc:
                lost = self._give_back(conn)
                if lost:
                    if lost_retries > 0:
                        lost_retries -= 1
                        continue
                    raise StoreUnavailableError(
                        f"PostgreSQL at {self.where} went away during {what}: {_first_line(exc)}"
                    ) from exc
                conflict = isinstance(exc, errors.SerializationFailure | errors.DeadlockDetected)
                if conflict and conflict_retries > 0:
                    conflict_retries -= 1
                    continue
                if isinstance(exc, psycopg.OperationalError):
                    raise StoreUnavailableError(
                        f"PostgreSQL at {self.where} could not serve {what}: {_first_line(exc)}"
                    ) from exc
                raise StoreError(f"{what} failed: {_first_line(exc)}") from exc
            except BaseException:
                self._give_back(conn)
                raise
            self._give_back(conn)
            return result

    def _give_back(self, conn: psycopg.Connection) -> bool:
        """Return ``conn`` to the pool if it is healthy and idle; True when it was lost."""
        from psycopg import pq

        if conn.closed or conn.broken:
            self.drop_idle()  # the server went away: the idle ones are likely dead too
            return True
        if conn.info.transaction_status != pq.TransactionStatus.IDLE:
            conn.close()  # never hand out a connection with half a transaction in it
            return False
        self.release(conn)
        return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
