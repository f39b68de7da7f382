import datetime as dt
import math

import pytest

from reviewkit.core.periods import FiscalCalendar, parse_period
from reviewkit.errors import ParameterError
from reviewkit.i18n.formatting import (
    format_count,
    format_date,
    format_money,
    format_pct,
    format_period,
    format_value,
)

APRIL = FiscalCalendar(4)


@pytest.mark.parametrize(
    ("value", "ja", "en"),
    [
        (12_340_000, "1,234万円", "¥12.3M"),
        (167_000_000, "1億6,700万円", "¥167.0M"),
        (200_000_000, "2億円", "¥200.0M"),
        (1_234_500_000_000, "12,345億円", "¥1,234.5B"),
        (9_800, "9,800円", "¥9.8K"),
        (500, "500円", "¥500"),
        (-3_000_000, "\u2212300万円", "\u2212¥3.0M"),
        (math.nan, "—", "—"),
    ],
)
def test_yen(value, ja, en):
    """Yen are written as packs always wrote them (other currencies: tests/i18n/test_money.py)."""
    assert format_money(value, currency="JPY", lang="ja") == ja
    assert format_money(value, currency="JPY", lang="en") == en


def test_format_value_picks_the_unit_and_needs_the_currency():
    assert format_value(12_340_000, kind="amount", lang="en", currency="USD") == "$12.3M"
    assert format_value(12_340_000, kind="count", lang="en", currency="USD") == "12,340,000"
    assert format_value(0.125, kind="rate", lang="ja", currency="USD") == "12.5%"
    with pytest.raises(TypeError, match="currency"):
        format_value(1.0, kind="count", lang="en")  # type: ignore[call-arg]
    with pytest.raises(ParameterError, match="kind: 'days' is not a unit"):
        format_value(1.0, kind="days", lang="en", currency="JPY")


def test_counts_and_percentages():
    assert format_count(1234.4, lang="ja") == "1,234"
    assert format_count(None, lang="en") == "—"
    assert format_pct(0.8112, lang="en") == "81.1%"
    assert format_pct(-0.021, lang="ja", signed=True) == "\u22122.1%"
    assert format_count(-12, lang="en") == "\u221212"
    assert format_pct(0.93, lang="ja", signed=True) == "+93.0%"
    assert format_pct(math.nan, lang="ja") == "—"


def test_dates():
    day = dt.date(2026, 11, 23)
    assert format_date(day, lang="ja") == "2026年11月23日"
    assert format_date(day, lang="en") == "23 Nov 2026"


@pytest.mark.parametrize(
    ("label", "ja", "en"),
    [
        ("2026-10", "2026年10月", "October 2026"),
        ("FY2026-Q2", "2026年度 第2四半期", "FY2026 Q2"),
        ("2026-W47", "2026年 第47週（11月16日〜11月22日）", "Week 47, 2026 (16–22 Nov)"),
        ("2026-W44", "2026年 第44週（10月26日〜11月1日）", "Week 44, 2026 (26 Oct – 1 Nov)"),
    ],
)
def test_periods(label, ja, en):
    period = parse_period(label, calendar=APRIL)
    assert format_period(period, lang="ja") == ja
    assert format_period(period, lang="en") == en


def test_unknown_language_is_a_parameter_error():
    with pytest.raises(ParameterError, match="lang: 'fr' is not a pack language; use ja or en"):
        format_count(1, lang="fr")
