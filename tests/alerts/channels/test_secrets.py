"""No secret in a channel's repr or str, in a DeliveryError (even when the receiver
echoes the secret back), or in any log record (httpx's request line included), for
every channel that holds one."""

from __future__ import annotations

import base64
import logging

import pytest

from driftscope.alerts.channels import DeliveryError, Secret, build_channel
from tests.alerts.channels.http_channels import KINDS, SECRETS, http_channel, notification_for
from tests.alerts.receiver import Reply

#: Basic auth sends "user:secret" in base64: that form must not leak either.
_ENCODED = {
    "alertmanager (basic auth)": base64.b64encode(f"am:{SECRETS['alertmanager']}".encode()),
    "jira (basic auth)": base64.b64encode(f"bot@acme.test:{SECRETS['jira']}".encode()),
}


def _leaks(text: str) -> list[str]:
    found = [name for name, secret in SECRETS.items() if secret in text]
    return found + [name for name, encoded in _ENCODED.items() if encoded.decode() in text]


def _logged(caplog) -> str:
    return "\n".join(
        record.getMessage() + (str(record.exc_info) if record.exc_info else "")
        for record in caplog.records
    )


@pytest.mark.parametrize("kind", KINDS)
def test_repr_str_and_secrets(receiver, kind):
    channel = http_channel(kind, receiver.url)
    assert _leaks(repr(channel)) == [] and _leaks(str(channel)) == []
    held = " ".join(s.reveal() for s in channel.secrets())
    assert _leaks(held), "the channel must report the secrets it holds"


@pytest.mark.parametrize("kind", KINDS)
def test_no_secret_in_errors_or_logs_even_when_echoed(receiver, kind, caplog):
    caplog.set_level(logging.DEBUG)
    # a receiver that quotes the request back, secrets and all
    receiver.handler = lambda request: Reply(
        400, f"bad request to {request.path}?{request.query} with {request.headers} {request.text}"
    )
    with pytest.raises(DeliveryError) as caught:
        http_channel(kind, receiver.url).send(notification_for(kind))
    assert "***" in str(caught.value)  # the echo arrived, scrubbed
    assert _leaks(str(caught.value)) == []
    assert _leaks(repr(caught.value)) == []
    assert _leaks(_logged(caplog)) == []
    assert any(r.name == "httpx" for r in caplog.records), "httpx's request line was logged"


@pytest.mark.parametrize("kind", KINDS)
def test_no_secret_in_logs_of_a_delivery_a_timeout_or_a_refusal(receiver, kind, caplog):
    caplog.set_level(logging.DEBUG)
    receiver.default = Reply(
        202, json={"number": 3, "html_url": "https://x.test/3", "key": "OPS-3"}
    )
    channel = http_channel(kind, receiver.url, timeout=0.3)
    channel.send(notification_for(kind))
    request_lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert request_lines and all(f"{receiver.url}/…" in line for line in request_lines)
    receiver.default = Reply(200, delay=1.0)
    with pytest.raises(DeliveryError) as slow:
        channel.send(notification_for(kind))
    receiver.stop()
    with pytest.raises(DeliveryError) as down:
        channel.send(notification_for(kind))
    for text in (str(slow.value), str(down.value), _logged(caplog)):
        assert _leaks(text) == []


def test_other_httpx_requests_are_logged_as_before(receiver, caplog):
    import httpx

    caplog.set_level(logging.INFO, logger="httpx")
    http_channel("slack", receiver.url).send(notification_for("slack"))
    httpx.post(receiver.url + "/plain/path", content=b"x")
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert f"{receiver.url}/…" in lines[0]
    assert f"{receiver.url}/plain/path" in lines[1]


def test_secrets_from_the_environment_through_build_channel(monkeypatch, receiver):
    monkeypatch.setenv("DS_TEST_SLACK", f"{receiver.url}/services/{SECRETS['slack']}")
    channel = build_channel("slack", webhook_url=Secret.from_env("DS_TEST_SLACK"))
    assert channel.webhook_url.source == "$DS_TEST_SLACK"
    channel.send(notification_for("slack"))
    assert receiver.wait_for(1)[0].path == f"/services/{SECRETS['slack']}"
    built = build_channel("pagerduty", routing_key="plain-text-key")
    assert isinstance(built.routing_key, Secret) and "plain-text-key" not in repr(vars(built))


def test_a_secret_cannot_be_pickled_with_its_channel():
    import pickle

    with pytest.raises(TypeError, match="Secret cannot be pickled"):
        pickle.dumps(build_channel("pagerduty", routing_key="k"))
