"""A real SMTP server (aiosmtpd) on a free port of 127.0.0.1 that keeps what it receives.

``start_smtp()`` gives a plain server; with ``pki`` it offers STARTTLS (``require_starttls``
makes it mandatory) or, with ``implicit_tls``, speaks TLS from the start; with ``login``
(user, password) it requires AUTH (PLAIN or LOGIN). ``refuse`` maps recipient addresses
to the reply that refuses them (``"550 5.1.1 no such user"``). Each received message is a
:class:`Received` with the envelope, the raw bytes, whether TLS was on and who logged in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.alerts.tls_support import Pki


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    tls: bool
    login: str | None

    def message(self) -> EmailMessage:
        """The message as the standard library's parser reads it."""
        return message_from_bytes(self.content, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Mailbox:
    refuse: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        login = session.auth_data if session.authenticated else None
        self.received.append(
            Received(
                envelope.mail_from,
                tuple(envelope.rcpt_tos),
                envelope.original_content or envelope.content,
                # STARTTLS sets session.ssl; TLS from the start shows on the transport
                session.ssl is not None
                or server.transport.get_extra_info("ssl_object") is not None,
                login,
            )
        )
        return "250 Message accepted for delivery"


class _Controller(Controller):
    """aiosmtpd's controller on port 0: the port the system chose is read back."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox
    controller: Controller

    @property
    def received(self) -> list[Received]:
        return self.mailbox.received

    def stop(self) -> None:
        self.controller.stop()


def start_smtp(
    *,
    pki: Pki | None = None,
    implicit_tls: bool = False,
    require_starttls: bool = False,
    login: tuple[str, str] | None = None,
    refuse: dict[str, str] | None = None,
) -> SmtpServer:
    mailbox = Mailbox(refuse=dict(refuse or {}))
    options: dict[str, Any] = {}
    if pki is not None and implicit_tls:
        options["ssl_context"] = pki.server_context()
    elif pki is not None:
        options["tls_context"] = pki.server_context()
        options["require_starttls"] = require_starttls
    if login is not None:

        def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
            ok = (auth_data.login.decode(), auth_data.password.decode()) == login
            mailbox.logins.append((auth_data.login.decode(), ok))
            if not ok:  # handled=False: aiosmtpd answers 535 itself
                return AuthResult(success=False, handled=False)
            return AuthResult(success=True, auth_data=auth_data.login.decode())

        # with TLS from the start aiosmtpd does not know the session is encrypted
        require_tls = not implicit_tls
        options.update(authenticator=authenticate, auth_required=True, auth_require_tls=require_tls)
    controller = _Controller(mailbox, hostname="127.0.0.1", port=0, **options)
    controller.start()
    return SmtpServer("127.0.0.1", controller.port, mailbox, controller)
