"""What each column of an export file holds: dates, amounts, personal data, categories.

:func:`describe_columns` looks at the values of every column of a file read by
:func:`~reviewkit.ingest.readers.read_table` (the way the importer will read them:
:func:`~reviewkit.ingest.parsing.parse_datetime`, :func:`~reviewkit.ingest.amounts.parse_amount`)
and at its header, for ``reviewkit profile draft``.
Personal data (e-mail addresses, phone numbers, people's names) is recognised so that none of it
is ever copied into a draft.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from reviewkit.ingest.amounts import parse_amount
from reviewkit.ingest.parsing import ParseError, parse_datetime
from reviewkit.ingest.readers_table import RawTable
from reviewkit.ingest.rows import month_span

__all__ = ["ColumnInfo", "describe_columns", "header_words"]

_SAMPLE = 500  # distinct values looked at per column
_EMAIL = re.compile(r"[^@\s]+[@＠][^@\s]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"^(?:\+|\(?0)[\d\s().\-‐－]{8,}$")  # +81 3 ..., 03-1234-5678
_BARE_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{2,4})\b")
_HAS_MONEY = re.compile(r"[$¥€£₩₹円元]|\b(?:usd|jpy|eur|gbp|brl|cny|krw|inr|r\$)\b", re.I)
_MONEY_HEADER = re.compile(
    r"amount|value|revenue|price|cost|spend|budget|betrag|umsatz|wert|kosten|valor|receita|"
    r"custo|montant|金額|売上|費用|予算|受注額|コスト"
)
_PHONE_HEADER = re.compile(r"phone|\btel\b|mobile|\bfax\b|telefon|celular|電話|携帯")
_EMAIL_HEADER = re.compile(r"e ?mail|メール|courriel")
_NAME_HEADER = re.compile(
    r"^(?:first|last|full|given|family|sur|middle)? ?name$|first name|last name|full name|"
    r"vorname|nachname|^nome$|sobrenome|prenom|氏名|名前|^姓$|^名$|contact name|\bperson\b"
)


def header_words(name: str) -> str:
    """A header as lower-case words: ``Became a Lead Date`` -> ``became a lead date``."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", unicodedata.normalize("NFKC", name)).casefold()
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


@dataclass
class ColumnInfo:
    """One column of a file: what it holds, as far as its values and header tell."""

    name: str
    words: str  # the header as lower-case words
    filled: int  # non-blank values
    distinct: int
    unique: bool  # every non-blank value differs
    kind: str  # date | amount | number | email | phone | person | text | empty
    dayfirst: bool | None = None  # dates written 31/12/2026 (True), 12/31/2026 (False), unknown
    date_example: str | None = None
    decimal: str = "."
    currencies: list[str] = field(default_factory=list)
    top: list[tuple[str, int]] = field(default_factory=list)  # most common values (not personal)

    @property
    def id_like(self) -> bool:
        """Whether the header names an id (``Record ID``, ``lead_id``, ``リードID``)."""
        # Record ID, lead_id, リードID, Lead-Nr. (German), Nº / número (Portuguese), 番号
        return bool(
            re.search(
                r"(?:^|\s|[^\x00-\x7f])ids?$|^id\b|番号|\bnr\b|\bnº|\bnúmero\b|\bnumero\b",
                self.words,
            )
        )

    @property
    def personal(self) -> bool:
        """Whether the column holds personal data (never shown in a draft)."""
        return self.kind in ("email", "phone", "person")


def _dates(values: list[str]) -> tuple[int, bool | None]:
    """How many values read as dates, and whether numeric ones are written day first."""
    parsed, first_big, second_big, dotted = 0, False, False, False
    for value in values:
        if _BARE_NUMBER.match(value):  # a bare number: an id, a count or an amount
            continue
        if month_span(value) is not None:  # 2026-09: a month
            parsed += 1
            continue
        match = _NUMERIC_DATE.match(value)
        if match:
            first_big |= int(match[1]) > 12
            second_big |= int(match[3]) > 12
            dotted |= match[2] == "."
        try:
            parse_datetime(value, tz="UTC", dayfirst=False)
        except ParseError:
            if not match:
                continue
        parsed += 1
    if first_big:
        return parsed, True
    if second_big:
        return parsed, False
    return parsed, True if dotted else None


def _amounts(values: list[str]) -> tuple[int, str, list[str]]:
    """How many values read as amounts, the decimal mark, and the currencies they name."""
    best: tuple[int, str, list[str]] = (0, ".", [])
    for decimal in (".", ","):
        ok, found = 0, Counter[str]()
        for value in values:
            try:
                _, currency = parse_amount(value, decimal=decimal)
            except ParseError:
                continue
            ok += 1
            if currency:
                found[currency] += 1
        if ok > best[0]:
            best = (ok, decimal, [c for c, _ in found.most_common()])
    return best


def _kind(column: ColumnInfo, values: list[str]) -> None:
    words = column.words
    if not values:
        column.kind = "empty"
        return
    if _EMAIL_HEADER.search(words) or sum(bool(_EMAIL.search(v)) for v in values) * 2 >= len(
        values
    ):
        column.kind = "email"
        return
    if _PHONE_HEADER.search(words):
        column.kind = "phone"
        return
    if _NAME_HEADER.search(words):
        column.kind = "person"
        return
    dated, dayfirst = _dates(values)
    if dated * 10 >= len(values) * 8:
        column.kind, column.dayfirst = "date", dayfirst
        column.date_example = next(v for v in values if not _BARE_NUMBER.match(v))
        return
    parsed, decimal, currencies = _amounts(values)
    money = bool(currencies) or bool(_MONEY_HEADER.search(words))
    if parsed * 10 >= len(values) * 8 and money and not column.id_like:
        column.kind, column.decimal, column.currencies = "amount", decimal, currencies
        return
    if all(re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", v) for v in values):
        column.kind = "number"
        return
    if sum(bool(_PHONE.match(v)) for v in values) * 2 >= len(values):
        column.kind = "phone"
        return
    column.kind = "text"


def describe_columns(table: RawTable) -> list[ColumnInfo]:
    """Describe every column of ``table`` (kind, date order, decimal mark, currency, top values).

    Parameters
    ----------
    table
        The file as :func:`reviewkit.ingest.readers.read_table` reads it.

    Returns
    -------
    list of ColumnInfo
        In file order. ``top`` holds up to five of the most common values of text columns that
        are not personal data (never an e-mail address or a phone number).
    """
    out = []
    for name in table.frame.columns:
        series = table.frame[name].dropna()
        counts = series.value_counts()
        column = ColumnInfo(
            name=str(name), words=header_words(str(name)), filled=len(series),
            distinct=len(counts), unique=len(series) > 0 and len(counts) == len(series),
            kind="text",
        )  # fmt: skip
        values = [str(v) for v in counts.index[:_SAMPLE]]
        _kind(column, values)
        if column.kind == "text":
            column.top = [
                (str(v), int(n))
                for v, n in counts.items()
                if not _EMAIL.search(str(v)) and not _PHONE.match(str(v))
            ][:5]
        out.append(column)
    return out


def value_counts(table: RawTable, column: str) -> pd.Series:
    """The values of ``column`` by frequency (for a stage column's won/lost/open guess)."""
    return table.frame[column].dropna().value_counts()
