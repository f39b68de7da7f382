"""The workspace's currency: ISO 4217 codes, their symbols, minor units and Japanese units.

Every amount a pack prints is in one currency, ``currency:`` of ``params/workspace.yml``.
Babel's CLDR data says what each code is called and written: the English symbol (``$``,
``CN¥``, ``R$``), the number of minor units (0 for JPY and KRW, 2 for USD), the English
compact forms (``¤0K``, ``¤0M``, ``¤0B``) and, for codes without a short Japanese unit of
their own here, the Japanese name. Babel is imported, and its locale data read, only when a
figure first needs it, once per process: a yen pack in Japanese never loads it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from reviewkit.errors import ConfigError

if TYPE_CHECKING:
    import duckdb

# The unit Japanese readers write after an amount (``120万ドル``); other codes take Babel's
# Japanese name of the currency (``120万スイス フラン``).
JA_UNITS = {
    "JPY": "円", "USD": "ドル", "EUR": "ユーロ", "GBP": "ポンド", "BRL": "レアル", "CNY": "元",
    "KRW": "ウォン", "INR": "ルピー",
}  # fmt: skip
EXAMPLES = "JPY, USD, EUR, GBP, BRL, CNY, KRW, INR"
_CODE = re.compile(r"^[A-Z]{3}$")
# The store's tables whose amounts have a `currency` column beside them.
AMOUNT_TABLES = ("opportunities", "campaigns")


@lru_cache(maxsize=64)
def is_currency(code: str) -> bool:
    """Whether ``code`` is an ISO 4217 currency code Babel knows (``USD``; not ``usd``)."""
    if code in JA_UNITS:  # known without reading Babel's data
        return True
    if not _CODE.match(code):
        return False
    from babel.numbers import is_currency as known

    return known(code)


def currency_problem(code: object) -> str | None:
    """Why ``code`` is not a currency code, with what is allowed; ``None`` when it is one."""
    if isinstance(code, str) and is_currency(code):
        return None
    if isinstance(code, str) and code.strip().upper() != code and is_currency(code.strip().upper()):
        return (
            f"{code!r} is not an ISO 4217 currency code; write it in capitals: "
            f"{code.strip().upper()}"
        )
    return f"{code!r} is not an ISO 4217 currency code (e.g. {EXAMPLES})"


def check_currency(code: object) -> str:
    """Return ``code`` if it is an ISO 4217 currency code Babel knows.

    Raises
    ------
    ValueError
        Naming the value and examples of valid codes (pydantic validators turn it into the
        configuration file's one-line message).
    """
    problem = currency_problem(code)
    if problem is not None:
        raise ValueError(problem)
    assert isinstance(code, str)  # currency_problem names anything else
    return code


@dataclass(frozen=True)
class CurrencyForms:
    """How amounts in one currency are written (see :func:`currency_forms`)."""

    code: str
    digits: int  # minor units: 0 for JPY and KRW, 2 for USD and EUR
    symbol: str  # the English symbol: ``¥``, ``$``, ``CN¥``
    ja_unit: str  # the Japanese unit after the number: ``円``, ``ドル``
    compact: tuple[tuple[int, str], ...]  # English (magnitude, pattern) from large to small


@lru_cache(maxsize=32)
def currency_forms(code: str) -> CurrencyForms:
    """Babel's facts about ``code``, read once per process.

    Raises
    ------
    ValueError
        If ``code`` is not a currency code Babel knows.
    """
    check_currency(code)
    from babel import Locale
    from babel.numbers import get_currency_name, get_currency_precision, get_currency_symbol

    en = Locale.parse("en")
    patterns = en.compact_currency_formats["short"]["other"]
    # K, M and B as packs always wrote them: a trillion is 1,234.5B, not a new letter
    compact = tuple(
        (int(magnitude), patterns[magnitude].pattern)
        for magnitude in sorted(patterns, key=int, reverse=True)
        if 1_000 <= int(magnitude) <= 1_000_000_000 and len(magnitude) % 3 == 1
    )
    return CurrencyForms(
        code=code,
        digits=get_currency_precision(code),
        symbol=get_currency_symbol(code, locale=en),
        ja_unit=JA_UNITS.get(code) or get_currency_name(code, locale="ja"),
        compact=compact,
    )


def ja_unit(code: str) -> str:
    """The Japanese unit of ``code``: ``円``, ``ドル``, ``ユーロ``, else Babel's name."""
    return JA_UNITS.get(code) or currency_forms(code).ja_unit


def money_label_expr(currency: str, *, lang: str, field: str = "datum.value") -> str:
    """A Vega expression writing the number ``field`` as a compact amount, for axis labels.

    ``¥200M`` / ``$1.5K`` in English, ``2億円`` / ``1,500万円`` / ``3.5万ドル`` in Japanese;
    a negative amount has a true minus sign. Altair: ``alt.Axis(labelExpr=...)``.
    """
    v = f"abs({field})"
    sign = f"({field} < 0 ? '\u2212' : '')"
    if lang == "ja":
        unit = json.dumps(ja_unit(currency), ensure_ascii=False)
        body = (
            f"{v} >= 1e8 ? format({v} / 1e8, ',~r') + '億' : "
            f"{v} >= 1e4 ? format({v} / 1e4, ',~r') + '万' : format({v}, ',~r')"
        )
        return f"{sign} + ({body}) + {unit}"
    symbol = json.dumps(currency_forms(currency).symbol, ensure_ascii=False)
    body = (
        f"{v} >= 1e9 ? format({v} / 1e9, ',~r') + 'B' : "
        f"{v} >= 1e6 ? format({v} / 1e6, ',~r') + 'M' : "
        f"{v} >= 1e3 ? format({v} / 1e3, ',~r') + 'K' : format({v}, ',~r')"
    )
    return f"{sign} + {symbol} + ({body})"


def money_labels_expr(
    labels: list[str], *, currency: str, lang: str, signal: str = "metric"
) -> str | None:
    """Axis labels of a chart whose dropdown picks a metric: amounts for the money metrics.

    Parameters
    ----------
    labels
        The dropdown's options that are amounts (their labels, as the dropdown shows them).
    currency, lang
        The workspace's currency; the pack language.
    signal
        The dropdown's parameter name.

    Returns
    -------
    str or None
        A Vega expression writing the axis' numbers as :func:`money_label_expr` while an
        amount is picked and as plain SI numbers (``~s``) otherwise; ``None`` when no option
        is an amount (the axis keeps its plain format).
    """
    if not labels:
        return None
    quoted = ", ".join(json.dumps(label, ensure_ascii=False) for label in labels)
    money = money_label_expr(currency, lang=lang)
    return f"indexof([{quoted}], {signal}) >= 0 ? {money} : format(datum.value, '~s')"


# -- the store against the workspace ----------------------------------------------------------


@dataclass(frozen=True)
class ForeignAmounts:
    """Rows of a store table whose amounts are in another currency than the workspace's."""

    table: str
    currency: str
    rows: int


def foreign_amounts(con: duckdb.DuckDBPyConnection, *, currency: str) -> list[ForeignAmounts]:
    """The store's amounts in a currency other than ``currency``, by table and currency.

    Parameters
    ----------
    con
        A store connection.
    currency
        The workspace's currency.

    Returns
    -------
    list of ForeignAmounts
        Largest first; empty when every amount is in ``currency`` (or there are none).
    """
    found = []
    for table in AMOUNT_TABLES:
        rows = con.execute(
            f"SELECT currency, count(*) FROM {table} WHERE currency IS DISTINCT FROM ? GROUP BY 1",
            [currency],
        ).fetchall()
        found += [ForeignAmounts(table, str(code), int(n)) for code, n in rows]
    return sorted(found, key=lambda f: (-f.rows, f.table, f.currency))


def foreign_amounts_line(found: list[ForeignAmounts], *, currency: str) -> str | None:
    """One English line for ``reviewkit validate`` on :func:`foreign_amounts`, or ``None``."""
    if not found:
        return None
    counts = "; ".join(f"{f.rows:,} {f.table} in {f.currency}" for f in found)
    first = found[0].currency
    return (
        f"the store holds amounts in another currency than the workspace's {currency} "
        f"({counts}); packs print them as {currency}: if the company works in {first}, set "
        f"`currency: {first}` in params/workspace.yml, else re-import those files with the "
        f"right `currency:` in their source profile"
    )


def check_definitions_currency(
    definitions_currency: str | None, workspace_currency: str, *, definitions_at: str
) -> None:
    """Refuse definitions whose ``currency:`` differs from the workspace's.

    Parameters
    ----------
    definitions_currency
        ``currency:`` of ``params/definitions.yml`` (``None``: not given, nothing to check).
    workspace_currency
        ``currency:`` of ``params/workspace.yml``.
    definitions_at
        Where the definitions' key is (``path:line: currency``), for the message.

    Raises
    ------
    ConfigError
        Naming both files and both values, and the fix.
    """
    if definitions_currency is None or definitions_currency == workspace_currency:
        return
    raise ConfigError(
        f"{definitions_at}: {definitions_currency!r} differs from currency: "
        f"{workspace_currency!r} of params/workspace.yml (the company's currency, that every "
        f"amount is in); write currency: {workspace_currency} in definitions.yml, or remove "
        "the key there"
    )
