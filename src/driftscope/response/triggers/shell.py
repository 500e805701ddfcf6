"""Start a retraining run as a local command, detached from the process that asks.

The command (a list of arguments, or one string run by ``/bin/sh -c``) gets the job in
environment variables (``DRIFTSCOPE_JOB_ID``, ``DRIFTSCOPE_MODEL``, ``DRIFTSCOPE_REASON``,
``DRIFTSCOPE_DRIFT_SCORE``, ``DRIFTSCOPE_DRIFTED_FEATURES`` comma-separated,
``DRIFTSCOPE_PRIORITY``, ``DRIFTSCOPE_JOB_FILE``) and as JSON on its stdin, on top of
this process's environment and ``env``. Its output goes to ``<log_dir>/<job id>/output.log``.

It runs in its own session under a small watcher process
(:mod:`~driftscope.response.triggers._shell_runner`) that waits for it, kills it after
``timeout`` seconds, and writes its exit code to ``exit.json`` next to the log: so the run
outlives the process that started it, and any process can tell how it ended. The receipt
holds the watcher's ``pid``, the ``log`` path and the ``folder``; ``status`` reads
``exit.json`` (exit code 0: succeeded; else failed, the code added to the receipt), else
``running`` while the watcher lives, else ``unknown``.

>>> ShellTrigger(["python", "train.py", "--full"], timeout=3600)
ShellTrigger(command=['python', 'train.py', '--full'], timeout=3600)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from driftscope.alerts.channels import Secret
from driftscope.errors import ConfigError
from driftscope.response.triggers.base import (
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    UNKNOWN,
    RetrainTrigger,
    TriggerError,
)

if TYPE_CHECKING:
    from driftscope.response.jobs import RetrainJob

#: The watcher, run as a plain script (stdlib only: it starts fast, importing nothing else).
RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_shell_runner.py")


def default_log_dir() -> str:
    """``<temp dir>/driftscope-retrain``: where runs log when no ``log_dir`` is given."""
    return os.path.join(tempfile.gettempdir(), "driftscope-retrain")


def job_environment(job: RetrainJob, job_file: str) -> dict[str, str]:
    """The variables that give the command its job."""
    return {
        "DRIFTSCOPE_JOB_ID": job.id,
        "DRIFTSCOPE_MODEL": job.model,
        "DRIFTSCOPE_REASON": job.reason,
        "DRIFTSCOPE_DRIFT_SCORE": "" if job.drift_score is None else repr(job.drift_score),
        "DRIFTSCOPE_DRIFTED_FEATURES": ",".join(job.drifted_features),
        "DRIFTSCOPE_PRIORITY": job.priority,
        "DRIFTSCOPE_JOB_FILE": job_file,
    }


class ShellTrigger(RetrainTrigger):
    """Runs ``command`` detached (see the module's text). ``env``: extra variables (values
    may be :class:`~driftscope.alerts.channels.Secret`); ``timeout``: seconds before the
    command is killed (``None``: never); ``cwd``: its working folder; ``log_dir``: where
    each job's folder goes (default :func:`default_log_dir`). A command given as one string
    runs in ``/bin/sh``, so it can use the job's variables:

    >>> ShellTrigger("python train.py --model $DRIFTSCOPE_MODEL", timeout=3600).argv
    ['/bin/sh', '-c', 'python train.py --model $DRIFTSCOPE_MODEL']
    """

    kind: ClassVar[str] = "shell"

    def __init__(
        self,
        command: Sequence[str] | str,
        *,
        env: Mapping[str, Secret | str] | None = None,
        timeout: float | None = None,
        cwd: str | os.PathLike[str] | None = None,
        log_dir: str | os.PathLike[str] | None = None,
    ):
        if isinstance(command, str):
            if not command.strip():
                raise ConfigError("ShellTrigger command must not be empty")
            self.argv = ["/bin/sh", "-c", command]
        else:
            argv = list(command)
            if not argv or not all(isinstance(a, str) for a in argv):
                raise ConfigError(
                    f"ShellTrigger command must be a non-empty list of text, got {command!r}"
                )
            self.argv = argv
        self.command = command
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0
        ):
            raise ConfigError(f"ShellTrigger timeout must be seconds > 0 or None, got {timeout!r}")
        self.timeout = timeout
        self._env = {str(k): Secret.of(v) for k, v in (env or {}).items()}
        self.cwd = None if cwd is None else os.fspath(cwd)
        self.log_dir = os.fspath(log_dir) if log_dir is not None else default_log_dir()
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    def __repr__(self) -> str:
        return f"ShellTrigger(command={self.command!r}, timeout={self.timeout!r})"

    def start(self, job: RetrainJob) -> dict[str, Any]:
        folder = Path(self.log_dir, job.id)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TriggerError(f"cannot create the run folder {folder}: {exc.strerror}") from None
        job_file = folder / "job.json"
        job_file.write_text(json.dumps(job.payload(), indent=2))
        log = folder / "output.log"
        env = {
            **os.environ,
            **{k: v.reveal() for k, v in self._env.items()},
            **job_environment(job, str(job_file)),
        }
        limit = "-" if self.timeout is None else repr(float(self.timeout))
        argv = [sys.executable, RUNNER, str(folder), limit, "--", *self.argv]
        try:
            with open(job_file, "rb") as stdin, open(log, "ab") as out:
                child = subprocess.Popen(
                    argv,
                    stdin=stdin,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=self.cwd,
                    start_new_session=True,
                    close_fds=True,
                )
        except OSError as exc:
            raise TriggerError(f"cannot start the retraining command: {exc.strerror}") from None
        self._children[child.pid] = child
        return {
            "system": "shell",
            "pid": child.pid,
            "folder": str(folder),
            "log": str(log),
            "status": RUNNING,
        }

    def status(self, receipt: dict[str, Any]) -> str:
        return str(self.progress(receipt)["status"])

    def progress(self, receipt: dict[str, Any]) -> dict[str, Any]:
        """The run's status from its ``exit.json`` (with ``exit_code`` and ``timed_out``),
        else from whether its watcher process still runs."""
        exit_file = Path(str(receipt.get("folder", "")), "exit.json")
        if receipt.get("folder") and exit_file.is_file():
            facts = json.loads(exit_file.read_text())
            code = int(facts["exit_code"])
            self._reap(receipt.get("pid"))
            return {
                "status": SUCCEEDED if code == 0 else FAILED,
                "exit_code": code,
                "timed_out": bool(facts.get("timed_out")),
            }
        pid = receipt.get("pid")
        if not isinstance(pid, int):
            return {"status": UNKNOWN}
        child = self._children.get(pid)  # ours: poll() also reaps it (no zombie lingers)
        alive = child.poll() is None if child is not None else _alive(pid)
        if alive:
            return {"status": RUNNING if receipt.get("status") != QUEUED else QUEUED}
        if exit_file.is_file():  # it finished between the two looks
            return self.progress(receipt)
        return {"status": UNKNOWN, "note": "the watcher process ended without an exit code"}

    def _reap(self, pid: Any) -> None:
        child = self._children.pop(pid, None) if isinstance(pid, int) else None
        if child is not None:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:  # the watcher is still writing: reap later
                self._children[child.pid] = child


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
