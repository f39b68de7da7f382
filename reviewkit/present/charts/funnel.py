"""The funnel chart: the period's stages against target."""

from __future__ import annotations

import altair as alt
import pandas as pd

from reviewkit.present.charts.house import RESIZE, STATUS_COLOURS, PackChart, house_style


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
