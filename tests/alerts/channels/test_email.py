"""EmailChannel against a real SMTP server (aiosmtpd): the message as the standard
library parses it, STARTTLS with login on a certificate made here, TLS from the start, and
how refusals, failures and timeouts are sorted."""

from __future__ import annotations

import logging
import socket

import pytest

from driftscope.alerts.channels import DeliveryError, EmailChannel, Secret
from tests.alerts.channels.helpers import acknowledged, alert, notify, ticket

SENDER = "Driftscope <drift@example.com>"
TEAM = ["ml-team@example.com", "oncall@example.com"]
PASSWORD = "app-pass-s3cr3t"


def _channel(server, **options) -> EmailChannel:
    options.setdefault("starttls", False)
    return EmailChannel(server.host, server.port, sender=SENDER, recipients=TEAM, **options)


def test_a_multipart_message_with_escaped_html(smtp_server):
    server = smtp_server()
    sent = alert(
        "critical",
        title="Accuracy <0.85 & falling",
        message="<script>alert(1)</script>\nsecond line",
        actions=[{"label": "Dashboard", "action": "open", "url": "https://grafana.test/d?a=1&b=2"}],
    )
    receipt = _channel(server).send(notify(sent, id="n-42", group_key="grp-9"))
    [got] = server.received
    assert got.mail_from == "drift@example.com" and got.rcpt_tos == tuple(TEAM)
    assert not got.tls and got.login is None
    message = got.message()
    assert message["Subject"] == "[CRITICAL] Accuracy <0.85 & falling"
    assert message["From"] == SENDER and message["To"] == ", ".join(TEAM)
    assert message["Message-ID"] == "<driftscope.n-42@example.com>" == receipt["message_id"]
    assert message["References"] == "<driftscope.group-grp-9@example.com>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Driftscope-Dedup-Key"] == "driftscope-grp-9"
    assert message.get_content_type() == "multipart/alternative"
    text, page = (part for part in message.iter_parts())
    assert (text.get_content_type(), page.get_content_type()) == ("text/plain", "text/html")
    body = text.get_content().replace("\r\n", "\n")
    assert "<script>alert(1)</script>\nsecond line" in body
    assert "- Dashboard: https://grafana.test/d?a=1&b=2" in body
    html = page.get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>" in html
    assert "Accuracy &lt;0.85 &amp; falling" in html
    assert '<a href="https://grafana.test/d?a=1&amp;b=2">Dashboard</a>' in html


def test_the_same_notification_keeps_its_message_id_and_a_group_threads(smtp_server):
    server = smtp_server()
    channel = _channel(server)
    channel.send(notify(id="n-1"))
    channel.send(notify(id="n-1"))  # a retry after a crash
    channel.send(notify(alert(resolved=True), id="n-2"))
    first, again, resolved = (r.message() for r in server.received)
    assert first["Message-ID"] == again["Message-ID"] != resolved["Message-ID"]
    assert first["References"] == resolved["References"]
    assert resolved["Subject"] == "[RESOLVED] Model Drift Detected"


def test_starttls_and_login_with_a_certificate_made_here(smtp_server, pki):
    server = smtp_server(pki=pki, require_starttls=True, login=("drift", PASSWORD))
    for verify in ({"ssl_context": pki.client_context()}, {"verify": str(pki.ca)}):
        channel = _channel(
            server, starttls=True, username="drift", password=Secret(PASSWORD), **verify
        )
        channel.send(notify())
    assert [(r.tls, r.login) for r in server.received] == [(True, "drift"), (True, "drift")]
    auto = _channel(
        server, starttls="auto", username="drift", password=PASSWORD, verify=str(pki.ca)
    )
    auto.send(notify())
    assert server.received[-1].tls


def test_an_untrusted_certificate_is_not_retried(smtp_server, pki):
    server = smtp_server(pki=pki, require_starttls=True)
    with pytest.raises(DeliveryError) as caught:
        _channel(server, starttls=True).send(notify())
    assert not caught.value.retryable
    assert "TLS certificate does not verify" in str(caught.value)
    _channel(server, starttls=True, verify=False).send(notify())  # tests only
    assert len(server.received) == 1


