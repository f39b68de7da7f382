"""Fiscal calendar and review periods.

A review looks at one complete period: the ISO week (weeks start on Monday), the calendar
month, or the fiscal quarter (fiscal years start in a configurable month; most Japanese
companies start in April, so ``FY2026`` runs from 2026-04-01 to 2027-03-31 and ``FY2026-Q2``
is July to September 2026). Periods are half-open: ``start <= day < end``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal, get_args

from reviewkit.errors import ParameterError

Cadence = Literal["weekly", "monthly", "quarterly"]
CADENCES: tuple[str, ...] = get_args(Cadence)

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^FY(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class FiscalCalendar:
    """How a company counts its years.

    Parameters
    ----------
    fiscal_year_start_month
        Month (1-12) in which the fiscal year starts. A fiscal year is named after the
        calendar year in which it starts (the Japanese convention: ``2026年度`` starts in
        April 2026).
    """

    fiscal_year_start_month: int = 4

    def __post_init__(self) -> None:
        if not 1 <= self.fiscal_year_start_month <= 12:
            raise ParameterError(
                f"fiscal_year_start_month: {self.fiscal_year_start_month!r} is not a month; "
                "use 1-12 (4 for a fiscal year starting in April)"
            )

    def fiscal_year(self, day: dt.date) -> int:
        """Return the fiscal year that contains ``day``."""
        return day.year if day.month >= self.fiscal_year_start_month else day.year - 1

    def fiscal_quarter(self, day: dt.date) -> int:
        """Return the fiscal quarter (1-4) that contains ``day``."""
        offset = (day.month - self.fiscal_year_start_month) % 12
        return offset // 3 + 1

    def quarter_start(self, fiscal_year: int, quarter: int) -> dt.date:
        """Return the first day of a fiscal quarter."""
        month0 = self.fiscal_year_start_month - 1 + 3 * (quarter - 1)
        return dt.date(fiscal_year + month0 // 12, month0 % 12 + 1, 1)


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
        The period, with its label (``2026-W47``, ``2026-10`` or ``FY2026-Q2``).
    """
    if cadence == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        iso = start.isocalendar()
        return Period(
            "weekly", start, start + dt.timedelta(days=7), f"{iso.year}-W{iso.week:02d}",
            calendar.fiscal_year(start), iso.week,
        )  # fmt: skip
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
    2026-11-23 that is week ``2026-W47``, month ``2026-10`` and quarter ``FY2026-Q2``.
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
    """Return the same period one year earlier (same ISO week number for weeks)."""
    if period.cadence == "weekly":
        return period_containing("weekly", period.start - dt.timedelta(weeks=52), calendar=calendar)
    return period_containing(period.cadence, _add_months(period.start, -12), calendar=calendar)


def parse_period(label: str, *, calendar: FiscalCalendar) -> Period:
    """Parse a period label such as ``2026-W47``, ``2026-10`` or ``FY2026-Q2``.

    Raises
    ------
    ParameterError
        If the label matches none of the three forms.
    """
    if m := _WEEK.match(label):
        try:
            start = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError:
            start = None
        if start is not None:
            return period_containing("weekly", start, calendar=calendar)
    elif m := _MONTH.match(label):
        if 1 <= int(m[2]) <= 12:
            return period_containing("monthly", dt.date(int(m[1]), int(m[2]), 1), calendar=calendar)
    elif m := _QUARTER.match(label):
        start = calendar.quarter_start(int(m[1]), int(m[2]))
        return period_containing("quarterly", start, calendar=calendar)
    raise ParameterError(
        f"period: {label!r} is not a period label; use 2026-W47 (ISO week), 2026-10 (month) "
        "or FY2026-Q2 (fiscal quarter)"
    )


def parse_as_of(value: str, *, today: dt.date) -> dt.date:
    """Parse an ``--as-of`` value: ``YYYY-MM-DD`` or ``auto`` (``today``).

    Raises
    ------
    ParameterError
        If the value is neither.
    """
    text = str(value).strip()
    if text in ("auto", ""):
        return today
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(
            f"as_of: {value!r} is not a date; use YYYY-MM-DD (e.g. 2026-11-23) or auto "
            "(today in the workspace time zone)"
        ) from None
