"""A real HTTP receiver on 127.0.0.1 for tests: it records every request and answers as
scripted.

Use the ``receiver`` fixture (tests/alerts/conftest.py) or ``with Receiver() as r:``
anywhere (a subprocess helper, a benchmark). It is a threaded ``http.server`` on a free
port of 127.0.0.1, so requests are answered concurrently, and each request is recorded
*before* it is answered (a request whose client gave up waiting is still in the record).

Answers, in this order of precedence:

- ``reply(*answers, path=None)`` queues answers for the next requests (to ``path`` only,
  when given); each is a :class:`Reply` or a bare status code, used once, in order;
- ``handler``, when set, is called with each :class:`Request` and may return a Reply
  (None: fall through);
- ``default`` (a Reply, 200 with an empty body unless changed).

``Reply(delay=...)`` waits that long before answering: a client with a shorter timeout
times out. ``stop()`` closes the listening socket so connections are refused (a receiver
that is down) and ``start()`` listens again on the same port. ``wait_for(n)`` waits until
n requests arrived; ``requests`` is a copy of what arrived so far.

>>> import urllib.request
>>> with Receiver() as r:
...     r.reply(Reply(503), Reply(201, json={"id": 7}))
...     codes = []
...     for _ in range(3):
...         try:
...             codes.append(urllib.request.urlopen(r.url + "/x", data=b"{}").status)
...         except urllib.error.HTTPError as e:
...             codes.append(e.code)
...     codes, [q.path for q in r.requests], r.requests[0].json()
([503, 201, 200], ['/x', '/x', '/x'], {})
"""

from __future__ import annotations

import json as jsonlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ssl import SSLContext
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Reply:
    """An answer: ``status``, a ``body`` (bytes or text) or ``json`` (serialised, with its
    content type), ``headers``, and a ``delay`` in seconds before answering."""

    status: int = 200
    body: bytes | str = b""
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def content(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if self.json is not None:
            headers.setdefault("Content-Type", "application/json")
            return jsonlib.dumps(self.json).encode(), headers
        body = self.body.encode() if isinstance(self.body, str) else self.body
        return body, headers


@dataclass(frozen=True)
class Request:
    """A recorded request. ``headers`` has lower-case names; ``body`` is the raw bytes."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return jsonlib.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: stop() refuses at once

    def _handle(self) -> None:
        receiver = self.server.receiver
        body = self._read_body()
        parts = urlsplit(self.path)
        request = Request(
            self.command,
            parts.path,
            parse_qs(parts.query),
            {k.lower(): v for k, v in self.headers.items()},
            body,
            time.time(),
        )
        reply = receiver._record(request)
        if reply.delay and receiver._closing.wait(reply.delay):
            return
        content, headers = reply.content()
        try:
            self.send_response(reply.status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
            pass

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], receiver: Receiver):
        self.receiver = receiver
        super().__init__(address, _Handler)


class Receiver:
    """A recording HTTP server on ``host`` (see the module's text). With ``ssl_context``
    (a server context) it speaks HTTPS."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, ssl_context: SSLContext | None = None
    ):
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.default = Reply()
        self.handler: Callable[[Request], Reply | None] | None = None
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._requests: list[Request] = []
        self._queue: list[tuple[str | None, Reply]] = []
        self._closing = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.start()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Listen (again, on the same port after :meth:`stop`)."""
        if self._server is not None:
            return
        self._closing.clear()
        server = _Server((self.host, self.port), self)
        if self.ssl_context is not None:
            server.socket = self.ssl_context.wrap_socket(server.socket, server_side=True)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening: connections are refused until :meth:`start`."""
        server, self._server = self._server, None
        if server is None:
            return
        self._closing.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    close = stop

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{self.host}:{self.port}"

    # -- answers ---------------------------------------------------------------------------

    def reply(self, *answers: Reply | int, path: str | None = None) -> None:
        """Queue answers for the next requests (to ``path`` only, when given)."""
        with self._lock:
            for answer in answers:
                self._queue.append((path, answer if isinstance(answer, Reply) else Reply(answer)))

    def _record(self, request: Request) -> Reply:
        with self._lock:
            self._requests.append(request)
            self._arrived.notify_all()
            for index, (path, answer) in enumerate(self._queue):
                if path is None or path == request.path:
                    del self._queue[index]
                    return answer
        if self.handler is not None:
            answer = self.handler(request)
            if answer is not None:
                return answer
        return self.default

    # -- what arrived ----------------------------------------------------------------------

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        """Forget the recorded requests and the queued answers."""
        with self._lock:
            self._requests.clear()
            self._queue.clear()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Request]:
        """The requests once ``count`` arrived; AssertionError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self._requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{len(self._requests)} request(s) arrived, expected {count}"
                    )
                self._arrived.wait(left)
            return list(self._requests)
