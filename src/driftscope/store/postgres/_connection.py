"""Connections of the PostgreSQL store: a small thread-safe pool that heals itself.

Each call borrows one connection (threads never share one at the same time) and gives it
back. A connection lost under a call (server restarted, backend terminated, network cut) is
dropped together with the idle ones, which are likely dead too; :meth:`Connections.run`
then retries the call once on a fresh connection, so a call made after the server is back
just works.

Every wait is bounded, so a server that hangs (accepting connections but never answering,
stopped, or blocked behind another session's lock) fails a call instead of blocking it:

* connecting takes at most ``connect_timeout`` (the whole handshake, as psycopg counts it);
* on the server, ``statement_timeout`` cancels a statement running longer and
  ``lock_timeout`` one waiting longer for a lock (streaming reads lift the statement limit
  in their own transaction, as a big window may take minutes to send);
* on the client, a :class:`Watchdog` cuts the connection of a call that has waited
  ``statement_timeout + connect_timeout`` without a byte moving (the server's own
  cancellation had time to arrive and did not), and TCP keepalives notice a dead host.

Errors are sorted by what they mean (:func:`is_temporary`): a lost or hung connection, a
server shutting down or out of resources, a timeout, a lock or serialization conflict are
*temporary*: :class:`~driftscope.errors.StoreUnavailableError` naming ``host:port``, which a
monitor retries. Everything else (data the server refuses, a program limit, a missing
table, a bug) is *permanent*: :class:`~driftscope.errors.StoreError`, never retried as an
outage.

Server examples need a server, so here is the offline part:

>>> Connections.describe("postgresql://u:secret@db.example:6543/monitoring")
'db.example:6543'
"""

from __future__ import annotations

import math
import os
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

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
IDLE_EXIT = 30.0  # seconds a watchdog thread with nothing to watch lives on
DEADLOCK_RETRIES = 3
#: SQLSTATE classes of temporary failures: connection exception, invalid authorization
#: (credentials being rotated), transaction rollback (serialization, deadlock), insufficient
#: resources (disk full, out of memory, too many connections), operator intervention (query
#: cancelled by a timeout, server shutting down), system error (I/O).
TEMPORARY_CLASSES = frozenset({"08", "28", "40", "53", "57", "58"})
#: Single temporary SQLSTATEs of otherwise permanent classes: a read-only transaction (a
#: failover to a standby), an object in use, a lock not available (``lock_timeout``),
#: insufficient privilege (a grant an operator can give back).
TEMPORARY_STATES = frozenset({"25006", "55006", "55P03", "42501"})


def one_row(cursor: psycopg.Cursor[Any], what: str) -> tuple[Any, ...]:
    """The row of a query that always returns exactly one (an aggregate, ``RETURNING`` of an
    upsert); a clear :class:`StoreError` naming ``what`` if the server returned none."""
    row = cursor.fetchone()
    if row is None:
        raise StoreError(f"PostgreSQL returned no row for {what}")
    return row


class Connections:
    """Borrow, give back and heal connections to one PostgreSQL database.

    ``dsn`` is a libpq connection string or URL; ``connect_timeout`` bounds how long a new
    connection may take (whole seconds, as libpq counts them); ``statement_timeout`` how
    long one statement may run on the server and, plus ``connect_timeout``, how long a call
    waits without receiving anything (see the module docstring).

    >>> import os
    >>> url = os.environ.get("DRIFTSCOPE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
    >>> db = Connections(url, connect_timeout=5, statement_timeout=10)
    >>> db.run("adding", lambda conn: conn.execute("SELECT 1 + 1").fetchone()[0])
    2
    >>> db.close()
    """

    def __init__(self, dsn: str, *, connect_timeout: float = 5.0, statement_timeout: float = 60.0):
        import psycopg
        import psycopg.conninfo

        for name, value in (
            ("connect_timeout", connect_timeout),
            ("statement_timeout", statement_timeout),
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 < value < math.inf
            ):
                raise ConfigError(f"{name} must be a positive number of seconds, got {value!r}")
        dsn = libpq_dsn(dsn)
        self._secrets = secrets_of(dsn)  # kept out of every message
        try:
            options = psycopg.conninfo.conninfo_to_dict(dsn)
        except psycopg.Error:
            raise ConfigError("not a valid PostgreSQL connection string or URL") from None
        for key, default in DEFAULT_OPTIONS.items():
            options.setdefault(key, default)
        options["connect_timeout"] = str(max(1, math.ceil(connect_timeout)))
        #: how long a call may wait with no data moving before it is cut off
        self.silence_limit = float(statement_timeout) + max(1, math.ceil(connect_timeout))
        if psycopg.pq.version() >= 120000:  # libpq knows tcp_user_timeout since 12
            # sent data the server's host never acknowledges fails the connection as well
            options.setdefault("tcp_user_timeout", str(math.ceil(self.silence_limit * 1000)))
        # one libpq string of the parsed and defaulted options (what connect() builds anyway)
        self._conninfo = psycopg.conninfo.make_conninfo("", **options)
        ms = max(1, round(statement_timeout * 1000))
        self._setup = (
            *SESSION_SETUP,
            f"SET statement_timeout TO {ms}",
            f"SET lock_timeout TO {ms}",
            # a session that died mid-transaction must not keep its locks for long
            f"SET idle_in_transaction_session_timeout TO {max(ms, 60_000)}",
        )
        self.statement_timeout = float(statement_timeout)
        self._watchdog = Watchdog()
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
            conn = psycopg.Connection.connect(self._conninfo, autocommit=True)
        except psycopg.OperationalError as exc:
            # from None: libpq's text may quote the connection string; this one is redacted
            raise StoreUnavailableError(
                f"PostgreSQL at {self.where} is unreachable: "
                f"{redact(_first_line(exc), self._secrets)}"
            ) from None
        token = self._watchdog.watch(conn, self.silence_limit)
        try:
            for statement in self._setup:
                conn.execute(statement)
        except psycopg.Error as exc:
            conn.close()
            raise StoreUnavailableError(
                f"PostgreSQL at {self.where}: could not set up the session: "
                f"{redact(_first_line(exc), self._secrets)}"
            ) from None
        finally:
            self._watchdog.unwatch(token)
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
            token = self._watchdog.watch(conn, self.silence_limit)
            try:
                result = work(conn)
            except psycopg.Error as exc:
                cut = self._watchdog.unwatch(token)
                lost = self._give_back(conn)
                if lost:
                    if lost_retries > 0:
                        lost_retries -= 1
                        continue
                    why = (
                        f"did not answer for {self.silence_limit:g} s"
                        if cut
                        else f"went away: {_first_line(exc)}"
                    )
                    raise StoreUnavailableError(
                        f"PostgreSQL at {self.where} {why} during {what}"
                    ) from exc
                conflict = isinstance(exc, errors.SerializationFailure | errors.DeadlockDetected)
                if conflict and conflict_retries > 0:
                    conflict_retries -= 1
                    continue
                if isinstance(exc, errors.QueryCanceled):
                    raise StoreUnavailableError(
                        f"PostgreSQL at {self.where} did not finish {what} within "
                        f"statement_timeout ({self.statement_timeout:g} s): {_first_line(exc)}"
                    ) from exc
                if is_temporary(exc):
                    raise StoreUnavailableError(
                        f"PostgreSQL at {self.where} could not serve {what}: {_first_line(exc)}"
                    ) from exc
                raise StoreError(
                    f"{what} failed, and would fail again: {_first_line(exc)}"
                ) from exc
            except BaseException:
                self._watchdog.unwatch(token)
                self._give_back(conn)
                raise
            self._watchdog.unwatch(token)
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


