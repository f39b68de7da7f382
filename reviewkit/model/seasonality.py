"""The company's own seasonal pattern of days, learnt from its history.

A day belongs to a class: its weekday, or ``holiday`` for the company's days off (its
country's public holidays and seasonal breaks, :mod:`reviewkit.core.holidays`: for Japan
its public holidays, Obon 13-16 August and the year-end break 29 December - 3 January). Every
function takes the company's calendar (:attr:`reviewkit.core.workspace.Workspace.calendar`). A
:class:`DayProfile` is
the mean count (or amount) of each class over a history, times a month-end factor for the
last two business days of a month when the history shows month ends running above (or
below) their weekday's normal, as B2B deals often do.

Profiles drive seasonal target proration (:mod:`reviewkit.model.targets`) and weekly pacing
(:mod:`reviewkit.analysis.pacing`): expected-to-date is the target times the share of the period's
weight that has elapsed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from reviewkit.core.holidays import DayCalendar
from reviewkit.core.periods import FiscalCalendar
from reviewkit.errors import ParameterError

HOLIDAY = "holiday"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_END_DAYS = 2  # the last business days of a month that form the month end
MIN_MONTH_ENDS = 3  # month ends needed in the history before a month-end factor is used


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return dt.date(day.year, day.month, 1)


def next_month(month: dt.date) -> dt.date:
    """The first day of the month after ``month``."""
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def as_date(value: object) -> dt.date:
    """A date from a date, datetime, Timestamp or ISO string."""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(str(value)).date()


def is_break(day: dt.date, *, calendar: FiscalCalendar) -> bool:
    """Whether ``day`` is off: a public holiday of the company's country or in a break."""
    return calendar.days.is_break(day)


def day_class(day: dt.date, *, calendar: FiscalCalendar) -> str:
    """The class of a day for seasonal weights.

    Returns
    -------
    str
        ``holiday`` for a day off (:func:`is_break`: for Japan a public holiday, Obon
        13-16 Aug or the year-end break 29 Dec - 3 Jan), else the weekday (``Mon`` .. ``Sun``).
    """
    return HOLIDAY if calendar.days.is_break(day) else WEEKDAYS[day.weekday()]


def month_end_days(month: dt.date, *, calendar: FiscalCalendar) -> frozenset[dt.date]:
    """The last :data:`MONTH_END_DAYS` business days (not weekend, not a day off) of a month."""
    return _month_end_days(month_start(month), calendar.days)


@lru_cache(maxsize=512)
def _month_end_days(first: dt.date, days: DayCalendar) -> frozenset[dt.date]:
    day = next_month(first) - dt.timedelta(days=1)
    out: set[dt.date] = set()
    while len(out) < MONTH_END_DAYS and day.month == first.month:
        if day.weekday() < 5 and not days.is_break(day):
            out.add(day)
        day -= dt.timedelta(days=1)
    return frozenset(out)


def _daily_totals(daily_counts: pd.Series) -> dict[dt.date, float]:
    counts: dict[dt.date, float] = {}
    for day, value in daily_counts.items():
        if pd.notna(value):
            d = as_date(day)
            counts[d] = counts.get(d, 0.0) + float(value)
    return counts


@dataclass(frozen=True)
class DayProfile:
    """Mean value per day class over a history, and the month-end factor.

    Build it with :func:`day_profile`; :meth:`weight` gives any day's expected value. A
    profile that is not flat needs the ``calendar`` whose day classes it learnt.
    """

    means: dict[str, float] = field(default_factory=dict)
    overall: float = 0.0
    month_end_factor: float = 1.0
    calendar: FiscalCalendar | None = None

    @property
    def is_flat(self) -> bool:
        """True when the history held nothing: every day weighs the same."""
        return self.overall <= 0

    def weight(self, day: dt.date) -> float:
        """The expected value of ``day`` (1.0 for every day of a flat profile)."""
        if self.is_flat:
            return 1.0
        if self.calendar is None:
            raise ParameterError(
                "DayProfile: a profile with means needs its calendar; build it with "
                "day_profile(..., calendar=workspace.calendar)"
            )
        base = self.means.get(day_class(day, calendar=self.calendar), self.overall)
        if self.month_end_factor != 1.0 and day in month_end_days(day, calendar=self.calendar):
            base *= self.month_end_factor
        return base

    def weights(self, start: dt.date, end: dt.date) -> pd.Series:
        """Weights of the days ``[start, end)``, indexed by date (not normalised)."""
        days = [start + dt.timedelta(days=k) for k in range((end - start).days)]
        return pd.Series(
            [self.weight(d) for d in days], index=pd.Index(days, name="day"), name="weight"
        )


