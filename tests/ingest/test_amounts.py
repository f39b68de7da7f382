"""amounts: money amounts as exports write them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reviewkit.ingest.amounts import parse_amount
from reviewkit.ingest.parsing import ParseError

AMOUNTS = [
    ("$22,700.00", Decimal("22700.00"), "USD"),
    ("US$1,200", Decimal("1200"), "USD"),
    ("USD 1,200", Decimal("1200"), "USD"),
    ("1,200 USD", Decimal("1200"), "USD"),
    ("€1,200.50", Decimal("1200.50"), "EUR"),
    ("¥1,234,000", Decimal("1234000"), "JPY"),
    ("￥1,234,000", Decimal("1234000"), "JPY"),  # full-width yen
    ("1,234,000円", Decimal("1234000"), "JPY"),
    ("1,234,000 円", Decimal("1234000"), "JPY"),
    ("123.4万円", Decimal("1234000"), "JPY"),
    ("1.2億円", Decimal("120000000"), "JPY"),
    ("12.5千円", Decimal("12500"), "JPY"),
    ("1億2,345万円", Decimal("123450000"), "JPY"),
    ("3万", Decimal("30000"), None),
    ("1234.5", Decimal("1234.5"), None),
    ("1234", Decimal("1234"), None),
    ("0", Decimal("0"), None),
    ("1,234,000", Decimal("1234000"), None),
    ("-1,000", Decimal("-1000"), None),
    ("(1,000)", Decimal("-1000"), None),
    ("($1,000.00)", Decimal("-1000.00"), "USD"),
    ("-$1,000", Decimal("-1000"), "USD"),
    ("$-1,000", Decimal("-1000"), "USD"),
    ("△1,000", Decimal("-1000"), None),
    ("▲1,000", Decimal("-1000"), None),
    ("▲1,000円", Decimal("-1000"), "JPY"),
    ("1,000-", Decimal("-1000"), None),
    ("\u22121,000", Decimal("-1000"), None),  # minus sign
    ("－１，０００", Decimal("-1000"), None),  # full-width
    ("１２３", Decimal("123"), None),
    ("１２３．４万円", Decimal("1234000"), "JPY"),
    (" 1,000 ", Decimal("1000"), None),
    ("1.5E+3", Decimal("1500"), None),  # Excel's scientific notation
]


@pytest.mark.parametrize(("text", "amount", "currency"), AMOUNTS)
def test_parse_amount(text, amount, currency):
    assert parse_amount(text) == (amount, currency)


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("1,000", "JPY", (Decimal("1000"), "JPY")),
        ("$1,000", "JPY", (Decimal("1000"), "USD")),  # the text wins; the caller compares
        ("1,000円", "USD", (Decimal("1000"), "JPY")),
    ],
)
def test_parse_amount_default_currency(text, default, expected):
    assert parse_amount(text, currency=default) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "empty"),
        ("", "empty"),
        (" \t\u3000", "empty"),
        ("abc", "not an amount"),
        ("abc1", "not an amount"),
        ("N/A", "not an amount"),
        ("-", "not an amount"),
        ("$", "not an amount"),
        ("万円", "not an amount"),
        ("10%", "not an amount"),
        ("約1,000万円", "not an amount"),
        ("1.234,50", "not an amount"),  # decimal comma: refused, not misread
        ("1,23", "not an amount"),
        ("1 234", "not an amount"),
        ("1.2.3", "not an amount"),
        ("$1,000円", "not an amount (two currencies)"),
    ],
)
def test_parse_amount_errors(text, reason):
    with pytest.raises(ParseError) as exc:
        parse_amount(text)
    assert str(exc.value) == reason
