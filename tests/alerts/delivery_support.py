"""What the outbox tests share: a recording HTTP receiver, a test channel posting to it, a
clock the tests move, and notifications.

:class:`RecordingReceiver` is a real threaded HTTP server on 127.0.0.1. It records every
request (the JSON body, the status it answered) and answers as scripted: a fixed status,
a sequence of statuses, a delay, a JSON receipt; :meth:`RecordingReceiver.go_down`
closes its port (connections are refused) and :meth:`RecordingReceiver.come_up` opens it
again on the same port; :meth:`RecordingReceiver.hold_after` makes it take in requests
past the n-th and answer none of them until :meth:`RecordingReceiver.release` (a
receiver that got the message while the sender dies waiting for the answer).

(When the shared ``receiver`` fixture of ``tests/alerts/conftest.py`` lands, the tests can
move to it: they use only ``url``, ``answer``, ``delivered_ids``, ``go_down``/``come_up``
and ``hold_after``.)
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from driftscope.alerts.channels.base import Channel, DeliveryError, Secret
from driftscope.alerts.model import Alert, Notification

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Received:
    path: str
    body: dict[str, Any]
    status: int  # what the receiver answered (0: held, never answered)

    @property
    def id(self) -> str:
        return str(self.body.get("id"))

    @property
    def dedup_key(self) -> str:
        return str(self.body.get("dedup_key"))


class RecordingReceiver:
    """A recording HTTP receiver on 127.0.0.1 (see the module)."""

    def __init__(self, *, keep_alive: bool = False) -> None:
        self.keep_alive = keep_alive  # off: each request its own connection, so that
        # go_down() refuses the very next one
        self._lock = threading.Lock()
        self.requests: list[Received] = []
        self._status = 200
        self._script: list[int] = []
        self._delay = 0.0
        self._receipts = False
        self._retry_after: int | None = None
        self._hold_after: int | None = None
        self._released = threading.Event()
        self.holding = threading.Condition(self._lock)
        self.held = 0
        self._server: ThreadingHTTPServer | None = None
        self.port = 0
        self.come_up()

    # ------------------------------------------------------------------ control
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def answer(
        self,
        status: int = 200,
        *,
        then: Iterable[int] = (),
        delay: float = 0.0,
        receipts: bool = False,
        retry_after: int | None = None,
    ) -> None:
        """Answer the statuses in ``then`` first, then ``status`` to every request, each
        after ``delay`` seconds; with ``receipts``, a 2xx carries ``{"id", "url"}``; with
        ``retry_after``, an error carries that ``Retry-After`` header."""
        with self._lock:
            self._status, self._script = status, list(then)
            self._delay, self._receipts = delay, receipts
            self._retry_after = retry_after

    def hold_after(self, n: int) -> None:
        """Requests past the ``n``-th answered with a 2xx are taken in, recorded, and not
        answered until :meth:`release`."""
        with self._lock:
            self._hold_after = n
            self._released.clear()

    def release(self) -> None:
        with self._lock:
            self._hold_after = None
        self._released.set()

    def wait_held(self, count: int, timeout: float = 30.0) -> bool:
        with self.holding:
            return self.holding.wait_for(lambda: self.held >= count, timeout)

    def go_down(self) -> None:
        """Close the port: connections are refused until :meth:`come_up`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def come_up(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        server.daemon_threads = True
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        self._server = server

    def close(self) -> None:
        self.release()
        self.go_down()

    def __enter__(self) -> RecordingReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading
    def delivered(self) -> list[Received]:
        """Requests the receiver took in (answered 2xx, or held)."""
        with self._lock:
            return [r for r in self.requests if r.status == 0 or 200 <= r.status < 300]

    def delivered_ids(self) -> list[str]:
        return [r.id for r in self.delivered()]

    def counts(self) -> Counter[str]:
        """How many times each notification id arrived."""
        return Counter(self.delivered_ids())

    def incidents(self) -> Counter[str]:
        """What a de-duplicating receiver shows: one incident per dedup key, with how many
        messages it folded."""
        return Counter(r.dedup_key for r in self.delivered())

    def attempts(self) -> int:
        with self._lock:
            return len(self.requests)

    # ------------------------------------------------------------------ serving
    def _respond(self, body: dict[str, Any], path: str) -> tuple[int, float, bytes, int | None]:
        with self._lock:
            status = self._script.pop(0) if self._script else self._status
            delay = self._delay
            ok = 200 <= status < 300
            taken = sum(1 for r in self.requests if 200 <= r.status < 300)
            hold = ok and self._hold_after is not None and taken >= self._hold_after
            self.requests.append(Received(path, body, 0 if hold else status))
            if hold:
                self.held += 1
                self.holding.notify_all()
            number = len(self.requests)
            receipts = self._receipts
            retry_after = None if ok else self._retry_after
        if hold:
            self._released.wait(60)
            return 200, 0.0, b"{}", None
        payload: dict[str, Any] = {"ok": ok}
        if ok and receipts:
            payload = {"id": number, "url": f"http://127.0.0.1:{self.port}/issues/{number}"}
        if not ok:
            payload = {"error": f"scripted {status}"}
        return status, delay, json.dumps(payload).encode(), retry_after

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"raw": raw.decode(errors="replace")}
                status, delay, payload, retry_after = receiver._respond(body, self.path)
                if delay:
                    threading.Event().wait(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    if retry_after is not None:
                        self.send_header("Retry-After", str(retry_after))
                    if not receiver.keep_alive:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


class PostChannel(Channel):
    """A test-only channel: POSTs the notification's id, dedup key, channel and title as
    JSON (httpx); 5xx, 429, timeouts and connection errors are retryable, other 4xx not;
    a JSON object answered with an ``id`` is returned as the receipt. The URL is a secret."""

    kind = "post"

    def __init__(self, url: str | Secret, *, name: str = "post", timeout: float = 2.0):
        super().__init__(name=name)
        self.url = Secret.of(url)
        self._client = httpx.Client(timeout=timeout)

    def _post(self, notification: Notification) -> httpx.Response:
        payload = {
            "id": notification.id,
            "dedup_key": notification.dedup_key,
            "channel": self.name,
            "title": notification.title,
        }
        return self._client.post(self.url.reveal(), json=payload)

    def send(self, notification: Notification) -> dict[str, Any] | None:
        try:
            response = self._post(notification)
        except httpx.TimeoutException:
            raise DeliveryError(f"{self.name}: the receiver did not answer in time") from None
        except httpx.TransportError as exc:
            raise DeliveryError(
                f"{self.name}: cannot reach the receiver ({type(exc).__name__})"
            ) from None
        status = response.status_code
        if status >= 500 or status == 429:
            wait = response.headers.get("Retry-After")
            raise DeliveryError(
                f"{self.name}: the receiver answered {status}",
                retry_after=float(wait) if wait and wait.isdigit() else None,
            )
        if status >= 400:
            raise DeliveryError(
                f"{self.name}: the receiver refused it ({status}: {response.text[:200]})",
                retryable=False,
            )
        answer = response.json()
        return {"id": answer["id"], "url": answer["url"]} if "url" in answer else None


class DedupPostChannel(PostChannel):
    """The same, for a receiver that de-duplicates by ``dedup_key`` (like PagerDuty)."""

    kind = "post-dedup"
    dedups = True


class CarelessChannel(PostChannel):
    """A channel with a bug: it lets httpx's own error through, and httpx quotes the URL
    (the secret) in it: ``Server error '503 ...' for url 'http://.../<secret>'``."""

    kind = "careless"

    def send(self, notification: Notification) -> dict[str, Any] | None:
        self._post(notification).raise_for_status()
        return None


class LeakyChannel(PostChannel):
    """A channel that writes its URL into its DeliveryError (what channels must not do)."""

    kind = "leaky"

    def send(self, notification: Notification) -> dict[str, Any] | None:
        status = self._post(notification).status_code
        if status >= 400:
            raise DeliveryError(
                f"POST {self.url.reveal()} answered {status}", retryable=status >= 500
            )
        return None


class ManualClock:
    """A clock the test moves: ``clock()`` is the time, ``clock.advance(seconds=5)``."""

    def __init__(self, start: datetime = T0):
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self._now += timedelta(**delta)
            return self._now


def notification(i: int | str, channel: str = "post", *, group: str | None = None) -> Notification:
    """Notification ``n-<i>`` to ``channel``, in its own group unless ``group`` is given."""
    alert = Alert.of("warning", f"Drift {i}", "age moved", labels={"model": "churn"}, starts_at=T0)
    return Notification(f"n-{i}", channel, group or f"g-{i}", {"model": "churn"}, (alert,))
