"""The e-mail about a pack, and sending it through real SMTP servers on 127.0.0.1.

Composition is checked by parsing the message back (``email.policy.default``); sending goes
through aiosmtpd (plain, STARTTLS with a login, implicit TLS), a server deferring DATA, one
bouncing a recipient, a closed port and a black hole. No test sleeps: the retry policy's
``sleep`` records the waits.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from smtp_server import BlackHole, SmtpServer, closed_port

from reviewkit.core.retry import RetryPolicy
from reviewkit.deliver.email_message import compose, compose_failures, filename_for
from reviewkit.deliver.message import KpiStatus, PackMessage, SendResult
from reviewkit.deliver.smtp import SmtpSender, SmtpSettings, clean_reply
from reviewkit.errors import DeliveryConfigError, ParameterError

SENDER = "reviewkit@example.com"
TEAM = ["sato@example.com", "suzuki@example.com"]
PASSWORD = "Sup3r-Secret-Pa55word"
PACK_HTML = "<!DOCTYPE html><html lang=ja><body><h1>月次レビュー</h1>ほぼ1ファイル</body></html>"
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 842 595]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
SENTENCES_JA = (
    "受注金額は 920万円で、目標の 92% です。",
    "MQL は前月より 12% 増えました。",
    "注意: <script>alert(1)</script> & 「引用」も文字のまま。",
)


def _message(tmp_path: Path, *, lang: str = "ja", link: str = "") -> PackMessage:
    pack = tmp_path / "pack.html"
    pack.write_text(PACK_HTML, encoding="utf-8")
    if lang == "ja":
        return PackMessage(
            job="monthly/sales_team-team-a/ja",
            cadence="monthly",
            period="2026-10",
            lang="ja",
            title="月次レビュー 2026年10月 営業チーム: Team A",
            company="サンプル商事",
            scope="営業チーム: Team A",
            sentences=SENTENCES_JA,
            kpis=(
                KpiStatus("MQL", "met", "✓ 達成", "1,234", "1,000"),
                KpiStatus("受注金額", "missed", "✕ 未達", "920万円", "1,000万円"),
                KpiStatus("商談数", "no_target", "– 目標なし", "45"),
            ),
            kpi_heading="今月の進捗",
            link=link,
            pack=pack,
        )
    return PackMessage(
        job="monthly/company/en",
        cadence="monthly",
        period="2026-10",
        lang="en",
        title="Monthly review, October 2026, whole company",
        company="Sample Trading",
        scope="",
        sentences=("Won revenue is 9.2M yen, 92% of target.", "MQLs rose 12% on September."),
        kpis=(KpiStatus("MQL", "near", "△ Close", "980", "1,000"),),
        kpi_heading="KPI status",
        link=link,
        pack=pack,
    )


def _plain(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def _html(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())


def _bullets(text: str) -> list[str]:
    return [line[2:] for line in text.splitlines() if line.startswith("- ")]


def _raw_header(raw: bytes, name: bytes) -> bytes:
    """The header ``name`` as sent (continuation lines joined), still encoded."""
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].replace(b"\n ", b" ")
    (line,) = [line for line in head.split(b"\n") if line.startswith(name + b":")]
    return line.split(b":", 1)[1].strip()


def _parse(mail: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(mail.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_japanese_message_parses_back_with_the_packs_sentences(tmp_path: Path) -> None:
    """Subject, RFC 2047 header, sentences, KPI lines, escaped HTML and the pack attached."""
    message = _message(tmp_path)
    mail = compose(message, sender=SENDER, recipients=TEAM)
    raw = mail.as_bytes()
    parsed = _parse(mail)
    assert parsed["Subject"] == "[サンプル商事] 月次レビュー 2026年10月 営業チーム: Team A"
    subject_raw = _raw_header(raw, b"Subject")
    assert subject_raw.startswith(b"=?utf-8?") and subject_raw.isascii()
    assert parsed["To"] == ", ".join(TEAM) and parsed.get_content_type() == "multipart/mixed"
    plain = _plain(parsed)
    assert _bullets(plain) == list(message.sentences)
    assert "「月次レビュー 2026年10月 営業チーム: Team A」のレビュー資料ができました。" in plain
    assert "✓ 達成  MQL: 1,234 / 1,000" in plain.splitlines()
    assert "– 目標なし  商談数: 45" in plain.splitlines()
    assert "添付: monthly-2026-10-sales_team-team-a-ja.html" in plain
    page = _html(parsed)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<style" not in page and "<img" not in page and "http" not in page
    assert "#187636" in page and "#b3261e" in page  # met green, missed red
    (attached,) = list(parsed.iter_attachments())
    assert attached.get_content_type() == "text/html"
    assert attached.get_filename() == "monthly-2026-10-sales_team-team-a-ja.html"
    assert attached.get_param("charset") == "utf-8"
    assert attached.get_payload(decode=True) == PACK_HTML.encode("utf-8")


def test_pdf_attachment_alone_or_with_the_html(tmp_path: Path) -> None:
    """``attach="pdf"`` attaches only the PDF; ``html`` with a PDF attaches both."""
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(TINY_PDF)
    message = _message(tmp_path, lang="en")
    only = _parse(compose(message, sender=SENDER, recipients=TEAM, attach="pdf", pdf=pdf))
    (attached,) = list(only.iter_attachments())
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_filename() == "monthly-2026-10-company-en.pdf"
    assert attached.get_payload(decode=True) == TINY_PDF
    both = _parse(compose(message, sender=SENDER, recipients=TEAM, pdf=pdf))
    types = [part.get_content_type() for part in both.iter_attachments()]
    assert types == ["text/html", "application/pdf"]


def test_link_only_attaches_nothing_and_shows_the_link(tmp_path: Path) -> None:
    """``attach="link"``: no attachment, no multipart/mixed; the link in both parts."""
    link = "https://reviews.example.com/sales_team-team-a/monthly/2026-10/?a=1&b=2"
    message = _message(tmp_path, lang="en", link=link)
    parsed = _parse(compose(message, sender=SENDER, recipients=TEAM[:1], attach="link"))
    assert parsed.get_content_type() == "multipart/alternative"
    assert list(parsed.iter_attachments()) == []
    assert parsed["Subject"] == "[Sample Trading] Monthly review, October 2026, whole company"
    plain = _plain(parsed)
    assert f"Open the pack: {link}" in plain and "Attached" not in plain
    assert _bullets(plain) == list(message.sentences)
    assert "△ Close  MQL: 980 / 1,000" in plain
    assert 'href="https://reviews.example.com/sales_team-team-a/monthly/2026-10/?a=1&amp;b=2"' in (
        _html(parsed)
    )
    with_file = _parse(compose(message, sender=SENDER, recipients=TEAM))
    assert f"Open the pack: {link}" in _plain(with_file)  # a set link is always shown


def test_compose_refuses_what_it_cannot_build(tmp_path: Path) -> None:
    """An unknown mode, ``pdf`` without a file, and no recipient are one-line errors."""
    message = _message(tmp_path)
    with pytest.raises(ParameterError, match="attach 'zip' is not one of html, link, pdf"):
        compose(message, sender=SENDER, recipients=TEAM, attach="zip")
    with pytest.raises(ParameterError, match="needs the printed PDF"):
        compose(message, sender=SENDER, recipients=TEAM, attach="pdf")
    with pytest.raises(ParameterError, match="no recipient"):
        compose(message, sender=SENDER, recipients=[])


def test_filename_is_ascii_and_keeps_distinct_japanese_slugs(tmp_path: Path) -> None:
    """A slug with Japanese letters keeps its ASCII part plus a short hash."""
    message = _message(tmp_path)
    assert filename_for(message, "html") == "monthly-2026-10-sales_team-team-a-ja.html"
    tokyo = filename_for(
        PackMessage(**{**message.__dict__, "job": "weekly/sales_team-東京/ja"}), ".pdf"
    )
    osaka = filename_for(
        PackMessage(**{**message.__dict__, "job": "weekly/sales_team-大阪/ja"}), ".pdf"
    )
    assert tokyo.isascii() and osaka.isascii() and tokyo != osaka
    assert tokyo.startswith("weekly-2026-10-sales_team-") and tokyo.endswith("-ja.pdf")


def test_failure_list_for_the_operator() -> None:
    """One message, one line per failure, subject counting them in the operator's language."""
    lines = [
        "monthly 2026-10 sales_team-team-b (ja): e-mail: SMTP server smtp:587 did not answer",
        "weekly 2026-W47 (en): pack failed: <b>bold</b> stays text",
        "slack SLACK_WEBHOOK_SALES: HTTP 500; gave up after 4 attempt(s)",
    ]
    ja = _parse(
        compose_failures(
            lines, sender=SENDER, operator="ops@example.com", lang="ja", title="2026-11-23"
        )
    )
    assert ja["Subject"] == "[reviewkit] 2026-11-23 のバッチで 3 件の失敗"
    assert ja["To"] == "ops@example.com"
    assert _bullets(_plain(ja)) == lines
    assert "&lt;b&gt;bold&lt;/b&gt;" in _html(ja)
    en = _parse(
        compose_failures(
            lines[:1], sender=SENDER, operator="ops@example.com", lang="en", title="2026-11-23"
        )
    )
    assert en["Subject"] == "[reviewkit] 1 failure in the batch of 2026-11-23"


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The SMTP password in the environment (no credentials file)."""
    monkeypatch.setenv("REVIEWKIT_CREDENTIALS", str(tmp_path / "absent.env"))
    monkeypatch.setenv("RK_TEST_SMTP_PASSWORD", PASSWORD)
    return PASSWORD


def _policy(waits: list[float], attempts: int = 3) -> RetryPolicy:
    return RetryPolicy(attempts=attempts, budget=60.0, sleep=waits.append)


def _all_text(results: list[SendResult]) -> str:
    return "\n".join(repr(result) for result in results)


def test_send_over_starttls_with_login(tmp_path: Path, password: str) -> None:
    """STARTTLS with the company CA and a login: every recipient delivered, message intact."""
    message = _message(tmp_path)
    mail = compose(message, sender=SENDER, recipients=TEAM)
    with SmtpServer(auth={"reviewkit": password}, tls=True, workdir=tmp_path / "tls") as server:
        settings = server.settings(user="reviewkit", password_env="RK_TEST_SMTP_PASSWORD")
        with SmtpSender(settings, policy=_policy([])) as sender:
            results = sender.send(mail, recipients=TEAM)
        assert results == [SendResult("email", address, True) for address in TEAM]
        (got,) = server.received
    assert got.rcpt_tos == tuple(TEAM) and got.mail_from == SENDER
    assert got.message["Subject"] == "[サンプル商事] 月次レビュー 2026年10月 営業チーム: Team A"
    assert _raw_header(got.raw, b"Subject").startswith(b"=?utf-8?")
    assert _bullets(_plain(got.message)) == list(SENTENCES_JA)
    (attached,) = list(got.message.iter_attachments())
    assert attached.get_payload(decode=True) == PACK_HTML.encode("utf-8")


def test_send_over_implicit_tls_and_plain(tmp_path: Path, password: str) -> None:
    """``ssl`` (with a login) and ``none`` (a relay without one) both deliver."""
    mail = compose(_message(tmp_path, lang="en"), sender=SENDER, recipients=TEAM[:1])
    with SmtpServer(auth={"reviewkit": password}, ssl=True, workdir=tmp_path / "ssl") as server:
        settings = server.settings(user="reviewkit", password_env="RK_TEST_SMTP_PASSWORD")
        with SmtpSender(settings, policy=_policy([])) as sender:
            assert sender.send(mail, recipients=TEAM[:1])[0].ok
        assert len(server.received) == 1
    with SmtpServer() as relay:
        with SmtpSender(relay.settings(), policy=_policy([])) as sender:
            assert [r.ok for r in sender.send(mail, recipients=TEAM)] == [True, True]
        assert relay.received[0].message["Subject"].startswith("[Sample Trading]")


def test_one_connection_for_many_messages_and_a_reconnect(tmp_path: Path) -> None:
    """Two messages, the server restarted in between: the sender reconnects, no retry used."""
    mail = compose(_message(tmp_path, lang="en"), sender=SENDER, recipients=TEAM[:1])
    waits: list[float] = []
    with SmtpServer() as server, SmtpSender(server.settings(), policy=_policy(waits)) as sender:
        assert sender.send(mail, recipients=TEAM[:1])[0].ok
        server.restart()
        second = sender.send(mail, recipients=TEAM[:1])
        assert second == [SendResult("email", TEAM[0], True, attempts=1)]
        assert len(server.received) == 2 and waits == []


def test_deferred_data_is_retried_then_delivered(tmp_path: Path) -> None:
    """``451`` to the first DATA: one back-off (recorded, not slept), then delivered."""
    mail = compose(_message(tmp_path, lang="en"), sender=SENDER, recipients=TEAM)
    waits: list[float] = []
    with SmtpServer(fail_first=1) as server:
        with SmtpSender(server.settings(), policy=_policy(waits, attempts=2)) as sender:
            results = sender.send(mail, recipients=TEAM)
        assert [(r.ok, r.attempts) for r in results] == [(True, 2), (True, 2)]
        assert waits == [1.0] and server.data_commands == 2 and len(server.received) == 1


def test_deferred_past_the_attempts_is_a_transient_failure(tmp_path: Path) -> None:
    """Still 451 after every attempt: failed, transient, the reply in one line."""
    mail = compose(_message(tmp_path, lang="en"), sender=SENDER, recipients=TEAM[:1])
    waits: list[float] = []
    with (
        SmtpServer(fail_first=5) as server,
        SmtpSender(server.settings(), policy=_policy(waits, attempts=2)) as sender,
    ):
        (result,) = sender.send(mail, recipients=TEAM[:1])
    assert not result.ok and result.transient and result.attempts == 2
    assert "451 4.3.0 try again" in result.error and "gave up after 2 attempt(s)" in result.error


def test_server_down_is_retried_then_reported(tmp_path: Path) -> None:
    """A closed port: every attempt refused, back-offs recorded, one transient line each."""
    mail = compose(_message(tmp_path, lang="en"), sender=SENDER, recipients=TEAM)
    waits: list[float] = []
    settings = SmtpSettings(host="127.0.0.1", port=closed_port(), security="none")
    with SmtpSender(settings, policy=_policy(waits)) as sender:
        results = sender.send(mail, recipients=TEAM)
    assert waits == [1.0, 2.0]
    for result in results:
        assert not result.ok and result.transient and result.attempts == 3
        assert result.error.startswith(f"cannot connect to SMTP server {settings.where}")
        assert "\n" not in result.error and "@" not in result.error


def test_a_server_that_never_answers_times_out(tmp_path: Path) -> None:
    """A black hole: the greeting never comes; 0.5 s timeout per attempt, transient failure."""
    mail = compose(_message(tmp_path, lang="en"), sender=SENDER, recipients=TEAM[:1])
    waits: list[float] = []
    with BlackHole() as hole:
        settings = SmtpSettings(host=hole.host, port=hole.port, security="none", timeout=0.5)
        with SmtpSender(settings, policy=_policy(waits, attempts=2)) as sender:
            (result,) = sender.send(mail, recipients=TEAM[:1])
    assert not result.ok and result.transient and result.attempts == 2 and waits == [1.0]
    assert f"SMTP server {settings.where} did not answer within 0.5 s" in result.error


def test_refused_login_is_not_retried_and_shows_no_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong password: one attempt, one line naming user, server and variable; no secret."""
    monkeypatch.setenv("REVIEWKIT_CREDENTIALS", str(tmp_path / "absent.env"))
    monkeypatch.setenv("RK_TEST_SMTP_PASSWORD", PASSWORD)
    mail = compose(_message(tmp_path), sender=SENDER, recipients=TEAM)
    waits: list[float] = []
    with SmtpServer(auth={"reviewkit": "the-right-one"}, tls=True, workdir=tmp_path) as server:
        settings = server.settings(user="reviewkit", password_env="RK_TEST_SMTP_PASSWORD")
        with SmtpSender(settings, policy=_policy(waits)) as sender:
            results = sender.send(mail, recipients=TEAM)
        assert server.received == [] and server.auth is not None
        assert set(server.auth.attempts) == {"reviewkit"}  # smtplib tries PLAIN, then LOGIN
    assert waits == [] and [r.attempts for r in results] == [1, 1]
    for result in results:
        assert not result.ok and not result.transient and "\n" not in result.error
        assert result.error.startswith(f"SMTP login refused for user reviewkit at {settings.where}")
        assert "RK_TEST_SMTP_PASSWORD" in result.error
    assert PASSWORD not in _all_text(results) and "@" not in results[0].error


