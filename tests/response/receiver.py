"""A real HTTP server on 127.0.0.1 that records every request and answers through a
handler: the stand-in for Airflow, GitHub and webhook receivers in the response tests.

``Receiver(handler)`` starts a threaded ``http.server`` on a free port; ``handler(request)``
returns ``(status, body)`` or ``(status, body, headers)`` where ``body`` is a dict/list
(sent as JSON), bytes, or None. ``receiver.requests`` lists what arrived, in order.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""
    extra: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


Handler = Callable[[Request], tuple]


class Receiver:
    def __init__(self, handler: Handler):
        self.handler = handler
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        outer = self

        class _Handle(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    dict(self.headers.items()),
                    body,
                )
                with outer._lock:
                    outer.requests.append(request)
                answer = outer.handler(request)
                status, payload = answer[0], answer[1]
                headers = answer[2] if len(answer) > 2 else {}
                if isinstance(payload, dict | list):
                    data = json.dumps(payload).encode()
                    headers = {"Content-Type": "application/json", **headers}
                else:
                    data = payload or b""
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if data:
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handle)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
