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
from reviewkit.errors import ParameterError
from reviewkit.i18n.formatting import (
    DASH,
)
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import SpeedToLeadMetric, parse_duration
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


# -- the monthly review: the follow-up cause family ----------------------------------------------

TEAM_FOLLOW_UP_COLUMNS = [
    "sales_team", "mqls", "due", "in_sla", "sla", "median_hours", "never_touched",
    "untouched_share", "sla_before", "median_hours_before", "untouched_share_before",
    "missed_beyond_usual", "touched", "touched_before", "due_before", "in_sla_before",
]  # fmt: skip
STALLED_BY_TEAM_COLUMNS = ["sales_team", "stage", "count", "amount", "median_age_days"]
STALLED_QUANTILE = 0.8  # the default threshold: this quantile of recent deals' days to close
STALLED_FLOOR_DAYS = 30  # ... never below this
STALLED_NO_HISTORY_DAYS = 90  # ... and this without any deal closed in the last year
STALLED_HISTORY_DAYS = 365


def _speed_metric(funnel: Funnel, stage: str) -> SpeedToLeadMetric:
    """The definitions' speed-to-lead metric from ``stage``, or one made for it."""
    for metric in funnel.definitions.metrics:
        if isinstance(metric, SpeedToLeadMetric) and metric.from_ == stage:
            return metric
    keys = {m.key for m in funnel.definitions.metrics}
    key = next(k for k in (f"speed_to_{stage}", "rk_speed_to_lead") if k not in keys)
    return SpeedToLeadMetric(key=key, type="speed_to_lead", from_=stage)


def _team_key(teams: pd.Series) -> pd.Series:
    """A join key for a team that keeps the missing team apart from every named one."""
    return teams.map(lambda v: "-" if v is None or pd.isna(v) else f"t:{v}")


def _share(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """The ratio as float, NaN where the denominator is 0."""
    return (numerator / denominator.where(denominator > 0)).astype("float64")


def team_follow_up(funnel: Funnel, period: Period, *, baseline: Period) -> pd.DataFrame:
    """Follow-up of the period's MQLs by sales team, against the team's own baseline.

    Every number comes from :meth:`Funnel.metric_frame` (the definitions' SLA metric and
    speed to lead, by ``sales_team``), so it reconciles with the scorecard; only
    ``never_touched`` is counted from :meth:`Funnel.first_touches` (the same people: it is
    ``mqls - touched``). Touches are counted up to the funnel's cut-off for both periods.

    Parameters
    ----------
    funnel
        The semantic layer.
    period
        The review period.
    baseline
        The period to compare with (e.g. the previous month or quarter).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TEAM_FOLLOW_UP_COLUMNS`, one row per sales team (``None`` = no team)
        with at least one entrant into the SLA's stage in ``period``, most
        ``missed_beyond_usual`` first:

        - ``mqls``: entrants in the period; ``due``: of them, those whose SLA window had
          elapsed by the cut-off; ``in_sla``: of those, touched by a person in time;
          ``sla`` = in_sla / due (NaN when nobody was due);
        - ``median_hours``: median hours to the first human touch (of those touched);
        - ``never_touched``: entrants without any human touch by the cut-off;
          ``untouched_share`` = never_touched / mqls;
        - ``touched``: entrants touched by the cut-off (the team's handled volume);
        - ``*_before``: the same for ``baseline`` (``due_before`` and ``in_sla_before``
          make ``sla_before``, for a test of the change);
        - ``missed_beyond_usual`` = max(0, sla_before - sla) x due: people not touched in
          time beyond the team's own usual rate (0 when either rate is undefined).

        Empty (with these columns) when the definitions have no SLA metric.
    """
    if period.label == baseline.label:
        raise ParameterError(f"baseline: {baseline.label} is the review period itself")
    sla_metric = funnel.definitions.sla_metric
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in TEAM_FOLLOW_UP_COLUMNS})
    empty["sales_team"] = empty["sales_team"].astype(object)
    if sla_metric is None:
        return empty
    speed = _speed_metric(funnel, sla_metric.from_)
    frame = funnel.metric_frame([sla_metric, speed], [period, baseline], by=["sales_team"])
    if frame.empty:
        return empty
    frame = frame.assign(sales_team=_missing_as_none(frame["sales_team"]))
    frame = frame.assign(_team=_team_key(frame["sales_team"]))

    def part(label: str, metric: str) -> pd.DataFrame:
        rows = frame[(frame["period"] == label) & (frame["metric"] == metric)]
        return rows.set_index("_team")

    def block(p: Period) -> pd.DataFrame:
        sla, spd = part(p.label, sla_metric.key), part(p.label, speed.key)
        out = pd.DataFrame(
            {
                "sales_team": spd["sales_team"],
                "mqls": spd["denominator"],
                "touched": spd["numerator"],
                "median_hours": spd["value"],
                "due": sla["denominator"],
                "in_sla": sla["numerator"],
            }
        )
        out["sla"] = _share(out["in_sla"], out["due"])
        return out

    now = block(period)
    before = block(baseline)
    now = now[now["mqls"] > 0]

    # never touched by the cut-off, from the people themselves
    since = min(period.start, baseline.start)
    people = funnel.first_touches(sla_metric.from_, since=since)
    day = people["entered_at"].dt.tz_localize(None).dt.normalize()
    untouched = people["touched_at"].isna()
    team_of = _team_key(people["sales_team"])

    def never(p: Period) -> pd.Series:
        inside = (day >= pd.Timestamp(p.start)) & (day < pd.Timestamp(p.end))
        return untouched[inside].groupby(team_of[inside]).sum()

    out = now.copy()
    out["never_touched"] = never(period).reindex(out.index).fillna(0).to_numpy()
    out["untouched_share"] = _share(out["never_touched"], out["mqls"])
    prior = before.reindex(out.index)
    prior_never = never(baseline).reindex(out.index).fillna(0)
    out["sla_before"] = prior["sla"].astype("float64")
    out["median_hours_before"] = prior["median_hours"].astype("float64")
    out["untouched_share_before"] = _share(prior_never, prior["mqls"].fillna(0))
    out["touched_before"] = prior["touched"].fillna(0)
    out["due_before"] = prior["due"].fillna(0)
    out["in_sla_before"] = prior["in_sla"].fillna(0)
    gap = (out["sla_before"] - out["sla"]).clip(lower=0).fillna(0)
    out["missed_beyond_usual"] = (gap * out["due"]).astype("float64")
    counts = ["mqls", "due", "in_sla", "never_touched", "touched", "touched_before", "due_before",
              "in_sla_before"]  # fmt: skip
    out = out.astype({c: "int64" for c in counts})
    out = out.astype({"median_hours": "float64", "sla": "float64"})
    out = out.assign(
        _sort=-out["missed_beyond_usual"],
        _none=out["sales_team"].isna(),
        _name=out["sales_team"].fillna(""),
    ).sort_values(["_sort", "_none", "_name"], kind="stable")
    out = out[TEAM_FOLLOW_UP_COLUMNS].reset_index(drop=True)
    out["sales_team"] = _missing_as_none(out["sales_team"])
    return out


