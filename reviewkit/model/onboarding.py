"""A workspace for a company's own data: ``reviewkit init DIR``.

:func:`init_company_workspace` writes the company's settings (name, currency, country, time zone,
language, fiscal year), a starter funnel to edit, empty targets, actions and benchmarks, a
schedule of the company's packs and the example import profiles, and nothing of the sample
company. ``reviewkit init DIR --sample`` (:func:`reviewkit.core.workspace.init_workspace`) copies
the sample company's configuration instead, for demos.

Defaults follow the country: ``--country US`` gives USD, America/New_York, English and a fiscal
year from January; ``--country JP`` (the default) JPY, Asia/Tokyo, Japanese and April.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reviewkit.core.resources import bundled
from reviewkit.core.workspace import CONFIG_FILE, Workspace
from reviewkit.errors import ConfigError, ParameterError
from reviewkit.model import starter_files

__all__ = ["CompanySettings", "company_settings", "init_company_workspace"]

# currency, fiscal year's first month, language, time zone (None: the first of the country's
# zones in the tz database)
_COUNTRIES: dict[str, tuple[str, int, str, str | None]] = {
    "JP": ("JPY", 4, "ja", "Asia/Tokyo"), "US": ("USD", 1, "en", None),
    "GB": ("GBP", 4, "en", None), "DE": ("EUR", 1, "en", None), "FR": ("EUR", 1, "en", None),
    "ES": ("EUR", 1, "en", None), "IT": ("EUR", 1, "en", None), "NL": ("EUR", 1, "en", None),
    "BE": ("EUR", 1, "en", None), "AT": ("EUR", 1, "en", None), "IE": ("EUR", 1, "en", None),
    "PT": ("EUR", 1, "en", "Europe/Lisbon"), "FI": ("EUR", 1, "en", None),
    "BR": ("BRL", 1, "en", "America/Sao_Paulo"), "MX": ("MXN", 1, "en", None),
    "CA": ("CAD", 1, "en", "America/Toronto"), "AU": ("AUD", 7, "en", "Australia/Sydney"),
    "NZ": ("NZD", 4, "en", None), "CN": ("CNY", 1, "en", None), "KR": ("KRW", 1, "en", None),
    "TW": ("TWD", 1, "en", None), "HK": ("HKD", 4, "en", None), "SG": ("SGD", 1, "en", None),
    "IN": ("INR", 4, "en", None), "TH": ("THB", 1, "en", None), "ID": ("IDR", 1, "en", None),
    "MY": ("MYR", 1, "en", None), "PH": ("PHP", 1, "en", None), "VN": ("VND", 1, "en", None),
    "CH": ("CHF", 1, "en", "Europe/Zurich"), "SE": ("SEK", 1, "en", None),
    "NO": ("NOK", 1, "en", None), "DK": ("DKK", 1, "en", None), "PL": ("PLN", 1, "en", None),
    "ZA": ("ZAR", 3, "en", None), "AE": ("AED", 1, "en", None),
}  # fmt: skip
# ISO 4217 codes of currencies in use
_CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWG""".split()  # noqa: SIM905
)
_MONTHS = [m.lower() for m in starter_files.MONTH_NAMES]


@dataclass(frozen=True)
class CompanySettings:
    """Who the company is and how it counts money and time (checked)."""

    company: str
    currency: str
    country: str
    timezone: str
    lang: str
    fiscal_year_start_month: int


@functools.cache
def _zones_by_country() -> dict[str, str]:
    """Each ISO 3166 country code -> its first time zone in the tz database's ``zone.tab``."""
    text = importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    first: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, zone = line.split("\t")[:3]
            first.setdefault(code, zone)
    return first


def _month(value: str | int) -> int:
    text = str(value).strip().lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    for number, name in enumerate(_MONTHS, start=1):
        if len(text) >= 3 and name.startswith(text):
            return number
    raise ParameterError(
        f"--fiscal-year-start: {value!r} is not a month; use 1-12 or a month name (e.g. 4 or "
        "April for a fiscal year from April)"
    )


