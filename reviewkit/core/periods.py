"""The company's calendar and its review periods.

A review looks at one complete period: a week, a calendar month, or a fiscal quarter.
Periods are half-open: ``start <= day < end``. :class:`FiscalCalendar` is the company's one
calendar (``params/workspace.yml``, see :attr:`reviewkit.core.workspace.Workspace.calendar`):

- **fiscal years** start in a configurable month and are named by the calendar year they
  start in (``fiscal_year_label: start``, the Japanese convention: with an April start
  ``FY2026`` runs from 2026-04-01 to 2027-03-31 and ``FY2026-Q2`` is July to September 2026)
  or the year they end in (``end``, as many US companies do: that year is ``FY2027``). A
  fiscal year starting in January is the calendar year under either label.
- **weeks** start on Monday (``week_start: monday``) or Sunday (``sunday``).

  Monday weeks are ISO 8601 weeks, labelled ``2026-W47``.

  Sunday weeks (Sunday-Saturday) are labelled ``2026-S47``: the letter ``S`` keeps them
  apart from ISO weeks (the Sunday week 2026-S47, 15-21 November 2026, is not the ISO week
  2026-W47, 16-22 November), so a folder name or an ``actions.yml`` entry can never be read
  as the other kind. They are numbered as US calendars (and Excel's ``WEEKNUM``) number
  them: week 1 is the week that holds 1 January, and that week, whose first days may lie in
  December, belongs to the new year. Every week thus has one label (a year has 52 or 53),
  and labels sort in time order within a year and across years.
- **days**: :class:`reviewkit.core.holidays.DayCalendar`, the country's public holidays
  and the seasonal breaks that seasonal weights treat as days off.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal, get_args

from reviewkit.core.holidays import DayCalendar
from reviewkit.errors import ParameterError

Cadence = Literal["weekly", "monthly", "quarterly"]
CADENCES: tuple[str, ...] = get_args(Cadence)
WeekStart = Literal["monday", "sunday"]
WEEK_STARTS: tuple[str, ...] = get_args(WeekStart)
FiscalYearLabel = Literal["start", "end"]
FISCAL_YEAR_LABELS: tuple[str, ...] = get_args(FiscalYearLabel)

_WEEK = re.compile(r"^(\d{4})-([WS])(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^FY(\d{4})-Q([1-4])$")
_WEEK_LETTER = {"monday": "W", "sunday": "S"}


@dataclass(frozen=True)
class FiscalCalendar:
    """The company's calendar: how it counts fiscal years and weeks, and its days off.

    Parameters
    ----------
    fiscal_year_start_month
        Month (1-12) in which the fiscal year starts.
    week_start
        ``monday`` (ISO weeks, ``2026-W47``) or ``sunday`` (Sunday-Saturday, ``2026-S47``).
    fiscal_year_label
        ``start``: a fiscal year is named after the calendar year in which it starts (the
        Japanese convention: ``2026年度`` starts in April 2026); ``end``: after the year in
        which it ends.
    days
        The country's public holidays and the seasonal breaks (Japan by default).
    """

    fiscal_year_start_month: int = 4
    week_start: WeekStart = "monday"
    fiscal_year_label: FiscalYearLabel = "start"
    days: DayCalendar = field(default_factory=DayCalendar)

    def __post_init__(self) -> None:
        if not 1 <= self.fiscal_year_start_month <= 12:
            raise ParameterError(
                f"fiscal_year_start_month: {self.fiscal_year_start_month!r} is not a month; "
                "use 1-12 (4 for a fiscal year starting in April)"
            )
        if self.week_start not in WEEK_STARTS:
            raise ParameterError(
                f"week_start: {self.week_start!r} is not a week start; use monday or sunday"
            )
        if self.fiscal_year_label not in FISCAL_YEAR_LABELS:
            raise ParameterError(
                f"fiscal_year_label: {self.fiscal_year_label!r} is not a label rule; use start "
                "(FY named by the year it starts in) or end (by the year it ends in)"
            )

    @property
    def _label_offset(self) -> int:
        """Years from a fiscal year's first calendar year to its label."""
        return int(self.fiscal_year_label == "end" and self.fiscal_year_start_month != 1)

    def fiscal_year(self, day: dt.date) -> int:
        """Return the fiscal year (its label) that contains ``day``."""
        first = day.year if day.month >= self.fiscal_year_start_month else day.year - 1
        return first + self._label_offset

    def fiscal_quarter(self, day: dt.date) -> int:
        """Return the fiscal quarter (1-4) that contains ``day``."""
        offset = (day.month - self.fiscal_year_start_month) % 12
        return offset // 3 + 1

    def quarter_start(self, fiscal_year: int, quarter: int) -> dt.date:
        """Return the first day of a fiscal quarter (``fiscal_year`` as labelled)."""
        month0 = self.fiscal_year_start_month - 1 + 3 * (quarter - 1)
        return dt.date(fiscal_year - self._label_offset + month0 // 12, month0 % 12 + 1, 1)

    def week_start_of(self, day: dt.date) -> dt.date:
        """The first day (Monday or Sunday) of the week that contains ``day``."""
        back = day.weekday() if self.week_start == "monday" else (day.weekday() + 1) % 7
        return day - dt.timedelta(days=back)


def week_number(start: dt.date) -> tuple[int, int]:
    """``(year, week)`` of the week starting on ``start`` (a Monday or a Sunday).

    A Monday starts an ISO week; a Sunday starts a US-numbered week (week 1 holds 1 January
    and belongs to the new year; see the module docstring).
    """
    if start.weekday() == 0:
        iso = start.isocalendar()
        return iso.year, iso.week
    if start.weekday() != 6:
        raise ParameterError(f"week start: {start} is neither a Monday nor a Sunday")
    year = (start + dt.timedelta(days=6)).year
    return year, (start - _first_sunday_week(year)).days // 7 + 1


def _first_sunday_week(year: int) -> dt.date:
    """The Sunday that starts week 1 of ``year`` (the week holding 1 January)."""
    jan1 = dt.date(year, 1, 1)
    return jan1 - dt.timedelta(days=(jan1.weekday() + 1) % 7)


def _week_from_number(year: int, week: int, week_start: str) -> dt.date | None:
    if week_start == "monday":
        try:
            return dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            return None
    if not 1 <= week <= 53:
        return None
    start = _first_sunday_week(year) + dt.timedelta(weeks=week - 1)
    return start if week_number(start) == (year, week) else None


@dataclass(frozen=True)
class Period:
    """One review period, half-open ``[start, end)``."""

    cadence: Cadence
    start: dt.date
    end: dt.date
    label: str
    fiscal_year: int
    number: int

    @property
    def last_day(self) -> dt.date:
        """The last day inside the period."""
        return self.end - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        """Length of the period in days."""
        return (self.end - self.start).days

    def contains(self, day: dt.date) -> bool:
        """Return whether ``day`` falls inside the period."""
        return self.start <= day < self.end


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_containing(cadence: Cadence, day: dt.date, *, calendar: FiscalCalendar) -> Period:
    """Return the period of ``cadence`` that contains ``day``.

    Parameters
    ----------
    cadence
        ``weekly``, ``monthly`` or ``quarterly``.
    day
        Any day.
    calendar
        The company's fiscal calendar (used for quarters).

    Returns
    -------
    Period
        The period, with its label (``2026-W47`` or, for Sunday weeks, ``2026-S47``;
        ``2026-10``; ``FY2026-Q2``).
    """
    if cadence == "weekly":
        start = calendar.week_start_of(day)
        year, week = week_number(start)
        label = f"{year}-{_WEEK_LETTER[calendar.week_start]}{week:02d}"
        end = start + dt.timedelta(days=7)
        return Period("weekly", start, end, label, calendar.fiscal_year(start), week)
    if cadence == "monthly":
        start = day.replace(day=1)
        return Period(
            "monthly", start, _add_months(start, 1), f"{start:%Y-%m}",
            calendar.fiscal_year(start), start.month,
        )  # fmt: skip
    if cadence == "quarterly":
        fy, q = calendar.fiscal_year(day), calendar.fiscal_quarter(day)
        start = calendar.quarter_start(fy, q)
        return Period("quarterly", start, _add_months(start, 3), f"FY{fy}-Q{q}", fy, q)
    raise ParameterError(f"cadence: {cadence!r} is not a review cadence; use one of {CADENCES}")


def last_complete_period(cadence: Cadence, as_of: dt.date, *, calendar: FiscalCalendar) -> Period:
    """Return the last period of ``cadence`` that ended before ``as_of``.

    A review held on ``as_of`` looks back at the last complete period: on Monday
    2026-11-23 that is week ``2026-W47``, month ``2026-10`` and quarter ``FY2026-Q2`` (with
    Sunday weeks, ``2026-S47``: Sunday 15 to Saturday 21 November).
    """
    current = period_containing(cadence, as_of, calendar=calendar)
    return previous_period(current, calendar=calendar)


def previous_period(period: Period, *, calendar: FiscalCalendar) -> Period:
    """Return the period just before ``period``."""
    return period_containing(period.cadence, period.start - dt.timedelta(days=1), calendar=calendar)


def next_period(period: Period, *, calendar: FiscalCalendar) -> Period:
    """Return the period just after ``period`` (e.g. the quarter whose targets are re-set)."""
    return period_containing(period.cadence, period.end, calendar=calendar)


def periods_before(period: Period, count: int, *, calendar: FiscalCalendar) -> list[Period]:
    """The ``count`` periods just before ``period`` (same cadence), oldest first."""
    out: list[Period] = []
    for _ in range(count):
        out.insert(0, previous_period(out[0] if out else period, calendar=calendar))
    return out


def periods_ending(period: Period, count: int, *, calendar: FiscalCalendar) -> list[Period]:
    """The ``count`` periods ending with ``period`` (same cadence, ``period`` last), oldest first.

    ``count`` is 1 or more (callers check it and say which parameter was too small).
    """
    return [*periods_before(period, count - 1, calendar=calendar), period]


def months_ending(period: Period, count: int, *, calendar: FiscalCalendar) -> list[Period]:
    """The ``count`` calendar months ending with the month of ``period``'s last day, oldest first.

    For a quarter: its last month and the ``count - 1`` months before it.
    """
    last = period_containing("monthly", period.last_day, calendar=calendar)
    return periods_ending(last, count, calendar=calendar)


def same_period_last_year(period: Period, *, calendar: FiscalCalendar) -> Period:
    """Return the same period one year earlier (for weeks: 52 weeks earlier)."""
    if period.cadence == "weekly":
        return period_containing("weekly", period.start - dt.timedelta(weeks=52), calendar=calendar)
    return period_containing(period.cadence, _add_months(period.start, -12), calendar=calendar)


def parse_period(label: str, *, calendar: FiscalCalendar, any_week: bool = False) -> Period:
    """Parse a period label such as ``2026-W47``, ``2026-S47``, ``2026-10`` or ``FY2026-Q2``.

    Parameters
    ----------
    label
        The label, as :func:`period_containing` writes it.
    calendar
        The company's calendar: it places fiscal quarters and says which weeks it has.
    any_week
        Also accept a week of the other week start (to name packs made before
        ``week_start`` changed); by default a ``2026-S47`` label is refused in a workspace
        whose weeks start on Monday, and ``2026-W47`` in one whose weeks start on Sunday.

    Raises
    ------
    ParameterError
        If the label matches none of the forms, or is a week of the other week start.
    """
    if m := _WEEK.match(label):
        starts: WeekStart = "monday" if m[2] == "W" else "sunday"
        if starts != calendar.week_start and not any_week:
            own = period_containing("weekly", dt.date(int(m[1]), 7, 1), calendar=calendar)
            raise ParameterError(
                f"period: {label!r} is a week starting on {starts.title()}, but this "
                f"workspace's weeks start on {calendar.week_start.title()} (week_start in "
                f"params/workspace.yml); write weeks as {own.label}"
            )
        start = _week_from_number(int(m[1]), int(m[3]), starts)
        if start is not None:
            own_weeks = dataclasses.replace(calendar, week_start=starts)
            return period_containing("weekly", start, calendar=own_weeks)
    elif m := _MONTH.match(label):
        if 1 <= int(m[2]) <= 12:
            return period_containing("monthly", dt.date(int(m[1]), int(m[2]), 1), calendar=calendar)
    elif m := _QUARTER.match(label):
        start = calendar.quarter_start(int(m[1]), int(m[2]))
        return period_containing("quarterly", start, calendar=calendar)
    week = (
        "2026-S47 (week from Sunday)" if calendar.week_start == "sunday" else "2026-W47 (ISO week)"
    )
    raise ParameterError(
        f"period: {label!r} is not a period label; use {week}, 2026-10 (month) "
        "or FY2026-Q2 (fiscal quarter)"
    )


#: The earliest review date accepted (no MA/SFA data is older).
EARLIEST_AS_OF = dt.date(1990, 1, 1)
#: How far after today a review date may be (a plan for next year; not a typo of the year).
AS_OF_MARGIN_DAYS = 366


def parse_as_of(value: str, *, today: dt.date) -> dt.date:
    """Parse an ``--as-of`` value: ``YYYY-MM-DD`` or ``auto`` (``today``).

    The date must be on or after :data:`EARLIEST_AS_OF` and at most
    :data:`AS_OF_MARGIN_DAYS` after ``today``.

    Raises
    ------
    ParameterError
        If the value is neither (an empty value too), or the date is out of that range.
    """
    text = str(value).strip()
    if text == "auto":
        return today
    latest = today + dt.timedelta(days=AS_OF_MARGIN_DAYS)
    allowed = f"a date from {EARLIEST_AS_OF} to {latest} (today + {AS_OF_MARGIN_DAYS} days)"
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(
            f"as_of: {value!r} is not a date; use YYYY-MM-DD, {allowed}, or auto "
            "(today in the workspace time zone)"
        ) from None
    if not EARLIEST_AS_OF <= day <= latest:
        raise ParameterError(
            f"as_of: {value!r} is out of range; use {allowed}, or auto (today in the "
            "workspace time zone)"
        )
    return day