def test_missing_password_or_bad_settings_are_config_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user without a password, an unknown security, a login in clear, an unreadable CA."""
    monkeypatch.setenv("REVIEWKIT_CREDENTIALS", str(tmp_path / "absent.env"))
    monkeypatch.delenv("RK_TEST_SMTP_PASSWORD", raising=False)
    settings = SmtpSettings(
        host="smtp.example.com", user="reviewkit", password_env="RK_TEST_SMTP_PASSWORD"
    )
    with pytest.raises(DeliveryConfigError, match="RK_TEST_SMTP_PASSWORD is not set"):
        SmtpSender(settings)
    with pytest.raises(DeliveryConfigError, match="security 'tls' is not one of"):
        SmtpSettings(host="smtp.example.com", security="tls")
    with pytest.raises(DeliveryConfigError, match="password in clear"):
        SmtpSettings(host="smtp.example.com", security="none", user="reviewkit")
    with pytest.raises(DeliveryConfigError, match=r"cafile .* cannot be read"):
        SmtpSender(SmtpSettings(host="smtp.example.com", cafile=str(tmp_path / "no.pem")))


def test_no_starttls_means_nothing_sent(tmp_path: Path) -> None:
    """``starttls`` against a server without it: one line, not retried, no plain fallback."""
    mail = compose(_message(tmp_path, lang="en"), sender=SENDER, recipients=TEAM[:1])
    waits: list[float] = []
    with SmtpServer() as server:
        settings = server.settings(security="starttls")
        with SmtpSender(settings, policy=_policy(waits)) as sender:
            (result,) = sender.send(mail, recipients=TEAM[:1])
        assert server.received == [] and server.data_commands == 0
    assert not result.ok and not result.transient and waits == []
    assert result.error.startswith(f"SMTP server {settings.where} does not offer STARTTLS")


def test_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    """Certificates are verified: without the company CA, nothing is sent."""
    mail = compose(_message(tmp_path, lang="en"), sender=SENDER, recipients=TEAM[:1])
    with SmtpServer(ssl=True, workdir=tmp_path) as server:
        with SmtpSender(server.settings(cafile=""), policy=_policy([])) as sender:
            (result,) = sender.send(mail, recipients=TEAM[:1])
        assert server.received == []
    assert not result.ok and not result.transient
    assert "certificate is not trusted" in result.error and "smtp.cafile" in result.error


def test_a_bounced_recipient_fails_alone(tmp_path: Path) -> None:
    """A 550 at RCPT fails that recipient (address scrubbed); the others get the message."""
    bounce = "bounce@example.com"
    recipients = [TEAM[0], bounce, TEAM[1]]
    mail = compose(_message(tmp_path), sender=SENDER, recipients=recipients)
    waits: list[float] = []
    reply = f"550 5.1.1 <{bounce}>: no such user"
    with SmtpServer(reject={bounce: reply}) as server:
        with SmtpSender(server.settings(), policy=_policy(waits)) as sender:
            results = sender.send(mail, recipients=recipients)
        (got,) = server.received
    assert got.rcpt_tos == tuple(TEAM) and waits == []
    assert [(r.recipient, r.ok) for r in results] == [
        (TEAM[0], True),
        (bounce, False),
        (TEAM[1], True),
    ]
    failed = results[1]
    assert not failed.transient and failed.attempts == 1
    assert (
        "refused by the server" in failed.error
        and "550 5.1.1 <address>: no such user" in failed.error
    )
    assert "bounce" not in failed.error and "@" not in failed.error


def test_a_deferred_recipient_is_retried_alone(tmp_path: Path) -> None:
    """A 450 at RCPT: the others are delivered at once; only that one is tried again."""
    busy = "busy@example.com"
    recipients = [TEAM[0], busy]
    mail = compose(_message(tmp_path, lang="en"), sender=SENDER, recipients=recipients)
    waits: list[float] = []
    with (
        SmtpServer(reject={busy: "450 4.2.1 mailbox busy"}) as server,
        SmtpSender(server.settings(), policy=_policy(waits, attempts=2)) as sender,
    ):
        first, deferred = sender.send(mail, recipients=recipients)
        assert [got.rcpt_tos for got in server.received] == [(TEAM[0],)]
    assert first == SendResult("email", TEAM[0], True, attempts=1)
    assert not deferred.ok and deferred.transient and deferred.attempts == 2 and waits == [1.0]
    assert "450 4.2.1 mailbox busy" in deferred.error and "@" not in deferred.error


def test_a_link_that_is_not_a_web_address_stays_text(tmp_path: Path) -> None:
    """Only http(s) links become anchors; anything else is shown as escaped text."""
    message = _message(tmp_path, lang="en", link="javascript:alert(1)")
    page = _html(_parse(compose(message, sender=SENDER, recipients=TEAM, attach="link")))
    assert "<a " not in page and "Open the pack: javascript:alert(1)" in page


def test_clean_reply_hides_addresses_and_secrets() -> None:
    """Bracketed and bare addresses, and the given secrets, never survive; one line."""
    text = f"550 <a.b+c@mail.example.co.jp> and x_y@z.org refused\n pass={PASSWORD}"
    cleaned = clean_reply(text.encode(), hide=[PASSWORD])
    assert cleaned == "550 <address> and <address> refused pass=***"
