"""A throw-away certificate authority and a server certificate for 127.0.0.1, made in
the test: with ``trustme`` when it is installed (the dev extra has it), else with the
``openssl`` command; the test is skipped, saying why, when neither is there.

>>> import tempfile
>>> from pathlib import Path
>>> pki = make_pki(Path(tempfile.mkdtemp()))
>>> pki.server_context().verify_mode.name, pki.client_context().check_hostname
('CERT_NONE', True)
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Pki:
    """``ca`` (PEM of the authority to trust), ``cert`` and ``key`` (the server's)."""

    ca: Path
    cert: Path
    key: Path
    made_with: str

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts only this authority (and checks the host name)."""
        return ssl.create_default_context(cafile=str(self.ca))


def _with_trustme(folder: Path) -> Pki:
    import trustme

    authority = trustme.CA()
    issued = authority.issue_cert(HOST)
    ca, cert, key = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    authority.cert_pem.write_to_path(str(ca))
    issued.private_key_pem.write_to_path(str(key))
    with cert.open("wb") as out:
        for blob in issued.cert_chain_pems:
            out.write(blob.bytes())
    return Pki(ca, cert, key, "trustme")


def _with_openssl(folder: Path) -> Pki:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("TLS cannot be tested here: neither trustme nor the openssl command")
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    cert, key, request = folder / "server.pem", folder / "server.key", folder / "server.csr"
    extensions = folder / "ext.cnf"
    extensions.write_text(f"subjectAltName=IP:{HOST}\nbasicConstraints=CA:FALSE\n")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True, timeout=60)

    days = ["-days", "2"]
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", *days, "-subj", "/CN=test CA",
        "-keyout", str(ca_key), "-out", str(ca))  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={HOST}",
        "-keyout", str(key), "-out", str(request))  # fmt: skip
    run("x509", "-req", "-in", str(request), "-CA", str(ca), "-CAkey", str(ca_key), *days,
        "-CAcreateserial", "-extfile", str(extensions), "-out", str(cert))  # fmt: skip
    return Pki(ca, cert, key, "openssl")


def make_pki(folder: Path) -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import trustme  # noqa: F401
    except ImportError:
        return _with_openssl(folder)
    return _with_trustme(folder)
