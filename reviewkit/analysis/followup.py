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

import pandas as pd

from reviewkit.core.periods import Period
from reviewkit.core.workspace import Localized
from reviewkit.i18n.formatting import (
    DASH,
)
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import parse_duration
from reviewkit.semantic.funnel import Funnel

SLA_GOAL = 0.8  # a team's SLA % below this needs attention
BY_TEAM_COLUMNS = [
    "sales_team", "entered_week", "due_week", "in_sla_week", "sla_rate_week",
    "median_hours_week", "overdue_untouched", "oldest_waiting_hours",
]  # fmt: skip
OLDEST_COLUMNS = [
    "person_id", "company_name", "sales_team", "channel", "entered_at", "waiting_hours",
]  # fmt: skip
_COUNTS = ["entered_week", "due_week", "in_sla_week", "overdue_untouched"]


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


def missing_as_none(values: pd.Series) -> pd.Series:
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
            "sales_team": missing_as_none(frame["sales_team"]),
            "entered_week": in_week,
            "due_week": in_week & due,
            "in_sla_week": in_week & due & in_time,
            "median_hours_week": hours.where(in_week),
            "overdue_untouched": overdue,
            "oldest_waiting_hours": waiting.where(overdue),
        }
    )
    work = work[in_week | (frame["entered_at"] >= lookback_start)]
    by_team = _by_team(work)
    longest = _longest_waiting(frame, waiting=waiting, overdue=overdue, oldest=oldest)

    due_total = int(by_team["due_week"].sum())
    in_sla_total = int(by_team["in_sla_week"].sum())
    return FollowUpPulse(
        by_team=by_team,
        oldest=longest,
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


def _by_team(work: pd.DataFrame) -> pd.DataFrame:
    """The pulse's people summed per sales team (:data:`BY_TEAM_COLUMNS`), worst first."""
    grouped = work.groupby("sales_team", dropna=False, sort=False).agg(
        entered_week=("entered_week", "sum"),
        due_week=("due_week", "sum"),
        in_sla_week=("in_sla_week", "sum"),
        median_hours_week=("median_hours_week", "median"),
        overdue_untouched=("overdue_untouched", "sum"),
        oldest_waiting_hours=("oldest_waiting_hours", "max"),
    )
    by_team = grouped.reset_index()
    by_team["sales_team"] = missing_as_none(by_team["sales_team"])
    by_team = by_team.astype({c: "int64" for c in _COUNTS})
    by_team["sla_rate_week"] = (by_team["in_sla_week"] / by_team["due_week"]).where(
        by_team["due_week"] > 0
    )
    by_team = by_team.astype({c: "float64" for c in ("median_hours_week", "oldest_waiting_hours")})
    return _sort_worst_first(by_team)


def _longest_waiting(
    frame: pd.DataFrame, *, waiting: pd.Series, overdue: pd.Series, oldest: int
) -> pd.DataFrame:
    """The ``oldest`` longest-waiting overdue untouched people (:data:`OLDEST_COLUMNS`)."""
    waiting_list = pd.DataFrame(
        {
            "person_id": frame["person_id"].astype(object),
            "company_name": missing_as_none(frame["company_name"]),
            "sales_team": missing_as_none(frame["sales_team"]),
            "channel": missing_as_none(frame["channel"]),
            "entered_at": frame["entered_at"],
            "waiting_hours": waiting.astype("float64"),
        }
    )[overdue]
    longest = (
        waiting_list.sort_values(["waiting_hours", "person_id"], ascending=[False, True])
        .head(oldest)
        .reset_index(drop=True)
    )
    return longest[OLDEST_COLUMNS]


# -- rendering -----------------------------------------------------------------------------------


def format_hours(value: float, *, lang: str) -> str:
    """``61.2時間`` / ``61.2 h``; a dash when missing."""
    if value is None or math.isnan(value):
        return DASH
    return t("followup.hours", lang, value=f"{value:,.1f}")


def team_name(name: object, *, lang: str) -> str:
    """A sales team's name, or '(no team)'."""
    return t("followup.no_team", lang) if name is None or pd.isna(name) else str(name)


def has_teams(pulse: FollowUpPulse) -> bool:
    """Whether any of the pulse's people has a sales team (else no table by team)."""
    return bool(pulse.by_team["sales_team"].notna().any())
