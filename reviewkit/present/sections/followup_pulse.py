"""The weekly follow-up pulse: untouched leads past the SLA, by team, and the oldest waiting.

The figures come from :func:`reviewkit.analysis.followup.follow_up_pulse`.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from reviewkit.analysis.followup import (
    SLA_GOAL,
    FollowUpPulse,
    format_hours,
    has_teams,
    team_name,
    team_status,
)
from reviewkit.i18n.formatting import DASH, format_count, format_datetime, format_pct, format_period
from reviewkit.i18n.texts import check_lang, t
from reviewkit.model.labels import duration_words
from reviewkit.present.html import Html
from reviewkit.present.tables import styled_table

_STATUS_CLASS = {"act": "rk-missed", "watch": "rk-near", "ok": "rk-met"}


def cell_text(value: object) -> str:
    """A table cell's text: the value, or a dash when missing."""
    return DASH if value is None or pd.isna(value) else str(value)


def followup_paragraph(text: str, *, css_class: str = "rk-followup-summary") -> str:
    """A follow-up paragraph (``<p class="rk-followup-summary">`` unless told), escaped."""
    return f'<p class="{css_class}">{escape(text)}</p>'


def _summary(pulse: FollowUpPulse, *, lang: str) -> str:
    """The sentences above the tables: the backlog, where it is, and the week's SLA %."""
    words = {
        "within": duration_words(pulse.within, lang=lang),
        "stage": pulse.stage_label(lang),
        "days": pulse.lookback_days,
    }
    if pulse.total_overdue and not has_teams(pulse):
        text = t(
            "followup.summary_no_team", lang,
            count=format_count(pulse.total_overdue, lang=lang), **words,
        )  # fmt: skip
    elif pulse.total_overdue:
        worst = pulse.by_team.iloc[0]
        text = t(
            "followup.summary",
            lang,
            count=format_count(pulse.total_overdue, lang=lang),
            team=team_name(worst["sales_team"], lang=lang),
            team_count=format_count(worst["overdue_untouched"], lang=lang),
            **words,
        )
    else:
        text = t("followup.summary_none", lang, **words)
    week = t(
        "followup.summary_week",
        lang,
        period=format_period(pulse.week, lang=lang),
        rate=format_pct(pulse.total_sla_rate_week, lang=lang),
        in_sla=format_count(pulse.total_in_sla_week, lang=lang),
        due=format_count(pulse.total_due_week, lang=lang),
    )
    return f"{text}{t('followup.join', lang)}{week}"


def _team_table(pulse: FollowUpPulse, *, lang: str) -> Html:
    by_team = pulse.by_team
    status = team_status(by_team)
    stage = pulse.stage_label(lang)
    shown = pd.DataFrame(
        {
            t("followup.col.team", lang): [team_name(v, lang=lang) for v in by_team["sales_team"]],
            t("followup.col.status", lang): [t(f"followup.status.{s}", lang) for s in status],
            t("followup.col.overdue", lang, days=pulse.lookback_days): [
                format_count(v, lang=lang) for v in by_team["overdue_untouched"]
            ],
            t("followup.col.oldest_wait", lang): [
                format_hours(v, lang=lang) for v in by_team["oldest_waiting_hours"]
            ],
            t("followup.col.entered", lang, stage=stage): [
                format_count(v, lang=lang) for v in by_team["entered_week"]
            ],
            t("followup.col.due", lang): [format_count(v, lang=lang) for v in by_team["due_week"]],
            t("followup.col.in_sla", lang): [
                format_count(v, lang=lang) for v in by_team["in_sla_week"]
            ],
            t("followup.col.sla_rate", lang): [
                format_pct(v, lang=lang) for v in by_team["sla_rate_week"]
            ],
            t("followup.col.median", lang): [
                format_hours(v, lang=lang) for v in by_team["median_hours_week"]
            ],
        }
    )
    classes = [
        ["rk-label", f"rk-status {_STATUS_CLASS[s]}", *["rk-num"] * (shown.shape[1] - 2)]
        for s in status
    ]
    return styled_table(shown, classes, css_class="rk-followup-teams", lang=lang)


def _oldest_table(pulse: FollowUpPulse, *, lang: str) -> Html:
    oldest = pulse.oldest
    entered = oldest["entered_at"].dt.tz_convert(pulse.cutoff.tzinfo)
    shown = pd.DataFrame(
        {
            t("followup.col.person", lang): [cell_text(v) for v in oldest["person_id"]],
            t("followup.col.company", lang): [cell_text(v) for v in oldest["company_name"]],
            t("followup.col.team", lang): [team_name(v, lang=lang) for v in oldest["sales_team"]],
            t("followup.col.channel", lang): [cell_text(v) for v in oldest["channel"]],
            t("followup.col.entered_at", lang, stage=pulse.stage_label(lang)): [
                format_datetime(v.to_pydatetime(), lang=lang) for v in entered
            ],
            t("followup.col.waiting", lang): [
                format_hours(v, lang=lang) for v in oldest["waiting_hours"]
            ],
        }
    )
    classes = [["rk-label", "rk-text", "rk-text", "rk-text", "rk-num", "rk-num"]] * len(shown)
    if not has_teams(pulse):  # no teams recorded: no column of "(no team)"
        shown = shown.drop(columns=t("followup.col.team", lang))
        classes = [["rk-label", "rk-text", "rk-text", "rk-num", "rk-num"]] * len(shown)
    return styled_table(shown, classes, css_class="rk-followup-oldest", lang=lang)


def follow_up_html(pulse: FollowUpPulse | None, *, lang: str) -> Html:
    """Render the follow-up pulse for a pack (no heading: the pack's section gives it).

    Parameters
    ----------
    pulse
        The pulse, or ``None`` when the definitions have no SLA metric.
    lang
        ``ja`` or ``en``.

    Returns
    -------
    Html
        A sentence on the overdue backlog and the week's SLA %, the by-team table (status
        in symbol and word as well as colour; left out when no one has a sales team), the
        longest-waiting untouched people and a note on how the numbers are counted; or,
        without an SLA metric, a note on how to add one.
    """
    check_lang(lang)
    if pulse is None:
        note = t("followup.no_sla", lang)
        return Html(followup_paragraph(note, css_class="rk-note"), text=note)
    summary = _summary(pulse, lang=lang)
    parts, texts = [followup_paragraph(summary)], [summary]
    if len(pulse.by_team) and has_teams(pulse):
        teams = _team_table(pulse, lang=lang)
        parts.append(teams.html)
        texts.append(teams.text)
    if len(pulse.oldest):
        caption = t(
            "followup.oldest_title",
            lang,
            stage=pulse.stage_label(lang),
            n=len(pulse.oldest),
            at=format_datetime(pulse.cutoff, lang=lang),
        )
        oldest = _oldest_table(pulse, lang=lang)
        parts += [followup_paragraph(caption, css_class="rk-followup-caption"), oldest.html]
        texts += [caption, oldest.text]
    note = t(
        "followup.note",
        lang,
        stage=pulse.stage_label(lang),
        within=duration_words(pulse.within, lang=lang),
        goal=f"{SLA_GOAL:.0%}",
        days=pulse.lookback_days,
    )
    parts.append(followup_paragraph(note, css_class="rk-note"))
    return Html("".join(parts), text="\n".join(texts))
