"""Names in the reader's language: metrics, tree drivers, segments, durations.

Analysis words its evidence with these, and presentation its tables and charts; both import
them from here, below both (the proposals frame, which the actions register keeps, names
its segments with :func:`finding_label`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reviewkit.i18n.texts import TEXTS, check_lang, t
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


def dimension_label(key: str, *, lang: str, definitions: Definitions | None = None) -> str:
    """A dimension's name in ``lang``: ``channel`` -> ``チャネル`` / ``channel``.

    Parameters
    ----------
    key
        The segment column (``channel``, or one the definitions add under ``segments:``).
    lang
        ``ja`` or ``en``.
    definitions
        The definitions the dimension may come from; ``None``: the lead columns only.

    Returns
    -------
    str
        The catalogue's ``dimension.<key>`` when it has one, else the label the definitions
        give a dimension they add, else ``key`` itself.
    """
    if f"dimension.{key}" in TEXTS:
        return t(f"dimension.{key}", lang)
    if definitions is not None and key in definitions.segment_keys:
        return definitions.segment(key).label(check_lang(lang))
    return key


def segment_label(
    dims: Sequence[str],
    values: Sequence[str | None],
    *,
    lang: str,
    definitions: Definitions | None = None,
) -> str:
    """``channel: paid_search × company size: small`` style label of a segment.

    ``definitions`` name the dimensions they add (:func:`dimension_label`).
    """
    parts = []
    for d, v in zip(dims, values, strict=True):
        shown = t("segment.unknown", lang) if v is None else str(v)
        parts.append(f"{dimension_label(d, lang=lang, definitions=definitions)}: {shown}")
    return " × ".join(parts)


def segment_words(segment: object, *, lang: str, definitions: Definitions | None = None) -> str:
    """A ``{column: value}`` segment in words, or the whole funnel (``None`` or NaN: everyone).

    A list of values is joined by " / "; ``definitions`` name the dimensions they add.
    """
    if not isinstance(segment, Mapping) or not segment:
        return t("dimension.whole", lang)
    values = [
        " / ".join(str(x) for x in v) if isinstance(v, list | tuple | set | frozenset) else v
        for v in segment.values()
    ]
    return segment_label(list(segment), values, lang=lang, definitions=definitions)


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


def finding_label(
    row: dict[str, object], *, lang: str, definitions: Definitions | None = None
) -> str:
    """A finding's segment in words (``definitions`` name the dimensions they add)."""
    dims, values = row["dims"], row["values"]
    return segment_label(dims, values, lang=lang, definitions=definitions)  # type: ignore[arg-type]
