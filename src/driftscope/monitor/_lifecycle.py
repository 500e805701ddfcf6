"""Live monitors flushed at interpreter exit and restarted in forked children.

The only process-wide state of :mod:`driftscope.monitor`: a weak set of the monitors not
yet closed, an ``atexit`` hook that closes them (each waiting at most
:data:`EXIT_TIMEOUT` seconds for its store), and an ``os.register_at_fork`` hook that gives
each monitor in a forked child fresh locks, an empty buffer (the parent writes what it had
buffered), a new id prefix and, on first use, a new writer thread.

A child started by ``multiprocessing`` with the ``fork`` method ends with ``os._exit``,
which skips ``atexit``; the exit hook is then also registered with
``multiprocessing.util.Finalize`` in that child (which its exit does run).

>>> class Fake:
...     def _close_at_exit(self, timeout): ...
>>> fake = Fake(); register(fake); fake in _live
True
>>> unregister(fake); fake in _live
False
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
import weakref
from typing import Any

#: Longest wait of each monitor's final flush at interpreter exit, in seconds.
EXIT_TIMEOUT = 10.0

_live: weakref.WeakSet[Any] = weakref.WeakSet()
_lock = threading.Lock()
_installed = False
_finalizer_pid: int | None = None


def register(monitor: Any) -> None:
    """Track ``monitor`` (weakly) until :func:`unregister`."""
    global _installed
    with _lock:
        _live.add(monitor)
        if not _installed:
            atexit.register(close_all)
            if hasattr(os, "register_at_fork"):
                os.register_at_fork(after_in_child=_after_fork_in_child)
            _installed = True


def unregister(monitor: Any) -> None:
    with _lock:
        _live.discard(monitor)


def close_all() -> None:
    """Close every live monitor (bounded wait each); errors are swallowed."""
    with _lock:
        monitors = list(_live)
    for monitor in monitors:
        with contextlib.suppress(Exception):
            monitor._close_at_exit(EXIT_TIMEOUT)


def on_writer_start() -> None:
    """Called when a writer thread starts: in a child of ``multiprocessing`` (fork), make
    its exit flush too."""
    global _finalizer_pid
    if _finalizer_pid == os.getpid() or "multiprocessing" not in sys.modules:
        return
    _finalizer_pid = os.getpid()
    try:
        from multiprocessing import util

        util.Finalize(None, close_all, exitpriority=100)
    except Exception:
        pass


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()
    for monitor in list(_live):
        with contextlib.suppress(Exception):
            monitor._after_fork_in_child()
