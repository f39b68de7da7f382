"""Charts in the house style, built with altair from aggregated frames only.

In a pack a chart is a ``<div>`` and its Vega-Lite spec; the page carries the chart runtime once
(:mod:`reviewkit.chart_runtime`) and draws every chart as SVG, with tooltips and in-page
dropdowns, offline. Anywhere else (JupyterLab, tests) a chart shows as a static SVG rendered by
vl-convert, so nothing is fetched either.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from html import escape
from typing import Any

from reviewkit.resources import PACK_ENV

if os.environ.get(PACK_ENV) and "rfc3987_syntax" not in sys.modules:
    # Kernel start-up is paid on every pack. jsonschema (under altair) loads the optional
    # rfc3987_syntax IRI checker, which builds a grammar for ~1 s; charts never validate IRIs.
    # Only in a pack's own, throw-away kernel, never in an analyst's session.
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]

import altair as alt
import pandas as pd

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
STATUS_COLOURS = {"met": "#009E73", "near": "#E69F00", "missed": "#D55E00", "no_target": "#999999"}
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
# Lay the chart out again when a dropdown changes it (axis labels change width).
RESIZE = alt.AutoSizeParams(type="fit-x", contains="padding", resize=True)


def house_style(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Apply reviewkit's fonts, palette and quiet axes to a chart (no global theme)."""
    return (
        chart.configure(font=FONT, background="white")
        .configure_range(category=PALETTE)
        .configure_axis(**AXIS)
        .configure_legend(labelFontSize=12, titleFontSize=12, orient="bottom")
        .configure_title(fontSize=14, anchor="start", color="#1f2933")
        .configure_view(stroke=None)
    )


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
        """The Vega-Lite spec, with its data inlined (no ``$schema``: nothing to look up)."""
        spec = self.chart.to_dict()
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
        return self.pack_html() if os.environ.get(PACK_ENV) else self.svg_html()

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
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=True), axis=alt.Axis(format="~s"))
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
    chart = lines.add_params(pick).properties(
        title=title, width="container", height=240, autosize=RESIZE
    )
    return PackChart(house_style(chart), description=description)


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
    chart = (bars + goal.encode(x="x:Q") + text).properties(
        title=title, width="container", height=190, autosize=RESIZE
    )
    return PackChart(house_style(chart), description=description)
