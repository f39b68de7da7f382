"""Reading one value of one export row the way a profile says: text, date, amount, yes/no.

:class:`RowReader` is what the importer's record mappers share. A value that cannot be used
raises :class:`RowError` with the file column, the value and a short reason; the importer turns
it into a row of the ``quarantine`` table and goes on with the next row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from reviewkit.core.value_bounds import DateBounds, ValueBoundError, check_amount
from reviewkit.ingest.amounts import parse_amount
from reviewkit.ingest.parsing import ParseError, parse_datetime
from reviewkit.ingest.profile import Profile
from reviewkit.model.exchange_rates import Rates

FUTURE_SLACK = DateBounds().latest_margin  # the default dates.latest_margin
_YES = {"true", "yes", "y", "t", "1", "x", "はい", "ja", "sim", "si", "sí", "oui", "vrai", "wahr"}
_NO = {"false", "no", "n", "f", "0", "いいえ", "nein", "não", "nao", "non", "faux", "falsch"}
_MONTH = re.compile(r"^(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*月?$")


class RowError(Exception):
    """One row cannot be used: the file column, the value and why."""

    def __init__(self, column: str | None, value: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def pick(raw: dict[str, Any], names: list[str]) -> str | None:
    """The first non-blank value among the file columns ``names`` of a row."""
    for name in names:
        value = raw.get(name)
        if value is not None and value == value and value != "":  # not None, NaN or blank
            return str(value)
    return None


def month_span(text: str) -> tuple[dt.date, dt.date] | None:
    """``2026-09`` or ``2026年9月`` as the month's first and last day; else ``None``."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match["m"]) <= 12:
        return None
    first = dt.date(int(match["y"]), int(match["m"]), 1)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


