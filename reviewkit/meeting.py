"""The meeting sections of a pack: deviations, the decision sheet, the data quality block.

The monthly pack's causes and checklist live in :mod:`reviewkit.monthly` and
:mod:`reviewkit.checklist`.
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from reviewkit.deviations import MIN_VOLUME, breakdowns, falling_rate, missed
from reviewkit.formatting import MINUS, format_count, format_datetime, format_pct, format_yen
from reviewkit.glossary import metric_label
from reviewkit.html import Html
from reviewkit.tables import styled_table
from reviewkit.texts import t

if TYPE_CHECKING:
    from reviewkit.quality import DataQuality
    from reviewkit.review import Review


def _h3(text: str) -> str:
    return f'<h3 class="rk-subsection">{escape(text)}</h3>'


def _signed(value: float, *, digits: int = 1) -> str:
    return "—" if math.isnan(value) else f"{value:+.{digits}f}".replace("-", MINUS)


def missed_table(review: Review) -> str:
    """The metrics below target, worst first, with the gap."""
    lang = review.lang
    rows = missed(review.card)
    if rows.empty:
        return f'<p class="rk-note">{escape(t("dev.none_missed", lang))}</p>'
    shown, classes = [], []
    for r in rows.itertuples():
        fmt = format_yen if r.kind == "amount" else format_count
        gap = fmt(r.gap, lang=lang)
        shown.append(
            {
                t("col.metric", lang): metric_label(review.definitions, r.metric, lang=lang),
                t("col.actual", lang): fmt(r.actual, lang=lang),
                t("col.target", lang): fmt(r.target, lang=lang),
                t("col.achievement", lang): format_pct(r.achievement, lang=lang),
                t("col.gap", lang): gap,
            }
        )
        classes.append(["rk-label", "rk-num", "rk-num", "rk-num", "rk-num"])
    return styled_table(pd.DataFrame(shown), classes, css_class="rk-missed-table").html


def movers_table(frame: pd.DataFrame, *, lang: str) -> str:
    """One dimension's movers (see :func:`reviewkit.deviations.movers`)."""
    shown, classes = [], []
    for r in frame.itertuples():
        name = t("segment.unknown", lang) if pd.isna(r.segment) else str(r.segment)
        star = "＊" if r.baseline == "overall" else ""
        shown.append(
            {
                t("col.segment", lang): name,
                t("col.rate", lang): format_pct(r.value, lang=lang),
                t("col.previous", lang): f"{format_pct(r.previous, lang=lang)}{star}",
                t("col.people", lang): format_count(r.denominator, lang=lang),
                t("col.change_points", lang): t(
                    "rate.points", lang, value=_signed(r.change_points)
                ),
                t("col.impact", lang): _signed(r.impact, digits=0),
            }
        )
        classes.append(["rk-label", "rk-num", "rk-num", "rk-num", "rk-num", "rk-num"])
    return styled_table(pd.DataFrame(shown), classes, css_class="rk-movers").html


def deviations_html(review: Review) -> Html:
    """The deviations section: what missed, who moved the falling rate, and the checklist."""
    lang = review.lang
    parts = [_h3(t("dev.missed_title", lang)), missed_table(review)]
    metric = falling_rate(review.rate_frame)
    if metric is None:
        parts.append(f'<p class="rk-note">{escape(t("dev.no_drop", lang))}</p>')
    else:
        label = metric_label(review.definitions, metric, lang=lang)
        for dimension, frame in breakdowns(
            review.funnel, metric, review.period, previous=review.previous
        ).items():
            if frame.empty:
                continue
            title = t(
                "dev.movers_title", lang, metric=label, dimension=t(f"dimension.{dimension}", lang)
            )
            parts += [_h3(title), movers_table(frame, lang=lang)]
        parts.append(f'<p class="rk-note">{escape(t("dev.movers_note", lang, min=MIN_VOLUME))}</p>')
    return Html("".join(parts), text=t("dev.missed_title", lang))


def decisions_html(lang: str, *, rows: int = 3) -> Html:
    """An empty decision sheet to fill in during the meeting."""
    columns = [
        t(k, lang) for k in ("col.number", "col.decision", "col.target_kpi", "col.owner", "col.due")
    ]
    frame = pd.DataFrame([[str(i + 1), "", "", "", ""] for i in range(rows)], columns=columns)
    classes = [["rk-num", "rk-blank", "rk-blank", "rk-blank", "rk-blank"]] * rows
    table = styled_table(frame, classes, css_class="rk-decisions").html
    return Html(f'<p class="rk-note">{escape(t("decisions.note", lang))}</p>{table}')


def quality_html(quality: DataQuality, *, lang: str) -> Html:
    """The data quality block: freshness per source, merges, channels, quarantine."""
    shown, classes = [], []
    for r in quality.freshness.itertuples():
        shown.append(
            {
                t("quality.source", lang): str(r.source_system),
                t("quality.last_record", lang): (
                    format_datetime(r.last_record, lang=lang) if r.last_record else "—"
                ),
                t("quality.last_import", lang): (
                    format_datetime(r.last_import, lang=lang) if r.last_import else "—"
                ),
                t("quality.records", lang): format_count(r.records, lang=lang),
            }
        )
        classes.append(["rk-label", "rk-num", "rk-num", "rk-num"])
    parts = [_h3(t("quality.title", lang))]
    if shown:
        parts.append(styled_table(pd.DataFrame(shown), classes, css_class="rk-quality").html)
    facts = t(
        "quality.facts",
        lang,
        records=format_count(quality.lead_records, lang=lang),
        persons=format_count(quality.persons, lang=lang),
        merged=format_count(quality.merged, lang=lang),
        no_channel=format_count(quality.without_channel, lang=lang),
        share=format_pct(quality.without_channel_share, lang=lang),
    )
    parts.append(f'<p class="rk-note">{escape(facts)}</p>')
    if quality.quarantine.empty:
        parts.append(f'<p class="rk-note">{escape(t("quality.no_quarantine", lang))}</p>')
    else:
        items = t("summary.join", lang).join(
            f"{r.reason} {format_count(r.rows, lang=lang)}" for r in quality.quarantine.itertuples()
        )
        parts.append(f'<p class="rk-note">{escape(t("quality.quarantine", lang, items=items))}</p>')
    return Html("".join(parts), text=t("quality.title", lang))
