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
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reviewkit.analysis.status import status_of
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

Z80 = 1.2815515655446004  # the normal quantile of 0.9: an 80 % two-sided range
PACE_COLUMNS = [
    "metric", "kind", "scope", "period", "start", "end", "through", "closed", "actual", "target",
    "linear_expected", "expected", "pace", "share", "days_elapsed", "days_total", "projected",
    "low", "high", "range_from", "stable", "required_per_week", "required_vs_pace", "status",
]  # fmt: skip


@dataclass(frozen=True)
class PaceSettings:
    """When a projection is trusted, and how its range is found.

    Attributes
    ----------
    min_share
        Below this share of the period's day weight elapsed, the projection is unstable.
    max_width
        A range wider than this share of the target (or of the projection when there is no
        target) makes the projection unstable.
    low_quantile, high_quantile
        The range's quantiles of past projection errors.
    min_backtests
        Past periods needed before their errors give the range.
    backtests
        How many past periods to look at (months; quarters use two thirds of it).
    """

    min_share: float = 0.2
    max_width: float = 0.5
    low_quantile: float = 0.1
    high_quantile: float = 0.9
    min_backtests: int = 6
    backtests: int = 12


def share_elapsed(profile: DayProfile, *, start: dt.date, end: dt.date, through: dt.date) -> float:
    """The share of the period's day weight on days up to ``through`` (inclusive)."""
    weights = profile.weights(start, end)
    total = float(weights.sum())
    if total <= 0:
        return min(1.0, max(0.0, ((through - start).days + 1) / (end - start).days))
    upto = weights[[d <= through for d in weights.index]]
    return float(upto.sum()) / total


def backtest_errors(
    daily: pd.Series,
    *,
    profile: DayProfile,
    periods: Sequence[Period],
    days_elapsed: int,
) -> list[float]:
    """How wrong the projection was in past periods: final / projected after ``days_elapsed``.

    Parameters
    ----------
    daily
        Daily values (indexed by date; missing days are 0) covering the past periods.
    profile
        The day profile the projection uses.
    periods
        Past, complete periods (e.g. the last 12 months).
    days_elapsed
        How many days of each period had passed at projection time.

    Returns
    -------
    list of float
        One ratio per past period whose projection was above zero.
    """
    values = {pd.Timestamp(d).date(): float(v) for d, v in daily.items()}
    out = []
    for p in periods:
        through = min(p.start + dt.timedelta(days=days_elapsed - 1), p.last_day)
        days = [p.start + dt.timedelta(days=k) for k in range(p.days)]
        so_far = sum(values.get(d, 0.0) for d in days if d <= through)
        final = sum(values.get(d, 0.0) for d in days)
        share = share_elapsed(profile, start=p.start, end=p.end, through=through)
        if share > 0 and so_far > 0:
            out.append(final / (so_far / share))
    return out


def pace_of(
    *,
    actual: float,
    target: float | None,
    expected: float | None,
    linear_expected: float | None,
    share: float,
    days_elapsed: int,
    days_total: int,
    errors: Sequence[float] = (),
    kind: str = "count",
    settings: PaceSettings | None = None,
) -> dict[str, object]:
    """Pace, projection, range and required run rate of one metric in one period.

    Parameters
    ----------
    actual
        The value to date.
    target
        The period's target (``None``: no target).
    expected, linear_expected
        Seasonal and linear expected-to-date (``None`` without a target).
    share
        The share of the period's day weight elapsed (0..1).
    days_elapsed, days_total
        Calendar days elapsed and in the period.
    errors
        Past projection errors (final / projected), see :func:`backtest_errors`.
    kind
        ``count`` (Poisson range when past errors are too few) or ``amount`` (no range then).
    settings
        Thresholds (defaults: :class:`PaceSettings`).

    Returns
    -------
    dict
        ``pace``, ``projected``, ``low``, ``high``, ``range_from`` (``history``, ``poisson``,
        ``closed`` or ``none``), ``stable``, ``closed``, ``required_per_week``,
        ``required_vs_pace`` and ``status`` (``met``/``near``/``missed``/``no_target``: the
        final achievement once closed, else the pace; ``early`` while less than
        ``min_share`` of the period has passed).
    """
    s = settings or PaceSettings()
    has_target = target is not None and not math.isnan(target)
    closed = days_elapsed >= days_total
    pace = actual / expected if expected else math.nan
    if closed:
        projected, low, high, source = actual, actual, actual, "closed"
    elif share <= 0 or actual <= 0:
        projected, low, high, source = math.nan, math.nan, math.nan, "none"
    else:
        projected = actual / share
        good = [e for e in errors if e > 0 and math.isfinite(e)]
        if len(good) >= s.min_backtests:
            lo_q, hi_q = np.quantile(good, [s.low_quantile, s.high_quantile])
            # past errors may all lean one way; the range still holds the point projection
            lo_q, hi_q = min(lo_q, 1.0), max(hi_q, 1.0)
            low, high, source = projected * lo_q, projected * hi_q, "history"
        elif kind == "count":
            spread = Z80 * math.sqrt(actual * (1 - share)) / share
            low, high, source = max(actual, projected - spread), projected + spread, "poisson"
        else:
            low, high, source = math.nan, math.nan, "none"
        low = max(low, actual) if not math.isnan(low) else low
    reference = target if has_target and target else projected
    stable = bool(
        closed
        or (
            share >= s.min_share
            and not math.isnan(low)
            and reference
            and not math.isnan(reference)
            and (high - low) <= s.max_width * reference
        )
    )
    remaining = days_total - days_elapsed
    if has_target and not closed and remaining > 0:
        assert target is not None  # has_target
        gap = max(float(target) - actual, 0.0)
        per_week = gap / remaining * 7
        ahead = projected - actual if not math.isnan(projected) else math.nan
        versus = gap / ahead if ahead and not math.isnan(ahead) and ahead > 0 else math.nan
    else:
        per_week, versus = math.nan, math.nan
    if not has_target:
        status = "no_target"
    elif closed:
        status = status_of(actual / target if target else math.nan)
    elif share < s.min_share:
        status = "early"  # a few days in: too early to call the pace
    else:
        status = status_of(pace)
    return {
        "pace": pace,
        "projected": projected,
        "low": low,
        "high": high,
        "range_from": source,
        "stable": stable,
        "closed": closed,
        "required_per_week": per_week,
        "required_vs_pace": versus,
        "status": status,
    }


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
    seasonal = dataclasses.replace(targets, proration="seasonal") if targets else None
    linear = dataclasses.replace(targets, proration="linear") if targets else None
    rows = []
    for metric in metrics:
        daily = funnel.daily(
            metric, start=history_start, end=through + dt.timedelta(days=1), segment=where
        )
        values = {pd.Timestamp(d).date(): float(v) for d, v in daily.items()}
        kind = funnel.definitions.metric(metric).kind
        for scope, period in scopes:
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
            target = expected = linear_expected = None
            if targets is not None:
                target = targets.for_period(metric, period.start, period.end, segment=segment)
            if target is not None and seasonal is not None and linear is not None:
                weights = _month_weights(profile, period)
                upto = last + dt.timedelta(days=1)
                expected = seasonal.for_period(
                    metric, period.start, upto, segment=segment, day_weights=weights
                )
                linear_expected = linear.for_period(metric, period.start, upto, segment=segment)
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
            rows.append(
                {
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
            )
    frame = pd.DataFrame(rows, columns=PACE_COLUMNS)
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
