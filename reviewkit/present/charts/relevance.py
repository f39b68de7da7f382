"""The quarterly review's KPI-relevance chart: a KPI x lag heat map of correlations.

Same rules as :mod:`reviewkit.present.charts.house`: an aggregated frame in, a :class:`PackChart`
out, the house style, every user-facing word passed in by the caller already translated, nothing
fetched. It is drawn like :func:`reviewkit.present.charts.monthly.heatmap_chart`
(:func:`~reviewkit.present.charts.monthly. draw_heatmap`), but the colour scale is fixed at -1..1
(a correlation of 0.3 must not look strong because nothing else is stronger), and the best lag of
each row is outlined. Every cell prints its value, so the chart reads in grey.
"""

from __future__ import annotations

import pandas as pd

from reviewkit.present.charts.house import PackChart
from reviewkit.present.charts.monthly import draw_heatmap, heatmap_cells

EXTENT = 1  # the colour domain: -1..1, whatever the correlations


def correlation_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The heat map's cells with ``value`` as float, ``best`` as bool and ``strong`` added.

    Parameters
    ----------
    frame
        The input of :func:`correlation_heatmap`.

    Returns
    -------
    pandas.DataFrame
        The frame in its order; ``strong`` is true where ``|value|`` exceeds
        :data:`reviewkit.present.charts.monthly.STRONG` (white text).
    """
    data = heatmap_cells(frame, field="value", extent=EXTENT)
    data["best"] = data["best"].fillna(False).astype(bool)
    return data


def correlation_heatmap(
    frame: pd.DataFrame, *, title: str, description: str, legend: str
) -> PackChart:
    """Correlations per row (a KPI against a KGI) and column (a lag), on a fixed -1..1 scale.

    Negative correlations are red, positive blue, zero white; cells without enough data are
    light grey. The best lag of each row (``best``) is outlined in ink.

    Parameters
    ----------
    frame
        One row per cell. Columns ``row`` (label), ``column`` (lag label), ``value`` (the
        correlation; NaN without enough data), ``shown`` (the text printed in the cell),
        ``tooltip`` (a sentence) and ``best`` (whether the cell is its row's chosen lag).
        Rows and columns are drawn in order of first appearance.
    title, description
        Chart title and accessible description.
    legend
        The colour legend's title.

    Returns
    -------
    PackChart
        The chart, house style applied; its height grows with the number of rows.
    """
    return draw_heatmap(
        correlation_frame(frame), field="value", extent=EXTENT, title=title,
        description=description, legend=legend, tooltip=["row", "tooltip"], label_limit=280,
        outline="best",
    )  # fmt: skip
