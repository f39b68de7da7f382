"""The house style of every chart and :class:`PackChart`, how a chart shows in a pack.

Charts are built with altair from aggregated frames only, one module per chart family beside
this one (:mod:`~reviewkit.present.charts.trend`, :mod:`~reviewkit.present.charts.funnel`,
:mod:`~reviewkit.present.charts.pace`, :mod:`~reviewkit.present.charts.alerts`, ...).

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
AXIS: dict[str, Any] = {
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
# The charts house_style is given (alt.layer may return a FacetChart).
AnyChart = alt.Chart | alt.LayerChart | alt.FacetChart


def house_style(chart: AnyChart) -> AnyChart:
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
