"""The alert chart: a weekly sparkline of one alerted metric against its normal range."""

from __future__ import annotations

import altair as alt
import pandas as pd

from reviewkit.present.charts.house import (
    BAND_FILL,
    PALETTE,
    RESIZE,
    SWATCH,
    PackChart,
    house_style,
)


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
    data = _alert_data(series, normal=normal)
    axis_format, tip_format = ("~%", ".1~%") if percent else ("~s", ".3~s")

    x = alt.X("start:T", title=None, axis=alt.Axis(format="%m/%d", labelAngle=0, tickCount=4))
    y_axis = alt.Axis(format=axis_format, tickCount=3)
    scale = alt.Scale(zero=False, nice=True)
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
    points = _points(base, x=x, y=y, tip_format=tip_format, normal=normal, value=value)
    chart = alt.layer(band, baseline, line, points).properties(
        title=alt.Title(title, fontSize=12),
        width="container",
        height=90,
        autosize=RESIZE,
    )
    return PackChart(house_style(chart), description=description)


def _alert_data(series: pd.DataFrame, *, normal: str) -> pd.DataFrame:
    """The weeks as dates and numbers, with the band's legend entry."""
    data = series.reset_index(drop=True).copy()
    data["start"] = pd.to_datetime(data["start"])
    for column in ["value", "baseline", "low", "high"]:
        data[column] = pd.to_numeric(data[column], errors="coerce").astype(float)
    data["shifted"] = data["shifted"].fillna(False).astype(bool)
    data["week"] = data["week"].astype(str)
    data["band"] = normal
    return data


def _points(
    base: alt.Chart, *, x: alt.X, y: alt.Y, tip_format: str, normal: str, value: str
) -> alt.Chart:
    """The weekly points with their tooltips: the alerted run larger and dark orange."""
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
    shifted = alt.when(alt.datum.shifted)
    return (
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
