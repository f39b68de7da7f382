"""The trend chart: actual against target per period, one metric at a time."""

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
    long = _long(data, actual=actual, target=target)
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
    layers: alt.Chart | alt.LayerChart | alt.FacetChart = lines
    if band is not None and {"band_low", "band_high"} <= set(history.columns):
        band_y = alt.Y("band_low:Q", title=None, scale=y_scale, axis=y_axis)
        layers = alt.layer(_target_band(data, pick=pick, band=band, x=x, y=band_y), lines)
    chart = layers.add_params(pick).properties(
        title=title, width="container", height=240, autosize=RESIZE
    )
    return PackChart(house_style(chart), description=description)


def _long(data: pd.DataFrame, *, actual: str, target: str) -> pd.DataFrame:
    """One row per period and series (actual or target), the series named in words."""
    long = data.melt(
        id_vars=["period", "start", "label", "shown_actual", "shown_target"],
        value_vars=["actual", "target"],
        var_name="series",
        value_name="value",
    )
    long["series"] = long["series"].map({"actual": actual, "target": target})
    long["start"] = pd.to_datetime(long["start"])
    return long


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
