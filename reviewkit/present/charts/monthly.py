"""The monthly review's charts: the KGI bridge (a waterfall) and the stage-rate heat map.

Same rules as :mod:`reviewkit.present.charts.house`: aggregated frames in, a :class:`PackChart`
out, the house style, every user-facing word passed in by the caller already translated, nothing
fetched. Both charts read without colour: each bar and each cell prints its value. The heat map's
cells and drawing (:func:`heatmap_cells`, :func:`draw_heatmap`) also serve the quarterly review's
correlation heat map (:mod:`reviewkit.present.charts.relevance`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import altair as alt
import pandas as pd

from reviewkit.present.charts.house import INK, PALETTE, RESIZE, PackChart, house_style

WATERFALL_KINDS = ("start", "end", "up", "down", "timing")
NEUTRAL = "#8c96a3"  # start and end bars: the KGI levels
TIMING = "#c9ced6"  # a fall that is timing, not conversion: neither a gain nor a miss
WATERFALL_COLOURS = {
    "start": NEUTRAL, "end": NEUTRAL, "up": PALETTE[0], "down": "#D55E00", "timing": TIMING,
}  # fmt: skip
FALLS = ("down", "timing")  # bars that hang below the running total, text underneath
MISSING_FILL = "#e6e9ee"  # a heat-map cell without enough data
HEATMAP_SCHEME: Final = "redblue"  # diverging, colour-blind safe: loss red, gain blue
STRONG = 0.55  # cells beyond this share of the colour domain's half-width print white text
ROW_HEIGHT = 22


def waterfall_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Floating bars of a waterfall: ``low``, ``high`` and the running ``total`` per bar.

    Parameters
    ----------
    frame
        The input of :func:`waterfall_chart`.

    Returns
    -------
    pandas.DataFrame
        The frame in its order, with ``value`` as float and the columns ``low``, ``high``
        (the bar's bottom and top) and ``total`` (the running total after the bar). Start
        and end bars stand on 0 and set the total to their value; any other bar floats
        from the total before it to that total plus its value.

    Raises
    ------
    ValueError
        When a ``kind`` is not one of :data:`WATERFALL_KINDS`.
    """
    data = frame.reset_index(drop=True).copy()
    unknown = set(data["kind"]) - set(WATERFALL_KINDS)
    if unknown:
        raise ValueError(f"unknown waterfall kind(s): {sorted(map(str, unknown))}")
    data["comparison"] = data["comparison"].astype(str)
    data["bar"] = data["bar"].astype(str)
    data["shown"] = data["shown"].astype(str)
    data["value"] = pd.to_numeric(data["value"], errors="coerce").astype(float).fillna(0.0)
    lows, highs, totals = [], [], []
    running: dict[str, float] = {}
    for comparison, kind, value in zip(
        data["comparison"], data["kind"], data["value"], strict=True
    ):
        if kind in ("start", "end"):
            low, high = min(0.0, value), max(0.0, value)
            running[comparison] = value
        else:
            before = running.get(comparison, 0.0)
            after = before + value
            low, high = min(before, after), max(before, after)
            running[comparison] = after
        lows.append(low)
        highs.append(high)
        totals.append(running[comparison])
    return data.assign(low=lows, high=highs, total=totals)


