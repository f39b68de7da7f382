"""A metric's name and a duration in the reader's language, from the company's definitions.

Analysis words its evidence with these, and presentation its tables and charts; both import
them from here, below both.
"""

from __future__ import annotations

from reviewkit.i18n.texts import t
from reviewkit.model.definitions import ConversionMetric, Definitions, parse_duration


def duration_words(text: str, *, lang: str) -> str:
    """``90d`` -> ``90日`` / ``90 days``; ``24h`` -> ``24時間`` / ``24 hours``."""
    delta = parse_duration(text)
    hours = int(delta.total_seconds() // 3600)
    if hours % 24 or hours <= 48:
        return f"{hours}時間" if lang == "ja" else f"{hours} hour{'s' if hours != 1 else ''}"
    days = hours // 24
    return f"{days}日" if lang == "ja" else f"{days} days"


def metric_label(definitions: Definitions, key: str, *, lang: str) -> str:
    """The metric's label: its own, else one made from its stages (``MQL→SQL 転換率``)."""
    metric = definitions.metric(key)
    if metric.label is not None:
        return metric.label(lang)
    if isinstance(metric, ConversionMetric):
        a = definitions.stage(metric.from_).label(lang)
        b = definitions.stage(metric.to).label(lang)
        return t("glossary.conversion_label", lang, a=a, b=b)
    return key
