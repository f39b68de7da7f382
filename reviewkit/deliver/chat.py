r"""Slack and Microsoft Teams messages about a pack: the title, the summary, KPI statuses, the link.

:func:`slack_payload` and :func:`teams_payload` are pure: they turn a :class:`PackMessage` into
the JSON each platform's incoming webhook takes. The senders (:func:`post_slack`,
:func:`post_teams`) and :func:`webhook_url` live in :mod:`reviewkit.deliver.chat_send` and are
re-exported here.

Escaping (every text that comes from the pack; the catalogue's own words need none):

* **Slack** decodes only ``&amp;``, ``&lt;`` and ``&gt;``, so ``&``, ``<`` and ``>`` are turned
  into those entities everywhere (the header's ``plain_text`` too): a segment named
  ``<!channel>`` neither pings anyone nor becomes a link. mrkdwn has no escape for ``*``, ``_``,
  ``~`` and the backtick, and a zero-width space next to them *enables* formatting rather than
  preventing it; so in mrkdwn text they are replaced by look-alikes that Slack does not parse
  (``∗`` U+2217, ``ˍ`` U+02CD, ``∼`` U+223C, ``ˋ`` U+02CB; the full-width ``＊ ＿ ｀`` likewise):
  a segment named ``*VIP*`` shows as ``∗VIP∗``, not in bold. Line breaks in pack text become
  spaces and every line the message builds starts with its own mark, so no pack text can start
  a block quote.
* **Teams** Adaptive Card TextBlocks take a small markdown subset and no HTML: ``\``, ``*``,
  ``_``, ``[``, ``]`` get a backslash, and so do ``#``, ``-``, ``+``, ``>`` and ``1.`` at the
  start of a text.

Limits: Slack's header holds at most 150 characters, a section 3,000 and a message 50 blocks;
texts past a limit are cut (whole lines first) and end with ``…``. Teams texts are cut at
2,000 characters and the KPI list at :data:`MAX_KPIS` lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from reviewkit.deliver.chat_send import post_slack, post_teams, webhook_url
from reviewkit.deliver.message import KpiStatus, PackMessage
from reviewkit.i18n.texts import t

__all__ = [
    "MAX_KPIS",
    "SLACK_BLOCKS_MAX",
    "SLACK_HEADER_MAX",
    "SLACK_SECTION_MAX",
    "TEAMS_TEXT_MAX",
    "post_slack",
    "post_teams",
    "slack_mrkdwn",
    "slack_payload",
    "slack_plain",
    "teams_payload",
    "teams_text",
    "webhook_url",
]

MAX_KPIS = 40
"""KPI lines in one message at most; the rest is cut with ``…`` (the pack shows them all)."""

SLACK_HEADER_MAX = 150
SLACK_SECTION_MAX = 3000
SLACK_BLOCKS_MAX = 50
TEAMS_TEXT_MAX = 2000
ELLIPSIS = "…"

_SLACK_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_SLACK_MRKDWN = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "*": "\u2217",
        "_": "\u02cd",
        "~": "\u223c",
        "`": "\u02cb",
        "\uff0a": "\ufe61",
        "\uff3f": "\u2e0f",
        "\uff40": "\u02cb",
    }
)
_TEAMS_ANYWHERE = str.maketrans({c: "\\" + c for c in "\\*_[]"})
_TEAMS_MARK = re.compile(r"^[#>+-]")
_TEAMS_NUMBER = re.compile(r"^(\d+)([.)])")
_SPACES = re.compile(r"\s+")
_PARTIAL_ENTITY = re.compile(r"&[a-z]*$")
_ADAPTIVE = "application/vnd.microsoft.card.adaptive"


def _flat(text: str) -> str:
    """``text`` on one line: runs of white space (line breaks included) become one space."""
    return _SPACES.sub(" ", text).strip()


def _fit(text: str, limit: int, escape: Callable[[str], str]) -> str:
    """``escape(text)``, or the longest escaped head of ``text`` + ``…`` within ``limit``.

    ``escape`` must work character by character (a translation table), so that a cut never
    splits an entity such as ``&amp;``; ``text`` is already on one line.
    """
    whole = escape(text)
    if len(whole) <= limit:
        return whole
    used, kept = 0, []
    for char in text:
        piece = escape(char)
        if used + len(piece) + len(ELLIPSIS) > limit:
            break
        kept.append(piece)
        used += len(piece)
    return "".join(kept).rstrip() + ELLIPSIS


def _fit_lines(lines: Sequence[str], limit: int) -> str:
    """Escaped ``lines`` joined by line breaks, whole lines only, ``…`` when some are left out."""
    whole = "\n".join(lines)
    if len(whole) <= limit:
        return whole
    kept: list[str] = []
    used = 0
    for line in lines:
        extra = len(line) + (1 if kept else 0)
        if used + extra + 2 > limit:  # room left for the line "…"
            break
        kept.append(line)
        used += extra
    if kept:
        return "\n".join([*kept, ELLIPSIS])
    head = _PARTIAL_ENTITY.sub("", lines[0][: limit - 1])  # never half an "&amp;"
    return head.rstrip() + ELLIPSIS


def _slack_entities(text: str) -> str:
    return text.translate(_SLACK_ENTITIES)


def _slack_marks(text: str) -> str:
    return text.translate(_SLACK_MRKDWN)


def slack_plain(text: str) -> str:
    """Pack text for a Slack ``plain_text`` object: one line, ``& < >`` as entities."""
    return _flat(text).translate(_SLACK_ENTITIES)


def slack_mrkdwn(text: str) -> str:
    """Pack text for Slack ``mrkdwn``: entities, and ``* _ ~ ` `` replaced by look-alikes."""
    return _flat(text).translate(_SLACK_MRKDWN)


def _slack_url(link: str) -> str:
    """``link`` for ``<url|text>``: ``| < >`` and spaces percent-encoded, ``&`` as ``&amp;``."""
    safe = quote(link, safe=":/?#[]@!$&'()*+,;=%~")
    return safe.replace("&", "&amp;")


def _web_link(link: str) -> str:
    """``link`` if it is an http(s) address, else ``""`` (no button to a file or a script)."""
    parts = urlsplit(link.strip())
    return link.strip() if parts.scheme in ("http", "https") and parts.netloc else ""


def _kpi_parts(
    kpi: KpiStatus, escape: Callable[[str], str], first: Callable[[str], str]
) -> tuple[str, str, str]:
    """The status (``first`` escapes it), label and figures (``actual / target``) of ``kpi``."""
    figures = escape(kpi.actual)
    if kpi.target:
        figures += " / " + escape(kpi.target)
    return first(kpi.status_text), escape(kpi.label), figures


def _slack_section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _slack_kpis(message: PackMessage) -> list[str]:
    """The KPI lines in mrkdwn (the label bold), at most :data:`MAX_KPIS` then ``…``."""
    lines = []
    for kpi in message.kpis[:MAX_KPIS]:
        status, label, figures = _kpi_parts(kpi, slack_mrkdwn, slack_mrkdwn)
        lines.append(f"{status} *{label}* {figures}".strip())
    if len(message.kpis) > MAX_KPIS:
        lines.append(ELLIPSIS)
    return lines


def slack_payload(message: PackMessage) -> dict[str, Any]:
    """The Slack incoming-webhook message about one pack.

    Parameters
    ----------
    message
        The pack's title, summary sentences, KPI statuses and link.

    Returns
    -------
    dict
        ``text`` (the title, shown in notifications) and ``blocks``: a header with the title, a
        section with the summary sentences as a bullet list, a section with the KPI statuses
        under ``message.kpi_heading``, and a line with the link to the pack (or, without one,
        where the pack is). Pack text is escaped (see the module's notes) and cut to Slack's
        limits.
    """
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": _fit(_flat(message.title), SLACK_HEADER_MAX, _slack_entities),
            },
        }
    ]
    sentences = [f"• {slack_mrkdwn(s)}" for s in message.sentences if s.strip()]
    if sentences:
        blocks.append(_slack_section(_fit_lines(sentences, SLACK_SECTION_MAX)))
    if message.kpis:
        heading = f"*{slack_mrkdwn(message.kpi_heading)}*" if message.kpi_heading.strip() else ""
        room = SLACK_SECTION_MAX - (len(heading) + 1 if heading else 0)
        lines = _fit_lines(_slack_kpis(message), room)
        blocks.append(_slack_section(f"{heading}\n{lines}" if heading else lines))
    link = _web_link(message.link)
    if link:
        text = t("chat.open_pack", message.lang)
        blocks.append(_slack_section(f"<{_slack_url(link)}|{text}>"))
    else:
        note = {"type": "mrkdwn", "text": t("chat.no_link", message.lang)}
        blocks.append({"type": "context", "elements": [note]})
    return {
        "text": _fit(_flat(message.title), SLACK_SECTION_MAX, _slack_marks),
        "blocks": blocks[:SLACK_BLOCKS_MAX],
    }


def _teams_chars(text: str) -> str:
    return text.translate(_TEAMS_ANYWHERE)


def teams_text(text: str, *, starts_line: bool = True) -> str:
    """Pack text for an Adaptive Card TextBlock: one line, markdown characters backslashed.

    Parameters
    ----------
    text
        The pack's text.
    starts_line
        The text begins its TextBlock, so a leading ``#``, ``-``, ``+``, ``>`` or ``1.`` (a
        heading, a list) is escaped too.

    Returns
    -------
    str
        The escaped text, cut with ``…`` at :data:`TEAMS_TEXT_MAX` characters.
    """
    escaped = _fit(_flat(text), TEAMS_TEXT_MAX - 1, _teams_chars)
    if not starts_line:
        return escaped
    escaped = _TEAMS_MARK.sub(lambda m: "\\" + m.group(0), escaped)
    return _TEAMS_NUMBER.sub(r"\1\\\2", escaped)


def _teams_inline(text: str) -> str:
    return teams_text(text, starts_line=False)


def _teams_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _teams_kpis(message: PackMessage) -> list[dict[str, Any]]:
    """The heading and one TextBlock per KPI (label bold), at most :data:`MAX_KPIS`."""
    blocks = []
    if message.kpi_heading.strip():
        heading = teams_text(message.kpi_heading)
        blocks.append(_teams_block(heading, weight="Bolder", spacing="Medium"))
    for kpi in message.kpis[:MAX_KPIS]:
        status, label, figures = _kpi_parts(kpi, _teams_inline, teams_text)
        blocks.append(_teams_block(f"{status} **{label}** {figures}".strip(), spacing="Small"))
    if len(message.kpis) > MAX_KPIS:
        blocks.append(_teams_block(ELLIPSIS, spacing="Small"))
    return blocks


def teams_payload(message: PackMessage) -> dict[str, Any]:
    """The Microsoft Teams incoming-webhook message about one pack: an Adaptive Card.

    Parameters
    ----------
    message
        The pack's title, summary sentences, KPI statuses and link.

    Returns
    -------
    dict
        ``{"type": "message", "attachments": [{"contentType":
        "application/vnd.microsoft.card.adaptive", "content": card}]}``, the form both the
        classic Office 365 connector webhooks and the Power Automate "Workflows" webhooks
        take. The card (version 1.4) holds the title, the summary sentences, the KPI statuses
        and an ``Action.OpenUrl`` button to the pack (without a link: a line saying where the
        pack is). Pack text is escaped for the TextBlock markdown subset; there is no HTML.
    """
    body = [_teams_block(teams_text(message.title), size="Large", weight="Bolder")]
    body += [_teams_block("• " + _teams_inline(s)) for s in message.sentences if s.strip()]
    if message.kpis:
        body += _teams_kpis(message)
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    link = _web_link(message.link)
    if link:
        title = t("chat.open_pack", message.lang)
        card["actions"] = [{"type": "Action.OpenUrl", "title": title, "url": link}]
    else:
        body.append(_teams_block(t("chat.no_link", message.lang), isSubtle=True, spacing="Medium"))
    attachment = {"contentType": _ADAPTIVE, "contentUrl": None, "content": card}
    return {"type": "message", "attachments": [attachment]}
