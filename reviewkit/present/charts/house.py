"""Charts in the house style, built with altair from aggregated frames only.

In a pack a chart is a ``<div>`` and its Vega-Lite spec; the page carries the chart runtime once
(:mod:`reviewkit.present.charts.runtime`) and draws every chart as SVG, with tooltips and in-page
dropdowns, offline. Anywhere else (JupyterLab, tests) a chart shows as a static SVG rendered by
vl-convert, so nothing is fetched either.
"""

from __future__ import annotations

import itertools
import json
from html import escape
from typing import Any

from reviewkit.core.context import in_pack
from reviewkit.core.lazy_imports import defer_iri_grammar

# Kernel start-up is paid on every pack: jsonschema (under altair) would build the optional
# IRI checker's grammar (~1 s) that charts never use; it now loads only if something does.
defer_iri_grammar()

import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
STATUS_COLOURS = {"met": "#009E73", "near": "#E69F00", "missed": "#D55E00", "no_target": "#999999"}
BAND_FILL = "#dfe5ec"  # a target band or normal range: light, behind the lines
INK = "#1f2933"
SWATCH = alt.Legend(symbolType="square", symbolStrokeWidth=0)  # legend entry of an area
FONT = (
    '"Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic UI", "Yu Gothic", Meiryo, '
    '"Noto Sans CJK JP", "Noto Sans JP", system-ui, sans-serif'
)
AXIS = {
    "labelFontSize": 12,
    "titleFontSize": 12,
    "labelColor": "#1f2933",
    "titleColor": "#5f6b7a",
    "gridColor": "#e6e9ee",
    "domainColor": "#c5ccd6",
    "tickColor": "#c5ccd6",
}
_ids = itertools.count(1)
# Encodings are channel objects (alt.Y2("high:Q"), alt.ColorValue(...)), never shorthand
# strings or dicts: altair resolves those against the whole Vega-Lite schema (~5 ms each).
# Lay the chart out again when a dropdown changes it (axis labels change width).
RESIZE = alt.AutoSizeParams(type="fit-x", contains="padding", resize=True)


