"""The e-mail about one pack, and the operator's list of failures, as ``EmailMessage`` objects.

Pure composition with the standard library's :mod:`email`: no network. A pack's message says
what the pack's first screen says, in the pack's language: the summary sentences (exactly
:attr:`PackMessage.sentences`, in order), the KPI statuses with their symbols, and the link to
the published pack or the attached file. It holds nothing the pack does not show.

The message is ``multipart/alternative`` (plain text, then HTML) inside ``multipart/mixed``
when a file is attached. The HTML part uses inline styles only (mail clients drop
``<style>``), no remote images and no scripts; every text in it is escaped.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from reviewkit.deliver.message import KpiStatus, PackMessage
from reviewkit.errors import DeliveryFailedError, ParameterError
from reviewkit.i18n.texts import check_lang, t

__all__ = ["ATTACH_MODES", "compose", "compose_failures", "filename_for"]

ATTACH_MODES = ("html", "link", "pdf")

# The pack's status colours (pack.css: --rk-met, --rk-near, --rk-missed and their backgrounds).
_STATUS_STYLE = {
    "met": ("#187636", "#e6f4ea"),
    "near": ("#a15c00", "#fff4e0"),
    "missed": ("#b3261e", "#fde8e7"),
}
_OTHER_STYLE = ("#555555", "#f1f1f1")
_FONT = "font-family:Helvetica,Arial,'Hiragino Sans','Yu Gothic',Meiryo,sans-serif"
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def filename_for(message: PackMessage, suffix: str) -> str:
    """An ASCII-safe attachment name: ``monthly-2026-10-sales_team-team-a-ja.html``.

    Parameters
    ----------
    message
        The pack's message; its ``job`` (``cadence/segment/lang``) and ``period`` name the file.
    suffix
        The extension, with or without the dot (``html``, ``.pdf``).

    Returns
    -------
    str
        ``{cadence}-{period}-{segment slug}-{lang}{suffix}``; the segment slug is the job's.
        A slug with non-ASCII letters (a Japanese segment name) keeps its ASCII part and gets
        a short hash of the whole slug, so two such segments keep two names.
    """
    parts = [part for part in message.job.split("/") if part]
    cadence = parts[0] if parts else message.cadence
    middle = parts[1:-1] if len(parts) > 2 else []
    pieces = [cadence or "pack", message.period, *middle, message.lang]
    safe = [_ascii_part(piece) for piece in pieces if piece]
    ext = suffix if suffix.startswith(".") or not suffix else f".{suffix}"
    return "-".join(piece for piece in safe if piece) + _ascii_part(ext)


def _ascii_part(text: str) -> str:
    """``text`` with runs of unsafe characters as ``-`` (plus a hash when any were not ASCII)."""
    cleaned = _NOT_ASCII_SAFE.sub("-", text).strip("-")
    if text.isascii():
        return cleaned
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{cleaned}-{digest}" if cleaned else digest


def compose(
    message: PackMessage,
    *,
    sender: str,
    recipients: Sequence[str],
    attach: str = "html",
    pdf: Path | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """The e-mail about one pack, in the pack's language.

    All ``recipients`` go in ``To``: an audience is a team or a group of managers who see the
    same pack, so a shared ``To`` list is what a team expects, and a reply-all stays within
    it. (An audience that must not see each other gets one message each from the caller.)

    Parameters
    ----------
    message
        What the pack says (:class:`~reviewkit.deliver.message.PackMessage`).
    sender
        The ``From`` address (also the SMTP envelope sender).
    recipients
        The ``To`` addresses.
    attach
        ``html``: attach the single-file ``pack.html``; ``link``: attach nothing (the body
        holds :attr:`PackMessage.link`); ``pdf``: attach only the PDF at ``pdf``. With
        ``html`` and a ``pdf`` given, both are attached. The link is shown whenever it is set.
    pdf
        The pack printed to PDF.
    now
        The ``Date`` header (default: now).

    Returns
    -------
    EmailMessage
        ``multipart/alternative`` (plain text and HTML), inside ``multipart/mixed`` with the
        attachments.

    Raises
    ------
    ParameterError
        An unknown ``attach``, ``pdf`` missing with ``attach="pdf"``, no recipient, or a
        language that is not a pack language.
    DeliveryFailedError
        A file to attach cannot be read.
    """
    lang = check_lang(message.lang)
    files = _attachments(message, attach=attach, pdf=pdf)
    if not recipients:
        raise ParameterError(f"e-mail for {message.job}: no recipient; name at least one")
    mail = _envelope(
        t("email.subject", lang, company=message.company, title=message.title),
        sender=sender,
        to=recipients,
        now=now,
    )
    # for mail filters and for matching a message with its pack (no personal data)
    mail["X-Reviewkit-Job"] = message.job
    mail["X-Reviewkit-Fingerprint"] = message.fingerprint or "-"
    names = [name for name, _, _ in files]
    mail.set_content(_plain_body(message, names), cte=_cte(lang))
    mail.add_alternative(_html_body(message, names), subtype="html", cte=_cte(lang))
    for name, content_type, data in files:
        maintype, subtype = content_type.split("/")
        params = {"charset": "utf-8"} if maintype == "text" else None
        mail.add_attachment(data, maintype, subtype, filename=name, params=params)
    return mail


def _attachments(
    message: PackMessage, *, attach: str, pdf: Path | None
) -> list[tuple[str, str, bytes]]:
    """``(filename, content type, bytes)`` of each file to attach, in order."""
    if attach not in ATTACH_MODES:
        raise ParameterError(
            f"e-mail for {message.job}: attach {attach!r} is not one of "
            f"{', '.join(ATTACH_MODES)}; pick one"
        )
    if attach == "pdf" and pdf is None:
        raise ParameterError(
            f"e-mail for {message.job}: attach 'pdf' needs the printed PDF; pass pdf=PATH"
        )
    files: list[tuple[str, str, bytes]] = []
    if attach == "html":
        files.append((filename_for(message, ".html"), "text/html", _read(message.pack, message)))
    if pdf is not None and attach != "link":
        files.append((filename_for(message, ".pdf"), "application/pdf", _read(pdf, message)))
    return files


def _read(path: Path, message: PackMessage) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise DeliveryFailedError(
            f"e-mail for {message.job}: cannot read {path} to attach it "
            f"({error.strerror or type(error).__name__}); build or publish the pack again"
        ) from None


def _envelope(
    subject: str, *, sender: str, to: Sequence[str], now: datetime | None
) -> EmailMessage:
    """An empty message with its headers; ``Subject`` is RFC 2047 encoded when not ASCII."""
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Date"] = format_datetime((now or datetime.now().astimezone()).astimezone())
    domain = sender.rpartition("@")[2].strip("> ") or "reviewkit.invalid"
    mail["Message-ID"] = make_msgid(idstring="reviewkit", domain=domain)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
    return mail


def _cte(lang: str) -> str:
    """Text parts travel 7-bit safe (no reliance on 8BITMIME): base64 for Japanese."""
    return "base64" if lang == "ja" else "quoted-printable"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _kpi_line(kpi: KpiStatus, lang: str) -> str:
    key = "email.kpi_line" if kpi.target else "email.kpi_line_no_target"
    fields = {
        "status_text": kpi.status_text,
        "label": kpi.label,
        "actual": kpi.actual,
        "target": kpi.target,
    }
    return t(key, lang, **{name: _one_line(value) for name, value in fields.items()})


def _kpi_heading(message: PackMessage) -> str:
    return message.kpi_heading or t("email.kpi_heading", message.lang)


def _plain_body(message: PackMessage, attached: Sequence[str]) -> str:
    """The plain-text part: intro, ``- sentence`` lines, KPI lines, link/attachments, footer."""
    lang = message.lang
    lines = [t("email.intro", lang, title=message.title), ""]
    if message.sentences:
        lines.append(t("email.summary_heading", lang))
        lines.extend(f"- {_one_line(sentence)}" for sentence in message.sentences)
        lines.append("")
    if message.kpis:
        lines.append(_kpi_heading(message))
        lines.extend(_kpi_line(kpi, lang) for kpi in message.kpis)
        lines.append("")
    if message.link:
        lines.append(t("email.link", lang, link=message.link))
    lines.extend(t("email.attached", lang, filename=name) for name in attached)
    lines.extend(["", "-- ", t("email.footer", lang, period=message.period)])
    return "\n".join(lines) + "\n"


def _esc(text: str) -> str:
    return html.escape(_one_line(text), quote=True)


def _html_kpis(message: PackMessage) -> str:
    rows = []
    for kpi in message.kpis:
        colour, background = _STATUS_STYLE.get(kpi.status, _OTHER_STYLE)
        badge = (
            f'<span style="display:inline-block;padding:1px 8px;border-radius:10px;'
            f'color:{colour};background:{background};font-weight:bold">'
            f"{_esc(kpi.status_text)}</span>"
        )
        target = f" / {_esc(kpi.target)}" if kpi.target else ""
        rows.append(
            f'<tr><td style="padding:3px 12px 3px 0">{badge}</td>'
            f'<td style="padding:3px 12px 3px 0">{_esc(kpi.label)}</td>'
            f'<td style="padding:3px 0;text-align:right">{_esc(kpi.actual)}{target}</td></tr>'
        )
    return (
        f'<h3 style="font-size:15px;margin:16px 0 6px">{_esc(_kpi_heading(message))}</h3>'
        f'<table style="border-collapse:collapse;font-size:14px">{"".join(rows)}</table>'
    )


def _html_body(message: PackMessage, attached: Sequence[str]) -> str:
    """The HTML part: the same content as the plain part, escaped, with inline styles."""
    lang = message.lang
    parts = [f'<p style="margin:0 0 12px">{_esc(t("email.intro", lang, title=message.title))}</p>']
    if message.sentences:
        items = "".join(f'<li style="margin:0 0 4px">{_esc(s)}</li>' for s in message.sentences)
        parts.append(
            f'<h3 style="font-size:15px;margin:16px 0 6px">'
            f"{_esc(t('email.summary_heading', lang))}</h3>"
            f'<ul style="margin:0;padding-left:20px">{items}</ul>'
        )
    if message.kpis:
        parts.append(_html_kpis(message))
    if message.link.startswith(("https://", "http://")):
        parts.append(
            f'<p style="margin:16px 0 0"><a href="{html.escape(message.link, quote=True)}" '
            f'style="color:#1d4e89">{_esc(t("email.link_label", lang))}</a></p>'
        )
    elif message.link:  # not a web address (a share path): shown as text, never a live link
        parts.append(
            f'<p style="margin:16px 0 0">{_esc(t("email.link", lang, link=message.link))}</p>'
        )
    parts.extend(
        f'<p style="margin:8px 0 0">{_esc(t("email.attached", lang, filename=name))}</p>'
        for name in attached
    )
    footer = _esc(t("email.footer", lang, period=message.period))
    parts.append(f'<p style="margin:24px 0 0;color:#777777;font-size:12px">{footer}</p>')
    return _html_page(lang, "".join(parts))


def _html_page(lang: str, content: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"></head>'
        f'<body style="{_FONT};color:#222222;font-size:14px;line-height:1.5">'
        f'<div style="max-width:640px">{content}</div></body></html>\n'
    )


def compose_failures(
    lines: Sequence[str],
    *,
    sender: str,
    operator: str,
    lang: str,
    title: str,
    now: datetime | None = None,
) -> EmailMessage:
    """The operator's one message listing a batch's failures, one line each.

    Parameters
    ----------
    lines
        The failures, one line each, already redacted by the caller (no secret, no address).
    sender
        The ``From`` address.
    operator
        The operator's address (``To``).
    lang
        ``ja`` or ``en``.
    title
        What names the batch in the subject, e.g. its date (``2026-11-23``): the subject
        reads ``[reviewkit] 3 failures in the batch of 2026-11-23``.
    now
        The ``Date`` header (default: now).

    Returns
    -------
    EmailMessage
        ``multipart/alternative``: plain text and a simple HTML list.
    """
    lang = check_lang(lang)
    count = len(lines)
    if count == 1:
        subject = t("email.failures.subject_one", lang, title=title)
    else:
        subject = t("email.failures.subject", lang, title=title, count=count)
    mail = _envelope(subject, sender=sender, to=[operator], now=now)
    intro = t("email.failures.intro", lang, title=title, count=count)
    footer = t("email.failures.footer", lang)
    shown = [_one_line(line) for line in lines]
    plain = "\n".join([intro, "", *(f"- {line}" for line in shown), "", "-- ", footer])
    mail.set_content(plain + "\n", cte=_cte(lang))
    items = "".join(f'<li style="margin:0 0 4px">{html.escape(line)}</li>' for line in shown)
    mail.add_alternative(
        _html_page(
            lang,
            f'<p style="margin:0 0 12px">{html.escape(intro)}</p>'
            f'<ul style="margin:0;padding-left:20px">{items}</ul>'
            f'<p style="margin:24px 0 0;color:#777777;font-size:12px">{html.escape(footer)}</p>',
        ),
        subtype="html",
        cte=_cte(lang),
    )
    return mail
