"""The monthly review's follow-up cause family: SLA by sales team, and stalled deals.

:func:`team_follow_up` compares each sales team's follow-up of the period's MQLs with its own
baseline; :func:`stalled_opportunities` lists the open deals older than the usual time to
close, and :func:`stalled_by_team` sums them per team and stage.
"""

from __future__ import annotations

import math

import pandas as pd

from reviewkit.analysis.followup import missing_as_none
from reviewkit.core.periods import Period
from reviewkit.errors import ParameterError
from reviewkit.model.definitions import SpeedToLeadMetric
from reviewkit.semantic.funnel import Funnel

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
    frame = frame.assign(sales_team=missing_as_none(frame["sales_team"]))
    frame = frame.assign(_team=_team_key(frame["sales_team"]))
    keys = (sla_metric.key, speed.key)
    now = _team_block(frame, period, keys=keys)
    before = _team_block(frame, baseline, keys=keys)
    now = now[now["mqls"] > 0]

    # never touched by the cut-off, from the people themselves
    since = min(period.start, baseline.start)
    people = funnel.first_touches(sla_metric.from_, since=since)
    out = now.copy()
    out["never_touched"] = _never_touched(people, period).reindex(out.index).fillna(0).to_numpy()
    out["untouched_share"] = _share(out["never_touched"], out["mqls"])
    prior_never = _never_touched(people, baseline).reindex(out.index).fillna(0)
    return _most_missed_first(_with_baseline(out, before, prior_never))


def _team_block(frame: pd.DataFrame, period: Period, *, keys: tuple[str, str]) -> pd.DataFrame:
    """One period's SLA and speed-to-lead figures per team (index: the team key)."""

    def part(metric: str) -> pd.DataFrame:
        rows = frame[(frame["period"] == period.label) & (frame["metric"] == metric)]
        return rows.set_index("_team")

    sla, spd = part(keys[0]), part(keys[1])
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


def _never_touched(people: pd.DataFrame, period: Period) -> pd.Series:
    """Per team key: the period's entrants without any human touch by the cut-off."""
    day = people["entered_at"].dt.tz_localize(None).dt.normalize()
    untouched = people["touched_at"].isna()
    team_of = _team_key(people["sales_team"])
    inside = (day >= pd.Timestamp(period.start)) & (day < pd.Timestamp(period.end))
    return untouched[inside].groupby(team_of[inside]).sum()


def _with_baseline(out: pd.DataFrame, before: pd.DataFrame, prior_never: pd.Series) -> pd.DataFrame:
    """``out`` with the baseline's ``*_before`` columns and ``missed_beyond_usual``."""
    prior = before.reindex(out.index)
    out["sla_before"] = prior["sla"].astype("float64")
    out["median_hours_before"] = prior["median_hours"].astype("float64")
    out["untouched_share_before"] = _share(prior_never, prior["mqls"].fillna(0))
    out["touched_before"] = prior["touched"].fillna(0)
    out["due_before"] = prior["due"].fillna(0)
    out["in_sla_before"] = prior["in_sla"].fillna(0)
    gap = (out["sla_before"] - out["sla"]).clip(lower=0).fillna(0)
    out["missed_beyond_usual"] = (gap * out["due"]).astype("float64")
    return out


def _most_missed_first(out: pd.DataFrame) -> pd.DataFrame:
    """Typed :data:`TEAM_FOLLOW_UP_COLUMNS`, most ``missed_beyond_usual`` first."""
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
    out["sales_team"] = missing_as_none(out["sales_team"])
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
        stalled[column] = missing_as_none(stalled[column])
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
        grouped[column] = missing_as_none(grouped[column])
    grouped = grouped.assign(
        _amount=-grouped["amount"],
        _count=-grouped["count"],
        _no_team=grouped["sales_team"].isna(),
        _team=grouped["sales_team"].fillna(""),
        _no_stage=grouped["stage"].isna(),
        _stage=grouped["stage"].fillna(""),
    ).sort_values(["_amount", "_count", "_no_team", "_team", "_no_stage", "_stage"], kind="stable")
    return grouped[STALLED_BY_TEAM_COLUMNS].reset_index(drop=True)
