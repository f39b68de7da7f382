"""The drill-down chart's layers: bars for a few periods, lines for more, the value axis."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt

from reviewkit.analysis.drilldown import OTHER, UNKNOWN
from reviewkit.core.currency import money_label_expr
from reviewkit.i18n.texts import t
from reviewkit.present.charts.house import INK, PALETTE

EARLIER = ["#c5ccd6", "#8c96a3"]  # earlier periods' bars; the last period is PALETTE[0]
REST = {OTHER: "#8c96a3", UNKNOWN: "#c5ccd6"}  # lines of "other" and "unknown": greys


def segment_colours(segments: Sequence[str]) -> list[str]:
    """The lines' colours: the palette in turn, greys for "other" and "unknown"."""
    colours, n = [], 0
    for s in segments:
        if s in REST:
            colours.append(REST[s])
        else:
            colours.append(PALETTE[n % len(PALETTE)])
            n += 1
    return colours


def value_axis(kind: str, *, lang: str, currency: str) -> alt.Y:
    """The value axis: amounts in ``currency``, rates in %, durations with their unit."""
    axis = (
        alt.Axis(labelExpr=money_label_expr(currency, lang=lang), tickCount=5)
        if kind == "amount"
        else alt.Axis(format={"rate": ".0%", "count": "~s"}.get(kind, "~r"), tickCount=5)
    )
    unit = t(f"explore.axis.{kind}", lang) if kind in ("days", "hours", "times") else None
    return alt.Y("value:Q", title=unit, scale=alt.Scale(zero=True, nice=True), axis=axis)


def explore_bars(
    base: alt.Chart, *, names: list[str], segments: list[str], dimension: str | None, y: alt.Y,
    tooltip: list[alt.Tooltip], lang: str,
) -> alt.Chart | alt.LayerChart | alt.FacetChart:  # fmt: skip
    """A few periods: grouped bars per value, or one bar per period."""
    # a maturing cohort's bar is pale: its rate may still rise (the caption says so)
    maturing = alt.condition(alt.datum.mature, alt.value(1.0), alt.value(0.4))
    colours = [*EARLIER[len(EARLIER) - (len(names) - 1) :], PALETTE[0]][-len(names) :]
    colour = alt.Color(
        "name:N",
        sort=names,
        scale=alt.Scale(domain=names, range=colours),
        title=t("explore.legend.period", lang),
        legend=None if not dimension else alt.Legend(orient="bottom"),
    )
    if dimension:
        x = alt.X(
            "segment:N",
            sort=segments,
            title=None,
            axis=alt.Axis(labelAngle=0 if len(segments) <= 5 else -30, labelLimit=140),
        )
        return base.mark_bar().encode(
            x=x, xOffset=alt.XOffset("name:N", sort=names), y=y, color=colour,
            opacity=maturing, tooltip=tooltip,
        )  # fmt: skip
    x = alt.X("name:N", sort=names, title=None, axis=alt.Axis(labelAngle=0, labelLimit=200))
    bars = base.mark_bar(width={"band": 0.6}).encode(
        x=x, y=y, color=colour, opacity=maturing, tooltip=tooltip
    )
    text = base.mark_text(baseline="bottom", dy=-4, fontSize=12, color=INK).encode(
        x=x, y=y, text=alt.Text("shown:N"), tooltip=tooltip
    )
    return alt.layer(bars, text)


def explore_lines(
    base: alt.Chart, *, raw: Sequence[str], segments: list[str], labels: list[str],
    dimension: str | None, split: str, y: alt.Y, tooltip: list[alt.Tooltip],
) -> alt.LayerChart | alt.FacetChart:  # fmt: skip
    """More periods: one line per value, hollow points for cohorts still maturing."""
    scale = alt.Scale(domain=segments, range=segment_colours(raw))
    legend = alt.Legend(orient="bottom", columns=4, labelLimit=160) if dimension else None
    colour = alt.Color("segment:N", sort=segments, scale=scale, title=split, legend=legend)
    x = alt.X(
        "period:O",
        sort=labels,
        title=None,
        axis=alt.Axis(labelAngle=0 if len(labels) <= 12 else -45, labelOverlap=True),
    )
    lines = base.mark_line(strokeWidth=2).encode(x=x, y=y, color=colour, tooltip=tooltip)
    fill = alt.Fill("segment:N", sort=segments, scale=scale, legend=None)
    # a maturing cohort's point is hollow: its rate may still rise
    points = base.mark_point(filled=False, fillOpacity=1, size=40, strokeWidth=1.5).encode(
        x=x,
        y=y,
        stroke=alt.Stroke("segment:N", sort=segments, scale=scale, legend=None),
        fill=alt.condition(alt.datum.mature, fill, alt.value("white")),
        tooltip=tooltip,
    )
    return alt.layer(lines, points)
