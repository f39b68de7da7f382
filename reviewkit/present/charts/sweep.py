"""The what-if sweep chart: volume and next-stage rate per threshold of a stage rule."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from reviewkit.analysis.whatif import (
    plain_number,
)
from reviewkit.i18n.formatting import format_count, format_money, format_pct
from reviewkit.i18n.texts import t
from reviewkit.present.charts.house import INK, PALETTE, RESIZE, PackChart, house_style


def threshold_text(value: float, *, lang: str) -> str:
    """A threshold as written in a rule: ``60``, ``1,000`` or ``62.5``."""
    value = plain_number(value)
    return format_count(value, lang=lang) if value.is_integer() else f"{value:,g}"


def sweep_chart(
    sweep: pd.DataFrame,
    *,
    stage_label: str,
    next_label: str,
    kgi_label: str,
    lang: str,
    currency: str,
    last_label: str = "",
    revenue: bool = True,
) -> PackChart:
    """Volume (bars, left axis) and next-stage rate (line, right axis) per threshold.

    Wide bars are the people entering the stage (the current threshold's in its own colour),
    narrow dark bars inside them those of them reaching the next stage, on the same axis, so
    volume bought without next-stage entrants shows. Hovering a bar or point prints the
    threshold's entrants, next-stage entrants and rate, how many reached the last stage
    (``last_label``; default: "won") and, with ``revenue``, their revenue (``kgi_label``).
    """
    words = _Words(
        current=t("whatif.chart.current", lang),
        other=t("whatif.chart.other", lang),
        reached=t("whatif.chart.reached", lang, next=next_label),
    )
    data = _sweep_data(sweep, words=words, lang=lang, currency=currency)
    x = alt.X(
        "label:N", sort=list(data["label"]), title=t("whatif.chart.threshold_axis", lang),
        axis=alt.Axis(labelAngle=0),
    )  # fmt: skip
    last = last_label or t("whatif.chart.won_default", lang)
    tooltip = [
        alt.Tooltip("label:N", title=t("whatif.col.threshold", lang)),
        alt.Tooltip("shown_entered:N", title=stage_label),
        alt.Tooltip("shown_next:N", title=next_label),
        alt.Tooltip("shown_rate:N", title=t("whatif.chart.rate_axis", lang, next=next_label)),
        alt.Tooltip("shown_won:N", title=t("whatif.chart.won", lang, last=last)),
    ]
    if revenue:
        tooltip.append(alt.Tooltip("shown_revenue:N", title=kgi_label))
    base = alt.Chart(data)
    volume = _volume_bars(base, x=x, words=words, stage_label=stage_label, lang=lang,
                          tooltip=tooltip)  # fmt: skip
    rate = _rate_line(base, x=x, next_label=next_label, lang=lang, tooltip=tooltip)
    chart = (
        alt.layer(volume, rate)
        .resolve_scale(y="independent")
        .properties(
            title=alt.Title(t("whatif.chart.title", lang, stage=stage_label), offset=12),
            width="container",
            height=260,
            autosize=RESIZE,
        )
    )
    current = sweep[sweep["current"]]
    value = threshold_text(float(current["threshold"].iloc[0]), lang=lang) if len(current) else ""
    description = t(
        "whatif.chart.description", lang, stage=stage_label, next=next_label, current=value
    )
    return PackChart(house_style(chart), description=description)


@dataclass(frozen=True)
class _Words:
    """The legend's words: the current threshold's bar, the others', the next-stage bars."""

    current: str
    other: str
    reached: str


def _sweep_data(sweep: pd.DataFrame, *, words: _Words, lang: str, currency: str) -> pd.DataFrame:
    """One row per threshold: its figures and their tooltip texts."""
    data = pd.DataFrame(
        {
            "label": [threshold_text(v, lang=lang) for v in sweep["threshold"]],
            "entered": sweep["entered"].astype(float),
            "rate": sweep["next_rate"].astype(float),
            "kind": [words.current if c else words.other for c in sweep["current"]],
            "shown_entered": [format_count(v, lang=lang) for v in sweep["entered"]],
            "shown_next": [format_count(v, lang=lang) for v in sweep["reached_next"]],
            "shown_rate": [format_pct(v, lang=lang) for v in sweep["next_rate"]],
            "shown_won": [format_count(v, lang=lang) for v in sweep["won"]],
            "shown_revenue": [
                format_money(v, currency=currency, lang=lang) for v in sweep["revenue"]
            ],
        }
    )
    data["reached"] = sweep["reached_next"].astype(float).to_numpy()
    data["reached_kind"] = words.reached
    return data


def _volume_bars(
    base: alt.Chart, *, x: alt.X, words: _Words, stage_label: str, lang: str,
    tooltip: list[alt.Tooltip],
) -> alt.LayerChart | alt.FacetChart:  # fmt: skip
    """Wide bars: the stage's entrants; narrow dark bars inside: those reaching the next stage."""
    colour_scale = alt.Scale(
        domain=[words.current, words.other, words.reached], range=[PALETTE[1], PALETTE[0], INK]
    )
    volume_y = alt.Y(
        "entered:Q",
        title=t("whatif.chart.volume_axis", lang, stage=stage_label),
        axis=alt.Axis(format="~s", tickCount=5, titleColor=PALETTE[0]),
    )
    bars = base.mark_bar(width={"band": 0.7}).encode(
        x=x, y=volume_y, color=alt.Color("kind:N", scale=colour_scale, title=None), tooltip=tooltip
    )
    reached = base.mark_bar(width={"band": 0.3}).encode(
        x=x,
        y=alt.Y("reached:Q", scale=alt.Scale(zero=True)),
        color=alt.Color("reached_kind:N", scale=colour_scale, title=None),
        tooltip=tooltip,
    )
    return alt.layer(bars, reached)


def _rate_line(
    base: alt.Chart, *, x: alt.X, next_label: str, lang: str, tooltip: list[alt.Tooltip]
) -> alt.LayerChart | alt.FacetChart:
    """The next-stage rate per threshold: a line with points, on the right axis."""
    rate_y = alt.Y(
        "rate:Q",
        title=t("whatif.chart.rate_axis", lang, next=next_label),
        scale=alt.Scale(zero=True),
        axis=alt.Axis(format=".0%", orient="right", tickCount=5, titleColor=PALETTE[3], grid=False),
    )
    line = base.mark_line(color=PALETTE[3], strokeWidth=2).encode(x=x, y=rate_y, tooltip=tooltip)
    points = base.mark_point(color=PALETTE[3], filled=True, size=50, stroke=INK).encode(
        x=x, y=rate_y, tooltip=tooltip
    )
    return alt.layer(line, points)
