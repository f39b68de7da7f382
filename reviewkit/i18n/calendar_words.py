"""A company's days off in words: the country's name and its breaks, in the pack language.

:mod:`reviewkit.core.holidays` knows the dates; this module names them for the notes that
explain seasonal weights (weekly pacing, anomaly detection).
"""

from __future__ import annotations

from reviewkit.core.holidays import DayCalendar
from reviewkit.i18n.texts import t


def country_name(country: str, *, lang: str) -> str:
    """The country's name in ``lang`` (CLDR names via Babel; the code if Babel lacks it)."""
    try:
        from babel import Locale  # lazy: only method notes name the country

        return str(Locale(lang).territories.get(country, country))
    except ImportError:  # pragma: no cover - Babel comes with JupyterLab
        return country


def days_off_words(days: DayCalendar, *, lang: str) -> str:
    """The company's days off in words, for notes on seasonal weights.

    ``public holidays (Japan), Obon, year-end break`` /
    ``日本の祝日・お盆・年末年始`` (the pack language's list separator).
    """
    country = country_name(days.country, lang=lang)
    if days.subdivision:
        country = t("calendar.country_subdivision", lang, country=country, sub=days.subdivision)
    words = [t("calendar.public_holidays", lang, country=country)]
    for b in days.all_breaks:
        words.append(b.name or t(f"calendar.break.{b.key or 'own'}", lang))
    return t("calendar.separator", lang).join(dict.fromkeys(words))
