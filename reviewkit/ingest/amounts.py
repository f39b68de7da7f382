"""Parse the money amounts of MA/SFA exports: currency symbols and codes, 万/億 units, signs.

Pure functions of one value, like :mod:`reviewkit.ingest.parsing` (whose :class:`ParseError`
an unusable amount raises, with a short reason for the quarantine table). Accepted amounts
are the ones real exports use: ``$22,700.00``, ``¥1,234,000``, ``1,234,000円``, ``123.4万円``,
``1億2,345万円``, ``(1,000)`` and ``△1,000``; full-width digits and signs are read as ASCII.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from reviewkit.errors import ParameterError
from reviewkit.ingest.parsing import ParseError

__all__ = ["parse_amount"]

_SYMBOLS = {
    "$": "USD", "us$": "USD", "¥": "JPY", "円": "JPY", "€": "EUR", "£": "GBP", "r$": "BRL",
    "a$": "AUD", "c$": "CAD", "hk$": "HKD", "s$": "SGD", "nz$": "NZD", "cn¥": "CNY", "元": "CNY",
    "₩": "KRW", "₹": "INR",
}  # fmt: skip
_UNITS = {
    "兆": Decimal(10) ** 12,
    "億": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "千": Decimal(1000),
}
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_PLAIN = re.compile(rf"(?:{_NUMBER})(?:e[+-]?\d+)?")
_JAPANESE = re.compile(
    rf"(?:(?P<cho>{_NUMBER})兆)?(?:(?P<oku>{_NUMBER})億)?(?:(?P<man>{_NUMBER})万)?"
    rf"(?:(?P<sen>{_NUMBER})千)?(?P<one>{_NUMBER})?"
)
_CODES = (
    "usd|jpy|eur|gbp|cny|rmb|krw|twd|hkd|sgd|aud|nzd|cad|chf|inr|thb|idr|myr|php|vnd|sek|nok|dkk"
    "|brl|mxn|ars|clp|cop|pen|zar|pln|czk|huf|try|ils|aed|sar"
)
_DOLLARS = r"(?:us|r|a|c|hk|s|nz)\$|cn¥"
_PREFIX = re.compile(rf"^(?:{_DOLLARS}|[$¥€£₩₹]|(?:{_CODES})(?=[\s\d.,(+-]))")
_SUFFIX = re.compile(rf"(?:{_DOLLARS}|円|元|[$¥€£₩₹]|(?<=[\d\s])(?:{_CODES}))$")
# decimal comma: 1.234,56 / 1 234,56 (groups of three) / 1234,5
_MAX_EXPONENT = 40
_COMMA_NUMBER = re.compile(r"\d{1,3}(?:([. ])\d{3})(?:\1\d{3})*(?:,\d+)?|\d+(?:,\d+)?|,\d+")


def parse_amount(
    text: str | None, *, currency: str | None = None, decimal: str = "."
) -> tuple[Decimal, str | None]:
    """Parse a money amount as written in an export.

    Parameters
    ----------
    text : str or None
        The value, e.g. ``$22,700.00``, ``¥1,234,000``, ``￥1,234,000``, ``1,234,000円``,
        ``123.4万円``, ``1.2億円``, ``1億2,345万円``, ``12.5千円``, ``USD 1,200``, ``1234.5``,
        ``R$ 1,234.56``, ``€ 1,200``, ``1,200 €``; negative as ``-1,000``, ``(1,000)``,
        ``△1,000`` or ``▲1,000``. Thousands separators must group by three (so ``1.234,50``
        is refused rather than misread, unless ``decimal=","``).
    currency : str, optional
        The currency to report when the text names none (e.g. the profile's ``JPY``). A
        currency the text names (``$`` -> USD, ``R$`` -> BRL, ``¥``/``円`` -> JPY, ``€``,
        ``£``, ``₩``, ``₹``, ``元``, an ISO code such as ``EUR`` before or after the number)
        wins; the caller compares.
    decimal : str
        The decimal mark: ``"."`` (default) or ``","`` for amounts such as ``1.234,56 €``,
        ``R$ 1.234,56`` or ``1 234,56``, whose thousands are grouped by ``.`` or a space.

    Returns
    -------
    tuple of (Decimal, str or None)
        The amount (exact; ``123.4万円`` is ``Decimal('1234000')``) and the ISO currency code,
        or ``currency`` when the text names none.

    Raises
    ------
    ParseError
        ``"empty"`` for a blank value, ``"not an amount"`` for anything else unreadable.
    """
    if text is None:
        raise ParseError("empty", text)
    value = unicodedata.normalize("NFKC", str(text)).strip().lower()
    value = value.replace("\u2212", "-").replace("\u2010", "-")  # minus sign, hyphen
    if not value:
        raise ParseError("empty", text)
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1].strip()
    if value[:1] in ("△", "▲", "-", "+"):
        negative, value = value[0] != "+", value[1:].strip()
    found: str | None = None
    prefix = _PREFIX.match(value)
    if prefix:
        found, value = _currency(prefix.group(0)), value[prefix.end() :].strip()
    if value[:1] in ("-", "+") and not negative:  # $-1,000
        negative, value = value[0] == "-", value[1:].strip()
    suffix = _SUFFIX.search(value)
    if suffix:
        code = _currency(suffix.group(0))
        if found is not None and code != found:
            raise ParseError("not an amount (two currencies)", text)
        found, value = code, value[: suffix.start()].strip()
    if value.endswith("-") and not negative:  # 1,000- (accounting systems)
        negative, value = True, value[:-1].strip()
    if decimal == ",":
        value = _comma_decimal(value, text)
    elif decimal != ".":
        raise ParameterError(f"decimal: {decimal!r} is not a decimal mark; use '.' or ','")
    amount = _number(value, text)
    return (-amount if negative else amount), found or currency


def _comma_decimal(value: str, text: object) -> str:
    """``1.234,56`` (decimal comma) as ``1234.56``; anything else is not an amount."""
    if not _COMMA_NUMBER.fullmatch(value):
        raise ParseError("not an amount", text)
    return value.replace(".", "").replace(" ", "").replace(",", ".")


def _currency(token: str) -> str:
    token = token.strip()
    code = _SYMBOLS.get(token, token.upper())
    return "CNY" if code == "RMB" else code


def _number(value: str, text: object) -> Decimal:
    try:
        return _exact_number(value, text)
    except InvalidOperation:  # beyond 28 digits: far beyond any amount a store keeps
        raise ParseError("not an amount (too many digits)", text) from None


def _exact_number(value: str, text: object) -> Decimal:
    if not value:
        raise ParseError("not an amount", text)
    if _PLAIN.fullmatch(value):
        amount = Decimal(value.replace(",", ""))  # the regex admits only valid numbers
        if "e" in value:
            if abs(amount.adjusted()) > _MAX_EXPONENT:  # 1e999999999 is no amount
                raise ParseError("not an amount (exponent out of range)", text)
            if amount == amount.to_integral_value():  # 1.5e3 -> 1500, not 1.5E+3
                amount = Decimal(int(amount))
        return amount
    match = _JAPANESE.fullmatch(value)
    if not match or not any(match.groupdict().values()):
        raise ParseError("not an amount", text)
    total = Decimal(0)
    for group, unit in (("cho", "兆"), ("oku", "億"), ("man", "万"), ("sen", "千")):
        if match[group]:
            total += Decimal(match[group].replace(",", "")) * _UNITS[unit]
    if match["one"]:
        total += Decimal(match["one"].replace(",", ""))
    return total.quantize(Decimal(1)) if total == total.to_integral_value() else total
