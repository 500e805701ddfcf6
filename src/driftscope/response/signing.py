"""Signing what the response posts to a webhook (the retraining trigger, the rollback):
the alert webhook channel's scheme and functions (:mod:`driftscope.alerts.channels.webhook`),
so one receiver checks alerts and retraining requests with one
:func:`~driftscope.alerts.channels.webhook.verify_signature`.

A signed request carries ``X-Driftscope-Timestamp`` (Unix seconds) and
``X-Driftscope-Signature: sha256=<hex>``, the HMAC-SHA256 with the shared secret of
``f"{timestamp}.".encode() + body`` (``body``: the exact bytes sent).

>>> from driftscope.alerts.channels.webhook import verify_signature
>>> body = b'{"event":"retrain"}'
>>> headers = signed_headers("s3cret", body, timestamp=1_800_000_000)
>>> verify_signature("s3cret", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER],
...                  now=1_800_000_100)
True
"""

from __future__ import annotations

import time

from driftscope.alerts.channels import Secret
from driftscope.alerts.channels.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "signed_headers"]


def signed_headers(
    secret: Secret | str, body: bytes, *, timestamp: int | None = None
) -> dict[str, str]:
    """The two headers that sign ``body`` (``timestamp``: now, in Unix seconds)."""
    stamp = int(time.time()) if timestamp is None else int(timestamp)
    return {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(secret, stamp, body)}