def company_settings(
    *,
    company: str,
    country: str = "JP",
    currency: str | None = None,
    timezone: str | None = None,
    lang: str | None = None,
    fiscal_year_start: str | int | None = None,
) -> CompanySettings:
    """Check the company's settings and fill the ones not given from its country.

    Raises
    ------
    ParameterError
        One line naming the option, the bad value, what is allowed and the fix.
    """
    name = " ".join(str(company).split())
    if not name:
        raise ParameterError("--company: the company's name is empty; pass --company 'Acme Inc.'")
    code = str(country).strip().upper()
    if code not in _zones_by_country():
        raise ParameterError(
            f"--country: {country!r} is not an ISO 3166 country code; use two letters such as "
            "JP, US, DE or BR"
        )
    known = _COUNTRIES.get(code)
    money = (currency or (known[0] if known else "")).strip().upper()
    if not money:
        raise ParameterError(
            f"--currency: no default for country {code}; pass --currency (e.g. EUR)"
        )
    if money not in _CURRENCIES:
        raise ParameterError(
            f"--currency: {currency!r} is not an ISO 4217 currency code; use three letters such "
            "as JPY, USD, EUR, GBP, BRL, CNY, KRW or INR"
        )
    zone = timezone or (known[3] if known and known[3] else _zones_by_country()[code])
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParameterError(
            f"--timezone: {zone!r} is not an IANA time zone; use e.g. Asia/Tokyo, "
            "America/New_York or Europe/Berlin"
        ) from None
    language = (lang or (known[2] if known else "en")).strip().lower()
    if language not in ("ja", "en"):
        raise ParameterError(f"--lang: {lang!r} is not a pack language; use ja or en")
    start = _month(fiscal_year_start) if fiscal_year_start is not None else (known or (0, 1))[1]
    return CompanySettings(name, money, code, zone, language, start)


def init_company_workspace(
    target: str | os.PathLike[str], settings: CompanySettings, *, today: dt.date | None = None
) -> Workspace:
    """Create a workspace at ``target`` for a company's own data.

    Writes ``params/workspace.yml`` (the settings), a starter ``definitions.yml`` (lead ->
    opportunity -> won, revenue as the KGI, with commented examples of other shapes), empty
    ``targets.yml``, ``actions.yml`` and ``benchmarks.yml`` (commented), a ``schedule.yml`` of the
    company's weekly, monthly and quarterly packs, the example import profiles under
    ``params/sources/examples/``, and empty ``data/`` and ``outputs/``.

    Raises
    ------
    ConfigError
        If ``target`` already holds a workspace (nothing is written).
    """
    root = Path(target).expanduser()
    if (root / CONFIG_FILE).exists():
        raise ConfigError(
            f"{root / CONFIG_FILE}: a workspace already exists there; edit it, or choose "
            "another folder"
        )
    params = root / "params"
    day = today or dt.datetime.now(ZoneInfo(settings.timezone)).date()
    files = {
        "definitions.yml": starter_files.definitions_yml(currency=settings.currency, today=day),
        "targets.yml": starter_files.TARGETS_YML,
        "actions.yml": starter_files.ACTIONS_YML,
        "benchmarks.yml": starter_files.BENCHMARKS_YML,
        "schedule.yml": starter_files.schedule_yml(lang=settings.lang),
    }
    (params / "sources").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        if not (params / name).exists():
            (params / name).write_text(text, encoding="utf-8")
    examples = bundled("params") / "sources" / "examples"
    if examples.is_dir():
        shutil.copytree(examples, params / "sources" / "examples", dirs_exist_ok=True)
    for sub in ("data", "outputs"):
        (root / sub).mkdir(exist_ok=True)
    workspace_text = starter_files.workspace_yml(
        company=settings.company, lang=settings.lang, timezone=settings.timezone,
        fiscal_year_start_month=settings.fiscal_year_start_month, currency=settings.currency,
        country=settings.country,
    )  # fmt: skip
    (root / CONFIG_FILE).write_text(workspace_text, encoding="utf-8")  # last: the marker
    return Workspace(root)
