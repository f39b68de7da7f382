"""The meeting sections of a pack: the decision sheet and the data quality block.

The monthly pack's causes and checklist live in :mod:`reviewkit.present.sections.monthly` and
:mod:`reviewkit.analysis.checklist`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from reviewkit.i18n.formatting import format_count, format_datetime, format_pct
from reviewkit.i18n.texts import t
from reviewkit.present.html import Html, missing_html, subsection_heading
from reviewkit.present.tables import styled_table

if TYPE_CHECKING:
    from reviewkit.analysis.quality import DataQuality
    from reviewkit.model.definitions import Definitions


def _when(moment: dt.datetime | None, *, lang: str) -> str:
    """An instant as date and time, ``—`` when there is none (``None`` or ``NaT`` alike)."""
    if moment is None or pd.isna(moment):
        return "—"
    return format_datetime(moment, lang=lang)


def decisions_html(
    lang: str, *, rows: int = 3, prefilled: Sequence[Mapping[str, str]] = ()
) -> Html:
    """The decision sheet to fill in during the meeting (and print).

    Parameters
    ----------
    lang
        ``ja`` or ``en``.
    rows
        Blank rows after the prefilled ones.
    prefilled
        Proposed decisions, each with ``decision``, ``target``, ``owner`` and ``adopt`` (the
        command that records it: ``reviewkit action add --from-proposal ID``).
    """
    keys = ("col.number", "col.decision", "col.target_kpi", "col.owner", "col.due", "col.adopt")
    columns = [t(k, lang) for k in keys]
    body = [
        [str(i + 1), p["decision"], p["target"], p["owner"], "",
         f"{t('proposal.adopt', lang)}\n{p['adopt']}"]
        for i, p in enumerate(prefilled)
    ]  # fmt: skip
    body += [[str(len(body) + i + 1), "", "", "", "", ""] for i in range(rows)]
    filled = ["rk-num", "rk-text", "rk-text", "rk-text", "rk-blank", "rk-text rk-adopt"]
    blank = ["rk-num", "rk-blank", "rk-blank", "rk-blank", "rk-blank", "rk-blank"]
    classes = [filled] * len(prefilled) + [blank] * rows
    table = styled_table(
        pd.DataFrame(body, columns=columns), classes, css_class="rk-decisions", shorten=False
    )
    note = t("decisions.note_prefilled" if prefilled else "decisions.note", lang)
    return Html(f'<p class="rk-note">{escape(note)}</p>{table.html}')


def quality_html(
    quality: DataQuality, *, lang: str, definitions: Definitions | None = None
) -> Html:
    """The data quality block: freshness, merges, channels, quarantine, contradictions.

    Stage dates that contradict each other across files or systems are one line each (nothing
    when they agree); ``definitions`` gives the stages' labels.
    """
    shown, classes = [], []
    for r in quality.freshness.itertuples():
        shown.append(
            {
                t("quality.source", lang): str(r.source_system),
                t("quality.last_record", lang): _when(r.last_record, lang=lang),
                t("quality.last_import", lang): _when(r.last_import, lang=lang),
                t("quality.records", lang): format_count(r.records, lang=lang),
            }
        )
        classes.append(["rk-label", "rk-num", "rk-num", "rk-num"])
    parts = [subsection_heading(t("quality.title", lang))]
    if shown:
        parts.append(styled_table(pd.DataFrame(shown), classes, css_class="rk-quality").html)
    sources = [str(s) for s in quality.freshness["source_system"]] if shown else []
    facts = t(
        "quality.facts_one_source" if len(sources) == 1 else "quality.facts",
        lang,
        source=sources[0] if len(sources) == 1 else "",
        records=format_count(quality.lead_records, lang=lang),
        persons=format_count(quality.persons, lang=lang),
        merged=format_count(quality.merged, lang=lang),
        no_channel=format_count(quality.without_channel, lang=lang),
        share=format_pct(quality.without_channel_share, lang=lang),
    )
    parts.append(f'<p class="rk-note">{escape(facts)}</p>')
    parts += _sync_lines(quality, lang=lang)
    if definitions is not None:
        for line in quality.gaps.lines(definitions, lang=lang):
            parts.append(f'<p class="rk-missing">{escape(line)}</p>')
    for source, last in quality.emptied:
        parts.append(
            missing_html(
                "emptied_source", lang=lang, source=source, last=_when(last, lang=lang)
            ).html
        )
    if quality.quarantine.empty:
        parts.append(f'<p class="rk-note">{escape(t("quality.no_quarantine", lang))}</p>')
    else:
        items = t("summary.join", lang).join(
            f"{r.reason} {format_count(r.rows, lang=lang)}" for r in quality.quarantine.itertuples()
        )
        parts.append(f'<p class="rk-note">{escape(t("quality.quarantine", lang, items=items))}</p>')
    parts.append(_consistency_html(quality, lang=lang, definitions=definitions))
    return Html("".join(parts), text=t("quality.title", lang))


def _sync_lines(quality: DataQuality, *, lang: str) -> list[str]:
    """One line per CRM sync source; a stale or never-synced one is a "watch" line."""
    lines = []
    for s in quality.sync:
        last = _when(s.last_success, lang=lang)
        if s.never:
            text, css = t("quality.sync_never", lang, source=s.source), "rk-missing"
        elif s.stale:
            hours = format_count(s.stale_after_hours, lang=lang)
            text = t("quality.sync_stale", lang, source=s.source, hours=hours, last=last)
            css = "rk-missing"
        else:
            objects = t("summary.join", lang).join(s.objects)
            text, css = (
                t("quality.sync", lang, source=s.source, last=last, objects=objects),
                "rk-note",
            )
        lines.append(f'<p class="{css}">{escape(text)}</p>')
    return lines


def _consistency_html(quality: DataQuality, *, lang: str, definitions: Definitions | None) -> str:
    """The stage-date contradictions as a short list; ``""`` when there are none."""
    if quality.consistency.empty:
        return ""
    from reviewkit.present.sections.consistency import consistency_lines

    lines = consistency_lines(quality.consistency, definitions=definitions, lang=lang)
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    title = escape(t("consistency.title", lang))
    return f'<div class="rk-consistency"><p class="rk-note">{title}</p><ul>{items}</ul></div>'