def stalled_threshold(funnel: Funnel) -> int:
    """The default age (days) from which an open opportunity counts as stalled.

    The 80th percentile of days from creation to close of the opportunities closed (won or
    lost) in the 365 days before the cut-off, rounded up to whole days and never below 30;
    90 when no deal closed in that time.
    """
    cutoff = pd.Timestamp(funnel.cutoff)
    since = (cutoff - pd.Timedelta(days=STALLED_HISTORY_DAYS)).to_pydatetime()
    days = funnel.closed_deal_days(since=since).dropna()
    if days.empty:
        return STALLED_NO_HISTORY_DAYS
    quantile = float(days.quantile(STALLED_QUANTILE))
    return max(STALLED_FLOOR_DAYS, math.ceil(round(quantile, 9)))


def stalled_opportunities(
    funnel: Funnel, *, threshold_days: int | None = None
) -> tuple[pd.DataFrame, int]:
    """Open opportunities at least ``threshold_days`` old at the cut-off.

    Parameters
    ----------
    funnel
        The semantic layer (its cut-off is the moment ages are measured at).
    threshold_days
        The age from which a deal counts as stalled; ``None`` = :func:`stalled_threshold`.

    Returns
    -------
    tuple of pandas.DataFrame and int
        The columns of :meth:`Funnel.open_opportunities` plus ``age_days`` (whole days from
        creation to the cut-off) and ``idle_days`` (whole days since the person's last human
        touch; NaN when never touched), oldest first; and the threshold used.
    """
    threshold = stalled_threshold(funnel) if threshold_days is None else int(threshold_days)
    frame = funnel.open_opportunities()
    cutoff = pd.Timestamp(funnel.cutoff).tz_convert(funnel.timezone)
    day = pd.Timedelta(days=1)
    frame["age_days"] = ((cutoff - frame["created_at"]) // day).astype("int64")
    frame["idle_days"] = ((cutoff - frame["last_touch_at"]) // day).astype("float64")
    stalled = frame[frame["age_days"] >= threshold]
    stalled = stalled.sort_values(["created_at", "opportunity_id"], kind="stable").reset_index(
        drop=True
    )
    for column in ("stage", "sales_team"):
        stalled[column] = _missing_as_none(stalled[column])
    return stalled, threshold


def stalled_by_team(stalled: pd.DataFrame) -> pd.DataFrame:
    """Stalled opportunities per sales team and stage.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`STALLED_BY_TEAM_COLUMNS`: ``count``, ``amount`` (sum; unknown amounts
        left out) and ``median_age_days``; largest amount first. A missing team or stage is
        ``None``.
    """
    if stalled.empty:
        out = pd.DataFrame({c: pd.Series(dtype="float64") for c in STALLED_BY_TEAM_COLUMNS})
        return out.astype({"sales_team": object, "stage": object, "count": "int64"})
    grouped = (
        stalled.assign(_n=1)
        .groupby(["sales_team", "stage"], dropna=False, sort=False)
        .agg(
            count=("_n", "sum"),
            amount=("amount", "sum"),
            median_age_days=("age_days", "median"),
        )
        .reset_index()
    )
    grouped = grouped.astype({"count": "int64", "amount": "float64", "median_age_days": "float64"})
    for column in ("sales_team", "stage"):
        grouped[column] = _missing_as_none(grouped[column])
    grouped = grouped.assign(
        _amount=-grouped["amount"],
        _count=-grouped["count"],
        _no_team=grouped["sales_team"].isna(),
        _team=grouped["sales_team"].fillna(""),
        _no_stage=grouped["stage"].isna(),
        _stage=grouped["stage"].fillna(""),
    ).sort_values(["_amount", "_count", "_no_team", "_team", "_no_stage", "_stage"], kind="stable")
    return grouped[STALLED_BY_TEAM_COLUMNS].reset_index(drop=True)
