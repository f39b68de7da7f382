"""Names in the reader's language: metrics, tree drivers, segments, durations.

Analysis words its evidence with these, and presentation its tables and charts; both import
them from here, below both (the proposals frame, which the actions register keeps, names
its segments with :func:`finding_label`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reviewkit.i18n.texts import t
from reviewkit.model.definitions import ConversionMetric, CountMetric, Definitions, parse_duration


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


def segment_label(dims: Sequence[str], values: Sequence[str | None], *, lang: str) -> str:
    """``channel: paid_search × company size: small`` style label of a segment."""
    parts = []
    for d, v in zip(dims, values, strict=True):
        shown = t("segment.unknown", lang) if v is None else str(v)
        parts.append(f"{t(f'dimension.{d}', lang)}: {shown}")
    return " × ".join(parts)


def segment_words(segment: object, *, lang: str) -> str:
    """A ``{column: value}`` segment in words, or the whole funnel (``None`` or NaN: everyone).

    A list of values is joined by " / ".
    """
    if not isinstance(segment, Mapping) or not segment:
        return t("dimension.whole", lang)
    values = [
        " / ".join(str(x) for x in v) if isinstance(v, list | tuple | set | frozenset) else v
        for v in segment.values()
    ]
    return segment_label(list(segment), values, lang=lang)


def driver_label(definitions: Definitions, driver: str, *, lang: str) -> str:
    """A tree driver's name: ``リード数`` / ``MQL→SQL 転換率`` / ``受注単価``."""
    if driver == "residual":
        return t("gap.residual", lang)
    metric = definitions.metric(driver)
    if isinstance(metric, CountMetric):
        return t("gap.volume", lang, stage=metric_label(definitions, metric.stage, lang=lang))
    if isinstance(metric, ConversionMetric):
        return metric_label(definitions, driver, lang=lang)
    return t("gap.size", lang)


def driver_names(definitions: Definitions, drivers: Sequence[str], *, lang: str) -> str:
    """Several drivers' names joined for a sentence: ``A and B``, ``A, B and C`` / ``A、B``."""
    names = [driver_label(definitions, d, lang=lang) for d in drivers]
    if lang == "ja" or len(names) < 2:
        return "、".join(names)
    return f"{', '.join(names[:-1])}{t('check.and', lang)}{names[-1]}"


def finding_label(row: dict[str, object], *, lang: str) -> str:
    """A finding's segment in words."""
    return segment_label(row["dims"], row["values"], lang=lang)  # type: ignore[arg-type]