def day_profile(
    daily_counts: pd.Series,
    *,
    before: dt.date,
    calendar: FiscalCalendar,
    history_days: int = 365,
) -> DayProfile:
    """Learn the day profile from the ``history_days`` days before ``before``.

    Parameters
    ----------
    daily_counts
        Counts (or amounts) per day, indexed by date. Days from the first one in the series
        onwards that are missing count as 0, so a series of only the days with events will do.
    before
        The first day after the history.
    calendar
        The company's calendar (its days off).
    history_days
        How many days make the history.

    Returns
    -------
    DayProfile
        Flat when the history is empty or all zero. A class with no day in the history gets
        the overall mean. The month-end factor is the month ends' total over what their
        classes predict, once the history holds :data:`MIN_MONTH_ENDS` month ends; else 1.
    """
    if history_days <= 0:
        raise ParameterError(f"history_days: {history_days!r} must be a positive number of days")
    counts = _daily_totals(daily_counts)
    first = max(before - dt.timedelta(days=history_days), min(counts, default=before))
    history = [first + dt.timedelta(days=k) for k in range((before - first).days)]
    if not history:
        return DayProfile()
    by_class: dict[str, list[float]] = {}
    for day in history:
        by_class.setdefault(day_class(day, calendar=calendar), []).append(counts.get(day, 0.0))
    overall = sum(counts.get(d, 0.0) for d in history) / len(history)
    means = {c: sum(v) / len(v) for c, v in by_class.items()}
    factor = 1.0
    ends = [d for d in history if d in month_end_days(d, calendar=calendar)]
    complete = {month_start(d) for d in ends if month_start(d) >= first}
    if len(complete) >= MIN_MONTH_ENDS:
        expected = sum(means[day_class(d, calendar=calendar)] for d in ends)
        if expected > 0:
            factor = sum(counts.get(d, 0.0) for d in ends) / expected
    return DayProfile(means=means, overall=overall, month_end_factor=factor, calendar=calendar)


def seasonal_day_weights(
    daily_counts: pd.Series,
    *,
    month_start: dt.date,
    calendar: FiscalCalendar,
    history_days: int = 365,
) -> pd.Series:
    """Weights of the days of a month, from the company's own pattern of past days.

    A day's weight is its :class:`DayProfile` value (the mean of its class over the
    ``history_days`` days before ``month_start``, times the month-end factor on month-end
    days), normalised to sum to 1 over the month.

    Parameters
    ----------
    daily_counts
        Counts (or amounts) per day, indexed by date (see :func:`day_profile`).
    month_start
        The first day of the month to weigh.
    calendar
        The company's calendar (its days off).
    history_days
        How many days before ``month_start`` make the history.

    Returns
    -------
    pandas.Series
        ``weight`` per day of the month, indexed by ``datetime.date``, summing to 1; uniform
        when the history is empty or all zero.
    """
    if month_start.day != 1:
        raise ParameterError(f"month_start: {month_start} is not the first day of a month")
    profile = day_profile(
        daily_counts, before=month_start, calendar=calendar, history_days=history_days
    )
    raw = profile.weights(month_start, next_month(month_start))
    if raw.sum() <= 0:
        raw[:] = 1.0
    return raw / raw.sum()


def period_day_weights(
    daily_counts: pd.Series,
    *,
    start: dt.date,
    end: dt.date,
    calendar: FiscalCalendar,
    history_days: int = 365,
) -> pd.Series:
    """Seasonal weights of every day of each month that ``[start, end)`` touches.

    Concatenates :func:`seasonal_day_weights` of each month (each month sums to 1), ready for
    :meth:`reviewkit.model.targets.Targets.for_period`'s ``day_weights``.
    """
    parts = []
    month = month_start(start)
    while month < end:
        parts.append(
            seasonal_day_weights(
                daily_counts, month_start=month, calendar=calendar, history_days=history_days
            )
        )
        month = next_month(month)
    return pd.concat(parts) if parts else pd.Series(dtype="float64", name="weight")
