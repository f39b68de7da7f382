"""A company's days off: its country's public holidays and its seasonal breaks.

Seasonal weights (:mod:`reviewkit.model.seasonality`) put every day off in one class, ``holiday``.
A day is off when it is

- a public holiday of the workspace's ``country`` (and ``subdivision``: a state, Land or
  prefecture) in the ``holidays`` library (its ``public`` category);
- inside one of the country's seasonal breaks (:data:`COUNTRY_BREAKS`, a small table):
  Japan keeps Obon (13-16 August) and the year-end break (29 December - 3 January), Golden
  Week being its public holidays; Brazil has Carnival (the Monday and Tuesday before Ash
  Wednesday) and, like the other countries listed, the Christmas - New Year week
  (24 December - 1 January), when most offices there close or run short-staffed; other
  countries have no seasonal break;
- inside one of the workspace's own ``breaks`` (``params/workspace.yml``), e.g. a summer
  shutdown every year or an office move once.

The ``holidays`` library is imported on the first question about a day (about 0.1 s, paid
only by code that computes seasonal weights), never at import time. Holidays are cached per
country, subdivision and year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from reviewkit.errors import ConfigError

DEFAULT_COUNTRY = "JP"
CONFIG_FILE = "params/workspace.yml"
_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EASTER = re.compile(r"^easter([+-]\d{1,3})$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Break:
    """Days off that are not public holidays, from ``first`` to ``last`` (both included).

    Each end is a month-day ``MM-DD`` (every year; ``last`` before ``first`` wraps past
    31 December, as ``12-29`` .. ``01-03`` does), an ISO date ``YYYY-MM-DD`` (once; both ends
    dates) or ``easter-48`` (days from Western Easter Sunday; both ends so).

    Build one with :func:`parse_break`, which checks the ends.
    """

    key: str
    first: str
    last: str
    name: str = ""

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls inside the break."""
        if _DATE.match(self.first):
            return dt.date.fromisoformat(self.first) <= day <= dt.date.fromisoformat(self.last)
        if _EASTER.match(self.first):
            from dateutil.easter import easter as easter_sunday

            offset = (day - easter_sunday(day.year)).days
            return _off(self.first) <= offset <= _off(self.last)
        first, last, md = _month_day(self.first), _month_day(self.last), (day.month, day.day)
        return first <= md <= last if first <= last else (md >= first or md <= last)


def _month_day(text: str) -> tuple[int, int]:
    m = _MONTH_DAY.match(text)
    if m is None:
        raise ValueError(text)
    month, day = int(m[1]), int(m[2])
    dt.date(2024, month, day)  # a leap year: 02-29 is a month-day
    return month, day


def _end(value: object) -> tuple[str, str]:
    """``(kind, text)`` of a break's end: ``date``, ``month_day`` or ``easter``."""
    if isinstance(value, dt.date):
        return "date", value.isoformat()
    text = str(value).strip()
    if _DATE.match(text):
        dt.date.fromisoformat(text)
        return "date", text
    if _EASTER.match(text):
        return "easter", text
    month, day = _month_day(text)
    return "month_day", f"{month:02d}-{day:02d}"


def parse_break(first: object, last: object, *, name: str = "", key: str = "") -> Break:
    """Check a break's ends and return it.

    Raises
    ------
    ValueError
        If an end is not a month-day, a date or an Easter offset, the two ends are of
        different kinds, or a dated break ends before it starts.
    """
    try:
        (kind1, text1), (kind2, text2) = _end(first), _end(last)
    except ValueError:
        raise ValueError(
            f"break {first!r} .. {last!r}: each end is a month-day MM-DD (every year, e.g. "
            "08-10), a date YYYY-MM-DD (once, e.g. 2026-05-07) or easter-48 (days from Easter)"
        ) from None
    if kind1 != kind2:
        raise ValueError(
            f"break {first!r} .. {last!r}: both ends must be month-days (every year) or both "
            "dates (once); write from: 08-10, to: 08-16 or from: 2026-05-07, to: 2026-05-08"
        )
    if kind1 != "month_day" and (text1 > text2 if kind1 == "date" else _off(text1) > _off(text2)):
        raise ValueError(f"break {first!r} .. {last!r}: ends before it starts; swap from and to")
    return Break(key=key, first=text1, last=text2, name=name)