def waterfall_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    description: str,
    choose: str,
    label_expr: str | None = None,
) -> PackChart:
    """The KGI from a reference (target, last month, last year) to the actual, stage by stage.

    Start and end bars (grey) stand on zero; each stage's contribution floats from the running
    total, up bars blue, down bars vermillion; a ``timing`` bar (a rate that fell on the
    period basis but not at equal age, :mod:`reviewkit.analysis.timing`) falls like a down bar but
    is pale grey: it is not a miss. Every bar prints its ``shown`` text, above the bar for start,
    end and up bars and below it for falling bars, so the direction reads from the text and its
    place as well as from colour.

    Parameters
    ----------
    frame
        One row per bar, in display order, for one or more comparisons. Columns
        ``comparison`` (the dropdown's option label), ``bar`` (the x-axis label, unique within
        a comparison), ``kind`` (``start``, ``end``, ``up``, ``down`` or ``timing``), ``value``
        (the KGI level for start and end bars, the signed contribution for the others) and
        ``shown`` (the value as printed on the bar, with its sign, e.g. ``−¥187.0M``).
    title, description
        Chart title and accessible description.
    choose
        The dropdown's label; a dropdown is drawn only for two or more comparisons and starts
        on the frame's first comparison.
    label_expr
        A Vega expression for the value axis' labels (an amount's currency,
        :func:`reviewkit.core.currency.money_label_expr`); ``None``: plain SI numbers.

    Returns
    -------
    PackChart
        The chart, house style applied.
    """
    data = waterfall_frame(frame)
    comparisons = list(pd.unique(data["comparison"]))
    base = alt.Chart(data)
    pick: alt.Parameter | None = None
    if len(comparisons) > 1:
        pick = alt.param(
            name="comparison",
            value=comparisons[0],
            bind=alt.binding_select(options=comparisons, name=f"{choose} "),
        )
        base = base.transform_filter(alt.datum.comparison == pick)

    x = alt.X("bar:N", sort=None, title=None, axis=alt.Axis(labelAngle=0, labelLimit=120))
    scale = alt.Scale(zero=True, nice=True)
    axis = (
        alt.Axis(format="~s", tickCount=5)
        if label_expr is None
        else alt.Axis(labelExpr=label_expr, tickCount=5)
    )
    y = alt.Y("low:Q", title=None, scale=scale, axis=axis)
    tooltip = [alt.Tooltip("bar:N", title=" "), alt.Tooltip("shown:N", title=" ")]
    bars = base.mark_bar(width={"band": 0.7}).encode(
        x=x,
        y=y,
        y2=alt.Y2("high:Q"),
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=list(WATERFALL_COLOURS), range=list(WATERFALL_COLOURS.values())),
            legend=None,
        ),
        tooltip=tooltip,
    )
    text = alt.Text("shown:N")
    above = (
        base.transform_filter(f"indexof({list(FALLS)}, datum.kind) < 0")
        .mark_text(baseline="bottom", dy=-4, fontSize=12, color=INK)
        .encode(x=x, y=alt.Y("high:Q", scale=scale), text=text, tooltip=tooltip)
    )
    below = (
        base.transform_filter(f"indexof({list(FALLS)}, datum.kind) >= 0")
        .mark_text(baseline="top", dy=4, fontSize=12, color=INK)
        .encode(x=x, y=alt.Y("low:Q", scale=scale), text=text, tooltip=tooltip)
    )
    chart = alt.layer(bars, above, below)
    if pick is not None:
        chart = chart.add_params(pick)
    chart = chart.properties(
        title=alt.Title(title, offset=12), width="container", height=260, autosize=RESIZE
    )
    return PackChart(house_style(chart), description=description)


def heatmap_cells(frame: pd.DataFrame, *, field: str, extent: float | None = None) -> pd.DataFrame:
    """A heat map's cells: the text columns as text, ``field`` as float and ``strong`` added.

    Parameters
    ----------
    frame
        One row per cell: ``row``, ``column``, ``shown``, ``tooltip`` and ``field``.
    field
        The column that colours the cell (NaN where it is not a number).
    extent
        The colour domain's half-width; default :func:`heatmap_extent` of ``field``.

    Returns
    -------
    pandas.DataFrame
        The frame in its order; ``strong`` is true for the strongly coloured cells (more than
        :data:`STRONG` of ``extent``), which print white text.
    """
    data = frame.reset_index(drop=True).copy()
    for column in ["row", "column", "shown", "tooltip"]:
        data[column] = data[column].astype(str)
    data[field] = pd.to_numeric(data[field], errors="coerce").astype(float)
    if extent is None:
        extent = heatmap_extent(data[field])
    data["strong"] = (data[field].abs() > STRONG * extent).fillna(False).astype(bool)
    return data


def heatmap_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The heat map's cells with ``points`` as float and whether each cell is ``strong``.

    Parameters
    ----------
    frame
        The input of :func:`heatmap_chart`.

    Returns
    -------
    pandas.DataFrame
        The frame in its order; ``strong`` is true for the strongly coloured cells (more than
        :data:`STRONG` of the largest absolute change), which print white text.
    """
    return heatmap_cells(frame, field="points")


def heatmap_extent(points: pd.Series) -> float:
    """The largest absolute change, the colour domain's half-width (1 when there is none)."""
    largest = points.abs().max(skipna=True)
    if pd.isna(largest) or not math.isfinite(float(largest)) or float(largest) == 0.0:
        return 1.0
    return float(largest)


