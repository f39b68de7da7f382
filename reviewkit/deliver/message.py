"""What a message about one pack says: its title, summary sentences, KPI statuses and link.

A pack publishes its first screen as ``summary.json`` next to ``pack.html`` (see
:mod:`reviewkit.review.pack_summary`); :func:`pack_message` reads it with the manifest into a
:class:`PackMessage`, which the e-mail and chat senders turn into their formats. Every text in
it is already in the pack's language and as the pack shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["KpiStatus", "PackMessage", "SendResult"]


@dataclass(frozen=True)
class KpiStatus:
    """One KPI's line in a message, as the pack's status table shows it.

    Parameters
    ----------
    label
        The KPI's name (``MQL``, ``受注金額``).
    status
        ``met``, ``near``, ``missed``, ``no_target``, ``no_data`` or ``early``.
    status_text
        The pack's words for it, symbol first (``✓ 達成``, ``✕ Behind``).
    actual
        The figure, formatted (``1,234``, ``1,234万円``).
    target
        The target, formatted; ``""`` without one.
    """

    label: str
    status: str
    status_text: str
    actual: str
    target: str = ""


@dataclass(frozen=True)
class PackMessage:
    """Everything a message about one built pack needs.

    Parameters
    ----------
    job
        The batch job (``monthly/sales_team-team-a/ja``).
    cadence, period, lang
        From the manifest (``monthly``, ``2026-10``, ``ja``).
    title
        The pack's title, which names the review, the scope and the period.
    company
        The company's name in the pack's language.
    scope
        The segment's label (``営業チーム: Team A``); ``""`` for the whole company.
    sentences
        The summary sentences of the pack's first screen, plain text.
    kpis
        The KPI statuses (empty when the pack has none, e.g. no targets).
    kpi_heading
        What the statuses are (``今月の進捗`` / ``KPI status``), in the pack's language.
    link
        The pack's address on the published site; ``""`` when no site is configured.
    pack
        The published ``pack.html``.
    fingerprint
        The pack's ``inputs_digest``: what it was built from.
    """

    job: str
    cadence: str
    period: str
    lang: str
    title: str
    company: str
    scope: str
    sentences: tuple[str, ...]
    kpis: tuple[KpiStatus, ...] = field(default_factory=tuple)
    kpi_heading: str = ""
    link: str = ""
    pack: Path = Path()
    fingerprint: str = ""


@dataclass(frozen=True)
class SendResult:
    """What became of one message to one recipient.

    Parameters
    ----------
    channel
        ``email``, ``slack`` or ``teams``.
    recipient
        The address, or the name of the variable holding the webhook URL (never the URL: it
        holds the webhook's secret).
    ok
        Delivered (accepted by the SMTP server or the webhook).
    attempts
        Tries made, the first included.
    error
        One line on why not (``""`` when ``ok``); it names neither the address nor a URL or
        secret, so that it can go into a published log.
    transient
        The last failure could pass on its own (server down, 4xx SMTP reply, HTTP 429/5xx,
        a timeout): the next run tries again.
    """

    channel: str
    recipient: str
    ok: bool
    attempts: int = 1
    error: str = ""
    transient: bool = False
