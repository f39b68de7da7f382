"""The quarterly rates chart: eight quarters of each conversion rate, maturing points hollow.

The series comes from :func:`reviewkit.analysis.trends.quarter_series`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from reviewkit.i18n.formatting import format_pct, format_period
from reviewkit.i18n.texts import t
from reviewkit.model.definitions import Definitions
from reviewkit.model.labels import metric_label
from reviewkit.present.charts.house import INK, PALETTE, RESIZE, PackChart, house_style

SHAPES = ["circle", "square", "triangle-up", "diamond", "triangle-down", "cross"]


def rates_chart(series: pd.DataFrame, *, definitions: Definitions, lang: str) -> PackChart:
    """The tree's stage rates by quarter: one line per rate, maturing cohorts hollow.

    Parameters
    ----------
    series
        From :func:`quarter_series`.
    definitions
        For the rate labels.
    lang
        ``ja`` or ``en``.

    Returns
    -------
    PackChart
        Quarters along x (named as :func:`format_period` names them, on two lines), the
        rate on y; colour and point shape both tell the rates apart, a filled point is a
        final value and a hollow one a maturing cohort (both named in a legend).
    """
    keys = list(dict.fromkeys(series["metric"]))
    labels = {k: metric_label(definitions, k, lang=lang) for k in keys}
    final, maturing = t("trends.chart.final", lang), t("trends.chart.maturing", lang)
    periods = list(dict.fromkeys(series["period"]))
    quarters = [format_period(p, lang=lang) for p in periods]
    data = _chart_data(series, labels=labels, statuses=(final, maturing), lang=lang)
    names = [labels[k] for k in keys]
    x = alt.X(
        "quarter:N",
        sort=quarters,
        title=None,
        scale=alt.Scale(domain=quarters),
        axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, ' ')", labelPadding=6),
    )
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=True), axis=alt.Axis(format="%"))
    colours = alt.Scale(domain=names, range=PALETTE[: len(names)])
    shapes = alt.Scale(domain=names, range=SHAPES[: len(names)])
    colour = alt.Color("rate:N", scale=colours, title=None)
    shape = alt.Shape("rate:N", scale=shapes, title=None)
    tooltip = _tooltip(lang)
    base = alt.Chart(data).transform_filter("isValid(datum.value)")
    lines = base.mark_line(strokeWidth=2).encode(
        x=x, y=y, color=colour, detail=alt.Detail("rate:N")
    )
    points = base.mark_point(size=90, filled=True, opacity=1).encode(
        x=x, y=y, color=colour, shape=shape, tooltip=tooltip
    )
    # A maturing cohort's point is hollow: a white point of the same shape inside it.
    hollow = (
        base.transform_filter("!datum.mature")
        .mark_point(size=30, filled=True, color="white", opacity=1)
        .encode(x=x, y=y, shape=shape, tooltip=tooltip)
    )
    key = _status_key(final, maturing)
    chart = alt.layer(lines, points, hollow, key).properties(
        title=t("trends.chart.title", lang), width="container", height=260, autosize=RESIZE
    )
    description = t(
        "trends.chart.description", lang, n=len(periods),
        first=quarters[0] if quarters else "", last=quarters[-1] if quarters else "",
    )  # fmt: skip
    return PackChart(house_style(chart), description=description)


def _chart_data(
    series: pd.DataFrame, *, labels: dict[str, str], statuses: tuple[str, str], lang: str
) -> pd.DataFrame:
    """The points: quarter and rate names, the value, shown value and final/maturing status."""
    final, maturing = statuses
    data = pd.DataFrame(
        {
            "quarter": [format_period(p, lang=lang) for p in series["period"]],
            "rate": series["metric"].map(labels),
            "value": series["value"].astype(float),
            "mature": series["mature"].astype(bool),
        }
    )
    data["shown"] = [format_pct(v, lang=lang) for v in data["value"]]
    data["status"] = [final if m else maturing for m in data["mature"]]
    return data


def _tooltip(lang: str) -> list[alt.Tooltip]:
    """A point's quarter, rate, value and status."""
    return [
        alt.Tooltip("quarter:N", title=t("trends.chart.quarter", lang)),
        alt.Tooltip("rate:N", title=t("trends.chart.rate", lang)),
        alt.Tooltip("shown:N", title=t("trends.chart.value", lang)),
        alt.Tooltip("status:N", title=t("trends.chart.status", lang)),
    ]


def _status_key(final: str, maturing: str) -> alt.Chart:
    """The legend of filled and hollow points: an invisible layer whose fill is the status."""
    return (
        alt.Chart(pd.DataFrame({"status": [final, maturing]}))
        .mark_point(opacity=0, size=80)
        .encode(
            fill=alt.Fill(
                "status:N",
                scale=alt.Scale(domain=[final, maturing], range=[INK, "white"]),
                title=None,
                legend=alt.Legend(
                    orient="top",
                    symbolType="circle",
                    symbolOpacity=1,
                    symbolStrokeColor=INK,
                    symbolStrokeWidth=2,
                    labelLimit=320,
                ),
            )
        )
    )
