"""Sending e-mail through the company's SMTP server, with retries for transient failures.

:class:`SmtpSender` keeps one connection for many messages (reconnecting once when the server
dropped it in between) and returns one :class:`~reviewkit.deliver.message.SendResult` per
recipient. What could pass on its own (server down, a dropped connection, a timeout, a 4xx
reply) is retried with :class:`~reviewkit.core.retry.RetryPolicy`'s back-off; a refused login,
a missing STARTTLS, an untrusted certificate or a 5xx reply is not. A 5xx for one recipient
(a bounce at ``RCPT``) fails that recipient only.

Security: ``starttls`` never falls back to plain text when the server does not offer STARTTLS,
``none`` with a user is refused (the password would travel in clear), and certificates are
verified (``cafile`` adds a company CA). Error lines hold neither the password (every text
passes :func:`~reviewkit.ingest.sync.credentials.scrub`) nor an e-mail address (removed from
server replies).
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType

from reviewkit.core.retry import RetryPolicy, TransientError
from reviewkit.deliver.message import SendResult
from reviewkit.errors import DeliveryConfigError, SyncConfigError
from reviewkit.ingest.sync.credentials import scrub, secret

__all__ = ["SECURITY_MODES", "SmtpSender", "SmtpSettings", "clean_reply"]

SECURITY_MODES = ("starttls", "ssl", "none")
_ADDRESS = re.compile(r"<[^<>\s]*@[^<>\s]*>|[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*")
_LONGEST = 300


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the company's SMTP server.

    Parameters
    ----------
    host, port
        The server (``smtp.example.co.jp``, 587 for STARTTLS, 465 for SSL, 25 for none).
    security
        ``starttls`` (upgrade a plain connection; refused when the server does not offer it),
        ``ssl`` (TLS from the start) or ``none`` (only for a relay that needs no login).
    user
        The login; ``""`` for a relay that takes mail without one.
    password_env
        The variable holding the password (environment or the credentials file).
    timeout
        Seconds to wait for the server on each read or connect.
    cafile
        A PEM file of the company's CA, trusted on top of the system's; ``""`` for none.

    Raises
    ------
    DeliveryConfigError
        An unknown ``security``, a port out of range, a timeout that is not positive, or
        ``security="none"`` with a ``user``.
    """

    host: str
    port: int = 587
    security: str = "starttls"
    user: str = ""
    password_env: str = "REVIEWKIT_SMTP_PASSWORD"
    timeout: float = 30.0
    cafile: str = ""

    def __post_init__(self) -> None:
        where = f"smtp {self.host}:{self.port}"
        if self.security not in SECURITY_MODES:
            raise DeliveryConfigError(
                f"{where}: security {self.security!r} is not one of "
                f"{', '.join(SECURITY_MODES)}; use starttls (port 587) or ssl (port 465)"
            )
        if not self.host or not 0 < self.port < 65536:
            raise DeliveryConfigError(
                f"{where}: host and port must name a server (port 1-65535); fix smtp.host/port"
            )
        if self.timeout <= 0:
            raise DeliveryConfigError(f"{where}: timeout {self.timeout} must be above 0 seconds")
        if self.security == "none" and self.user:
            raise DeliveryConfigError(
                f"{where}: security none with a user would send the password in clear; "
                "use security starttls or ssl"
            )

    @property
    def where(self) -> str:
        """``host:port``, for messages."""
        return f"{self.host}:{self.port}"

    def password(self) -> str | None:
        """The password from :attr:`password_env` (required when there is a :attr:`user`).

        Raises
        ------
        DeliveryConfigError
            A user is set and the variable is set nowhere; names the variable, never a value.
        """
        fix = f"ask for the password of the SMTP user at {self.where}"
        try:
            return secret(self.password_env, source="smtp", fix=fix, required=bool(self.user))
        except SyncConfigError as error:
            raise DeliveryConfigError(str(error)) from None

    def tls_context(self) -> ssl.SSLContext:
        """A verifying client context (system CAs plus :attr:`cafile`).

        Raises
        ------
        DeliveryConfigError
            :attr:`cafile` cannot be read as PEM certificates.
        """
        try:
            return ssl.create_default_context(cafile=self.cafile or None)
        except (OSError, ssl.SSLError) as error:
            raise DeliveryConfigError(
                f"smtp {self.where}: cafile {self.cafile} cannot be read as PEM certificates "
                f"({getattr(error, 'strerror', None) or error}); point smtp.cafile at the "
                "company CA's .pem file"
            ) from None


