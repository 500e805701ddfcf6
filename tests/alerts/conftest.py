"""Fixtures with real receivers for the alerting tests.

- ``store``: a real embedded store in the test's temporary folder.
- ``receiver``: a recording HTTP server on 127.0.0.1 whose answers can be scripted
  (status codes in sequence, a delay to cause timeouts, refused connections): see
  :mod:`tests.alerts.receiver` for everything it does. One per test.
- ``alertmanager``: the real Prometheus Alertmanager with a recording webhook receiver,
  one per test session (see :mod:`tests.alerts.alertmanager_support`); tests share it, so
  each uses labels of its own.
- ``pki``: a throw-away certificate authority and a certificate for 127.0.0.1 (see
  :mod:`tests.alerts.tls_support`).
- ``smtp_server``: a function starting a real SMTP server (aiosmtpd) on 127.0.0.1, plain,
  with STARTTLS or TLS, with or without login (see :mod:`tests.alerts.smtp_support`);
  every server it started is stopped after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from driftscope.store.embedded import EmbeddedStore
from tests.alerts.alertmanager_support import Alertmanager, start_alertmanager
from tests.alerts.receiver import Receiver
from tests.alerts.smtp_support import SmtpServer, start_smtp
from tests.alerts.tls_support import Pki, make_pki


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    with EmbeddedStore(tmp_path / "store") as opened:
        yield opened


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as recording:
        yield recording


@pytest.fixture(scope="session")
def alertmanager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Alertmanager]:
    manager = start_alertmanager(tmp_path_factory.mktemp("alertmanager"))
    try:
        yield manager
    finally:
        manager.stop()


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., SmtpServer]]:
    started: list[SmtpServer] = []

    def start(**options: object) -> SmtpServer:
        server = start_smtp(**options)  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
