"""The checklist section: the ten questions of a review as a table, status in symbol and word.

The statuses and evidence come from :func:`reviewkit.analysis.checklist.assess`.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from reviewkit.analysis.cause_selection import CauseSettings
from reviewkit.analysis.checklist import MATERIAL_PEOPLE
from reviewkit.i18n.formatting import format_pct
from reviewkit.i18n.texts import check_lang, t
from reviewkit.present.html import Html, subsection_heading

SYMBOLS = {"problem": "✕", "watch": "△", "ok": "○", "nodata": "—"}
_SYMBOL_DISCUSS = {"ja": "？", "en": "?"}


def status_text(status: str, *, lang: str) -> str:
    """The status as symbol and word, readable without colour: ``✕ 問題`` / ``✕ Problem``."""
    symbol = _SYMBOL_DISCUSS[check_lang(lang)] if status == "discuss" else SYMBOLS[status]
    return f"{symbol} {t(f'check.status.{status}', lang)}"


def checklist_table_html(frame: pd.DataFrame, *, lang: str) -> Html:
    """Render an assessed checklist (see :func:`assess`) as a table, every text escaped.

    Columns: number, question, status (symbol and word, cell class ``rk-check-<status>``),
    evidence (with a link to the section holding it). A legend follows the table.
    """
    check_lang(lang)
    headers = [
        t("col.number", lang),
        t("col.question", lang),
        t("check.col.status", lang),
        t("check.col.evidence", lang),
    ]
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body, lines = [], []
    for r in frame.itertuples(index=False):
        status = str(r.status)
        word = status_text(status, lang=lang)
        evidence = escape(str(r.evidence))
        section = str(r.section) if isinstance(r.section, str) else ""
        if section:
            link = escape(t("check.link", lang))
            evidence += f' <a href="#{escape(section, quote=True)}">{link}</a>'
        body.append(
            "<tr>"
            f'<td class="rk-num">{escape(str(r.number))}</td>'
            f'<td class="rk-text">{escape(str(r.question))}</td>'
            f'<td class="rk-status rk-check-{escape(status, quote=True)}">{escape(word)}</td>'
            f'<td class="rk-text">{evidence}</td>'
            "</tr>"
        )
        lines.append(f"{r.number}. {r.question} [{word}] {r.evidence}")
    table = (
        f'<table class="rk-table rk-checklist"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
    pct = format_pct(CauseSettings().problem_share, lang=lang)
    legend = escape(t("check.legend", lang, min=MATERIAL_PEOPLE, pct=pct))
    return Html(f'{table}<p class="rk-note">{legend}</p>', text="\n".join(lines))


def checklist_section(frame: pd.DataFrame, *, lang: str) -> Html:
    """The ten questions, each with a status and its evidence (or 'discuss').

    Parameters
    ----------
    frame
        :func:`reviewkit.analysis.checklist.assess`.
    """
    table = checklist_table_html(frame, lang=lang)
    return Html(subsection_heading(t("checklist.title", lang), anchor="checklist") + table.html,
                text=t("checklist.title", lang))  # fmt: skip
