"""Signing what driftscope posts to a webhook, and checking it on the receiving side.

A signed request carries two headers: ``X-Driftscope-Timestamp`` (Unix seconds) and
``X-Driftscope-Signature: sha256=<hex>``, the HMAC-SHA256 with the shared secret of
``f"{timestamp}.".encode() + body`` (``body``: the exact bytes sent). The receiver recomputes
it with :func:`verify_signature`, which also refuses a timestamp older than ``tolerance``
seconds (a replayed request). This is the scheme of the alert webhook channel, so one
receiver can check both.

>>> body = b'{"event":"retrain"}'
>>> headers = signed_headers("s3cret", body, timestamp=1_800_000_000)
>>> headers[SIGNATURE_HEADER][:7]
'sha256='
>>> verify_signature("s3cret", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER],
...                  now=1_800_000_100)
True
>>> verify_signature("wrong", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER],
...                  now=1_800_000_100)
False
"""

from __future__ import annotations

import hashlib
import hmac
import time

from driftscope.alerts.channels import Secret

TIMESTAMP_HEADER = "X-Driftscope-Timestamp"
SIGNATURE_HEADER = "X-Driftscope-Signature"
#: How old (seconds) a signed request may be by default before a receiver refuses it.
TOLERANCE = 300


def sign(secret: Secret | str, timestamp: int | str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``f"{timestamp}.".encode() + body``."""
    key = Secret.of(secret).reveal().encode()
    digest = hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(
    secret: Secret | str, body: bytes, *, timestamp: int | None = None
) -> dict[str, str]:
    """The two headers that sign ``body`` (``timestamp``: now, in Unix seconds)."""
    stamp = int(time.time()) if timestamp is None else int(timestamp)
    return {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(secret, stamp, body)}


def verify_signature(
    secret: Secret | str,
    timestamp: str | int,
    body: bytes,
    signature: str,
    *,
    tolerance: float = TOLERANCE,
    now: float | None = None,
) -> bool:
    """Whether ``signature`` signs ``body`` at ``timestamp`` with ``secret`` and the
    timestamp is within ``tolerance`` seconds of ``now``; compared in constant time."""
    try:
        stamp = int(str(timestamp).strip())
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, stamp, body), str(signature).strip())