def test_a_refused_login_is_not_retried_and_never_shows_the_password(smtp_server, pki, caplog):
    caplog.set_level(logging.DEBUG)
    server = smtp_server(pki=pki, login=("drift", PASSWORD))
    channel = _channel(
        server, starttls=True, username="drift", password="wrong-s3cr3t", verify=str(pki.ca)
    )
    with pytest.raises(DeliveryError) as caught:
        channel.send(notify())
    assert not caught.value.retryable
    assert "refused the login of 'drift'" in str(caught.value)
    assert "535" in str(caught.value)
    text = str(caught.value) + repr(channel) + caplog.text
    assert "wrong-s3cr3t" not in text
    # smtplib tries each mechanism the server offers (PLAIN, LOGIN): each was refused
    assert server.mailbox.logins and set(server.mailbox.logins) == {("drift", False)}
    assert server.received == []


# aiosmtpd cannot tell that a session on TLS from the start is encrypted, so this server
# offers AUTH without "requiring TLS", and says so in a warning
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_tls_from_the_start(smtp_server, pki):
    server = smtp_server(pki=pki, implicit_tls=True, login=("drift", PASSWORD))
    channel = _channel(server, ssl=True, starttls="auto", username="drift", password=PASSWORD,
                       ssl_context=pki.client_context())  # fmt: skip
    channel.send(notify())
    assert [(r.tls, r.login) for r in server.received] == [(True, "drift")]


def test_starttls_required_but_not_offered_is_not_retried(smtp_server):
    server = smtp_server()
    with pytest.raises(DeliveryError, match="does not offer STARTTLS") as caught:
        _channel(server, starttls=True).send(notify())
    assert not caught.value.retryable and server.received == []


def test_the_password_is_not_sent_in_clear_unless_told(smtp_server):
    server = smtp_server()
    channel = _channel(server, starttls="auto", username="drift", password=PASSWORD)
    with pytest.raises(DeliveryError, match="refusing to send the password unencrypted") as caught:
        channel.send(notify())
    assert not caught.value.retryable and server.received == []


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [("550 5.1.1 no such user", False), ("451 4.3.0 try again later", True)],
)
def test_refused_recipients(smtp_server, reply, retryable):
    server = smtp_server(refuse={address: reply for address in TEAM})
    with pytest.raises(DeliveryError) as caught:
        _channel(server).send(notify())
    assert caught.value.retryable is retryable
    assert "refused every recipient" in str(caught.value) and reply[:3] in str(caught.value)


def test_one_refused_recipient_is_reported_and_the_others_get_it(smtp_server):
    server = smtp_server(refuse={TEAM[1]: "550 5.1.1 no such user"})
    receipt = _channel(server).send(notify())
    assert server.received[0].rcpt_tos == (TEAM[0],)
    assert receipt["refused"] == [TEAM[1]]


def test_a_server_that_is_down_or_silent_is_retried():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    channel = EmailChannel("127.0.0.1", port, sender=SENDER, recipients=TEAM, timeout=2)
    with pytest.raises(DeliveryError) as down:
        channel.send(notify())
    assert down.value.retryable and "could not reach 127.0.0.1" in str(down.value)
    with socket.socket() as silent:  # accepts the connection, never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        channel = EmailChannel("127.0.0.1", silent.getsockname()[1], sender=SENDER,
                               recipients=TEAM, timeout=0.3)  # fmt: skip
        with pytest.raises(DeliveryError) as quiet:
            channel.send(notify())
    assert quiet.value.retryable and "timed out" in str(quiet.value)


def test_ticket_and_acknowledgement_messages(smtp_server):
    server = smtp_server()
    channel = _channel(server)
    description = {"has_drift": True, "features": {"age": {"drifted": True, "p_value": 1e-9}}}
    channel.send(ticket(description))
    channel.send(acknowledged("dana"))
    issue, ack = (r.message() for r in server.received)
    assert issue["Subject"] == "Investigate drift on churn"
    html = issue.get_body(("html",)).get_content()
    assert "<h3>features</h3>" in html and ">1e-09</td>" in html
    assert "Assignee: octocat" in issue.get_body(("plain",)).get_content()
    assert "acknowledged by dana" in ack.get_body(("plain",)).get_content()