def clean_reply(text: str | bytes, *, hide: Sequence[str] = ()) -> str:
    """A server's or library's text made safe for a published log, on one line.

    Every e-mail address, bracketed or bare, becomes ``<address>``; then every secret read so
    far (and each of ``hide``) becomes ``***``; whitespace runs become one space; the result is
    cut at 300 characters.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = scrub(_ADDRESS.sub("<address>", text))
    for value in hide:
        if value:
            text = text.replace(value, "***")
    text = " ".join(text.split())
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


class _FatalError(Exception):
    """A failure that no retry fixes: every pending recipient fails with this line."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


class SmtpSender:
    """Sends messages over one SMTP connection; use it as a context manager.

    Parameters
    ----------
    settings
        The server and login.
    policy
        Attempts, time budget and how to wait between tries (tests pass a recorder as
        ``sleep``); default 4 attempts within 60 s.

    Raises
    ------
    DeliveryConfigError
        At construction: the password is missing for a user, or ``cafile`` is unreadable.
    """

    def __init__(self, settings: SmtpSettings, *, policy: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.policy = policy or RetryPolicy(attempts=4, budget=60.0)
        self._password = settings.password() or ""
        self._context = settings.tls_context()
        self._conn: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Say QUIT and close the connection, if one is open (errors ignored)."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()

    def send(self, msg: EmailMessage, *, recipients: Sequence[str]) -> list[SendResult]:
        """Send ``msg`` to ``recipients`` (the SMTP envelope; headers are left as they are).

        Parameters
        ----------
        msg
            The message (:func:`~reviewkit.deliver.email_message.compose`).
        recipients
            The envelope recipients; duplicates are sent to once.

        Returns
        -------
        list[SendResult]
            One per distinct recipient, in order: ``ok``, or the one-line reason with
            ``transient`` set when a later run may succeed. Errors name neither an address
            nor the password.
        """
        order = list(dict.fromkeys(recipients))
        pending, tries = list(order), dict.fromkeys(order, 0)
        done: dict[str, SendResult] = {}
        waited, reason = 0.0, ""
        for attempt in range(1, self.policy.attempts + 1):
            for address in pending:
                tries[address] += 1
            try:
                refused = self._deliver(msg, pending)
            except _FatalError as fatal:
                done.update({a: self._failed(a, tries[a], fatal.line) for a in pending})
                pending = []
            except TransientError as error:
                reason = error.reason
            else:
                pending, reason = self._sort_replies(pending, refused, tries, done)
            if not pending:
                break
            pause = self.policy.wait(attempt, None)
            if attempt == self.policy.attempts or waited + pause > self.policy.budget:
                line = (
                    f"{reason}; gave up after {attempt} attempt(s) and {waited:.0f} s of "
                    "waiting; the next run tries again"
                )
                done.update({a: self._failed(a, tries[a], line, transient=True) for a in pending})
                break
            self.policy.sleep(pause)
            waited += pause
        return [done[address] for address in order]

    def _sort_replies(
        self,
        pending: list[str],
        refused: dict[str, tuple[int, bytes]],
        tries: dict[str, int],
        done: dict[str, SendResult],
    ) -> tuple[list[str], str]:
        """Record the accepted and the 5xx-refused; return those refused with a 4xx."""
        still: list[str] = []
        reason = ""
        for address in pending:
            if address not in refused:
                done[address] = SendResult("email", address, True, attempts=tries[address])
                continue
            code, text = refused[address]
            reply = f"{code} {clean_reply(text, hide=[address, self._password])}"
            if 400 <= code < 500:
                still.append(address)
                reason = f"recipient deferred by the SMTP server {self.settings.where}: {reply}"
            else:
                line = (
                    f"refused by the server {self.settings.where}: {reply}; check the address "
                    "in params/delivery.yml"
                )
                done[address] = self._failed(address, tries[address], line)
        return still, reason

    def _failed(
        self, address: str, attempts: int, line: str, *, transient: bool = False
    ) -> SendResult:
        error = clean_reply(line, hide=[address, self._password])
        return SendResult("email", address, False, attempts, error, transient)

    def _deliver(self, msg: EmailMessage, to: list[str]) -> dict[str, tuple[int, bytes]]:
        """One try: the recipients refused at ``RCPT`` (code, text); raises on the rest."""
        where = self.settings.where
        try:
            conn = self._connection()
            return conn.send_message(msg, to_addrs=to)
        except smtplib.SMTPRecipientsRefused as error:  # every one refused
            return {a: (code, text) for a, (code, text) in error.recipients.items()}
        except smtplib.SMTPAuthenticationError as error:
            self._drop()
            raise _FatalError(self._login_line(error)) from None
        except smtplib.SMTPResponseException as error:  # data, sender, greeting, HELO
            reply = f"{error.smtp_code} {self._clean(error.smtp_error)}"
            if error.smtp_code == 421:
                self._drop()
            if 400 <= error.smtp_code < 500:
                raise TransientError(f"SMTP server {where} deferred the message: {reply}") from None
            raise _FatalError(f"refused by the server {where}: {reply}") from None
        except smtplib.SMTPServerDisconnected as error:
            self._drop()
            if "timed out" in str(error):
                raise TransientError(self._timeout_line()) from None
            raise TransientError(
                f"SMTP server {where} closed the connection ({self._clean(str(error))})"
            ) from None
        except smtplib.SMTPException as error:  # STARTTLS or AUTH not offered, and the like
            self._drop()
            raise _FatalError(f"SMTP server {where}: {self._clean(str(error))}") from None
        except ssl.SSLError as error:
            self._drop()
            raise _FatalError(self._tls_line(error)) from None
        except TimeoutError:
            self._drop()
            raise TransientError(self._timeout_line()) from None
        except OSError as error:
            self._drop()
            why = error.strerror or type(error).__name__
            raise TransientError(f"cannot connect to SMTP server {where}: {why}") from None

    def _clean(self, text: str | bytes) -> str:
        return clean_reply(text, hide=[self._password])

    def _timeout_line(self) -> str:
        settings = self.settings
        return f"SMTP server {settings.where} did not answer within {settings.timeout:g} s"

    def _login_line(self, error: smtplib.SMTPAuthenticationError) -> str:
        settings = self.settings
        who = settings.user if "@" not in settings.user else "smtp.user"
        return (
            f"SMTP login refused for user {who} at {settings.where} "
            f"({error.smtp_code} {self._clean(error.smtp_error)}); check {settings.password_env} "
            "and smtp.user in params/delivery.yml"
        )

    def _tls_line(self, error: ssl.SSLError) -> str:
        where = self.settings.where
        if isinstance(error, ssl.SSLCertVerificationError):
            return (
                f"SMTP server {where}: its certificate is not trusted "
                f"({self._clean(error.verify_message or str(error))}); set smtp.cafile to the "
                "company CA's .pem file"
            )
        return (
            f"SMTP server {where}: TLS failed ({self._clean(error.reason or str(error))}); "
            "check that smtp.security matches the port (ssl: 465, starttls: 587)"
        )

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _connection(self) -> smtplib.SMTP:
        """The open connection, checked with NOOP; a fresh one if the server dropped it."""
        if self._conn is not None:
            try:
                if self._conn.noop()[0] == 250:
                    return self._conn
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        self._conn = self._open()
        return self._conn

    def _open(self) -> smtplib.SMTP:
        """Connect, say EHLO, upgrade with STARTTLS when asked, and log in when a user is set."""
        settings = self.settings
        conn: smtplib.SMTP
        if settings.security == "ssl":
            conn = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=self._context
            )
        else:
            conn = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        try:
            conn.ehlo()
            if settings.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise _FatalError(
                        f"SMTP server {settings.where} does not offer STARTTLS; nothing was "
                        "sent (never in clear): use security ssl (port 465) or a server "
                        "with STARTTLS"
                    )
                conn.starttls(context=self._context)
                conn.ehlo()
            if settings.user:
                conn.login(settings.user, self._password)
        except BaseException:
            conn.close()
            raise
        return conn
