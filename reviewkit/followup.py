"""The weekly review's follow-up pulse: who is waiting for a first touch, by sales team.

The agreed SLA (the definitions' first ``sla`` metric, e.g. *first human touch within 24 h of
becoming an MQL*) is a rate; a rate hides the people behind it. The pulse turns it into a
work list for the meeting:

- per sales team, the review week's entrants, how many were due (their SLA window had
  elapsed by the cut-off), how many of those were touched in time, the median time to first
  touch, and the *overdue backlog*: people who entered within the look-back window, whose SLA
  window has elapsed and who are still untouched at the cut-off;
- the longest-waiting people of that backlog, by name of company, so someone can call them.

"Within" excludes its end, as everywhere in reviewkit: a touch exactly at the end of the
window is late. A touch after the cut-off is not known yet: that person is untouched.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from html import escape

import pandas as pd

from reviewkit.definitions import parse_duration
from reviewkit.formatting import DASH, format_count, format_datetime, format_pct, format_period
from reviewkit.glossary import duration_words
from reviewkit.html import Html
from reviewkit.periods import Period
from reviewkit.semantic import Funnel
from reviewkit.tables import styled_table
from reviewkit.texts import check_lang, t
from reviewkit.workspace import Localized

SLA_GOAL = 0.8  # a team's SLA % below this needs attention
BY_TEAM_COLUMNS = [
    "sales_team", "entered_week", "due_week", "in_sla_week", "sla_rate_week",
    "median_hours_week", "overdue_untouched", "oldest_waiting_hours",
]  # fmt: skip
OLDEST_COLUMNS = [
    "person_id", "company_name", "sales_team", "channel", "entered_at", "waiting_hours",
]  # fmt: skip
_COUNTS = ["entered_week", "due_week", "in_sla_week", "overdue_untouched"]
_STATUS_CLASS = {"act": "rk-missed", "watch": "rk-near", "ok": "rk-met"}


@dataclass(frozen=True)
class FollowUpPulse:
    """The follow-up pulse of one review week (see :func:`follow_up_pulse`).

    Attributes
    ----------
    by_team
        One row per sales team (``None`` = no team), worst first: columns
        :data:`BY_TEAM_COLUMNS`.
    oldest
        The longest-waiting overdue untouched people, longest first: columns
        :data:`OLDEST_COLUMNS`.
    sla_hours
        The SLA window in hours.
    lookback_days
        How far back (from the cut-off) the overdue backlog reaches.
    stage
        The stage the SLA starts from (e.g. ``mql``).
    stage_label
        That stage's label in both languages.
    metric
        The SLA metric's key.
    within
        The SLA window as written in the definitions (e.g. ``24h``).
    week
        The review week.
    cutoff
        The data cut-off (exclusive; waiting times are measured up to it).
    total_overdue
        Overdue untouched people over all teams.
    total_sla_rate_week
        In time / due over all teams for the week (NaN when nobody was due).
    total_due_week
        Due over all teams for the week.
    total_in_sla_week
        Touched in time over all teams for the week.
    """

    by_team: pd.DataFrame
    oldest: pd.DataFrame
    sla_hours: float
    lookback_days: int
    stage: str
    stage_label: Localized
    metric: str
    within: str
    week: Period
    cutoff: dt.datetime
    total_overdue: int
    total_sla_rate_week: float
    total_due_week: int
    total_in_sla_week: int


def _missing_as_none(values: pd.Series) -> pd.Series:
    """Text with missing values as ``None`` (never NaN), as object dtype."""
    values = values.astype(object)
    return values.where(values.notna(), None)


def _sort_worst_first(by_team: pd.DataFrame) -> pd.DataFrame:
    """Largest overdue backlog first, then the lowest SLA %, then by team name."""
    order = by_team.assign(
        _overdue=-by_team["overdue_untouched"],
        _rate=by_team["sla_rate_week"].fillna(math.inf),
        _team=by_team["sales_team"].isna(),
        _name=by_team["sales_team"].fillna(""),
    ).sort_values(["_overdue", "_rate", "_team", "_name"], kind="stable")
    return order[BY_TEAM_COLUMNS].reset_index(drop=True)


def team_status(by_team: pd.DataFrame, *, goal: float = SLA_GOAL) -> pd.Series:
    """Each team's status: ``act``, ``watch`` or ``ok``.

    Parameters
    ----------
    by_team
        :attr:`FollowUpPulse.by_team`.
    goal
        The SLA % a team should reach.

    Returns
    -------
    pandas.Series
        ``act`` when a team has overdue untouched people *and* its SLA % this week is below
        ``goal``; ``watch`` when one of the two holds; ``ok`` otherwise. A week with nobody
        due (SLA % undefined) does not count as below the goal.
    """
    backlog = by_team["overdue_untouched"] > 0
    low = by_team["sla_rate_week"].lt(goal)  # NaN compares False
    status = pd.Series("ok", index=by_team.index, dtype=object)
    status[backlog | low] = "watch"
    status[backlog & low] = "act"
    return status


def follow_up_pulse(
    funnel: Funnel, *, week: Period, lookback_days: int = 30, oldest: int = 10
) -> FollowUpPulse | None:
    """Compute the follow-up pulse of a review week.

    Parameters
    ----------
    funnel
        The semantic layer; its cut-off is the moment the backlog and waiting times are
        measured at.
    week
        The review week (any period works; the columns say ``week``).
    lookback_days
        The overdue backlog counts people who entered within this many days before the
        cut-off.
    oldest
        How many of the longest-waiting overdue untouched people to list.

    Returns
    -------
    FollowUpPulse or None
        ``None`` when the definitions have no SLA metric.
    """
    metric = funnel.definitions.sla_metric
    if metric is None:
        return None
    within = pd.Timedelta(parse_duration(metric.within))
    cutoff = pd.Timestamp(funnel.cutoff).tz_convert(funnel.timezone)
    lookback_start = cutoff - pd.Timedelta(days=lookback_days)
    since = min(week.start, lookback_start.date())
    frame = funnel.first_touches(metric.from_, since=since)

    day = frame["entered_at"].dt.tz_localize(None).dt.normalize()
    in_week = (day >= pd.Timestamp(week.start)) & (day < pd.Timestamp(week.end))
    deadline = frame["entered_at"] + within
    due = deadline <= cutoff
    untouched = frame["touched_at"].isna()
    in_time = frame["touched_at"] < deadline  # NaT compares False
    overdue = (frame["entered_at"] >= lookback_start) & due & untouched
    hours = (frame["touched_at"] - frame["entered_at"]).dt.total_seconds() / 3600
    waiting = (cutoff - frame["entered_at"]).dt.total_seconds() / 3600

    work = pd.DataFrame(
        {
            "sales_team": _missing_as_none(frame["sales_team"]),
            "entered_week": in_week,
            "due_week": in_week & due,
            "in_sla_week": in_week & due & in_time,
            "median_hours_week": hours.where(in_week),
            "overdue_untouched": overdue,
            "oldest_waiting_hours": waiting.where(overdue),
        }
    )
    work = work[in_week | (frame["entered_at"] >= lookback_start)]
    grouped = work.groupby("sales_team", dropna=False, sort=False).agg(
        entered_week=("entered_week", "sum"),
        due_week=("due_week", "sum"),
        in_sla_week=("in_sla_week", "sum"),
        median_hours_week=("median_hours_week", "median"),
        overdue_untouched=("overdue_untouched", "sum"),
        oldest_waiting_hours=("oldest_waiting_hours", "max"),
    )
    by_team = grouped.reset_index()
    by_team["sales_team"] = _missing_as_none(by_team["sales_team"])
    by_team = by_team.astype({c: "int64" for c in _COUNTS})
    by_team["sla_rate_week"] = (by_team["in_sla_week"] / by_team["due_week"]).where(
        by_team["due_week"] > 0
    )
    by_team = by_team.astype({c: "float64" for c in ("median_hours_week", "oldest_waiting_hours")})
    by_team = _sort_worst_first(by_team)

    waiting_list = pd.DataFrame(
        {
            "person_id": frame["person_id"].astype(object),
            "company_name": _missing_as_none(frame["company_name"]),
            "sales_team": _missing_as_none(frame["sales_team"]),
            "channel": _missing_as_none(frame["channel"]),
            "entered_at": frame["entered_at"],
            "waiting_hours": waiting.astype("float64"),
        }
    )[overdue]
    longest = (
        waiting_list.sort_values(["waiting_hours", "person_id"], ascending=[False, True])
        .head(oldest)
        .reset_index(drop=True)
    )

    due_total = int(by_team["due_week"].sum())
    in_sla_total = int(by_team["in_sla_week"].sum())
    return FollowUpPulse(
        by_team=by_team,
        oldest=longest[OLDEST_COLUMNS],
        sla_hours=within.total_seconds() / 3600,
        lookback_days=lookback_days,
        stage=metric.from_,
        stage_label=funnel.definitions.stage(metric.from_).label,
        metric=metric.key,
        within=metric.within,
        week=week,
        cutoff=cutoff.to_pydatetime(),
        total_overdue=int(by_team["overdue_untouched"].sum()),
        total_sla_rate_week=in_sla_total / due_total if due_total else math.nan,
        total_due_week=due_total,
        total_in_sla_week=in_sla_total,
    )


# -- rendering -----------------------------------------------------------------------------------


def _hours(value: float, *, lang: str) -> str:
    """``61.2時間`` / ``61.2 h``; a dash when missing."""
    if value is None or math.isnan(value):
        return DASH
    return t("followup.hours", lang, value=f"{value:,.1f}")


def _team(name: object, *, lang: str) -> str:
    return t("followup.no_team", lang) if name is None or pd.isna(name) else str(name)


def _text(value: object) -> str:
    return DASH if value is None or pd.isna(value) else str(value)


def _p(text: str, css_class: str = "rk-followup-summary") -> str:
    return f'<p class="{css_class}">{escape(text)}</p>'


def _summary(pulse: FollowUpPulse, *, lang: str) -> str:
    """The sentences above the tables: the backlog, where it is, and the week's SLA %."""
    words = {
        "within": duration_words(pulse.within, lang=lang),
        "stage": pulse.stage_label(lang),
        "days": pulse.lookback_days,
    }
    if pulse.total_overdue:
        worst = pulse.by_team.iloc[0]
        text = t(
            "followup.summary",
            lang,
            count=format_count(pulse.total_overdue, lang=lang),
            team=_team(worst["sales_team"], lang=lang),
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
            t("followup.col.team", lang): [_team(v, lang=lang) for v in by_team["sales_team"]],
            t("followup.col.status", lang): [t(f"followup.status.{s}", lang) for s in status],
            t("followup.col.overdue", lang, days=pulse.lookback_days): [
                format_count(v, lang=lang) for v in by_team["overdue_untouched"]
            ],
            t("followup.col.oldest_wait", lang): [
                _hours(v, lang=lang) for v in by_team["oldest_waiting_hours"]
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
                _hours(v, lang=lang) for v in by_team["median_hours_week"]
            ],
        }
    )
    classes = [
        ["rk-label", f"rk-status {_STATUS_CLASS[s]}", *["rk-num"] * (shown.shape[1] - 2)]
        for s in status
    ]
    return styled_table(shown, classes, css_class="rk-followup-teams")