def draw_heatmap(
    data: pd.DataFrame,
    *,
    field: str,
    extent: float,
    title: str,
    description: str,
    legend: str,
    tooltip: Sequence[str],
    label_limit: int,
    outline: str | None = None,
) -> PackChart:
    """Draw :func:`heatmap_cells` on a diverging scale ``-extent..extent``, values printed.

    Negative values are red, positive blue, zero white; cells without a value are light grey.
    Rows and columns are drawn in order of first appearance; the height grows with the rows.

    Parameters
    ----------
    data
        :func:`heatmap_cells`.
    field
        The column that colours the cells.
    extent
        The colour domain's half-width (values beyond it take the end colours).
    title, description
        Chart title and accessible description.
    legend
        The colour legend's title.
    tooltip
        The columns the tooltip prints, in order.
    label_limit
        The widest row label, in pixels.
    outline
        A boolean column: its true cells are outlined in ink (``None``: no outline).

    Returns
    -------
    PackChart
        The chart, house style applied.
    """
    rows = list(pd.unique(data["row"]))
    columns = list(pd.unique(data["column"]))
    x = alt.X(
        "column:N", sort=columns, title=None,
        axis=alt.Axis(orient="top", labelAngle=0, labelLimit=140, domain=False, ticks=False),
    )  # fmt: skip
    y = alt.Y(
        "row:N", sort=rows, title=None,
        axis=alt.Axis(labelLimit=label_limit, domain=False, ticks=False),
    )  # fmt: skip
    tips = [alt.Tooltip(f"{column}:N", title=" ") for column in tooltip]
    base = alt.Chart(data)
    layers = _cells(base, x=x, y=y, tips=tips, field=field, extent=extent, legend=legend,
                    outline=outline)  # fmt: skip
    text = _values(base, x=x, y=y, tips=tips)
    chart = alt.layer(*layers, text).properties(
        title=alt.Title(title, offset=12),
        width="container",
        height=ROW_HEIGHT * max(1, len(rows)),
        autosize=RESIZE,
    )
    return PackChart(house_style(chart), description=description)


def _cells(
    base: alt.Chart, *, x: alt.X, y: alt.Y, tips: list[alt.Tooltip], field: str, extent: float,
    legend: str, outline: str | None,
) -> list[alt.Chart]:  # fmt: skip
    """The heat-map's cells: grey underneath, coloured where valid, outlined where asked."""
    # Every cell first gets the grey of "not enough data"; valid cells are painted over it.
    missing = base.mark_rect(color=MISSING_FILL, stroke="white", strokeWidth=1).encode(
        x=x, y=y, tooltip=tips
    )
    colour = alt.Color(
        f"{field}:Q",
        scale=alt.Scale(scheme=HEATMAP_SCHEME, domain=[-extent, extent], domainMid=0, clamp=True),
        title=legend,
        legend=alt.Legend(gradientLength=220, tickCount=5),
    )
    cells = (
        base.transform_filter(f"isValid(datum.{field}) && isFinite(datum.{field})")
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(x=x, y=y, color=colour, tooltip=tips)
    )
    layers = [missing, cells]
    if outline is not None:
        layers.append(
            base.transform_filter(getattr(alt.datum, outline))
            .mark_rect(fillOpacity=0, stroke=INK, strokeWidth=2)
            .encode(x=x, y=y, tooltip=tips)
        )
    return layers


def _values(base: alt.Chart, *, x: alt.X, y: alt.Y, tips: list[alt.Tooltip]) -> alt.Chart:
    """The values printed in the cells: white on strong colours, ink elsewhere."""
    return base.mark_text(fontSize=11).encode(
        x=x,
        y=y,
        text=alt.Text("shown:N"),
        color=alt.ColorValue(
            **alt.when(alt.datum.strong).then(alt.value("#ffffff")).otherwise(alt.value(INK))
        ),
        tooltip=tips,
    )


def heatmap_chart(frame: pd.DataFrame, *, title: str, description: str, legend: str) -> PackChart:
    """Change of each stage rate per segment, in percentage points, on a diverging scale.

    Losses are red, gains blue, no change white; cells without enough data are light grey.
    Every cell prints its ``shown`` text (white on strong colours), so the chart reads in grey.

    Parameters
    ----------
    frame
        One row per cell. Columns ``row`` (segment label), ``column`` (stage-rate label),
        ``points`` (the change in percentage points; NaN when there is not enough data),
        ``shown`` (the text printed in the cell, e.g. ``−27.4`` or ``—``) and ``tooltip``
        (a sentence). Rows and columns are drawn in order of first appearance.
    title, description
        Chart title and accessible description.
    legend
        The colour legend's title (e.g. the unit, ``pt``).

    Returns
    -------
    PackChart
        The chart, house style applied; its height grows with the number of rows.
    """
    data = heatmap_frame(frame)
    return draw_heatmap(
        data, field="points", extent=heatmap_extent(data["points"]), title=title,
        description=description, legend=legend, tooltip=["row", "column", "tooltip"],
        label_limit=240,
    )  # fmt: skip
