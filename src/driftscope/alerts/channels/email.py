"""E-mail over SMTP: a multipart/alternative message with a text part and an HTML part.

The subject is the notification's title (``[WARNING] Model Drift Detected``). The
``Message-ID`` is made from the notification's id, so a copy sent twice after a crash
carries the same id and a mail system or a reader can drop it; ``References`` names the
alert group, so a group's firing and resolved messages thread together. ``Auto-Submitted:
auto-generated`` keeps out-of-office replies away. Everything from an alert is escaped in
the HTML part.

The connection: ``ssl=True`` is TLS from the start (port 465); otherwise ``starttls``
says whether to upgrade with STARTTLS: ``True`` (required: a server that does not offer
it is an error), ``"auto"`` (when offered) or ``False``. With a ``username`` the channel
logs in (``password`` is the secret), and refuses to send the password over a connection
that is not encrypted unless ``starttls=False`` says that is intended. The server's
certificate is checked against the system's CAs; ``verify`` takes a CA bundle path,
False (tests only), or give ``ssl_context``.

>>> from datetime import UTC, datetime
>>> from driftscope.alerts.model import Alert, Notification
>>> channel = EmailChannel("smtp.example.com", 587, sender="drift@example.com",
...                        recipients=["ml-team@example.com"], username="drift",
...                        password="app-password", starttls=True)
>>> alert = Alert.of("critical", "Accuracy <0.85", "0.81 on 2026-12-07", labels={"model": "churn"})
>>> message = channel.message(Notification("n-42", "email", "grp", {}, (alert,)))
>>> message["Subject"], message["Message-ID"], message.get_content_type()
('[CRITICAL] Accuracy <0.85', '<driftscope.n-42@example.com>', 'multipart/alternative')
>>> "Accuracy &lt;0.85" in message.get_body(("html",)).get_content()
True
"""

from __future__ import annotations

import hashlib
import html
import re
import smtplib
import ssl as ssl_module
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from driftscope.alerts.channels._describe import FIELD_COLUMNS, plain, tables
from driftscope.alerts.channels._http import EXCERPT_CHARS, scrub, where
from driftscope.alerts.channels._options import (
    DEFAULT_TIMEOUT,
    Verify,
    optional_secret,
    text_option,
    texts_option,
    timeout_option,
    tls_context,
)
from driftscope.alerts.channels._text import (
    ack_text,
    alert_facts,
    labels_text,
    one_line,
    ticket_fields,
    truncate,
    when,
)
from driftscope.alerts.channels.base import Channel, DeliveryError, Secret
from driftscope.alerts.model import Alert, Notification
from driftscope.errors import ConfigError, printable

SUBJECT_CHARS = 200
_ATOM = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")
_COLORS = {"critical": "#b00020", "warning": "#b26a00", "info": "#1a5fb4"}
_RESOLVED_COLOR = "#2e7d32"


def _address(value: str, option: str) -> str:
    address = parseaddr(value)[1]
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise ConfigError(f"email channel: {option} must be an e-mail address, got {value!r}")
    return value


def message_id(notification_id: str, domain: str) -> str:
    """``<driftscope.{id}@{domain}>``; an id that cannot stand in a Message-ID is hashed.

    >>> message_id("n-1", "example.com"), message_id("a b", "example.com")[:22]
    ('<driftscope.n-1@example.com>', '<driftscope.hc8687a08a')
    """
    if _ATOM.fullmatch(notification_id) and len(notification_id) <= 64:
        local = notification_id
    else:
        local = "h" + hashlib.sha256(notification_id.encode()).hexdigest()[:32]
    return f"<driftscope.{local}@{domain}>"