def is_temporary(exc: BaseException) -> bool:
    """Whether a psycopg error may go away by itself (retry later) rather than being
    refused again on every retry (see the module docstring).

    >>> import psycopg.errors as e
    >>> is_temporary(e.AdminShutdown()), is_temporary(e.ProgramLimitExceeded())
    (True, False)
    >>> is_temporary(e.CharacterNotInRepertoire()), is_temporary(e.LockNotAvailable())
    (False, True)
    """
    import psycopg

    state = getattr(exc, "sqlstate", None)
    if not state:  # raised by the client: a broken or timed-out connection, or our own bug
        return isinstance(exc, psycopg.OperationalError)
    return state in TEMPORARY_STATES or state[:2] in TEMPORARY_CLASSES


class Watchdog:
    """Cuts off connections that wait too long for the server.

    :meth:`watch` arms it for a connection busy in a call; a daemon thread checks each
    armed connection at its deadline and, when the socket has moved no data for
    ``limit`` seconds, shuts the socket down: the blocked call then fails at once with a
    lost connection. Without the kernel's TCP statistics (not Linux, a Unix socket), the
    time since the call started counts instead.

    >>> dog = Watchdog()
    >>> dog.unwatch(dog.watch(None, 5.0))  # disarmed in time: not cut
    False
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._armed: dict[int, tuple[float, float, Any]] = {}  # token -> start, limit, conn
        self._cut: set[int] = set()
        self._next = 0
        self._thread: threading.Thread | None = None

    def watch(self, conn: Any, limit: float) -> int:
        """Arm for ``conn`` (a psycopg connection); a token for :meth:`unwatch`."""
        with self._cond:
            self._next += 1
            self._armed[self._next] = (time.monotonic(), limit, conn)
            if self._thread is None or not self._thread.is_alive():  # new, or forked
                self._thread = threading.Thread(
                    target=self._loop, name="driftscope-pg-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify()
            return self._next

    def unwatch(self, token: int) -> bool:
        """Disarm; True when the connection was cut off meanwhile."""
        with self._cond:
            self._armed.pop(token, None)
            if token in self._cut:
                self._cut.discard(token)
                return True
            return False

    def _loop(self) -> None:
        while True:
            with self._cond:
                if not self._armed:
                    self._cond.wait(IDLE_EXIT)
                    if not self._armed:  # idle: end; the next watch starts a new thread
                        self._thread = None
                        return
                now = time.monotonic()
                wake = now + 60.0
                for token, (start, limit, conn) in list(self._armed.items()):
                    if now - start < limit:
                        wake = min(wake, start + limit)
                        continue
                    silent = _silent_for(conn)
                    if silent is not None and silent < limit:
                        wake = min(wake, now + limit - silent)
                        continue
                    del self._armed[token]
                    self._cut.add(token)
                    _cut_off(conn)
                self._cond.wait(max(0.01, wake - time.monotonic()))


def _silent_for(conn: Any) -> float | None:
    """Seconds since ``conn``'s socket last received or sent data (a long upload is
    progress too), when the kernel says."""
    try:
        with socket.socket(fileno=os.dup(conn.fileno())) as sock:
            info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
        # struct tcp_info: tcpi_last_data_sent at byte 44, tcpi_last_data_recv at 52 (ms)
        sent, received = struct.unpack_from("I", info, 44)[0], struct.unpack_from("I", info, 52)[0]
        return min(sent, received) / 1000.0
    except Exception:  # no TCP_INFO here, not a TCP socket, or closed meanwhile
        return None


def _cut_off(conn: Any) -> None:
    """Shut ``conn``'s socket down under it: its blocked read returns end-of-file."""
    try:
        with socket.socket(fileno=os.dup(conn.fileno())) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # already closed: nothing is waiting on it
        pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