def house_style(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Apply reviewkit's fonts, palette and quiet axes to a chart (no global theme).

    The same config as ``chart.configure(...).configure_range(...)...configure_view(...)``,
    set on one copy of the chart: each ``configure_*`` call copies the chart, and copying a
    layered chart copies every layer again.
    """
    config = alt.Config(font=FONT, background="white")
    config["range"] = alt.RangeConfig(category=PALETTE)
    config["axis"] = alt.AxisConfig(**AXIS)
    config["legend"] = alt.LegendConfig(labelFontSize=12, titleFontSize=12, orient="bottom")
    config["title"] = alt.TitleConfig(fontSize=14, anchor="start", color="#1f2933")
    config["view"] = alt.ViewConfig(stroke=None)
    styled = chart.copy(deep=False)
    styled.config = config
    return styled


class PackChart:
    """A chart ready to display: embedded in a pack, a static SVG elsewhere.

    Parameters
    ----------
    chart
        The altair chart (house style applied by the builder).
    description
        What the chart shows, in words (the accessible name; also the text fallback).
    """

    def __init__(self, chart: alt.TopLevelMixin, *, description: str) -> None:
        self.chart = chart
        self.description = description

    @property
    def spec(self) -> dict[str, Any]:
        """The Vega-Lite spec, with its data inlined (no ``$schema``: nothing to look up).

        Specs are validated against the Vega-Lite schema everywhere but in a pack's kernel:
        the same builders run validated in the tests, and validation costs a pack ~0.1 s per
        chart.
        """
        spec = self.chart.to_dict(validate=not in_pack())
        spec.pop("$schema", None)
        spec.setdefault("description", self.description)  # else "Vega visualization"
        return spec

    def pack_html(self) -> str:
        """The pack form: a placeholder and its spec as JSON (``<`` escaped)."""
        n = next(_ids)
        spec = json.dumps(self.spec, ensure_ascii=False, separators=(",", ":"))
        spec = spec.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        label = escape(self.description)
        return (
            f'<figure class="rk-figure"><div class="rk-chart" id="rk-chart-{n}" role="img" '
            f'aria-label="{label}" data-spec="rk-spec-{n}"></div>'
            f'<script type="application/json" id="rk-spec-{n}">{spec}</script>'
            f'<figcaption class="rk-note">{label}</figcaption></figure>'
        )

    def svg_html(self) -> str:
        """The static form: an SVG drawn by vl-convert."""
        import vl_convert

        svg = vl_convert.vegalite_to_svg(self.spec)
        caption = escape(self.description)
        return f'<figure class="rk-figure">{svg}<figcaption>{caption}</figcaption></figure>'

    def _repr_html_(self) -> str:
        return self.pack_html() if in_pack() else self.svg_html()

    def __repr__(self) -> str:
        return self.description


def trend_chart(
    history: pd.DataFrame,
    *,
    metric_labels: dict[str, str],
    title: str,
    choose: str,
    actual: str,
    target: str,
    description: str,
    date_format: str = "%Y-%m",
    band: str | None = None,
    label_expr: str | None = None,
) -> PackChart:
    """Actual against target per period for every metric, one metric at a time.

    Parameters
    ----------
    history
        Columns ``period``, ``start`` (date), ``metric``, ``actual``, ``target`` and
        ``shown`` (the values formatted for tooltips).
    metric_labels
        Metric key -> label; the dropdown lists them in this order.
    title, choose, actual, target, description
        Localized words: chart title, dropdown label, legend entries, accessible description.
    date_format
        The time axis' d3 format (``%m/%d`` for weeks).
    band
        The legend entry of the target band. When given and ``history`` has the columns
        ``band_low`` and ``band_high`` (NaN where there is no target), a light area between
        them is drawn behind the lines, filtered by the same dropdown; it breaks where either
        bound is NaN.
    label_expr
        A Vega expression for the value axis' labels (amounts in the workspace's currency,
        :func:`reviewkit.core.currency.money_labels_expr`); ``None``: plain SI numbers (``~s``).
    """
    keys = list(metric_labels)
    data = history.assign(label=history["metric"].map(metric_labels))
    long = data.melt(
        id_vars=["period", "start", "label", "shown_actual", "shown_target"],
        value_vars=["actual", "target"],
        var_name="series",
        value_name="value",
    )
    long["series"] = long["series"].map({"actual": actual, "target": target})
    long["start"] = pd.to_datetime(long["start"])
    pick = alt.param(
        name="metric",
        value=metric_labels[keys[0]],
        bind=alt.binding_select(options=[metric_labels[k] for k in keys], name=f"{choose} "),
    )
    base = alt.Chart(long).transform_filter(alt.datum.label == pick)
    x = alt.X("start:T", title=None, axis=alt.Axis(format=date_format, labelAngle=0, tickCount=6))
    y_scale = alt.Scale(zero=True)
    y_axis = alt.Axis(format="~s") if label_expr is None else alt.Axis(labelExpr=label_expr)
    y = alt.Y("value:Q", title=None, scale=y_scale, axis=y_axis)
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=[actual, target], range=[PALETTE[0], "#5f6b7a"]),
        title=None,
    )
    dash = alt.StrokeDash(
        "series:N", scale=alt.Scale(domain=[actual, target], range=[[1, 0], [5, 4]])
    )
    tooltip = [
        alt.Tooltip("period:N", title=" "),
        alt.Tooltip("shown_actual:N", title=actual),
        alt.Tooltip("shown_target:N", title=target),
    ]
    lines = base.mark_line(point=True, strokeWidth=2).encode(
        x=x, y=y, color=colour, strokeDash=dash, tooltip=tooltip
    )
    layers: alt.Chart | alt.LayerChart = lines
    if band is not None and {"band_low", "band_high"} <= set(history.columns):
        band_y = alt.Y("band_low:Q", title=None, scale=y_scale, axis=y_axis)
        layers = alt.layer(_target_band(data, pick=pick, band=band, x=x, y=band_y), lines)
    chart = layers.add_params(pick).properties(
        title=title, width="container", height=240, autosize=RESIZE
    )
    return PackChart(house_style(chart), description=description)


def _target_band(
    data: pd.DataFrame, *, pick: alt.Parameter, band: str, x: alt.X, y: alt.Y
) -> alt.Chart:
    """The target band of :func:`trend_chart`: a light area, one legend entry, no tooltip."""
    rows = data[["start", "label", "band_low", "band_high"]].assign(
        start=pd.to_datetime(data["start"]),
        band_low=pd.to_numeric(data["band_low"], errors="coerce"),
        band_high=pd.to_numeric(data["band_high"], errors="coerce"),
        band=band,
    )
    return (
        alt.Chart(rows)
        .transform_filter(alt.datum.label == pick)
        .mark_area(opacity=1, interpolate="linear")
        .encode(
            x=x,
            y=y,
            y2=alt.Y2("band_high:Q"),
            fill=alt.Fill(
                "band:N",
                scale=alt.Scale(domain=[band], range=[BAND_FILL]),
                title=None,
                legend=SWATCH,
            ),
            tooltip=alt.TooltipValue(None),
        )
    )


def funnel_chart(
    card: pd.DataFrame, *, labels: dict[str, str], title: str, description: str
) -> PackChart:
    """The period's stages against target: achievement bars, a 100 % rule, status in words.

    Parameters
    ----------
    card
        Columns ``metric``, ``achievement``, ``status`` (met/near/missed/no_target) and
        ``status_text`` (symbol, word and figures, e.g. ``✕ 未達 141／200``).
    labels
        Metric key -> label, in funnel order.
    """
    data = card.assign(label=card["metric"].map(labels), achieved=card["achievement"].fillna(0))
    order = [labels[k] for k in labels]
    y = alt.Y("label:N", sort=order, title=None)
    x = alt.X(
        "achieved:Q", title=None, axis=alt.Axis(format="%", tickCount=5, grid=True),
        scale=alt.Scale(domainMin=0, domainMax=max(1.0, data["achieved"].max()) * 1.4),
    )  # fmt: skip
    bars = (
        alt.Chart(data)
        .mark_bar(height=18)
        .encode(
            y=y,
            x=x,
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
                legend=None,
            ),
            tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("status_text:N", title=" ")],
        )
    )
    goal = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#1f2933", strokeWidth=2)
    text = (
        alt.Chart(data)
        .mark_text(align="left", dx=6, fontSize=12)
        .encode(y=y, x=x, text=alt.Text("status_text:N"))
    )
    chart = (bars + goal.encode(x=alt.X("x:Q")) + text).properties(
        title=title, width="container", height=190, autosize=RESIZE
    )
    return PackChart(house_style(chart), description=description)


def _share_text(value: float) -> str:
    """A share of target for a tooltip: ``94%``, or ``—`` when there is none."""
    return "—" if pd.isna(value) else f"{value:.0%}"


def pace_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    description: str,
    expected: str,
    projection: str,
    target: str,
) -> PackChart:
    """Pace to target, one bullet per row, in % of each row's period target.

    Each row shows the projection's range (a light grey bar), the actual to date (a thick bar
    coloured by status), the seasonal expectation to date (a black tick), the projection (a
    dashed mark), a rule at 100 % and the status in words right of the marks. A legend names
    the tick and the dashed mark, so the chart reads without colour.

    Parameters
    ----------
    frame
        One row per bullet, drawn in frame order. Columns ``row`` (the y-axis label, unique),
        ``actual_share``, ``expected_share``, ``projected_share``, ``low_share`` and
        ``high_share`` (shares of the period target; NaN leaves the mark out), ``status`` (a
        key of :data:`STATUS_COLOURS`), ``status_text`` (e.g. ``△ やや遅れ 94%``) and
        ``tooltip`` (one preformatted sentence).
    title, description
        Chart title and accessible description; the words ``expected`` and ``projection`` are
        appended to the description when it does not already name them.
    expected, projection, target
        Localized names of the tick, the dashed mark and the 100 % rule.
    """
    shares = ["actual_share", "expected_share", "projected_share", "low_share", "high_share"]
    data = frame.reset_index(drop=True).copy()
    for column in shares:
        data[column] = pd.to_numeric(data[column], errors="coerce").astype(float)
    data["row"] = data["row"].astype(str)
    # The status text sits right of the row's right-most mark.
    data["text_at"] = data[shares].max(axis=1, skipna=True).fillna(0.0)
    data["shown_expected"] = data["expected_share"].map(_share_text)
    data["shown_projection"] = data["projected_share"].map(_share_text)
    highest = data[shares].max(skipna=True).max(skipna=True)
    top = (
        max(1.2, 0.0 if pd.isna(highest) else float(highest)) * 1.3
    )  # room for the status words right of the longest mark
    order = list(data["row"])

    y = alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))
    scale = alt.Scale(domain=[0, top], nice=False, zero=True)
    axis = alt.Axis(format="%", tickCount=6, grid=True)
    tooltip = [
        alt.Tooltip("row:N", title=" "),
        alt.Tooltip("tooltip:N", title=" "),
        alt.Tooltip("shown_expected:N", title=expected),
        alt.Tooltip("shown_projection:N", title=projection),
    ]
    base = alt.Chart(data)
    ranges = (
        base.transform_filter("isValid(datum.low_share) && isValid(datum.high_share)")
        .mark_bar(height=20, color="#dfe3e8")
        .encode(
            y=y,
            x=alt.X("low_share:Q", title=None, scale=scale, axis=axis),
            x2=alt.X2("high_share:Q"),
            tooltip=tooltip,
        )
    )
    actual = (
        base.transform_filter("isValid(datum.actual_share)")
        .mark_bar(height=10)
        .encode(
            y=y,
            x=alt.X("actual_share:Q", title=None, scale=scale, axis=axis, stack=None),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    # The tick and the dashed mark share one strokeDash legend: their names, without colour.
    # Both are unfilled, hairline ticks, so that the stroke (and its dash) draws them and
    # their legend symbols.
    marker = alt.StrokeDash(
        "marker:N",
        scale=alt.Scale(domain=[expected, projection], range=[[1, 0], [4, 3]]),
        title=None,
        legend=alt.Legend(symbolType="M0,-1L0,1", symbolStrokeWidth=2, symbolSize=220),
    )

    def tick(field: str, name: str, *, size: int, width: int) -> alt.Chart:
        return (
            base.transform_filter(f"isValid(datum.{field})")
            .transform_calculate(marker=json.dumps(name, ensure_ascii=False))
            .mark_tick(
                filled=False, color="#000000", opacity=1, thickness=0.01, size=size,
                strokeWidth=width,
            )
            .encode(
                y=y,
                x=alt.X(f"{field}:Q", title=None, scale=scale, axis=axis),
                strokeDash=marker,
                tooltip=tooltip,
            )
        )  # fmt: skip

    expected_mark = tick("expected_share", expected, size=22, width=3)
    projected_mark = tick("projected_share", projection, size=24, width=2)
    goal_data = pd.DataFrame({"x": [1.0], "label": [target]})
    goal = (
        alt.Chart(goal_data)
        .mark_rule(color=INK, strokeWidth=1.5)
        .encode(x=alt.X("x:Q", scale=scale, axis=axis, title=None))
    )
    goal_label = (
        alt.Chart(goal_data)
        .mark_text(baseline="bottom", dy=-4, fontSize=11, color=INK)
        .encode(
            x=alt.X("x:Q", scale=scale, axis=axis, title=None),
            y=alt.YValue(0),
            text=alt.Text("label:N"),
        )
    )
    text_x = alt.X("text_at:Q", scale=scale, axis=axis, title=None)
    text = alt.Text("status_text:N")
    halo = base.mark_text(
        align="left", dx=6, fontSize=12, stroke="white", strokeWidth=4, strokeJoin="round"
    ).encode(y=y, x=text_x, text=text)
    words = base.mark_text(align="left", dx=6, fontSize=12, color=INK).encode(
        y=y, x=text_x, text=text, tooltip=tooltip
    )
    chart = alt.layer(
        ranges, actual, expected_mark, projected_mark, goal, goal_label, halo, words
    ).properties(
        title=alt.Title(title, offset=18),
        width="container",
        height=28 * max(1, len(data)),
        autosize=RESIZE,
    )
    if expected not in description or projection not in description:
        description = f"{description} ({expected} / {projection})"
    return PackChart(house_style(chart), description=description)


def alert_chart(
    series: pd.DataFrame,
    *,
    title: str,
    description: str,
    percent: bool,
    normal: str,
    value: str,
) -> PackChart:
    """A small weekly sparkline of one alerted metric against its normal range.

    The normal range is a grey band (its legend entry is ``normal``), the normal value a dashed
    line; the weeks of the alerted run are larger dark-orange points, the others small blue
    ones, so the run reads by size as well as colour.

    Parameters
    ----------
    series
        One row per week, oldest first. Columns ``start`` (the week's first day), ``week``
        (its label, e.g. ``2026-W41``), ``value``, ``baseline``, ``low``, ``high`` (NaN leaves
        the band or line out for that week) and ``shifted`` (bool: inside the alerted run).
    title, description
        Chart title (drawn small) and accessible description.
    percent
        Whether the values are rates: the axis and the tooltips show ``%``, else SI (``~s``).
    normal, value
        Localized words: the band's legend entry and tooltip title, the value's tooltip title.
    """
    data = series.reset_index(drop=True).copy()
    data["start"] = pd.to_datetime(data["start"])
    for column in ["value", "baseline", "low", "high"]:
        data[column] = pd.to_numeric(data[column], errors="coerce").astype(float)
    data["shifted"] = data["shifted"].fillna(False).astype(bool)
    data["week"] = data["week"].astype(str)
    data["band"] = normal
    axis_format, tip_format = ("~%", ".1~%") if percent else ("~s", ".3~s")

    x = alt.X("start:T", title=None, axis=alt.Axis(format="%m/%d", labelAngle=0, tickCount=4))
    y_axis = alt.Axis(format=axis_format, tickCount=3)
    scale = alt.Scale(zero=False, nice=True)
    # Formatted in the chart, with the axis' format; a missing value shows as a dash, not 0.
    shown = {
        f"shown_{column}": (
            f"isValid(datum.{column}) ? format(datum.{column}, '{tip_format}') : '—'"
        )
        for column in ["value", "baseline"]
    }
    tooltip = [
        alt.Tooltip("week:N", title=" "),
        alt.Tooltip("shown_value:N", title=value),
        alt.Tooltip("shown_baseline:N", title=normal),
    ]
    base = alt.Chart(data)
    band = base.mark_area(opacity=1).encode(
        x=x,
        y=alt.Y("low:Q", title=None, scale=scale, axis=y_axis),
        y2=alt.Y2("high:Q"),
        fill=alt.Fill(
            "band:N",
            scale=alt.Scale(domain=[normal], range=[BAND_FILL]),
            title=None,
            legend=SWATCH,
        ),
    )
    # The band and the lines are one path each: only the points carry tooltips.
    baseline = base.mark_line(color="#5f6b7a", strokeWidth=1.5, strokeDash=[4, 3]).encode(
        x=x, y=alt.Y("baseline:Q", title=None, scale=scale, axis=y_axis)
    )
    y = alt.Y("value:Q", title=None, scale=scale, axis=y_axis)
    line = base.mark_line(color=PALETTE[0], strokeWidth=1.5).encode(x=x, y=y)
    shifted = alt.when(alt.datum.shifted)
    points = (
        base.transform_filter("isValid(datum.value)")
        .transform_calculate(**shown)
        .mark_point(filled=True, opacity=1, stroke="white", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            color=alt.ColorValue(
                **shifted.then(alt.value("#D55E00")).otherwise(alt.value(PALETTE[0]))
            ),
            size=alt.SizeValue(**shifted.then(alt.value(80)).otherwise(alt.value(25))),
            tooltip=tooltip,
        )
    )
    chart = alt.layer(band, baseline, line, points).properties(
        title=alt.Title(title, fontSize=12),
        width="container",
        height=90,
        autosize=RESIZE,
    )
    return PackChart(house_style(chart), description=description)
