"""Pacing: where a month or quarter in progress stands against its target, and where it ends.

For an additive metric (a stage count or revenue) and a period in progress:

- *linear expected-to-date*: each month's target times the share of its **calendar** days
  elapsed (a quarter adds its months);
- *seasonal expected-to-date*: each month's target times the share of its **day weight**
  elapsed, the weights being the company's own pattern (:mod:`reviewkit.model.seasonality`:
  weekdays, the days off of the company's country, i.e. public holidays and seasonal
  breaks such as Japan's Obon, and month ends);
- *pace*: actual / seasonal expected-to-date;
- *projection*: actual / the share of the period's day weight elapsed (the pace so far,
  continued with the usual pattern of the remaining days), with an 80 % range from how
  wrong the same projection was at the same point of the company's past periods (10th and
  90th percentiles of final / projected), or, with too few past periods, from counting
  noise (Poisson) for counts;
- *required run rate*: (target - actual) / remaining calendar days, shown per week.

Early in a period the projection is *unstable*: less than :attr:`PaceSettings.min_share` of
the period's weight has passed, or the range is wider than :attr:`PaceSettings.max_width`
of the target. Packs then say so and show the range, not a confident point.

The figures of one metric in one period are :mod:`reviewkit.analysis.pace_projection`'s; this
module paces every metric over the month and quarter in progress.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence

import pandas as pd

from reviewkit.analysis.pace_projection import (
    PaceSettings,
    backtest_errors,
    pace_of,
    share_elapsed,
)
from reviewkit.core.periods import (
    Cadence,
    FiscalCalendar,
    Period,
    period_containing,
    periods_before,
    previous_period,
)
from reviewkit.model.seasonality import DayProfile, day_profile, month_start, next_month
from reviewkit.model.targets import Targets
from reviewkit.semantic.funnel import Funnel

PACE_COLUMNS = [
    "metric", "kind", "scope", "period", "start", "end", "through", "closed", "actual", "target",
    "linear_expected", "expected", "pace", "share", "days_elapsed", "days_total", "projected",
    "low", "high", "range_from", "stable", "required_per_week", "required_vs_pace", "status",
]  # fmt: skip


def pacing_periods(
    week: Period, *, through: dt.date, calendar: FiscalCalendar
) -> list[tuple[str, Period]]:
    """The periods a weekly review paces: the month and quarter in progress on ``through``.

    A month (or quarter) that ended during the reviewed week is listed first, closed, so a
    week spanning a month end also shows how the month finished.
    """
    out: list[tuple[str, Period]] = []
    scopes: tuple[tuple[str, Cadence], ...] = (("month", "monthly"), ("quarter", "quarterly"))
    for scope, cadence in scopes:
        current = period_containing(cadence, through, calendar=calendar)
        if week.start < current.start:
            out.append((scope, previous_period(current, calendar=calendar)))
        out.append((scope, current))
    return out


def pace_frame(
    funnel: Funnel,
    targets: Targets | None,
    *,
    week: Period,
    through: dt.date,
    calendar: FiscalCalendar,
    metrics: Sequence[str],
    segment: tuple[str, str] | None = None,
    settings: PaceSettings | None = None,
) -> pd.DataFrame:
    """Pace every metric in the month and quarter in progress.

    Parameters
    ----------
    funnel
        The semantic layer (its cut-off should be the day after ``through``).
    targets
        The targets; ``None`` for none.
    week
        The reviewed week (a month it crossed is shown closed).
    through
        The last day with data that counts (the day before the review date).
    calendar
        The fiscal calendar (quarters).
    metrics
        Additive metrics: stage counts and revenue.
    segment
        ``(column, value)`` for one segment's pace.
    settings
        Thresholds.

    Returns
    -------
    pandas.DataFrame
        One row per metric x scope (month, quarter; in that order, metrics in the given
        order) with :data:`PACE_COLUMNS`.
    """
    s = settings or PaceSettings()
    scopes = pacing_periods(week, through=through, calendar=calendar)
    earliest = min(p.start for _, p in scopes)
    history_start = earliest - dt.timedelta(days=2 * 366 + 95)
    where = dict([segment]) if segment else None
    prorated = (
        (
            dataclasses.replace(targets, proration="seasonal"),
            dataclasses.replace(targets, proration="linear"),
        )
        if targets
        else None
    )
    rows = []
    for metric in metrics:
        daily = funnel.daily(
            metric, start=history_start, end=through + dt.timedelta(days=1), segment=where
        )
        values = {pd.Timestamp(d).date(): float(v) for d, v in daily.items()}
        kind = funnel.definitions.metric(metric).kind
        for scope, period in scopes:
            row = _pace_row(
                daily,
                values,
                metric=metric,
                kind=kind,
                scope=scope,
                period=period,
                through=through,
                targets=targets,
                prorated=prorated,
                calendar=calendar,
                segment=segment,
                settings=s,
            )
            rows.append(row)
    return _in_order(pd.DataFrame(rows, columns=PACE_COLUMNS), metrics)


def _pace_row(
    daily: pd.Series,
    values: dict[dt.date, float],
    *,
    metric: str,
    kind: str,
    scope: str,
    period: Period,
    through: dt.date,
    targets: Targets | None,
    prorated: tuple[Targets, Targets] | None,
    calendar: FiscalCalendar,
    segment: tuple[str, str] | None,
    settings: PaceSettings,
) -> dict[str, object]:
    """One metric's pace in one period (a row of :data:`PACE_COLUMNS`).

    ``daily`` is the metric's daily series, ``values`` the same by date.
    """
    s = settings
    last = min(through, period.last_day)
    profile = day_profile(daily, before=period.start, calendar=calendar)
    elapsed = (last - period.start).days + 1
    actual = sum(v for d, v in values.items() if period.start <= d <= last)
    share = share_elapsed(profile, start=period.start, end=period.end, through=last)
    count = s.backtests if scope == "month" else max(s.min_backtests, s.backtests * 2 // 3)
    errors = backtest_errors(
        daily,
        profile=profile,
        periods=periods_before(period, count, calendar=calendar),
        days_elapsed=elapsed,
    )
    target, expected, linear_expected = _targets_to_date(
        targets, prorated, metric, period, last=last, profile=profile, segment=segment
    )
    result = pace_of(
        actual=actual,
        target=target,
        expected=expected,
        linear_expected=linear_expected,
        share=share,
        days_elapsed=elapsed,
        days_total=period.days,
        errors=errors,
        kind=kind,
        settings=s,
    )
    return {
        "metric": metric,
        "kind": kind,
        "scope": scope,
        "period": period.label,
        "start": period.start,
        "end": period.end,
        "through": last,
        "actual": actual,
        "target": math.nan if target is None else float(target),
        "linear_expected": math.nan if linear_expected is None else linear_expected,
        "expected": math.nan if expected is None else expected,
        "share": share,
        "days_elapsed": elapsed,
        "days_total": period.days,
        **result,
    }


def _targets_to_date(
    targets: Targets | None,
    prorated: tuple[Targets, Targets] | None,
    metric: str,
    period: Period,
    *,
    last: dt.date,
    profile: DayProfile,
    segment: tuple[str, str] | None,
) -> tuple[float | None, float | None, float | None]:
    """The period's target, and its seasonal and linear share expected by ``last``.

    ``prorated`` is ``targets`` with seasonal and with linear proration (made once per frame).
    """
    if targets is None:
        return None, None, None
    target = targets.for_period(metric, period.start, period.end, segment=segment)
    if target is None or prorated is None:
        return target, None, None
    seasonal, linear = prorated
    weights = _month_weights(profile, period)
    upto = last + dt.timedelta(days=1)
    expected = seasonal.for_period(metric, period.start, upto, segment=segment, day_weights=weights)
    linear_expected = linear.for_period(metric, period.start, upto, segment=segment)
    return target, expected, linear_expected


def _in_order(frame: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """Month rows before quarter rows, then by period start, metrics in the given order."""
    order = {m: i for i, m in enumerate(metrics)}
    frame["_m"] = frame["metric"].map(order)
    frame["_s"] = frame["scope"].map({"month": 0, "quarter": 1})
    frame = frame.sort_values(["_s", "start", "_m"], kind="stable")
    return frame.drop(columns=["_m", "_s"]).reset_index(drop=True)


def _month_weights(profile: DayProfile, period: Period) -> pd.Series:
    """Day weights of every day of the months ``period`` touches (for seasonal targets)."""
    first = month_start(period.start)
    last = next_month(month_start(period.last_day))
    return profile.weights(first, last)
