"""The pace chart: pace to target, one bullet per row."""

from __future__ import annotations

import json
from dataclasses import dataclass

import altair as alt
import pandas as pd

from reviewkit.present.charts.house import INK, RESIZE, STATUS_COLOURS, PackChart, house_style


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
    data, top = _pace_data(frame)
    y = alt.Y("row:N", sort=list(data["row"]), title=None, axis=alt.Axis(labelLimit=220))
    scale = alt.Scale(domain=[0, top], nice=False, zero=True)
    axis = alt.Axis(format="%", tickCount=6, grid=True)
    tooltip = [
        alt.Tooltip("row:N", title=" "),
        alt.Tooltip("tooltip:N", title=" "),
        alt.Tooltip("shown_expected:N", title=expected),
        alt.Tooltip("shown_projection:N", title=projection),
    ]
    base = alt.Chart(data)
    marks = _Marks(base=base, y=y, scale=scale, axis=axis, tooltip=tooltip)
    chart = alt.layer(
        *_bars(marks), *_ticks(marks, expected=expected, projection=projection),
        *_goal(marks, target=target), *_status_words(marks),
    ).properties(
        title=alt.Title(title, offset=18),
        width="container",
        height=28 * max(1, len(data)),
        autosize=RESIZE,
    )  # fmt: skip
    if expected not in description or projection not in description:
        description = f"{description} ({expected} / {projection})"
    return PackChart(house_style(chart), description=description)


SHARES = ["actual_share", "expected_share", "projected_share", "low_share", "high_share"]


@dataclass(frozen=True)
class _Marks:
    """What every layer of :func:`pace_chart` shares: its data, rows, scale, axis and tooltip."""

    base: alt.Chart
    y: alt.Y
    scale: alt.Scale
    axis: alt.Axis
    tooltip: list[alt.Tooltip]


def _pace_data(frame: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """The rows as numbers and tooltip texts, and the axis' top (room for the status words)."""
    shares = SHARES
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
    return data, top


def _bars(m: _Marks) -> tuple[alt.Chart, alt.Chart]:
    """The projection's range (a light grey bar) and the actual to date (coloured by status)."""
    ranges = (
        m.base.transform_filter("isValid(datum.low_share) && isValid(datum.high_share)")
        .mark_bar(height=20, color="#dfe3e8")
        .encode(
            y=m.y,
            x=alt.X("low_share:Q", title=None, scale=m.scale, axis=m.axis),
            x2=alt.X2("high_share:Q"),
            tooltip=m.tooltip,
        )
    )
    actual = (
        m.base.transform_filter("isValid(datum.actual_share)")
        .mark_bar(height=10)
        .encode(
            y=m.y,
            x=alt.X("actual_share:Q", title=None, scale=m.scale, axis=m.axis, stack=None),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
                legend=None,
            ),
            tooltip=m.tooltip,
        )
    )
    return ranges, actual


def _ticks(m: _Marks, *, expected: str, projection: str) -> tuple[alt.Chart, alt.Chart]:
    """The seasonal expectation (a black tick) and the projection (a dashed mark)."""
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
            m.base.transform_filter(f"isValid(datum.{field})")
            .transform_calculate(marker=json.dumps(name, ensure_ascii=False))
            .mark_tick(
                filled=False, color="#000000", opacity=1, thickness=0.01, size=size,
                strokeWidth=width,
            )
            .encode(
                y=m.y,
                x=alt.X(f"{field}:Q", title=None, scale=m.scale, axis=m.axis),
                strokeDash=marker,
                tooltip=m.tooltip,
            )
        )  # fmt: skip

    expected_mark = tick("expected_share", expected, size=22, width=3)
    projected_mark = tick("projected_share", projection, size=24, width=2)
    return expected_mark, projected_mark


def _goal(m: _Marks, *, target: str) -> tuple[alt.Chart, alt.Chart]:
    """The rule at 100 % and its label."""
    goal_data = pd.DataFrame({"x": [1.0], "label": [target]})
    goal = (
        alt.Chart(goal_data)
        .mark_rule(color=INK, strokeWidth=1.5)
        .encode(x=alt.X("x:Q", scale=m.scale, axis=m.axis, title=None))
    )
    goal_label = (
        alt.Chart(goal_data)
        .mark_text(baseline="bottom", dy=-4, fontSize=11, color=INK)
        .encode(
            x=alt.X("x:Q", scale=m.scale, axis=m.axis, title=None),
            y=alt.YValue(0),
            text=alt.Text("label:N"),
        )
    )
    return goal, goal_label


def _status_words(m: _Marks) -> tuple[alt.Chart, alt.Chart]:
    """The status in words right of each row's marks, on a white halo."""
    text_x = alt.X("text_at:Q", scale=m.scale, axis=m.axis, title=None)
    text = alt.Text("status_text:N")
    halo = m.base.mark_text(
        align="left", dx=6, fontSize=12, stroke="white", strokeWidth=4, strokeJoin="round"
    ).encode(y=m.y, x=text_x, text=text)
    words = m.base.mark_text(align="left", dx=6, fontSize=12, color=INK).encode(
        y=m.y, x=text_x, text=text, tooltip=m.tooltip
    )
    return halo, words