class EmailChannel(Channel):
    """Sends e-mail through an SMTP server (see the module's text).

    >>> channel = EmailChannel("smtp.example.com", 465, sender="drift@example.com",
    ...                        recipients="ml-team@example.com", ssl=True)
    >>> channel.recipients, channel.domain
    (('ml-team@example.com',), 'example.com')
    >>> EmailChannel("smtp.example.com", 25, sender="drift@example.com", recipients="ml-team")
    Traceback (most recent call last):
    ...
    driftscope.errors.ConfigError: email channel: recipients must be an e-mail address, ...
    """

    kind = "email"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        recipients: str | Sequence[str],
        username: str | None = None,
        password: Secret | str | None = None,
        starttls: bool | str = "auto",
        ssl: bool = False,
        name: str | None = None,
        price_per_message: float = 0.0,
        timeout: float = DEFAULT_TIMEOUT,
        verify: Verify = True,
        ssl_context: ssl_module.SSLContext | None = None,
    ):
        super().__init__(name=name, price_per_message=price_per_message)
        self.host = text_option(host, "host", self.kind)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ConfigError(f"{self.kind} channel: port must be 1 to 65535, got {port!r}")
        self.port = port
        self.sender = _address(text_option(sender, "sender", self.kind), "sender")
        self.recipients = tuple(
            _address(r, "recipients") for r in texts_option(recipients, "recipients", self.kind)
        )
        if not self.recipients:
            raise ConfigError(f"{self.kind} channel: recipients must name at least one address")
        if starttls not in (True, False, "auto"):
            raise ConfigError(
                f'{self.kind} channel: starttls must be True, False or "auto", got {starttls!r}'
            )
        if not isinstance(ssl, bool):
            raise ConfigError(f"{self.kind} channel: ssl must be True or False, got {ssl!r}")
        if ssl and starttls is True:
            raise ConfigError(
                f"{self.kind} channel: ssl=True (TLS from the start) and starttls=True "
                "(upgrade later) exclude each other"
            )
        self.starttls = starttls
        self.ssl = ssl
        if (username is None) != (password is None):
            raise ConfigError(f"{self.kind} channel: username and password go together")
        self.username = None if username is None else text_option(username, "username", self.kind)
        self.password = optional_secret(password, "password", self.kind)
        self.timeout = timeout_option(timeout, self.kind)
        if ssl_context is not None and not isinstance(ssl_context, ssl_module.SSLContext):
            raise ConfigError(f"{self.kind} channel: ssl_context must be an ssl.SSLContext")
        self.ssl_context = ssl_context or self._context(tls_context(verify, self.kind))
        self.domain = parseaddr(self.sender)[1].rpartition("@")[2]

    @staticmethod
    def _context(verify: ssl_module.SSLContext | bool) -> ssl_module.SSLContext:
        if isinstance(verify, ssl_module.SSLContext):
            return verify
        context = ssl_module.create_default_context()
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl_module.CERT_NONE
        return context

    # -- the message ----------------------------------------------------------------------

    def message(self, notification: Notification) -> EmailMessage:
        """The e-mail sent for ``notification``."""
        message = EmailMessage()
        message["Subject"] = truncate(one_line(notification.title), SUBJECT_CHARS)
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Date"] = format_datetime(notification.created_at)
        message["Message-ID"] = message_id(notification.id, self.domain)
        if notification.kind == "alerts":
            group = message_id("group-" + notification.group_key, self.domain)
            message["References"] = group
            message["In-Reply-To"] = group
        message["Auto-Submitted"] = "auto-generated"
        message["X-Driftscope-Status"] = notification.status
        message["X-Driftscope-Severity"] = notification.severity.value
        message["X-Driftscope-Dedup-Key"] = notification.dedup_key
        text, body = self._parts(notification)
        message.set_content(text)
        message.add_alternative(_page(notification.title, body), subtype="html")
        return message

    def _parts(self, notification: Notification) -> tuple[str, str]:
        if notification.event == "acknowledge":
            said = ack_text(notification)
            return said + "\n", f"<p>{html.escape(said)}</p>"
        if notification.kind == "ticket":
            return _ticket_parts(notification)
        return _alert_parts(notification)

    # -- sending --------------------------------------------------------------------------

    def send(self, notification: Notification) -> dict[str, Any] | None:
        message = self.message(notification)
        secrets = self.secrets()
        try:
            refused = self._deliver(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"{where(self)}: the server refused the login of {self.username!r}: "
                f"{_said(exc, secrets)}",
                retryable=False,
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(
                f"{where(self)}: the server does not support what was asked: {_said(exc, secrets)}",
                retryable=False,
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            refused_text = "; ".join(
                f"{address}: {code} {_decode(text)}"
                for address, (code, text) in exc.recipients.items()
            )
            raise DeliveryError(
                f"{where(self)}: the server refused every recipient ({printable(refused_text)})",
                retryable=any(400 <= code < 500 for code in codes),
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"{where(self)}: the server answered {_said(exc, secrets)}",
                retryable=not 500 <= exc.smtp_code < 600,
            ) from None
        except ssl_module.SSLCertVerificationError as exc:
            raise DeliveryError(
                f"{where(self)}: the server's TLS certificate does not verify "
                f"({exc.verify_message or exc}); give verify= a CA bundle or ssl_context=",
                retryable=False,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            detail = printable(scrub(str(exc), secrets))[:EXCERPT_CHARS]
            raise DeliveryError(
                f"{where(self)}: could not reach {self.host}:{self.port} "
                f"({type(exc).__name__}: {detail})",
                retryable=True,
            ) from None
        receipt: dict[str, Any] = {"message_id": message["Message-ID"]}
        if refused:
            receipt["refused"] = sorted(refused)
        return receipt

    def _deliver(self, message: EmailMessage) -> dict[str, Any]:
        connect = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        kwargs: dict[str, Any] = {"timeout": self.timeout}
        if self.ssl:
            kwargs["context"] = self.ssl_context
        with connect(self.host, self.port, **kwargs) as smtp:
            smtp.ehlo()
            encrypted = self.ssl
            if not self.ssl and self.starttls is not False:
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=self.ssl_context)
                    smtp.ehlo()
                    encrypted = True
                elif self.starttls is True:
                    raise DeliveryError(
                        f"{where(self)}: the server does not offer STARTTLS and starttls=True "
                        "requires it",
                        retryable=False,
                    )
            if self.username is not None and self.password is not None:
                if not encrypted and self.starttls == "auto":
                    raise DeliveryError(
                        f"{where(self)}: the server does not offer STARTTLS; refusing to send "
                        "the password unencrypted (starttls=False allows it)",
                        retryable=False,
                    )
                smtp.login(self.username, self.password.reveal())
            return smtp.send_message(message)


def _decode(text: bytes | str) -> str:
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)


def _said(exc: smtplib.SMTPResponseException | smtplib.SMTPException, secrets: Any) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_decode(exc.smtp_error)}"
    else:
        text = str(exc)
    return printable(scrub(text, secrets))[:EXCERPT_CHARS]