def _oldest_table(pulse: FollowUpPulse, *, lang: str) -> Html:
    oldest = pulse.oldest
    entered = oldest["entered_at"].dt.tz_convert(pulse.cutoff.tzinfo)
    shown = pd.DataFrame(
        {
            t("followup.col.person", lang): [_text(v) for v in oldest["person_id"]],
            t("followup.col.company", lang): [_text(v) for v in oldest["company_name"]],
            t("followup.col.team", lang): [_team(v, lang=lang) for v in oldest["sales_team"]],
            t("followup.col.channel", lang): [_text(v) for v in oldest["channel"]],
            t("followup.col.entered_at", lang, stage=pulse.stage_label(lang)): [
                format_datetime(v.to_pydatetime(), lang=lang) for v in entered
            ],
            t("followup.col.waiting", lang): [
                _hours(v, lang=lang) for v in oldest["waiting_hours"]
            ],
        }
    )
    classes = [["rk-label", "rk-text", "rk-text", "rk-text", "rk-num", "rk-num"]] * len(shown)
    return styled_table(shown, classes, css_class="rk-followup-oldest")


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
        in symbol and word as well as colour), the longest-waiting untouched people and a
        note on how the numbers are counted; or, without an SLA metric, a note on how to
        add one.
    """
    check_lang(lang)
    if pulse is None:
        note = t("followup.no_sla", lang)
        return Html(_p(note, "rk-note"), text=note)
    summary = _summary(pulse, lang=lang)
    parts, texts = [_p(summary)], [summary]
    if len(pulse.by_team):
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
        parts += [_p(caption, "rk-followup-caption"), oldest.html]
        texts += [caption, oldest.text]
    note = t(
        "followup.note",
        lang,
        stage=pulse.stage_label(lang),
        within=duration_words(pulse.within, lang=lang),
        goal=f"{SLA_GOAL:.0%}",
        days=pulse.lookback_days,
    )
    parts.append(_p(note, "rk-note"))
    return Html("".join(parts), text="\n".join(texts))
