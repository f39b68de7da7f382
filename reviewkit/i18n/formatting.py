"""Numbers, money, dates and periods written the way each language's readers expect.

Japanese: ``1億6,700万円``, ``120万ドル``, ``2026年11月23日``, ``2026年度 第2四半期``.
English: ``¥167.0M``, ``$1.2M``, ``23 Nov 2026``, ``FY2026 Q2``.

Amounts are in the workspace's currency (``currency:`` of ``params/workspace.yml``), which every
function that writes one takes as ``currency=``: :func:`format_money`, :func:`format_value`.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from reviewkit.core.currency import currency_forms, currency_problem, ja_unit
from reviewkit.core.periods import Period, week_number
from reviewkit.errors import ParameterError
from reviewkit.i18n.texts import check_lang

if TYPE_CHECKING:
    from babel import Locale
    from babel.numbers import NumberPattern

DASH = "—"
MINUS = "\u2212"  # a true minus sign, as wide as the plus sign
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS_LONG = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(value: float | None, *, kind: str, lang: str, currency: str) -> str:
    """Format a value by its unit (:func:`reviewkit.model.units.metric_unit`).

    ``amount``: :func:`format_money` in ``currency``; ``count``: :func:`format_count`;
    ``rate``: :func:`format_pct`. Counts and rates never carry a currency sign.

    Raises
    ------
    ParameterError
        If ``kind`` is another unit (days, hours and times read as words, in their section).
    """
    if kind == "amount":
        return format_money(value, currency=currency, lang=lang)
    if kind == "count":
        return format_count(value, lang=lang)
    if kind == "rate":
        return format_pct(value, lang=lang)
    raise ParameterError(
        f"kind: {kind!r} is not a unit format_value writes; use amount, count or rate"
    )


def format_count(value: float | None, *, lang: str) -> str:
    """Format a count: ``1,234`` (rounded to a whole number)."""
    check_lang(lang)
    if value is None or _missing(value):
        return DASH
    return f"{round(value):,}".replace("-", MINUS)


def format_money(value: float | None, *, currency: str, lang: str) -> str:
    """Format an amount in ``currency`` (an ISO 4217 code) the way each language writes money.

    Japanese counts in 万 (10^4) and 億 (10^8) with the currency's unit after the number;
    English writes the symbol first and K, M, B with one decimal from a thousand up:

    - 167,000,000 JPY: ``1億6,700万円`` (ja), ``¥167.0M`` (en)
    - 12,340,000 JPY: ``1,234万円``, ``¥12.3M``; 980 JPY: ``980円``, ``¥980``
    - 1,200,000 USD: ``120万ドル``, ``$1.2M``; 345,000,000 EUR: ``3億4,500万ユーロ``, ``€345.0M``
    - 52,300 USD: ``5.2万ドル``, ``$52.3K``; 980 USD: ``980ドル``, ``$980``; 12.34 USD:
      ``12.34ドル``, ``$12.34``

    Yen keep the forms packs always had (whole 万 from 1万円). Other currencies have one
    decimal in 万 below 100万 (``5.2万ドル``, not ``5万ドル`` for 52,300 dollars). Below 1万
    (ja) or 1,000 (en) the amount is written in full, with the currency's minor units (Babel:
    2 for USD, 0 for JPY and KRW) when it is not a whole number (a cost per lead of 12.34
    dollars), without them when it is. Symbols come from Babel's English data (``CN¥``,
    ``R$``, ``₩``, ``₹``); Japanese units are ``ドル``, ``ユーロ``, ``ポンド``, ``レアル``, ``元``,
    ``ウォン``, ``ルピー``, else Babel's Japanese name (``スイス フラン``). A negative amount has
    a true minus sign (``−¥3.0M``); a missing one is a dash.
    """
    check_lang(lang)
    problem = None if currency == "JPY" else currency_problem(currency)
    if problem is not None:
        raise ParameterError(f"currency: {problem}")
    if value is None or _missing(value):
        return DASH
    v = float(value)
    sign = MINUS if v < 0 else ""
    a = abs(v)
    if lang == "ja":
        return sign + _money_ja(a, currency)
    return sign + _money_en(a, currency)


def _money_ja(a: float, currency: str) -> str:
    if currency == "JPY":  # the forms every yen pack has had
        if a >= 1e8:
            oku, man = divmod(round(a / 1e4), 10_000)
            return f"{oku:,}億{man:,}万円" if man else f"{oku:,}億円"
        return f"{round(a / 1e4):,}万円" if a >= 1e4 else f"{round(a):,}円"
    unit = ja_unit(currency)
    if a >= 1e8:
        oku, man = divmod(round(a / 1e4), 10_000)
        return f"{oku:,}億{man:,}万{unit}" if man else f"{oku:,}億{unit}"
    if a >= 1e4:
        man_units = round(a / 1e4, 1)
        if man_units >= 100 or man_units == int(man_units):
            return f"{round(a / 1e4):,}万{unit}"
        return f"{man_units:,.1f}万{unit}"
    return f"{_small(a, currency)}{unit}"


def _small(a: float, currency: str) -> str:
    """An amount below the compact forms: whole, or with its minor units when it has them."""
    digits = 0 if currency == "JPY" else currency_forms(currency).digits
    shown = f"{a:,.{digits}f}"
    whole = f"{round(a):,}"
    return whole if digits == 0 or float(shown.replace(",", "")) == round(a) else shown


def _money_en(a: float, currency: str) -> str:
    forms = currency_forms(currency)
    for index, (size, pattern) in enumerate(forms.compact):
        if a < size:
            continue
        shown = f"{a / size:.1f}"
        if float(shown) >= 1000 and index > 0:  # 999,960 is $1.0M, not $1,000.0K
            size, pattern = forms.compact[index - 1]
            shown = f"{a / size:.1f}"
        return _babel_currency(Decimal(shown), currency, pattern.replace("0", "#,##0.0", 1))
    small = _small(a, currency)
    fraction = small.rpartition(".")[2] if "." in small else ""
    pattern = "¤#,##0" + (f".{'0' * len(fraction)}" if fraction else "")
    return _babel_currency(Decimal(small.replace(",", "")), currency, pattern)


def _babel_currency(number: Decimal, currency: str, pattern: str) -> str:
    """Babel writes the symbol where English puts it and groups the digits."""
    return _en_pattern(pattern).apply(number, _english(), currency=currency, currency_digits=False)


@lru_cache(maxsize=16)
def _en_pattern(pattern: str) -> NumberPattern:
    from babel.numbers import parse_pattern

    return parse_pattern(pattern)


@lru_cache(maxsize=1)
def _english() -> Locale:
    from babel import Locale

    return Locale.parse("en")


def format_pct(value: float | None, *, lang: str, signed: bool = False) -> str:
    """Format a ratio as a percentage: ``87.3%`` (``+4.2%`` when ``signed``)."""
    check_lang(lang)
    if value is None or _missing(value):
        return DASH
    text = f"{value * 100:+.1f}%" if signed else f"{value * 100:.1f}%"
    return text.replace("-", MINUS)


def format_date(day: dt.date, *, lang: str) -> str:
    """Format a date: ``2026年11月23日`` (ja) or ``23 Nov 2026`` (en)."""
    check_lang(lang)
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_datetime(moment: dt.datetime, *, lang: str) -> str:
    """Format an instant (already in the workspace zone): date and ``HH:MM``."""
    return f"{format_date(moment.date(), lang=lang)} {moment:%H:%M}"


def format_period(period: Period, *, lang: str) -> str:
    """Name a period for readers.

    ``2026年10月`` / ``October 2026``; ``2026年度 第2四半期`` / ``FY2026 Q2``;
    ``2026年 第47週（11月16日〜11月22日）`` / ``Week 47, 2026 (16–22 Nov)``. A week's number
    is its ISO week (Monday weeks) or its US week number (Sunday weeks, see
    :mod:`reviewkit.core.periods`); the days in brackets say which days it covers either way.
    """
    check_lang(lang)
    first, last = period.start, period.last_day
    if period.cadence == "monthly":
        if lang == "ja":
            return f"{first.year}年{first.month}月"
        return f"{_MONTHS_LONG[first.month - 1]} {first.year}"
    if period.cadence == "quarterly":
        # a fiscal year that is the calendar year needs no "FY": Q3 2026 / 2026年 第3四半期
        calendar_year = (
            first.month == 3 * (period.number - 1) + 1 and period.fiscal_year == first.year
        )
        if lang == "ja":
            if calendar_year:
                return f"{period.fiscal_year}年 第{period.number}四半期"
            return f"{period.fiscal_year}年度 第{period.number}四半期"
        if calendar_year:
            return f"Q{period.number} {period.fiscal_year}"
        return f"FY{period.fiscal_year} Q{period.number}"
    year, week = week_number(first)
    if lang == "ja":
        span = f"{first.month}月{first.day}日〜{last.month}月{last.day}日"
        return f"{year}年 第{week}週（{span}）"
    if first.month == last.month:
        span = f"{first.day}–{last.day} {_MONTHS[first.month - 1]}"
    else:
        span = f"{first.day} {_MONTHS[first.month - 1]} – {last.day} {_MONTHS[last.month - 1]}"
    return f"Week {week}, {year} ({span})"
