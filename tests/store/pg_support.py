"""Helpers of the PostgreSQL store tests: a TCP proxy that can cut the server off, and
worker functions that child processes import."""

from __future__ import annotations

import contextlib
import socket
import threading
from datetime import timedelta
from typing import Any

from tests.store.batches import T0, prediction_batch
from tests.store.conftest import PG_URL


class Proxy:
    """Forwards 127.0.0.1:<port> to the test server; :meth:`stop` cuts every connection
    and refuses new ones, :meth:`start` serves again on the same port; :meth:`freeze`
    plays a hung server (connections are accepted and kept open, bytes are taken in and
    never passed on), :meth:`thaw` passes them on again."""

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)):
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._flowing = threading.Event()
        self._flowing.set()

    def freeze(self) -> None:
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    def url(self, database: str = "test") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._open = self._open, []
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self._flowing.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)


def open_store(schema: str, archive_dir: str, ready: Any) -> None:
    """Child process: open (and so migrate) the schema once everyone is ready."""
    from driftscope.store import PostgresStore

    ready.wait(30)
    PostgresStore(PG_URL, schema=schema, archive_dir=archive_dir).close()


def write_batches(schema: str, archive_dir: str, k: int, batches: int, rows: int) -> None:
    """Child process: write ``batches`` batches of ``rows`` predictions with ids ``w<k>-..``."""
    from driftscope.store import PostgresStore

    with PostgresStore(PG_URL, schema=schema, archive_dir=archive_dir) as store:
        for j in range(batches):
            batch = prediction_batch(
                rows, id_prefix=f"w{k}-{j}-", seed=k * 100 + j, start=T0 + timedelta(minutes=k)
            )
            store.write_predictions("churn", batch)
