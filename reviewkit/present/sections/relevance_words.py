"""Words for the relevance section: KPI names, lags, months and spans, changes and levels."""

from __future__ import annotations

import math

from reviewkit.analysis.relevance_series import window_start
from reviewkit.core.periods import FiscalCalendar, parse_period
from reviewkit.i18n.formatting import DASH, MINUS, format_pct, format_period, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import CountMetric, Definitions
from reviewkit.present.glossary import metric_label


def kpi_label(definitions: Definitions, key: str, *, lang: str) -> str:
    """A KPI's or KGI's name: ``リード数`` / ``Lead volume`` for counts, else the metric label."""
    metric = definitions.metric(key)
    if isinstance(metric, CountMetric):
        stage = definitions.stage(metric.stage).label(lang)
        return t("relevance.volume", lang, stage=stage)
    return metric_label(definitions, key, lang=lang)


def signed_number(value: float, *, digits: int = 2) -> str:
    """``+0.45`` / ``−0.12`` (a true minus; no negative zero)."""
    if math.isnan(value):
        return DASH
    return f"{round(value, digits) + 0.0:+.{digits}f}".replace("-", MINUS)


def lag_words(lag: float, *, lang: str) -> str:
    """A lag in words: ``same month`` or ``2 months earlier``."""
    if math.isnan(lag):
        return DASH
    return t("relevance.lag0", lang) if lag == 0 else t("relevance.lag", lang, n=int(lag))


def month_words(label: str, *, lang: str) -> str:
    """A month label (``2024-01``) in words (``January 2024``)."""
    return format_period(parse_period(label, calendar=FiscalCalendar()), lang=lang)


def span_words(first: str, last: str, *, lang: str) -> str:
    """Months ``first`` to ``last`` in words (one month: its name)."""
    if first == last:
        return month_words(first, lang=lang)
    return t(
        "relevance.span",
        lang,
        first=month_words(first, lang=lang),
        last=month_words(last, lang=lang),
    )


def window_words(end: str, *, lang: str) -> str:
    """The :data:`~reviewkit.analysis.relevance_series.WINDOW` months ending with ``end``."""
    return span_words(window_start(end), end, lang=lang)


def change_words(value: float, kind: str, *, lang: str) -> str:
    """A KPI's year-on-year change: ``+12.0%`` or, for a rate, ``+2.1pt``."""
    if kind != "rate":
        return format_pct(value, lang=lang, signed=True)
    return (
        DASH
        if math.isnan(value)
        else t("relevance.points", lang, value=signed_number(value * 100, digits=1))
    )


def level_words(value: float, kind: str, *, lang: str, currency: str) -> str:
    """A KPI's value: a rate as a percentage, a count as such, an amount in ``currency``."""
    return format_value(value, kind=kind, lang=lang, currency=currency)
