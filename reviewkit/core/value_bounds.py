"""What the store can keep and what is plausible: amounts, scores and dates of imported rows.

A value outside these bounds is a *row* problem: the importer quarantines the row with the
column, the value and one of these reasons, and loads the others. Nothing here rounds:

- **amounts** (``opportunities.amount``, ``campaigns.cost``: ``DECIMAL(18, 2)``) keep at most
  16 digits before the decimal point and 2 after; an amount with more decimals (``1.234``) or
  more digits (``99999999999999999``, ``1e30``) is held back rather than rounded, and amounts
  travel as :class:`~decimal.Decimal`, never as binary floats;
- **scores** (``leads.score``: ``INTEGER``) are whole numbers within -2,147,483,648 ..
  2,147,483,647; ``85.0`` is 85, ``85.5``, ``inf``, ``nan`` and ``1e30`` are held back;
- **dates** lie between ``dates.earliest`` of ``params/workspace.yml`` (default 1990-01-01) and
  the import date plus ``dates.latest_margin`` (default 1 day); a planned date (an open deal's
  close date, a campaign's end) may lie up to ``dates.plan_margin`` (default 3,660 days) ahead.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from reviewkit.errors import DataError

__all__ = [
    "AMOUNT_DECIMALS",
    "AMOUNT_DIGITS",
    "SCORE_RANGE",
    "DateBounds",
    "DatesConfig",
    "ValueBoundError",
    "check_amount",
    "parse_days",
    "parse_score",
]

#: ``DECIMAL(18, 2)``: digits before the decimal point, and after it.
AMOUNT_DIGITS = 16
AMOUNT_DECIMALS = 2
#: ``INTEGER``: the range of a stored score.
SCORE_RANGE = (-(2**31), 2**31 - 1)
_AMOUNT_MAX = Decimal(10) ** AMOUNT_DIGITS - Decimal(1).scaleb(-AMOUNT_DECIMALS)
_CENT = Decimal(1).scaleb(-AMOUNT_DECIMALS)
_DAYS = re.compile(r"^\s*(\d{1,6})\s*d\s*$")
_EARLIEST_FLOOR = dt.date(1900, 1, 1)  # pandas keeps instants from 1677 on: far below this
_MAX_MARGIN_DAYS = 36_600  # about a century: the latest date stays below pandas' 2262


class ValueBoundError(DataError):
    """A value the store cannot keep or that is not plausible; ``str()`` is the reason."""


def check_amount(value: Decimal) -> Decimal:
    """``value`` as the store keeps it, exactly, or :class:`ValueBoundError`.

    Parameters
    ----------
    value : Decimal
        A parsed amount (:func:`reviewkit.ingest.amounts.parse_amount`).

    Returns
    -------
    Decimal
        The same amount with exactly two decimals (``1234.5`` -> ``1234.50``).

    Raises
    ------
    ValueBoundError
        Not finite; more than 16 digits before the decimal point; more than 2 decimals that are
        not zero (the store would round them).
    """
    if not value.is_finite():
        raise ValueBoundError("amount is not a finite number")
    if abs(value) > _AMOUNT_MAX:
        raise ValueBoundError(
            f"amount out of range (the store keeps up to {_AMOUNT_MAX:,} in "
            f"{AMOUNT_DIGITS} digits; check the value in the source)"
        )
    try:
        exact = value.quantize(_CENT)
    except InvalidOperation:  # pragma: no cover - bounded above
        raise ValueBoundError("amount out of range") from None
    if exact != value:
        raise ValueBoundError(
            f"amount has more than {AMOUNT_DECIMALS} decimals (the store keeps "
            f"{AMOUNT_DECIMALS} and rounds nothing; round it in the source)"
        )
    return exact


_WHOLE = {".": re.compile(r"^[+-]?\d+(?:\.0*)?$"), ",": re.compile(r"^[+-]?\d+(?:,0*)?$")}


def parse_score(text: str, *, decimal: str = ".") -> int:
    """A lead score as the store keeps it: a whole number within ``INTEGER``.

    Parameters
    ----------
    text : str
        The value: ``85``, ``+85``, ``-3``, ``85.0`` (``85,0`` with ``decimal=","``);
        full-width digits are read as ASCII.
    decimal : str
        The profile's decimal mark.

    Returns
    -------
    int

    Raises
    ------
    ValueBoundError
        ``inf``, ``nan``, ``1e30``, ``1,234``, a fraction (``85.5``), or a number beyond
        the ``INTEGER`` range.
    """
    value = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")
    if not _WHOLE.get(decimal, _WHOLE["."]).match(value):
        raise ValueBoundError(
            "score is not a whole number (the store keeps whole scores such as 85; "
            "inf, nan, exponents and fractions are not kept)"
        )
    whole = re.split(r"[.,]", value)[0]
    if len(whole.lstrip("+-0")) > 10 or not SCORE_RANGE[0] <= int(whole) <= SCORE_RANGE[1]:
        raise ValueBoundError(
            f"score out of range (the store keeps {SCORE_RANGE[0]:,} .. {SCORE_RANGE[1]:,})"
        )
    return int(whole)


def parse_days(value: object, *, key: str) -> dt.timedelta:
    """A margin written ``30d`` (or a whole number of days) as a :class:`~datetime.timedelta`.

    Raises
    ------
    ValueError
        Naming ``key``, the value and the allowed form (pydantic turns it into the file's line).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        days = value
    else:
        match = _DAYS.match(str(value))
        if not match:
            raise ValueError(f"{key}: {value!r} is not a number of days; write e.g. 30d")
        days = int(match[1])
    if not 0 <= days <= _MAX_MARGIN_DAYS:
        raise ValueError(f"{key}: {days}d is out of range; use 0d .. {_MAX_MARGIN_DAYS}d")
    return dt.timedelta(days=days)


class DatesConfig(BaseModel):
    """``dates:`` of ``params/workspace.yml``: the plausible dates of imported rows."""

    model_config = ConfigDict(extra="forbid")
    earliest: dt.date = dt.date(1990, 1, 1)
    latest_margin: dt.timedelta = dt.timedelta(days=1)
    plan_margin: dt.timedelta = dt.timedelta(days=3660)

    @field_validator("earliest", mode="before")
    @classmethod
    def _earliest(cls, value: object) -> object:
        if isinstance(value, dt.date) and value < _EARLIEST_FLOOR:
            raise ValueError(f"{value} is before {_EARLIEST_FLOOR}; use a later date")
        return value

    @field_validator("latest_margin", "plan_margin", mode="before")
    @classmethod
    def _margin(cls, value: object) -> dt.timedelta:
        if isinstance(value, dt.timedelta):
            return value
        return parse_days(value, key="margin")

    @model_validator(mode="after")
    def _order(self) -> DatesConfig:
        if self.earliest > dt.date.today():
            raise ValueError(f"earliest: {self.earliest} is in the future; use a past date")
        if self.plan_margin < self.latest_margin:
            raise ValueError("plan_margin is shorter than latest_margin; make it at least as long")
        return self

    def bounds(self) -> DateBounds:
        """The checked bounds."""
        return DateBounds(self.earliest, self.latest_margin, self.plan_margin)


@dataclass(frozen=True)
class DateBounds:
    """The plausible dates of an import (see :class:`DatesConfig`)."""

    earliest: dt.date = dt.date(1990, 1, 1)
    latest_margin: dt.timedelta = dt.timedelta(days=1)
    plan_margin: dt.timedelta = dt.timedelta(days=3660)

    def problem(self, value: dt.datetime, *, now: dt.datetime, plan: bool = False) -> str | None:
        """Why ``value`` is not plausible (the quarantine reason), or ``None``.

        Parameters
        ----------
        value
            An aware instant read from a row.
        now
            The import's present.
        plan
            A planned date (an open deal's close date, a campaign's end): allowed up to
            ``plan_margin`` ahead instead of ``latest_margin``.
        """
        if value.date() < self.earliest:
            return (
                f"implausible date (before {self.earliest}: dates.earliest of "
                "params/workspace.yml; fix the value in the source or lower dates.earliest)"
            )
        margin = self.plan_margin if plan else self.latest_margin
        if value > now + margin:  # the reason stays the same from one import to the next
            key = "dates.plan_margin" if plan else "dates.latest_margin"
            word = "implausible date" if plan else "future date"
            return (
                f"{word} (later than the import date plus {key} {margin.days}d of "
                "params/workspace.yml)"
            )
        return None