def _off(text: str) -> int:
    found = _EASTER.match(text)
    assert found is not None, text  # callers match _EASTER first
    return int(found[1])


_CHRISTMAS = Break("christmas", "12-24", "01-01")
# Seasonal breaks per country (ISO 3166-1 alpha-2). Keep it small and defensible: a break is
# listed where most offices of the country close or run short-staffed every year; anything
# else is a workspace's own ``breaks:``.
COUNTRY_BREAKS: Mapping[str, tuple[Break, ...]] = {
    "JP": (Break("obon", "08-13", "08-16"), Break("year_end", "12-29", "01-03")),
    "BR": (Break("carnival", "easter-48", "easter-47"), _CHRISTMAS),
    **{
        code: (_CHRISTMAS,)
        for code in (
            "AT", "AU", "BE", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IT", "LU",
            "NL", "NO", "NZ", "PT", "SE", "US",
        )
    },
}  # fmt: skip


@dataclass(frozen=True)
class DayCalendar:
    """Which days a company has off: its country's public holidays and its breaks.

    Parameters
    ----------
    country
        ISO 3166-1 alpha-2 code of a country the ``holidays`` library knows (``JP``, ``BR``).
    subdivision
        A state, Land or prefecture code of that country (``SP``, ``BY``, ``CA``); ``None``
        for the national holidays only.
    breaks
        The workspace's own breaks, on top of the country's (:data:`COUNTRY_BREAKS`).
    source
        Where the settings come from, named in error messages.
    """

    country: str = DEFAULT_COUNTRY
    subdivision: str | None = None
    breaks: tuple[Break, ...] = ()
    source: str = field(default=CONFIG_FILE, compare=False, repr=False)

    @property
    def all_breaks(self) -> tuple[Break, ...]:
        """The country's seasonal breaks, then the workspace's own."""
        return (*COUNTRY_BREAKS.get(self.country, ()), *self.breaks)

    def public_holidays(self, year: int) -> dict[dt.date, str]:
        """The public holidays of ``year`` and their names (English)."""
        return dict(_holidays(self.country, self.subdivision, year, self.source))

    def is_public_holiday(self, day: dt.date) -> bool:
        """Whether ``day`` is a public holiday of the country (and subdivision)."""
        return day in _holiday_days(self.country, self.subdivision, day.year, self.source)

    def is_break(self, day: dt.date) -> bool:
        """Whether ``day`` is off: a public holiday or inside a break."""
        return _is_break(self, day)

    def check(self) -> None:
        """Raise :class:`ConfigError` unless ``holidays`` knows the country and subdivision."""
        _holiday_days(self.country, self.subdivision, 2000, self.source)


@lru_cache(maxsize=8192)
def _is_break(days: DayCalendar, day: dt.date) -> bool:
    return days.is_public_holiday(day) or any(b.contains(day) for b in days.all_breaks)


@lru_cache(maxsize=256)
def _holiday_days(
    country: str, subdivision: str | None, year: int, source: str
) -> frozenset[dt.date]:
    return frozenset(day for day, _ in _holidays(country, subdivision, year, source))


@lru_cache(maxsize=256)
def _holidays(
    country: str, subdivision: str | None, year: int, source: str
) -> tuple[tuple[dt.date, str], ...]:
    import holidays  # lazy: about 0.1 s with its country modules

    if not any(country == names[1] for names in holidays.registry.COUNTRIES.values()):
        raise ConfigError(
            f"{source}: country: {country!r} is not a country the holidays library knows; "
            "use an ISO 3166-1 alpha-2 code such as JP, US, BR, DE or GB"
        )
    try:
        found = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError:
        known = holidays.country_holidays(country)
        codes = ", ".join(known.subdivisions[:8])
        raise ConfigError(
            f"{source}: subdivision: {subdivision!r} is not a subdivision of {country} that "
            f"the holidays library knows; use one of {codes}, ... or leave it out"
        ) from None
    return tuple(sorted(found.items()))


def check_country(value: str) -> str:
    """The shape of a ``country:`` value: two letters, returned in upper case.

    Whether ``holidays`` knows it is checked by :meth:`DayCalendar.check` (it imports the
    library, which workspace loading does not).
    """
    code = str(value).strip().upper()
    if not _COUNTRY.match(code):
        raise ValueError(
            f"{value!r} is not an ISO 3166-1 alpha-2 country code; use two letters such as "
            "JP, US, BR, DE or GB"
        )
    return code
