"""Real SMTP servers on 127.0.0.1 for tests: aiosmtpd, a black hole, a closed port.

:class:`SmtpServer` wraps :class:`aiosmtpd.controller.Controller` on a free port and records
every message it accepts, parsed with ``email.policy.default``, with its envelope. Options:
login (``auth``), STARTTLS (``tls``) or implicit TLS (``ssl``) with a CA and a server
certificate made at test time (the sender trusts them through ``cafile``), recipients refused
at ``RCPT`` (``reject``), and ``451`` answers to the first ``fail_first`` ``DATA`` commands.

:class:`BlackHole` accepts connections and never answers (a server that hangs), until the
test ends; :func:`closed_port` is a port nothing listens on (a server that is down).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import functools
import ipaddress
import shutil
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from reviewkit.deliver.smtp import SmtpSettings

__all__ = ["BlackHole", "Received", "SmtpServer", "closed_port", "free_port"]

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def closed_port() -> int:
    """A port where a connection is refused: an SMTP server that is down."""
    return free_port()


@dataclass(frozen=True)
class Received:
    """One message the server accepted.

    Attributes
    ----------
    message
        The message, parsed with ``email.policy.default``.
    raw
        The bytes as received (headers still encoded).
    mail_from, rcpt_tos
        The SMTP envelope.
    """

    message: EmailMessage
    raw: bytes
    mail_from: str
    rcpt_tos: tuple[str, ...]


@functools.cache
def _pki() -> tuple[bytes, bytes, bytes]:
    """``(ca.pem, server.pem, server-key.pem)``: a CA and a server certificate for 127.0.0.1."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "reviewkit test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ca.public_bytes(pem), server.public_bytes(pem), key_pem


class _Handler:
    """Records accepted messages; refuses listed recipients; defers the first DATA commands."""

    def __init__(self, *, reject: dict[str, str], fail_first: int) -> None:
        self.reject = {address.lower(): reply for address, reply in reject.items()}
        self.fail_left = fail_first
        self.received: list[Received] = []
        self.data_commands = 0
        self.lock = threading.Lock()

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.reject:
            return self.reject[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        with self.lock:
            self.data_commands += 1
            if self.fail_left > 0:
                self.fail_left -= 1
                return "451 4.3.0 try again"
            raw = cast(bytes, envelope.original_content or envelope.content)
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            self.received.append(
                Received(
                    message=parsed,
                    raw=raw,
                    mail_from=str(envelope.mail_from),
                    rcpt_tos=tuple(envelope.rcpt_tos),
                )
            )
        return "250 2.0.0 accepted"


@dataclass
class _Auth:
    users: dict[str, str]
    attempts: list[str] = field(default_factory=list)

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = data.login.decode("utf-8", errors="replace")
        self.attempts.append(user)
        ok = self.users.get(user) == data.password.decode("utf-8", errors="replace")
        return AuthResult(success=ok, handled=False)


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 and a free port, for one test (a context manager).

    Parameters
    ----------
    auth
        ``{user: password}``: a login is offered; with ``tls`` it is required, after
        STARTTLS (with ``ssl`` or without TLS it stays optional: aiosmtpd warns otherwise).
    tls
        Offer STARTTLS (and require it before mail) with the test CA's certificate.
    ssl
        Speak TLS from the first byte (implicit TLS, like port 465).
    reject
        ``{address: reply}`` answered to ``RCPT TO`` (``"550 5.1.1 no such user"``).
    fail_first
        Answer ``451 4.3.0 try again`` to this many ``DATA`` commands, then accept.
    workdir
        Where the certificates go (default: a temporary folder removed at exit).

    Attributes
    ----------
    host, port, cafile
        Where it listens, and the CA file a client trusts (``""`` without TLS).
    received
        Every accepted message, in order.
    """

    def __init__(
        self,
        *,
        auth: dict[str, str] | None = None,
        tls: bool = False,
        ssl: bool = False,
        reject: dict[str, str] | None = None,
        fail_first: int = 0,
        workdir: Path | None = None,
    ) -> None:
        self.host, self.port = HOST, free_port()
        self.handler = _Handler(reject=reject or {}, fail_first=fail_first)
        self.auth = _Auth(dict(auth)) if auth else None
        self._tls, self._ssl = tls, ssl
        self._own_dir = workdir is None
        self._dir = Path(tempfile.mkdtemp(prefix="smtp-")) if workdir is None else workdir
        self.cafile = ""
        self._controller: Controller | None = None
        self._options: dict[str, Any] = {}

    @property
    def received(self) -> list[Received]:
        """Every message accepted so far."""
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def data_commands(self) -> int:
        """``DATA`` commands seen, deferred ones included."""
        return self.handler.data_commands

    def settings(self, **overrides: Any) -> SmtpSettings:
        """:class:`SmtpSettings` for this server (security as it speaks, its CA, 5 s timeout)."""
        security = "ssl" if self._ssl else "starttls" if self._tls else "none"
        values: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "security": security,
            "cafile": self.cafile,
            "timeout": 5.0,
        }
        return SmtpSettings(**{**values, **overrides})

    def _server_context(self) -> ssl.SSLContext:
        ca_pem, cert_pem, key_pem = _pki()
        self._dir.mkdir(parents=True, exist_ok=True)
        (self._dir / "ca.pem").write_bytes(ca_pem)
        (self._dir / "server.pem").write_bytes(cert_pem)
        (self._dir / "server-key.pem").write_bytes(key_pem)
        self.cafile = str(self._dir / "ca.pem")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self._dir / "server.pem", self._dir / "server-key.pem")
        return context

    def __enter__(self) -> SmtpServer:
        options: dict[str, Any] = {"server_hostname": "localhost", "timeout": 10}
        if self._tls or self._ssl:
            context = self._server_context()
            if self._ssl:
                options["ssl_context"] = context
            else:
                options["tls_context"] = context
                options["require_starttls"] = True
        if self.auth is not None:
            options["authenticator"] = self.auth
            # Required only over STARTTLS: aiosmtpd warns about a required login without
            # STARTTLS (implicit TLS included), so there the login is offered and optional.
            options["auth_required"] = self._tls
            options["auth_require_tls"] = self._tls
        self._options = options
        self._start()
        return self

    def _start(self) -> None:
        self._controller = Controller(
            self.handler, hostname=self.host, port=self.port, **self._options
        )
        self._controller.start()

    def restart(self) -> None:
        """Stop and start again on the same port: every open connection is dropped."""
        if self._controller is not None:
            self._controller.stop()
        self._start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._own_dir:
            shutil.rmtree(self._dir, ignore_errors=True)


class BlackHole:
    """A TCP server on 127.0.0.1 that accepts connections and never says a word.

    It holds every connection until the ``with`` block ends (a :class:`threading.Event`
    releases it): a client waiting for the SMTP greeting runs into its own timeout.
    """

    def __init__(self) -> None:
        self.host = HOST
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind((HOST, 0))
        self.port = int(self._listener.getsockname()[1])
        self._release = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self._listener.settimeout(0.05)
        while not self._release.is_set():
            try:
                connection, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            self._held.append(connection)

    def __enter__(self) -> BlackHole:
        self._listener.listen(8)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._release.set()
        self._thread.join()
        for connection in self._held:
            connection.close()
        self._listener.close()
