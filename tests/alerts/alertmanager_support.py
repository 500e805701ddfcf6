"""The real Prometheus Alertmanager (Debian's ``prometheus-alertmanager``) for tests.

:func:`start_alertmanager` runs the binary on a free port of 127.0.0.1 with a minimal
configuration: one route, grouping by nothing but each alert's own labels (``group_by:
['...']``), ``group_wait`` 0 s and ``group_interval`` 1 s so notifications come quickly,
and one webhook receiver (with ``send_resolved``) that is a recording :class:`Receiver`;
storage in a temporary folder and no clustering. The ``alertmanager`` fixture in
tests/alerts/conftest.py starts one per test session.

The API answers on ``.url`` (``GET /api/v2/alerts``, ``GET /api/v2/status``); what
Alertmanager notified arrives at ``.recorder`` as Alertmanager's webhook payloads
(``{"status", "alerts": [{"status", "labels", ...}], ...}``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.alerts.receiver import Receiver

BINARY = "prometheus-alertmanager"
WEBHOOK_PATH = "/alertmanager"

T = TypeVar("T")

CONFIG = """\
route:
  receiver: recorder
  group_by: ['...']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: recorder
    webhook_configs:
      - url: {webhook}
        send_resolved: true
"""


def eventually(condition: Callable[[], T], timeout: float = 10.0) -> T:
    """``condition()`` once it is true, polled every 0.05 s (Alertmanager takes in, notifies
    and resolves in the background); its last value after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    return condition()


@dataclass
class Alertmanager:
    url: str
    recorder: Receiver
    process: subprocess.Popen[bytes]
    log: Path

    def alerts(self, **filters: str) -> list[dict[str, Any]]:
        """``GET /api/v2/alerts``: the alerts Alertmanager holds (active, silenced,
        inhibited; not resolved ones)."""
        response = httpx.get(f"{self.url}/api/v2/alerts", params=filters, timeout=5)
        response.raise_for_status()
        return response.json()

    def notified(self) -> list[dict[str, Any]]:
        """Alertmanager's webhook payloads received so far."""
        return [r.json() for r in self.recorder.requests if r.path == WEBHOOK_PATH]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.recorder.stop()


def binary() -> str:
    """The binary's path; the test is skipped without it (and fails under CI, whose
    .ci/run installs it)."""
    found = shutil.which(BINARY) or (
        f"/usr/bin/{BINARY}" if Path(f"/usr/bin/{BINARY}").exists() else None
    )
    if found is None:
        message = f"{BINARY} is not installed (apt-get install -y prometheus-alertmanager)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_alertmanager(folder: Path, *, ready_within: float = 15.0) -> Alertmanager:
    executable = binary()
    folder.mkdir(parents=True, exist_ok=True)
    recorder = Receiver()
    config = folder / "alertmanager.yml"
    config.write_text(CONFIG.format(webhook=recorder.url + WEBHOOK_PATH))
    port = _free_port()
    log = folder / "alertmanager.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                executable,
                f"--config.file={config}",
                f"--storage.path={folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
                "--log.level=warn",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    manager = Alertmanager(f"http://127.0.0.1:{port}", recorder, process, log)
    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            recorder.stop()
            raise RuntimeError(f"Alertmanager exited at start:\n{log.read_text()}")
        try:
            if httpx.get(f"{manager.url}/-/ready", timeout=1).status_code == 200:
                return manager
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    manager.stop()
    raise RuntimeError(f"Alertmanager not ready within {ready_within} s:\n{log.read_text()}")
