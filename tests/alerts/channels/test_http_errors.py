"""How every HTTP channel sorts failures: retry (5xx, 408, 429, timeouts, refused
connections) or not (other 4xx, redirects, a certificate that does not verify), against a
real receiver that answers, stalls, is down, or speaks TLS with a certificate of its own."""

from __future__ import annotations

import time

import pytest

from driftscope.alerts.channels import DeliveryError, SlackChannel
from driftscope.errors import ConfigError
from tests.alerts.channels.http_channels import KINDS, http_channel, notification_for
from tests.alerts.receiver import Receiver, Reply


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("status", "retryable"),
    [(500, True), (502, True), (503, True), (408, True), (429, True), (400, False),
     (401, False), (404, False), (301, False)],
)  # fmt: skip
def test_answers_are_sorted_into_retry_or_not(receiver, kind, status, retryable):
    receiver.default = Reply(status, "the receiver's words", headers={"Location": "/elsewhere"})
    with pytest.raises(DeliveryError) as caught:
        http_channel(kind, receiver.url).send(notification_for(kind))
    assert caught.value.retryable is retryable
    assert f"the receiver answered {status}" in str(caught.value)
    assert "the receiver's words" in str(caught.value)
    assert len(receiver.requests) == 1  # sent once: the channel does not retry


def test_retry_after_is_passed_on(receiver):
    receiver.default = Reply(429, headers={"Retry-After": "42"})
    with pytest.raises(DeliveryError) as caught:
        http_channel("slack", receiver.url).send(notification_for("slack"))
    assert caught.value.retry_after == 42.0


@pytest.mark.parametrize("kind", KINDS)
def test_a_receiver_that_does_not_answer_in_time_is_retried(receiver, kind):
    receiver.default = Reply(200, delay=2.0)
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        http_channel(kind, receiver.url, timeout=0.2).send(notification_for(kind))
    assert time.monotonic() - started < 1.5
    assert caught.value.retryable
    assert "no answer within 0.2 s" in str(caught.value)
    assert len(receiver.requests) == 1  # it arrived: a retry may duplicate (at least once)


@pytest.mark.parametrize("kind", KINDS)
def test_a_receiver_that_is_down_is_retried_and_reached_once_back(receiver, kind):
    receiver.stop()
    with pytest.raises(DeliveryError) as caught:
        http_channel(kind, receiver.url, timeout=2).send(notification_for(kind))
    assert caught.value.retryable
    assert "could not reach the receiver (ConnectError" in str(caught.value)
    receiver.start()
    receiver.default = Reply(201, json={"number": 1, "html_url": "x", "key": "OPS-1"})
    http_channel(kind, receiver.url, timeout=2).send(notification_for(kind))
    assert len(receiver.wait_for(1)) == 1


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/x", "ftp://files.test/x", "hooks/x"])
def test_unusable_urls_are_refused_when_the_channel_is_made(url):
    with pytest.raises(ConfigError, match="webhook channel: url") as caught:
        http_channel("webhook", url)
    assert url in str(caught.value)
    with pytest.raises(ConfigError, match="slack channel: webhook_url") as caught:
        SlackChannel(url + "/s3cr3t-path")
    assert "s3cr3t" not in str(caught.value)  # a webhook URL is a secret: never quoted


def test_tls_with_an_unknown_authority_is_not_retried_and_works_once_trusted(pki):
    with Receiver(ssl_context=pki.server_context()) as secure:
        assert secure.url.startswith("https://127.0.0.1:")
        with pytest.raises(DeliveryError) as caught:
            http_channel("webhook", secure.url, timeout=5).send(notification_for("webhook"))
        assert not caught.value.retryable
        assert "TLS certificate does not verify" in str(caught.value)
        for verify in (pki.client_context(), str(pki.ca)):
            http_channel("webhook", secure.url, timeout=5, verify=verify).send(
                notification_for("webhook")
            )
        http_channel("slack", secure.url, timeout=5, verify=False).send(notification_for("slack"))
        paths = [r.path for r in secure.wait_for(3)]
        assert paths[:2] == ["/hook", "/hook"] and paths[2].startswith("/services/")
        assert len(secure.requests) == 3  # the refused handshake sent nothing