@dataclass(frozen=True)
class RowReader:
    """Reads the store columns of one row as ``profile`` maps them.

    Parameters
    ----------
    profile
        The export layout.
    timezone
        For dates without a zone (the profile's ``timezone:`` wins).
    now
        The present: later dates are rejected as future dates.
    currency
        The workspace's currency: an amount in another is converted with ``rates`` or
        rejected; ``None``: not checked.
    bounds
        The plausible dates (``dates:`` of ``params/workspace.yml``).
    rates
        The company's exchange rates to ``currency`` (``params/rates.yml``); ``None``: none.
    """

    profile: Profile
    timezone: str
    now: dt.datetime
    currency: str | None = None
    bounds: DateBounds = field(default_factory=DateBounds)
    rates: Rates | None = None

    @property
    def tz(self) -> str:
        """The time zone of dates without one."""
        return self.profile.timezone or self.timezone

    def names(self, column: str) -> list[str]:
        """The file columns that may hold store column ``column``."""
        return self.profile.candidates(column)

    def first_name(self, column: str) -> str:
        """The file column named in errors about ``column`` (the store name if none is mapped)."""
        names = self.names(column)
        return names[0] if names else column

    def raw_text(self, raw: dict[str, Any], column: str) -> str | None:
        """The file's value of ``column``, or the profile's default for it."""
        text = pick(raw, self.names(column))
        return self.profile.defaults.get(column) if text is None else text

    def text(self, raw: dict[str, Any], column: str) -> str | None:
        """The value of ``column`` mapped through ``values:`` (a default is not mapped)."""
        text = pick(raw, self.names(column))
        if text is None:
            return self.profile.defaults.get(column)
        return self.profile.values.get(column, {}).get(text, text)

    def moment(self, text: str, column: str, *, future_ok: bool = False) -> dt.datetime:
        """Parse a date written in file column ``column``."""
        profile = self.profile
        try:
            value = parse_datetime(
                text, formats=profile.date_formats or None, tz=self.tz, dayfirst=profile.dayfirst
            )
        except ParseError as exc:
            raise RowError(column, text, f"unparseable date ({exc})") from None
        except (OverflowError, ValueError):  # a valid layout beyond datetime's years 1..9999
            raise RowError(column, text, "unparseable date (out of range)") from None
        problem = self.bounds.problem(value, now=self.now, plan=future_ok)
        if problem is not None:
            raise RowError(column, text, problem)
        return value

    def check_day(self, day: dt.date, text: str, column: str, *, plan: bool = False) -> None:
        """Hold back a row whose day ``day`` (written ``text``) is not plausible."""
        moment = dt.datetime.combine(day, dt.time(0), ZoneInfo(self.tz))
        problem = self.bounds.problem(moment, now=self.now, plan=plan)
        if problem is not None:
            raise RowError(column, text, problem)

    def when(
        self, raw: dict[str, Any], column: str, *, future_ok: bool = False
    ) -> dt.datetime | None:
        """The date of store column ``column`` (``None`` when blank)."""
        text = self.raw_text(raw, column)
        if text is None:
            return None
        return self.moment(text, self.present(raw, column), future_ok=future_ok)

    def present(self, raw: dict[str, Any], column: str) -> str:
        """The file column of ``column`` that the row has (for error messages)."""
        names = self.names(column)
        return next((n for n in names if n in raw), self.first_name(column))

    def amount(self, raw: dict[str, Any], column: str) -> tuple[Decimal | None, str | None]:
        """The amount of ``column``, exactly as the store keeps it, and the currency it names.

        Raises :class:`RowError` for an unreadable or negative amount, or one the store cannot
        keep without rounding (:func:`reviewkit.core.value_bounds.check_amount`).
        """
        text = self.raw_text(raw, column)
        if text is None:
            return None, None
        try:
            value, found = parse_amount(
                text, currency=self.profile.currency, decimal=self.profile.decimal
            )
        except ParseError as exc:
            raise RowError(self.first_name(column), text, f"unparseable amount ({exc})") from None
        if value < 0:
            raise RowError(self.first_name(column), text, "negative amount")
        try:
            return check_amount(value), found
        except ValueBoundError as exc:
            raise RowError(self.first_name(column), text, str(exc)) from None

    def row_currency(
        self, raw: dict[str, Any], found: str | None, *, amount_column: str
    ) -> tuple[str, str | None, str | None]:
        """The row's currency, the file column that says it, and the value there.

        ``found`` is the currency the amount's text names (:meth:`amount`). The ``currency``
        column wins, then the currency the amount names, then the profile's ``currency:``, then
        the workspace's. Raises :class:`RowError` when the ``currency`` column and the amount
        name two different currencies (``$22,700`` in a row whose currency says JPY).
        """
        named = self.text(raw, "currency")
        if named is not None:
            column, value = self.first_name("currency"), pick(raw, self.names("currency"))
            if found is not None and found != named.strip().upper():
                amount_text = pick(raw, self.names(amount_column))
                raise RowError(
                    self.first_name(amount_column), amount_text,
                    f"two currencies (the amount names {found}, {column} says "
                    f"{named.strip().upper()}; correct one of them in the source)",
                )  # fmt: skip
        elif found is not None:
            named, column = found, self.first_name(amount_column)
            value = pick(raw, self.names(amount_column))
        else:
            named, column, value = self.profile.currency, None, self.profile.currency
        return (named or self.currency or "JPY").strip().upper(), column, value

    def in_currency(
        self,
        raw: dict[str, Any],
        amount: Decimal | None,
        found: str | None,
        *,
        amount_column: str,
        day: dt.date,
    ) -> tuple[Decimal | None, str, str | None]:
        """The amount and currency to store, and the currency it was converted from (or None).

        An amount in another currency than the workspace's is converted with the rate in force
        on ``day`` (``params/rates.yml``); without one the row is held back (:class:`RowError`
        naming the currency, the day and the fix). Without a workspace currency nothing is
        checked.
        """
        code, column, value = self.row_currency(raw, found, amount_column=amount_column)
        workspace = (self.currency or "").strip().upper()
        if not workspace or code == workspace:
            return amount, code, None
        rates = self.rates or Rates(currency=workspace)
        try:
            if amount is None:  # nothing to convert; the row still needs a rate
                if rates.rate_on(code, day) is None:
                    raise ValueBoundError(rates.missing(code, day))
                return None, workspace, code
            return rates.convert(amount, code, day), workspace, code
        except ValueBoundError as exc:
            raise RowError(column, value, str(exc)) from None

    def flag(self, raw: dict[str, Any], column: str) -> bool | None:
        """A yes/no value (``true``/``false``, ``yes``/``no``, ``1``/``0``, ...) or ``None``."""
        text = self.raw_text(raw, column)
        if text is None:
            return None
        key = text.strip().lower()
        if key in _YES:
            return True
        if key in _NO:
            return False
        raise RowError(self.first_name(column), text, "not a yes/no value")
