"""The monthly follow-up cause family: each team's SLA against its own baseline, stalled deals.

The frames come from :func:`reviewkit.analysis.followup.team_follow_up` and
:func:`reviewkit.analysis.followup.stalled_opportunities`.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from reviewkit.analysis.followup import format_hours, team_name
from reviewkit.analysis.followup_month import (
    STALLED_FLOOR_DAYS,
    STALLED_HISTORY_DAYS,
    STALLED_NO_HISTORY_DAYS,
    STALLED_QUANTILE,
    stalled_by_team,
)
from reviewkit.core.periods import Period
from reviewkit.i18n.formatting import DASH, format_count, format_money, format_pct, format_period
from reviewkit.i18n.texts import check_lang, t
from reviewkit.model.labels import duration_words
from reviewkit.present.html import Html
from reviewkit.present.sections.followup_pulse import cell_text, followup_paragraph
from reviewkit.present.tables import styled_table


def _days(value: float, *, lang: str) -> str:
    """``120日`` / ``120 d``; a dash when missing."""
    if value is None or pd.isna(value):
        return DASH
    return t("followup.month.days", lang, value=format_count(value, lang=lang))


def _stage_name(name: object, *, lang: str) -> str:
    return t("followup.month.unknown_stage", lang) if name is None or pd.isna(name) else str(name)


def team_follow_up_html(
    frame: pd.DataFrame,
    *,
    lang: str,
    within: str | None = None,
    stage: str = "MQL",
    period: Period | None = None,
    baseline: Period | None = None,
) -> Html:
    """Render :func:`team_follow_up` for the monthly pack (no heading).

    Parameters
    ----------
    frame
        The frame of :func:`team_follow_up`.
    lang
        ``ja`` or ``en``.
    within
        The SLA window as written in the definitions (e.g. ``24h``); ``None`` when the
        definitions have no SLA metric (an empty frame then says so).
    stage
        The label of the stage the SLA starts from, in ``lang``.
    period, baseline
        When given, the note names them.

    Returns
    -------
    Html
        A table per team (MQLs, SLA % and median hours now and before, never touched with
        its share, touched now and before, late beyond the team's usual rate) and a note on
        how it is counted.
    """
    check_lang(lang)
    if within is None:
        note = t("followup.month.no_sla", lang)
        return Html(followup_paragraph(note, css_class="rk-note"), text=note)
    window = duration_words(within, lang=lang)
    if frame.empty:
        text = t("followup.month.none", lang, stage=stage)
        return Html(followup_paragraph(text), text=text)

    def col(key: str) -> str:
        return t(f"followup.month.col.{key}", lang, stage=stage, within=window)

    pct = [format_pct(v, lang=lang) for v in frame["sla"]]
    shown = pd.DataFrame(
        {
            t("followup.col.team", lang): [team_name(v, lang=lang) for v in frame["sales_team"]],
            col("mqls"): [format_count(v, lang=lang) for v in frame["mqls"]],
            col("sla_now"): pct,
            col("sla_before"): [format_pct(v, lang=lang) for v in frame["sla_before"]],
            col("median_now"): [format_hours(v, lang=lang) for v in frame["median_hours"]],
            col("median_before"): [
                format_hours(v, lang=lang) for v in frame["median_hours_before"]
            ],
            col("never"): [
                t(
                    "followup.month.count_share",
                    lang,
                    count=format_count(n, lang=lang),
                    share=format_pct(s, lang=lang),
                )
                for n, s in zip(frame["never_touched"], frame["untouched_share"], strict=True)
            ],
            col("never_before"): [
                format_pct(v, lang=lang) for v in frame["untouched_share_before"]
            ],
            col("touched_now"): [format_count(v, lang=lang) for v in frame["touched"]],
            col("touched_before"): [format_count(v, lang=lang) for v in frame["touched_before"]],
            col("missed"): [format_count(v, lang=lang) for v in frame["missed_beyond_usual"]],
        }
    )
    classes = [["rk-label", *["rk-num"] * (shown.shape[1] - 1)]] * len(shown)
    table = styled_table(shown, classes, css_class="rk-followup-teams rk-followup-month")
    note = t("followup.month.note", lang, stage=stage, within=window)
    if period is not None and baseline is not None:
        periods = t(
            "followup.month.note_periods",
            lang,
            period=format_period(period, lang=lang),
            baseline=format_period(baseline, lang=lang),
        )
        note = f"{periods}{t('followup.join', lang)}{note}"
    return Html(
        table.html + followup_paragraph(note, css_class="rk-note"), text=f"{table.text}\n{note}"
    )


def stalled_html(
    stalled: pd.DataFrame,
    *,
    threshold_days: int,
    lang: str,
    currency: str,
    top: int = 10,
    threshold_is_default: bool = False,
    amounts: bool = True,
) -> Html:
    """Render :func:`stalled_opportunities` for the monthly pack (no heading).

    Parameters
    ----------
    stalled
        The frame of :func:`stalled_opportunities`.
    threshold_days
        The threshold it used.
    lang
        ``ja`` or ``en``.
    currency
        The workspace's currency (ISO 4217): the deals' amounts are in it.
    top
        How many of the oldest deals to list.
    threshold_is_default
        Whether the threshold is :func:`stalled_threshold`'s (the note then explains it).
    amounts
        Whether the deals carry amounts; without, the amount columns are left out and the
        sentence counts deals only.

    Returns
    -------
    Html
        A sentence (how many open deals are at least ``threshold_days`` old, worth how
        much), the table by team and stage, the oldest ``top`` deals in a ``<details>``
        element, and a note on how ages are counted.
    """
    check_lang(lang)
    days = format_count(threshold_days, lang=lang)
    if stalled.empty:
        text = t("followup.month.stalled.none", lang, days=days)
        return Html(followup_paragraph(text), text=text)
    total = stalled["amount"].sum(min_count=1)
    summary = t(
        "followup.month.stalled.summary" if amounts else "followup.month.stalled.summary_count",
        lang,
        days=days,
        count=format_count(len(stalled), lang=lang),
        amount=format_money(total, currency=currency, lang=lang),
    )
    summary_table = _stalled_teams_table(stalled, lang=lang, currency=currency, amounts=amounts)
    oldest = stalled.head(top)
    list_table = _stalled_list_table(oldest, lang=lang, currency=currency, amounts=amounts)
    caption = t("followup.month.stalled.oldest", lang, n=len(oldest), total=len(stalled))
    note = _stalled_note(days, lang=lang, threshold_is_default=threshold_is_default)
    html = (
        followup_paragraph(summary)
        + summary_table.html
        + f"<details><summary>{escape(caption)}</summary>{list_table.html}</details>"
        + followup_paragraph(note, css_class="rk-note")
    )
    text = "\n".join([summary, summary_table.text, caption, list_table.text, note])
    return Html(html, text=text)


def _stalled_teams_table(stalled: pd.DataFrame, *, lang: str, currency: str, amounts: bool) -> Html:
    """The stalled deals by team and stage (:func:`stalled_by_team`)."""
    amount_col = t("followup.month.stalled.col.amount", lang)
    by_team = stalled_by_team(stalled)
    teams_frame = pd.DataFrame(
        {
            t("followup.col.team", lang): [team_name(v, lang=lang) for v in by_team["sales_team"]],
            t("followup.month.stalled.col.stage", lang): [
                _stage_name(v, lang=lang) for v in by_team["stage"]
            ],
            t("followup.month.stalled.col.count", lang): [
                format_count(v, lang=lang) for v in by_team["count"]
            ],
            amount_col: [format_money(v, currency=currency, lang=lang) for v in by_team["amount"]],
            t("followup.month.stalled.col.median_age", lang): [
                _days(v, lang=lang) for v in by_team["median_age_days"]
            ],
        }
    )
    if not amounts:
        teams_frame = teams_frame.drop(columns=amount_col)
    return styled_table(
        teams_frame,
        [["rk-label", "rk-text", *["rk-num"] * (teams_frame.shape[1] - 2)]] * len(by_team),
        css_class="rk-followup-oldest rk-stalled-teams",
        lang=lang,
    )


def _stalled_list_table(oldest: pd.DataFrame, *, lang: str, currency: str, amounts: bool) -> Html:
    """The oldest stalled deals, one row each."""
    amount_col = t("followup.month.stalled.col.amount", lang)
    list_frame = pd.DataFrame(
        {
            t("followup.month.stalled.col.opportunity", lang): [
                cell_text(v) for v in oldest["opportunity_id"]
            ],
            t("followup.col.team", lang): [team_name(v, lang=lang) for v in oldest["sales_team"]],
            t("followup.month.stalled.col.stage", lang): [
                _stage_name(v, lang=lang) for v in oldest["stage"]
            ],
            amount_col: [format_money(v, currency=currency, lang=lang) for v in oldest["amount"]],
            t("followup.month.stalled.col.age", lang): [
                _days(v, lang=lang) for v in oldest["age_days"]
            ],
            t("followup.month.stalled.col.idle", lang): [
                _days(v, lang=lang) for v in oldest["idle_days"]
            ],
        }
    )
    if not amounts:
        list_frame = list_frame.drop(columns=amount_col)
    return styled_table(
        list_frame,
        [["rk-label", "rk-text", "rk-text", *["rk-num"] * (list_frame.shape[1] - 3)]] * len(oldest),
        css_class="rk-followup-oldest rk-stalled-list",
        lang=lang,
    )


def _stalled_note(days: str, *, lang: str, threshold_is_default: bool) -> str:
    """How ages are counted, after the default threshold's rule when it is the default."""
    note = t("followup.month.stalled.note", lang)
    if not threshold_is_default:
        return note
    rule = t(
        "followup.month.stalled.note_default",
        lang,
        days=days,
        quantile=f"{STALLED_QUANTILE * 100:.0f}",
        history=STALLED_HISTORY_DAYS,
        floor=STALLED_FLOOR_DAYS,
        fallback=STALLED_NO_HISTORY_DAYS,
    )
    return f"{rule}{t('followup.join', lang)}{note}"
