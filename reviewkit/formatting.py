"""Numbers, money, dates and periods written the way each language's readers expect.

Japanese: ``1億6,700万円``, ``2026年11月23日``, ``2026年度 第2四半期``.
English: ``¥167.0M``, ``23 Nov 2026``, ``FY2026 Q2``.
"""

from __future__ import annotations

import datetime as dt
import math

from reviewkit.periods import Period, week_number
from reviewkit.texts import check_lang

DASH = "—"
MINUS = "\u2212"  # a true minus sign, as wide as the plus sign
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS_LONG = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(value: float | None, *, kind: str, lang: str) -> str:
    """Format an ``amount`` as yen (:func:`format_yen`), anything else as a count."""
    return format_yen(value, lang=lang) if kind == "amount" else format_count(value, lang=lang)


def format_count(value: float | None, *, lang: str) -> str:
    """Format a count: ``1,234`` (rounded to a whole number)."""
    check_lang(lang)
    return DASH if _missing(value) else f"{round(value):,}".replace("-", MINUS)  # type: ignore[arg-type]


def format_yen(value: float | None, *, lang: str) -> str:
    """Format an amount in yen: ``1億6,700万円`` / ``1,234万円`` (ja), ``¥167.0M`` (en)."""
    check_lang(lang)
    if _missing(value):
        return DASH
    v = float(value)  # type: ignore[arg-type]
    sign = MINUS if v < 0 else ""
    a = abs(v)
    if lang == "ja":
        if a >= 1e8:
            man_total = round(a / 1e4)
            oku, man = divmod(man_total, 10_000)
            return f"{sign}{oku:,}億{man:,}万円" if man else f"{sign}{oku:,}億円"
        if a >= 1e4:
            return f"{sign}{round(a / 1e4):,}万円"
        return f"{sign}{round(a):,}円"
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= size:
            return f"{sign}¥{a / size:,.1f}{suffix}"
    return f"{sign}¥{round(a):,}"


def format_pct(value: float | None, *, lang: str, signed: bool = False) -> str:
    """Format a ratio as a percentage: ``87.3%`` (``+4.2%`` when ``signed``)."""
    check_lang(lang)
    if _missing(value):
        return DASH
    text = f"{value * 100:+.1f}%" if signed else f"{value * 100:.1f}%"  # type: ignore[operator]
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
    :mod:`reviewkit.periods`); the days in brackets say which days it covers either way.
    """
    check_lang(lang)
    first, last = period.start, period.last_day
    if period.cadence == "monthly":
        if lang == "ja":
            return f"{first.year}年{first.month}月"
        return f"{_MONTHS_LONG[first.month - 1]} {first.year}"
    if period.cadence == "quarterly":
        if lang == "ja":
            return f"{period.fiscal_year}年度 第{period.number}四半期"
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
