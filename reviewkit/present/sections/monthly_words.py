"""The monthly review's words for segments, tree drivers and findings.

Shared by the monthly sections (:mod:`reviewkit.present.sections.monthly`), their summary
(:mod:`reviewkit.present.sections.monthly_summary`) and the other sections that name a segment
or a driver; it imports neither of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reviewkit.analysis.splits import MISSING, SEPARATOR
from reviewkit.i18n.formatting import format_count, format_pct
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import ConversionMetric, CountMetric, Definitions
from reviewkit.model.labels import metric_label


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


def key_label(dims: Sequence[str], key: str, *, lang: str) -> str:
    """:func:`segment_label` of a segment key."""
    values = [None if v == MISSING else v for v in key.split(SEPARATOR)]
    return segment_label(dims, values, lang=lang)


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


def change_text(row: Mapping[str, object], *, lang: str) -> str:
    """A finding's change: its rate before → now ("new" without a baseline), or its count."""
    if row.get("kind") == "volume":
        before, now = float(row["size_before"]), float(row["size"])  # type: ignore[arg-type]
        return f"{format_count(before, lang=lang)} → {format_count(now, lang=lang)}"
    new = not row["size_before"]
    before = t("cause.new_segment", lang) if new else format_pct(row["rate_before"], lang=lang)
    return f"{before} → {format_pct(row['rate'], lang=lang)}"  # type: ignore[arg-type]
