"""The drill-down's presentation: its frame as words, chart and table.

The frame is :func:`~reviewkit.analysis.drilldown.explore_frame`.

:func:`explore_chart` draws the frame (bars for up to 3 periods, a pack's this-vs-previous;
lines for more) and :func:`explore_table` lists it with notes on what is counted and on which
basis; :func:`explore_title`, :func:`format_metric` and
:func:`segment_text` give the words both use, in Japanese or English. Packs show the chart
statically (``review.split_chart``); :mod:`reviewkit.review.explorer` redraws both in
JupyterLab. Frame in, :class:`~reviewkit.present.charts.house.PackChart` or
:class:`~reviewkit.present.html.Html` out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import altair as alt
import pandas as pd

from reviewkit.analysis.drilldown import BASES, OTHER, UNKNOWN, WHOLE
from reviewkit.core.periods import FiscalCalendar, parse_period
from reviewkit.i18n.formatting import DASH, MINUS, format_count, format_period, format_value
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import (
    ConversionMetric,
    Definitions,
    Metric,
)
from reviewkit.model.labels import dimension_label, duration_words, metric_label
from reviewkit.model.metrics import Part
from reviewkit.present.charts.explore import explore_bars, explore_lines, value_axis
from reviewkit.present.charts.house import RESIZE, PackChart, house_style
from reviewkit.present.glossary import describe
from reviewkit.present.html import Html, note_html
from reviewkit.present.tables import styled_table

BARS_UP_TO = 3  # periods drawn as bars (a pack's this-vs-previous); more are lines


def _decimal(value: float) -> str:
    return f"{value:,.1f}".replace("-", MINUS)


def format_metric(value: float | None, *, kind: str, lang: str, currency: str) -> str:
    """A value of unit ``kind`` (a metric's :attr:`kind`) in ``lang``.

    Amounts are in ``currency``; a missing value is a dash.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if kind in ("rate", "amount", "count"):
        return format_value(value, kind=kind, lang=lang, currency=currency)
    if kind == "days":
        return t("explore.unit.days", lang, value=format_count(value, lang=lang))
    return t(f"explore.unit.{kind}", lang, value=_decimal(float(value)))


def _part_label(definitions: Definitions, part: Part | None, *, lang: str) -> str:
    """What a numerator or denominator counts (:attr:`parts` of a metric), in ``lang``."""
    assert part is not None
    name, stage, _ = part
    key = f"explore.part.{name}"
    if stage is None:
        return t(key, lang)
    return t(key, lang, stage=definitions.stage(stage).label(lang))


def _shown_metric(definitions: Definitions, metric: str, frame: pd.DataFrame) -> Metric:
    """The metric as the frame was computed: a conversion on the basis the frame records."""
    found = definitions.metric(metric)
    bases = [b for b in frame["basis"] if b in BASES] if "basis" in frame else []
    if isinstance(found, ConversionMetric) and bases and bases[0] != found.basis:
        return found.model_copy(update={"basis": bases[0]})
    return found


def segment_text(segment: str, *, lang: str) -> str:
    """A frame's ``segment`` for readers: a value as it is, the special keys translated."""
    return t(segment, lang) if segment in (WHOLE, UNKNOWN, OTHER) else segment


def _period_name(label: str, *, lang: str) -> str:
    # A quarter's name uses only its fiscal year and number, both in the label: any calendar
    # parses it to the right name; a week's label says its week start (2026-W47 or 2026-S47).
    return format_period(parse_period(label, calendar=FiscalCalendar(), any_week=True), lang=lang)


def _filter_words(
    filters: Mapping[str, object], *, lang: str, definitions: Definitions | None
) -> str:
    parts = []
    for column, values in filters.items():
        shown = (
            t(UNKNOWN, lang) if values is None else " / ".join(str(v) for v in values)  # type: ignore[attr-defined]
        )
        parts.append(f"{dimension_label(column, lang=lang, definitions=definitions)}: {shown}")
    return " × ".join(parts)


def explore_title(
    frame: pd.DataFrame,
    *,
    definitions: Definitions,
    metric: str,
    dimension: str | None,
    lang: str,
) -> str:
    """The chart's title: the metric, the split and (for conversions) the basis."""
    shown = _shown_metric(definitions, metric, frame)
    label = metric_label(definitions, metric, lang=lang)
    if dimension:
        named = dimension_label(dimension, lang=lang, definitions=definitions)
        title = t("explore.title.split", lang, metric=label, dimension=named)
    else:
        title = t("explore.title.whole", lang, metric=label)
    if isinstance(shown, ConversionMetric):
        window = duration_words(shown.window, lang=lang)
        basis = t(f"explore.basis_words.{shown.basis}", lang, window=window)
        title = t("explore.title.basis", lang, title=title, basis=basis)
    return title


def _chart_data(frame: pd.DataFrame, *, metric: Metric, lang: str, currency: str) -> pd.DataFrame:
    kind = metric.kind
    num, den = metric.parts
    maturing = t("rate.maturing", lang)
    rows = []
    for r in frame.to_dict("records"):
        shown = format_metric(r["value"], kind=kind, lang=lang, currency=currency)
        if not r["mature"] and shown != DASH:
            shown = f"{shown} {maturing}"
        pieces = [
            format_metric(r[name], kind=part[2], lang=lang, currency=currency)
            for name, part in (("numerator", num), ("denominator", den))
            if part is not None and den is not None  # a count's numerator is its value
        ]
        rows.append(
            {
                "period": r["period"],
                "name": _period_name(r["period"], lang=lang),
                "segment": segment_text(r["segment"], lang=lang),
                "value": r["value"],
                "mature": bool(r["mature"]),
                "shown": shown,
                "detail": " / ".join(pieces),
            }
        )
    columns = ["period", "name", "segment", "value", "mature", "shown", "detail"]
    data = pd.DataFrame(rows, columns=columns)
    data["value"] = pd.to_numeric(data["value"], errors="coerce").astype(float)
    return data


def explore_chart(
    frame: pd.DataFrame,
    *,
    definitions: Definitions,
    metric: str,
    dimension: str | None,
    lang: str,
    currency: str,
) -> PackChart:
    """The drill-down frame as a chart: bars for up to 3 periods, lines for more.

    Bars (a pack's this period against the previous one): one group per value, one bar per
    period, the last period blue and earlier ones grey; without a split, one bar per period
    with its value printed. Lines: one per value (top values in colour, "other" and
    "unknown" grey), hollow points for cohorts still maturing. Tooltips give the formatted
    value with its numerator and denominator. The title names the metric, the split and the
    basis of a conversion; a filter is the subtitle.

    Parameters
    ----------
    frame
        :func:`~reviewkit.analysis.drilldown.explore_frame`.
    definitions
        For labels.
    metric, dimension
        As given to :func:`~reviewkit.analysis.drilldown.explore_frame`.
    lang
        ``ja`` or ``en``.
    currency
        The workspace's currency (ISO 4217): amounts' tooltips and axis labels are in it.

    Returns
    -------
    PackChart
        The chart, house style applied.
    """
    shown = _shown_metric(definitions, metric, frame)
    kind = shown.kind
    data = _chart_data(frame, metric=shown, lang=lang, currency=currency)
    title = explore_title(
        frame, definitions=definitions, metric=metric, dimension=dimension, lang=lang
    )
    filters = frame.attrs.get("filters") or {}
    labels = list(dict.fromkeys(data["period"]))
    names = list(dict.fromkeys(data["name"]))
    raw = [s for s in dict.fromkeys(frame["segment"])]
    segments = [segment_text(s, lang=lang) for s in raw]
    split = (
        dimension_label(dimension, lang=lang, definitions=definitions) if dimension
        else t(WHOLE, lang)
    )  # fmt: skip
    y = value_axis(kind, lang=lang, currency=currency)
    tooltip = [
        alt.Tooltip("segment:N", title=split),
        alt.Tooltip("name:N", title=t("explore.col.period", lang)),
        alt.Tooltip("shown:N", title=metric_label(definitions, metric, lang=lang)),
        alt.Tooltip("detail:N", title=" "),
    ]
    base = alt.Chart(data)
    young = not bool(data["mature"].all())
    if len(labels) <= BARS_UP_TO:
        chart = explore_bars(base, names=names, segments=segments, dimension=dimension, y=y,
                      tooltip=tooltip, lang=lang)  # fmt: skip
    else:
        chart = explore_lines(base, raw=raw, segments=segments, labels=labels, dimension=dimension,
                       split=split, y=y, tooltip=tooltip)  # fmt: skip
    heading = (
        alt.Title(
            title, subtitle=_filter_words(filters, lang=lang, definitions=definitions), offset=12
        )
        if filters
        else alt.Title(title, offset=12)
    )
    chart = chart.properties(title=heading, width="container", height=260, autosize=RESIZE)
    description = t(
        "explore.chart.description",
        lang,
        title=title,
        first=names[0] if names else "",
        last=names[-1] if names else "",
        n=len(names),
    )
    if young:
        shape = "bars" if len(labels) <= BARS_UP_TO else "points"
        description += " " + t(f"explore.chart.maturing.{shape}", lang)
    return PackChart(house_style(chart), description=description)


def _definition_words(definitions: Definitions, metric: str, shown: Metric, *, lang: str) -> str:
    if isinstance(shown, ConversionMetric):
        a = definitions.stage(shown.from_).label(lang)
        b = definitions.stage(shown.to).label(lang)
        if shown.basis == "cohort":
            window = duration_words(shown.window, lang=lang)
            return t("glossary.cohort", lang, a=a, b=b, window=window)
        return t("glossary.period", lang, a=a, b=b)
    return describe(definitions, metric, lang=lang)


def explore_table(
    frame: pd.DataFrame,
    *,
    definitions: Definitions,
    metric: str,
    dimension: str | None,
    lang: str,
    currency: str,
) -> Html:
    """The drill-down frame as a table: value, numerator and denominator per period x value.

    Notes under it say what is counted and on which basis, the periods, the filter, what
    "other" and "unknown" hold; a maturing cohort is marked in its cell. Amounts are in
    ``currency``, the workspace's.
    """
    shown = _shown_metric(definitions, metric, frame)
    kind = shown.kind
    num, den = shown.parts
    label = metric_label(definitions, metric, lang=lang)
    period_col = t("explore.col.period", lang)
    split_col = (
        dimension_label(dimension, lang=lang, definitions=definitions) if dimension
        else t("explore.col.whole", lang)
    )  # fmt: skip
    maturing = t("rate.maturing", lang)
    # a count or revenue is its own numerator: no part columns then
    parts = (
        [] if den is None else [(n, p) for n, p in (("numerator", num), ("denominator", den)) if p]
    )
    rows, classes = [], []
    for r in frame.to_dict("records"):
        value = format_metric(r["value"], kind=kind, lang=lang, currency=currency)
        if not r["mature"] and value != DASH:
            value = f"{value} {maturing}"
        row = {
            period_col: _period_name(r["period"], lang=lang),
            split_col: segment_text(r["segment"], lang=lang),
            label: value,
        }
        for name, part in parts:
            assert part is not None
            row[_part_label(definitions, part, lang=lang)] = format_metric(
                r[name], kind=part[2], lang=lang, currency=currency
            )
        rows.append(row)
        classes.append(["rk-label", "rk-text", *["rk-num"] * (1 + len(parts))])
    columns = [
        period_col,
        split_col,
        label,
        *(_part_label(definitions, p, lang=lang) for _, p in parts),
    ]
    table = styled_table(
        pd.DataFrame(rows, columns=columns), classes, css_class="rk-explore", lang=lang
    )
    notes = _table_notes(frame, definitions=definitions, metric=metric, shown=shown, lang=lang)
    title = explore_title(
        frame, definitions=definitions, metric=metric, dimension=dimension, lang=lang
    )
    return Html(table.html + "".join(note_html(n) for n in notes), text=title)


def _table_notes(
    frame: pd.DataFrame, *, definitions: Definitions, metric: str, shown: Metric, lang: str
) -> list[str]:
    """The notes under the table: periods and definition, filter, "other" and "unknown"."""
    names = [_period_name(p, lang=lang) for p in dict.fromkeys(frame["period"])]
    notes = [
        t(
            "explore.note.periods",
            lang,
            first=names[0] if names else "",
            last=names[-1] if names else "",
            n=len(names),
            definition=_definition_words(definitions, metric, shown, lang=lang),
        ),
    ]
    filters = frame.attrs.get("filters") or {}
    if filters:
        notes.append(
            t(
                "explore.note.filter",
                lang,
                filter=_filter_words(filters, lang=lang, definitions=definitions),
            )
        )
    segments = set(frame["segment"])
    if OTHER in segments:
        notes.append(
            t(
                "explore.note.other",
                lang,
                top=frame.attrs.get("top", ""),
                n=len(frame.attrs.get("other", [])),
            )
        )
    if UNKNOWN in segments:
        notes.append(t("explore.note.unknown", lang))
    return notes
