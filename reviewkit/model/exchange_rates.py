"""The company's exchange rates (``params/rates.yml``): amounts in other currencies, converted.

Every amount in the store is in the workspace's currency (``currency:`` of
``params/workspace.yml``). An imported amount written in another currency (``$22,700``,
``USD 22,700``, ``22,700 USD``, or a row whose currency column says ``USD``) is converted with
the rate in force on the row's date, or quarantined with a reason naming the currency and the
fix. The file lists dated rates, each valid from its date until the next one of its currency::

    # 1 unit of each currency in the workspace's currency (JPY), from a date on
    rates:
      - {currency: USD, from: 2024-01-01, rate: 148.2}
      - {currency: USD, from: 2025-01-01, rate: 156.7}
      - {currency: EUR, from: 2024-01-01, rate: 161.05}

A converted amount is rounded to the store's two decimals (half to even): the one rounding an
import makes, and only of amounts it converts.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from reviewkit.core.currency import check_currency
from reviewkit.core.value_bounds import AMOUNT_DECIMALS, ValueBoundError, check_amount
from reviewkit.core.yaml_config import line_of, read_yaml, validate_model
from reviewkit.errors import ConfigError

__all__ = ["RATES_FILE", "Rates", "load_rates", "rates_summary"]

RATES_FILE = Path("params") / "rates.yml"
_RATE_MAX = Decimal(10) ** 9
_CENT = Decimal(1).scaleb(-AMOUNT_DECIMALS)


class RateRow(BaseModel):
    """One line of ``rates:``: a currency, the day its rate takes effect, the rate."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    currency: str
    valid_from: dt.date = Field(alias="from")
    rate: Decimal

    @field_validator("currency")
    @classmethod
    def _code(cls, value: str) -> str:
        return check_currency(value)

    @field_validator("valid_from")
    @classmethod
    def _plausible(cls, value: dt.date) -> dt.date:
        if value < dt.date(1900, 1, 1):
            raise ValueError(f"{value} is before 1900-01-01; use the date the rate took effect")
        return value

    @field_validator("rate", mode="before")
    @classmethod
    def _rate(cls, value: object) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise ValueError(f"{value!r} is not a number; write the rate such as 148.2")
        try:
            rate = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number; write the rate such as 148.2") from None
        if not rate.is_finite() or not 0 < rate <= _RATE_MAX:
            raise ValueError(
                f"{value!r} is not a rate; use a positive number up to {_RATE_MAX:,} (1 unit "
                "of the currency in the workspace's currency)"
            )
        return rate


class RatesFile(BaseModel):
    """``params/rates.yml``."""

    model_config = ConfigDict(extra="forbid")
    rates: list[RateRow] = Field(default_factory=list)


@dataclass(frozen=True)
class Rates:
    """Dated rates to ``currency`` (the workspace's), by currency.

    Use :func:`load_rates`; ``Rates(currency="JPY")`` has none (every foreign amount is
    quarantined).
    """

    currency: str
    by_currency: dict[str, tuple[tuple[dt.date, Decimal], ...]] = field(default_factory=dict)
    source: str = str(RATES_FILE)

    def rate_on(self, code: str, day: dt.date) -> Decimal | None:
        """The rate of ``code`` in force on ``day``, or ``None`` (none yet, or no such rates)."""
        rows = self.by_currency.get(code, ())
        index = bisect.bisect_right([d for d, _ in rows], day) - 1
        return rows[index][1] if index >= 0 else None

    def convert(self, amount: Decimal, code: str, day: dt.date) -> Decimal:
        """``amount`` in ``code`` on ``day`` in the workspace's currency (two decimals).

        Raises
        ------
        ValueBoundError
            With the quarantine reason: no rate in force on ``day`` (naming the currency, the
            day and the fix), or a converted amount beyond the store's range.
        """
        rate = self.rate_on(code, day)
        if rate is None:
            raise ValueBoundError(self.missing(code, day))
        converted = (amount * rate).quantize(_CENT, rounding=ROUND_HALF_EVEN)
        try:
            return check_amount(converted)
        except ValueBoundError as exc:
            reason, _, detail = str(exc).partition(" (")
            raise ValueBoundError(
                f"{reason} after conversion from {code} at {rate} ({detail}"
            ) from None

    def missing(self, code: str, day: dt.date) -> str:
        """The quarantine reason of an amount in ``code`` with no rate on ``day``.

        The same for every row of a currency (the pack's data-quality block counts rows by
        reason): the row's date is not in it.
        """
        first = self.by_currency.get(code)
        since = f" (its {code} rates start on {first[0][0]})" if first else ""
        return (
            f"currency {code} is not the workspace's {self.currency} (add a {code} rate in "
            f"force on the row's date to {self.source}{since}, convert the amounts to "
            f"{self.currency} before importing, or set currency: {code} in "
            "params/workspace.yml)"
        )


def load_rates(root: Path, *, currency: str) -> Rates:
    """The rates of the workspace at ``root`` (none without ``params/rates.yml``).

    Parameters
    ----------
    root
        The workspace folder.
    currency
        The workspace's currency: what every rate converts to.

    Raises
    ------
    ConfigError
        One line naming the file, line, key and value: an unknown currency code, a rate of the
        workspace's own currency, a date or rate that is not one, two rates of one currency
        from the same day.
    """
    path = root / RATES_FILE
    if not path.exists() and not path.is_symlink():  # a folder or broken link is named below
        return Rates(currency=currency)
    data, lines = read_yaml(path)  # encoding, impossible dates and bombs named there
    checked = validate_model(RatesFile, path, data, lines)
    seen: dict[tuple[str, dt.date], int] = {}
    table: dict[str, list[tuple[dt.date, Decimal]]] = {}
    for index, row in enumerate(checked.rates):
        line = line_of(lines, ("rates", index))
        if row.currency == currency:
            raise ConfigError(
                f"{path}:{line}: rates.{index}.currency: {currency} is the workspace's own "
                "currency; remove the line (list the rates of the other currencies)"
            )
        key = (row.currency, row.valid_from)
        if key in seen:
            raise ConfigError(
                f"{path}:{line}: rates.{index}: a second {row.currency} rate from "
                f"{row.valid_from} (the first is on line {seen[key]}); keep one"
            )
        seen[key] = line or 0
        table.setdefault(row.currency, []).append((row.valid_from, row.rate))
    return Rates(
        currency=currency,
        by_currency={code: tuple(sorted(rows)) for code, rows in table.items()},
        source=str(RATES_FILE),
    )


def rates_summary(rates: Rates) -> str:
    """``rates: USD (2 from 2024-01-01), EUR (1 from 2024-01-01)`` for ``reviewkit validate``."""
    if not rates.by_currency:
        return "rates: none (amounts in other currencies are held back)"
    parts = [f"{code} ({len(rows)} from {rows[0][0]})" for code, rows in rates.by_currency.items()]
    return "rates: " + ", ".join(parts)
