"""One metric's pace in one period: the projection, its 80 % range, the run rate still needed.

The figures of :func:`reviewkit.analysis.pacing.pace_frame`, one metric and period at a time;
the method (seasonal expected-to-date, backtested range, Poisson noise) is described in
:mod:`reviewkit.analysis.pacing`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reviewkit.analysis.status import status_of
from reviewkit.core.periods import Period
from reviewkit.model.seasonality import DayProfile

Z80 = 1.2815515655446004  # the normal quantile of 0.9: an 80 % two-sided range


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
    else:
        projected, low, high, source = _projection(
            actual, share=share, errors=errors, kind=kind, settings=s
        )
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
        per_week, versus = _required(
            actual, target=target, projected=projected, remaining=remaining
        )
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


def _projection(
    actual: float, *, share: float, errors: Sequence[float], kind: str, settings: PaceSettings
) -> tuple[float, float, float, str]:
    """An open period's projection and its range: ``(projected, low, high, range_from)``."""
    if share <= 0 or actual <= 0:
        return math.nan, math.nan, math.nan, "none"
    projected = actual / share
    good = [e for e in errors if e > 0 and math.isfinite(e)]
    if len(good) >= settings.min_backtests:
        lo_q, hi_q = np.quantile(good, [settings.low_quantile, settings.high_quantile])
        # past errors may all lean one way; the range still holds the point projection
        lo_q, hi_q = min(lo_q, 1.0), max(hi_q, 1.0)
        low, high, source = projected * lo_q, projected * hi_q, "history"
    elif kind == "count":
        spread = Z80 * math.sqrt(actual * (1 - share)) / share
        low, high, source = max(actual, projected - spread), projected + spread, "poisson"
    else:
        low, high, source = math.nan, math.nan, "none"
    low = max(low, actual) if not math.isnan(low) else low
    return projected, low, high, source


def _required(
    actual: float, *, target: float, projected: float, remaining: int
) -> tuple[float, float]:
    """The run rate per week still needed for ``target``, and its ratio to the projected one."""
    gap = max(float(target) - actual, 0.0)
    per_week = gap / remaining * 7
    ahead = projected - actual if not math.isnan(projected) else math.nan
    versus = gap / ahead if ahead and not math.isnan(ahead) and ahead > 0 else math.nan
    return per_week, versus
