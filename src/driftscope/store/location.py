"""What a store location names: a folder (the embedded store) or a PostgreSQL server.

A location is read as PostgreSQL when it is

* a URL whose scheme is ``postgresql`` or ``postgres`` in any case, also SQLAlchemy's
  ``postgresql+<driver>`` (``postgresql+psycopg://…``): normalised to ``postgresql://…``
  for libpq;
* a libpq key-value connection string (``host=db port=5432 dbname=m user=u
  password=…``) whose keys are all libpq connection options.

A ``file://`` URL names a folder; any other URL (anything with ``://``), a connection
string that does not parse or has an option libpq does not know, ``user:password@host``
without a scheme, an empty location or one with control characters is refused with a
:class:`~driftscope.errors.ConfigError` that names the problem and never repeats the
location (it may hold a password). Everything else is a folder, and so is every
``pathlib.Path``.

>>> StoreLocation.parse("POSTGRESQL+psycopg://u:secret@db.example:6543/monitoring")
StoreLocation(kind='postgresql', where='db.example:6543')
>>> StoreLocation.parse("host=db port=5433 dbname=m user=u password=secret").where
'db:5433'
>>> StoreLocation.parse("runs/lr=0.1")
StoreLocation(kind='folder', where='runs/lr=0.1')
>>> StoreLocation.parse("mysql://u:secret@db/m")
Traceback (most recent call last):
...
driftscope.errors.ConfigError: store location: 'mysql' URLs are not supported; give a folder ...
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit
from urllib.request import url2pathname

from driftscope.errors import ConfigError

#: libpq's connection options (PostgreSQL 17), the keys a key-value connection string may use.
# fmt: off
LIBPQ_KEYWORDS = frozenset({
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "require_auth",
    "channel_binding", "connect_timeout", "client_encoding", "options", "application_name",
    "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
    "keepalives_count", "tcp_user_timeout", "replication", "gssencmode", "sslmode",
    "sslnegotiation", "requiressl", "sslcompression", "sslcert", "sslkey", "sslpassword",
    "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer",
    "ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname", "gsslib",
    "gssdelegation", "service", "target_session_attrs", "load_balance_hosts",
})
# fmt: on
#: Options whose values are secrets: never shown.
SECRET_KEYWORDS = frozenset({"password", "sslpassword"})
POSTGRES_SCHEMES = frozenset({"postgresql", "postgres"})
SUPPORTED = "give a folder (embedded store) or a postgresql:// URL or libpq connection string"

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_USERINFO = re.compile(r"[^\s/:@]+:[^\s/@]*@[^\s/]+")  # user:password@host without a scheme
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SAFE_NAME = re.compile(r"[A-Za-z_]{1,40}")


@dataclass(frozen=True)
class StoreLocation:
    """A parsed store location: ``kind`` is ``"folder"`` or ``"postgresql"``; ``target`` the
    folder or the libpq connection string to connect with (it may hold a password: it is
    left out of the repr); ``where`` a description safe to print (the folder, or
    ``host:port``).

    >>> loc = StoreLocation.parse("postgres://u:secret@db/m")
    >>> loc.kind, loc.target, loc.where
    ('postgresql', 'postgresql://u:secret@db/m', 'db:5432')
    """

    kind: str
    target: str = field(repr=False)
    where: str

    @classmethod
    def parse(cls, location: str | os.PathLike[str]) -> StoreLocation:
        """Read ``location`` (see the module docstring); no file or network is touched."""
        text = os.fspath(location)
        if not isinstance(text, str):
            raise ConfigError("store location: give a str or path, not bytes")
        if not text.strip():
            raise ConfigError(f"store location is empty; {SUPPORTED}")
        if _CONTROL.search(text):
            raise ConfigError(
                "store location holds a control character (a NUL byte, newline, tab or "
                f"escape); {SUPPORTED}"
            )
        if not isinstance(location, str):  # a Path object names a folder, whatever it holds
            return cls("folder", text, text)
        stripped = text.strip()
        scheme = _SCHEME.match(stripped)
        if scheme is not None:
            name = scheme.group(1).lower()
            rest = stripped[scheme.end() :]
            postgres = name.split("+", 1)[0] in POSTGRES_SCHEMES
            if rest.startswith("//"):
                if postgres:
                    dsn = "postgresql:" + rest
                    return cls("postgresql", dsn, postgres_where(dsn))
                if name == "file":
                    path = url2pathname(unquote(urlsplit(stripped).path))
                    return cls("folder", path, path)
                shown = name if len(name) <= 20 else name[:20] + "…"
                raise ConfigError(f"store location: {shown!r} URLs are not supported; {SUPPORTED}")
            if postgres:
                raise ConfigError(
                    "store location looks like a PostgreSQL URL without '//' after the scheme; "
                    "write postgresql://user:password@host:port/database"
                )
        if "://" in stripped:
            raise ConfigError(
                f"store location looks like a URL of an unsupported kind; {SUPPORTED}"
            )
        if "=" in stripped:
            pairs = parse_key_values(stripped)
            known = pairs is not None and all(key in LIBPQ_KEYWORDS for key, _ in pairs)
            if known:
                return cls("postgresql", stripped, postgres_where(stripped))
            if re.search(r"\s", stripped):
                raise ConfigError(_bad_key_values(pairs))
        if _USERINFO.fullmatch(stripped) or (
            scheme is not None and _USERINFO.fullmatch(stripped[scheme.end() :])
        ):
            raise ConfigError(
                "store location looks like a connection URL without its scheme (user:password@"
                "host); write postgresql://user:password@host:port/database"
            )
        return cls("folder", text, text)


def parse_key_values(text: str) -> list[tuple[str, str]] | None:
    """The ``(key, value)`` pairs of a libpq key-value connection string, or None when it does
    not parse (libpq's rules: ``key = value`` separated by spaces, values optionally in single
    quotes, a backslash escapes the next character).

    >>> parse_key_values("host = db password='a b\\\\'c'")
    [('host', 'db'), ('password', "a b'c")]
    >>> parse_key_values("host=db nonsense") is None
    True
    """
    pairs: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i == n:
            return pairs
        start = i
        while i < n and not text[i].isspace() and text[i] != "=":
            i += 1
        key = text[start:i]
        while i < n and text[i].isspace():
            i += 1
        if not key or i == n or text[i] != "=":
            return None
        i += 1
        while i < n and text[i].isspace():
            i += 1
        value: list[str] = []
        if i < n and text[i] == "'":
            i += 1
            while True:
                if i == n:
                    return None  # unterminated quote
                if text[i] == "\\" and i + 1 < n:
                    value.append(text[i + 1])
                    i += 2
                elif text[i] == "'":
                    i += 1
                    break
                else:
                    value.append(text[i])
                    i += 1
        else:
            while i < n and not text[i].isspace():
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                value.append(text[i])
                i += 1
        pairs.append((key, "".join(value)))


def libpq_dsn(dsn: str) -> str:
    """``dsn`` as libpq takes it: a PostgreSQL URL's scheme in any case, or SQLAlchemy's
    ``postgresql+driver``, becomes ``postgresql``; anything else is returned as is.

    >>> libpq_dsn("PostgreSQL+psycopg2://u@db/x"), libpq_dsn("host=db")
    ('postgresql://u@db/x', 'host=db')
    """
    stripped = dsn.strip()
    scheme = _SCHEME.match(stripped)
    if scheme is None or not stripped[scheme.end() :].startswith("//"):
        return dsn
    if scheme.group(1).lower().split("+", 1)[0] not in POSTGRES_SCHEMES:
        return dsn
    return "postgresql:" + stripped[scheme.end() :]


def postgres_where(dsn: str) -> str:
    """``host:port`` of a PostgreSQL URL or key-value string, for messages (never the password);
    libpq's defaults (``$PGHOST``, ``$PGPORT``, localhost:5432) fill what it leaves out.

    >>> postgres_where("postgresql://u:secret@[::1]:6543/db"), postgres_where("dbname=x port=7")
    ('[::1]:6543', 'localhost:7')
    """
    host = port = ""
    if _is_url(dsn):
        parts = urlsplit(dsn.strip())
        netloc = parts.netloc.rsplit("@", 1)[-1]
        if netloc.startswith("["):
            close = netloc.find("]")
            host, port = netloc[: close + 1], netloc[close + 1 :].lstrip(":")
        elif "," not in netloc and netloc.count(":") == 1:
            host, port = netloc.split(":")
        else:
            host = netloc
        for key, value in parse_qsl(parts.query):
            if key == "host":
                host = value
            elif key == "port":
                port = value
        host = unquote(host)
    else:
        options = dict(parse_key_values(dsn) or ())
        host = options.get("host") or options.get("hostaddr") or ""
        port = options.get("port", "")
    host = host or os.environ.get("PGHOST") or "localhost"
    port = port or os.environ.get("PGPORT") or "5432"
    return f"{host}:{port}"


def secrets_of(dsn: str) -> tuple[str, ...]:
    """The secret values written in ``dsn`` (passwords), to be kept out of any message.

    >>> secrets_of("postgresql://u:se%40cret@db/x?sslpassword=k"), secrets_of("password=p x=1")
    (('se%40cret', 'se@cret', 'k'), ('p',))
    """
    found: list[str] = []
    if _is_url(dsn):
        parts = urlsplit(dsn.strip())
        userinfo = parts.netloc.rpartition("@")[0]
        if ":" in userinfo:
            raw = userinfo.split(":", 1)[1]
            found += [raw, unquote(raw)]
        found += [v for k, v in parse_qsl(parts.query) if k in SECRET_KEYWORDS]
    else:
        found += [v for k, v in parse_key_values(dsn) or () if k in SECRET_KEYWORDS]
    return tuple(dict.fromkeys(s for s in found if s))


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every one of ``secrets`` replaced by ``***``.

    >>> redact('password "hunter2" rejected', ("hunter2",))
    'password "***" rejected'
    """
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _is_url(dsn: str) -> bool:
    """Whether ``dsn`` is a URL (a scheme and ``://`` near the start), not key-value pairs."""
    return bool(_SCHEME.match(dsn)) and "://" in dsn[:40]


def _bad_key_values(pairs: list[tuple[str, str]] | None) -> str:
    if pairs is None:
        return (
            "store location holds '=' and spaces like a PostgreSQL connection string, but is "
            "not one (write key=value pairs separated by spaces, quote values with spaces in "
            f"single quotes); {SUPPORTED}"
        )
    unknown = [key for key, _ in pairs if key not in LIBPQ_KEYWORDS]
    shown = ", ".join(repr(k) for k in unknown[:5] if _SAFE_NAME.fullmatch(k))
    return (
        "store location looks like a PostgreSQL connection string but has "
        f"{len(unknown)} option(s) libpq does not know{f' ({shown})' if shown else ''}; "
        "see https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS"
    )
