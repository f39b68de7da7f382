"""Reading one value of one export row the way a profile says: text, date, amount, yes/no.

:class:`RowReader` is what the importer's record mappers share. A value that cannot be used
raises :class:`RowError` with the file column, the value and a short reason; the importer turns
it into a row of the ``quarantine`` table and goes on with the next row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from reviewkit.import_profiles import Profile
from reviewkit.parsing import ParseError, parse_amount, parse_datetime

FUTURE_SLACK = dt.timedelta(days=1)
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


def currency_reason(found: str, workspace: str) -> str:
    """The quarantine reason of an amount in another currency than the workspace's."""
    return (
        f"currency {found} is not the workspace's {workspace} (set currency: {found} in "
        f"params/workspace.yml, or convert the amounts to {workspace} before importing)"
    )


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
        The workspace's currency: an amount in another is rejected; ``None``: not checked.
    """

    profile: Profile
    timezone: str
    now: dt.datetime
    currency: str | None = None

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
        if value > self.now + FUTURE_SLACK and not future_ok:
            raise RowError(column, text, "future date")
        return value

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

    def amount(self, raw: dict[str, Any], column: str) -> tuple[float | None, str | None]:
        """The amount of ``column`` and its currency (named by the text, else the profile's).

        Raises :class:`RowError` for an unreadable or negative amount.
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
        return float(value), found

    def row_currency(self, raw: dict[str, Any], found: str | None, *, amount_column: str) -> str:
        """The row's currency, checked against the workspace's.

        ``found`` is what :meth:`amount` returned. The ``currency`` column wins, then the
        currency the amount names, then the profile's ``currency:``, then the workspace's.
        Raises :class:`RowError` when it is not the workspace's currency.
        """
        named = self.text(raw, "currency")
        if named is not None:
            column, value = self.first_name("currency"), pick(raw, self.names("currency"))
        elif found is not None:
            named, column = found, self.first_name(amount_column)
            value = pick(raw, self.names(amount_column))
        else:
            named, column, value = self.profile.currency, None, self.profile.currency
        code = (named or self.currency or "JPY").strip().upper()
        if self.currency is not None and code != self.currency.strip().upper():
            raise RowError(column, value, currency_reason(code, self.currency.strip().upper()))
        return code

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