# -- text and HTML ------------------------------------------------------------------------


def _alert_text(alert: Alert) -> str:
    lines = [f"{alert.title} ({'resolved' if alert.resolved else alert.severity.value})"]
    if alert.message:
        lines.append(alert.message)
    if alert.model:
        lines.append(f"Model: {alert.model}")
    labels = labels_text(alert.labels)
    if labels:
        lines.append(f"Labels: {labels}")
    lines.append(f"Started: {when(alert.starts_at)}")
    if alert.ends_at is not None:
        lines.append(f"Resolved: {when(alert.ends_at)}")
    for action in alert.actions:
        lines.append(f"- {action.label}" + (f": {action.url}" if action.url else ""))
    return "\n".join(lines)


def _alert_html(alert: Alert) -> str:
    color = _RESOLVED_COLOR if alert.resolved else _COLORS[alert.severity.value]
    status = "resolved" if alert.resolved else alert.severity.value
    rows = alert_facts(alert, severity=status)
    parts = [f'<h3 style="color:{color};margin-bottom:4px">{html.escape(alert.title)}</h3>']
    if alert.message:
        parts.append(f"<p>{_html_text(alert.message)}</p>")
    parts.append(_html_table(FIELD_COLUMNS, list(rows.items()), head=False))
    if alert.actions:
        items = "".join(
            f'<li><a href="{html.escape(a.url)}">{html.escape(a.label)}</a></li>'
            if a.url and a.url.startswith(("https://", "http://"))
            else f"<li>{html.escape(a.label)}</li>"
            for a in alert.actions
        )
        parts.append(f"<ul>{items}</ul>")
    return "\n".join(parts)


def _alert_parts(notification: Notification) -> tuple[str, str]:
    texts = [notification.title, ""]
    texts += [_alert_text(a) + "\n" for a in notification.alerts]
    texts.append(f"Sent by driftscope at {when(notification.created_at)}")
    body = "\n".join(_alert_html(a) for a in notification.alerts)
    footer = f"Sent by driftscope at {html.escape(when(notification.created_at))}"
    return "\n".join(texts) + "\n", body + f'\n<p style="color:#666">{footer}</p>'


def _ticket_parts(notification: Notification) -> tuple[str, str]:
    description = notification.ticket.get("description")
    fields = ticket_fields(notification)
    head = "\n".join(f"{k}: {v}" for k, v in fields.items())
    text = f"Investigation: {notification.title}\n{head}\n\n{plain(description)}\n"
    parts = [_html_table(FIELD_COLUMNS, list(fields.items()), head=False)] if fields else []
    if isinstance(description, str):
        parts.append(f"<p>{_html_text(description)}</p>")
    elif description:
        for table in tables(description):
            if table.title:
                parts.append(f"<h3>{html.escape(table.title)}</h3>")
            parts.append(_html_table(table.columns, table.rows, head=bool(table.title)))
            if table.omitted:
                parts.append(f"<p>… and {table.omitted} more</p>")
    return text, "\n".join(parts)


def _html_text(text: str) -> str:
    return html.escape(text).replace("\n", "<br>\n")


def _html_table(columns: Sequence[str], rows: Sequence[Sequence[str]], *, head: bool) -> str:
    cell = 'style="padding:2px 8px;border-bottom:1px solid #ddd;text-align:left"'
    lines = ['<table style="border-collapse:collapse">']
    if head:
        lines.append(
            "<tr>" + "".join(f"<th {cell}>{html.escape(c)}</th>" for c in columns) + "</tr>"
        )
    for row in rows:
        lines.append("<tr>" + "".join(f"<td {cell}>{html.escape(v)}</td>" for v in row) + "</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n"
        '<body style="font-family:sans-serif">\n'
        f"<h2>{html.escape(title)}</h2>\n{body}\n</body></html>\n"
    )
