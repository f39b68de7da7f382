"""The monthly review's charts: the KGI waterfall and the stage-rate heat map."""

import json
import math

import pandas as pd
import pytest
from builders import assert_offline_svg, mark_type, rows_of

from reviewkit.present.charts.house import INK, PackChart
from reviewkit.present.charts.monthly import (
    MISSING_FILL,
    ROW_HEIGHT,
    WATERFALL_COLOURS,
    heatmap_chart,
    waterfall_chart,
    waterfall_frame,
)

NAN = math.nan


def assert_offline(chart: PackChart, *texts: str) -> str:
    """No URL in the spec or the pack form; the SVG renders and shows the texts."""
    page = chart.pack_html()
    assert 'class="rk-chart"' in page
    assert "http" not in page
    return assert_offline_svg(chart, *texts)


# --- waterfall -------------------------------------------------------------------------------


def bridge(comparison: str, start: float, steps: list[float], end: float) -> list[dict]:
    rows = [{"comparison": comparison, "bar": comparison, "kind": "start", "value": start}]
    for i, step in enumerate(steps):
        kind = "up" if step >= 0 else "down"
        rows.append(
            {"comparison": comparison, "bar": f"Stage {i + 1}", "kind": kind, "value": step}
        )
    rows.append({"comparison": comparison, "bar": "Actual", "kind": "end", "value": end})
    for row in rows:
        value = row["value"]
        sign = "" if row["kind"] in ("start", "end") else ("+" if value >= 0 else "−")
        row["shown"] = f"{sign}{abs(value):.0f}"
    return rows


def waterfall(frame: pd.DataFrame) -> PackChart:
    return waterfall_chart(frame, title="売上の差異", description="目標から実績へ", choose="比較")


def bar_layer(spec: dict) -> dict:
    (layer,) = [layer for layer in spec["layer"] if mark_type(layer) == "bar"]
    return layer


def test_waterfall_floating_bars_for_a_known_case():
    frame = pd.DataFrame(bridge("目標", 100.0, [30.0, -50.0], 80.0))
    spec = waterfall(frame).spec
    bars = bar_layer(spec)
    rows = rows_of(spec, bars)
    assert [(r["low"], r["high"]) for r in rows] == [(0, 100), (100, 130), (80, 130), (0, 80)]
    assert [r["total"] for r in rows] == [100, 130, 80, 80]
    # The running total before the end bar is the end value.
    assert rows[-2]["total"] == rows[-1]["value"] == 80
    assert bars["encoding"]["y"]["field"] == "low"
    assert bars["encoding"]["y2"]["field"] == "high"
    assert bars["encoding"]["x"]["sort"] is None
    assert [r["bar"] for r in rows] == ["目標", "Stage 1", "Stage 2", "Actual"]
    assert bars["encoding"]["y"]["axis"]["format"] == "~s"


def test_waterfall_frame_runs_each_comparison_on_its_own():
    frame = pd.DataFrame(
        bridge("Target", 100.0, [30.0, -50.0], 80.0)
        + bridge("Previous month", 60.0, [-10.0, 25.0, 5.0], 80.0)
    )
    data = waterfall_frame(frame)
    previous = data[data["comparison"] == "Previous month"]
    assert list(zip(previous["low"], previous["high"], strict=True)) == [
        (0, 60), (50, 60), (50, 75), (75, 80), (0, 80),
    ]  # fmt: skip
    for _, group in data.groupby("comparison", sort=False):
        assert group["total"].iloc[-2] == pytest.approx(group["value"].iloc[-1])


def test_waterfall_rejects_an_unknown_kind():
    frame = pd.DataFrame(bridge("Target", 100.0, [30.0], 130.0))
    frame.loc[1, "kind"] = "sideways"
    with pytest.raises(ValueError, match="sideways"):
        waterfall(frame)


def test_waterfall_up_and_down_differ_by_colour_and_printed_text():
    frame = pd.DataFrame(bridge("Target", 100.0, [30.0, -50.0], 80.0))
    spec = waterfall(frame).spec
    colour = bar_layer(spec)["encoding"]["color"]
    scale = dict(zip(colour["scale"]["domain"], colour["scale"]["range"], strict=True))
    assert scale == WATERFALL_COLOURS
    assert scale["up"] != scale["down"]
    assert scale["start"] == scale["end"]
    assert scale["start"] not in (scale["up"], scale["down"])
    texts = [layer for layer in spec["layer"] if mark_type(layer) == "text"]
    assert len(texts) == 2
    assert all(layer["encoding"]["text"]["field"] == "shown" for layer in texts)
    # Down labels sit under their bar, the others above theirs.
    places = {layer["encoding"]["y"]["field"] for layer in texts}
    assert places == {"high", "low"}
    tooltip = bar_layer(spec)["encoding"]["tooltip"]
    assert [t["field"] for t in tooltip] == ["bar", "shown"]
    assert_offline(waterfall(frame), "売上の差異", "+30", "−50", "80")


def test_waterfall_single_comparison_has_no_dropdown():
    spec = waterfall(pd.DataFrame(bridge("Target", 100.0, [30.0, -50.0], 80.0))).spec
    assert "params" not in spec
    assert "comparison ===" not in json.dumps(spec)
    assert "bind" not in json.dumps(spec)


def test_waterfall_dropdown_lists_comparisons_in_order_and_filters_every_layer():
    frame = pd.DataFrame(
        bridge("Target", 100.0, [30.0, -50.0], 80.0)
        + bridge("Same month last year", 70.0, [10.0], 80.0)
        + bridge("Previous month", 60.0, [20.0], 80.0)
    )
    chart = waterfall(frame)
    spec = chart.spec
    (param,) = spec["params"]
    assert param["bind"]["input"] == "select"
    assert param["bind"]["options"] == ["Target", "Same month last year", "Previous month"]
    assert param["value"] == "Target"
    assert param["bind"]["name"].strip() == "比較"
    for layer in spec["layer"]:
        assert layer["transform"][0] == {"filter": f"(datum.comparison === {param['name']})"}
    html = assert_offline(chart, "売上の差異")  # the static form has no widget
    # The static form draws the default comparison only.
    assert "−50" in html
    assert "+20" not in html


# --- heat map --------------------------------------------------------------------------------


def heat_frame() -> pd.DataFrame:
    rows = ["Size: 1-49", "Channel: paid_search", "Channel: event"]  # not alphabetical
    columns = ["SQL→Opp", "MQL→SQL", "Lead→MQL"]
    points = [[-27.4, 3.0, NAN], [12.0, -0.5, 1.5], [NAN, -8.0, 20.0]]
    cells = []
    for row, values in zip(rows, points, strict=True):
        for column, value in zip(columns, values, strict=True):
            shown = "—" if math.isnan(value) else f"{value:+.1f}".replace("-", "−")
            cells.append(
                {
                    "row": row,
                    "column": column,
                    "points": value,
                    "shown": shown,
                    "tooltip": f"{row}: {column} {shown} pt",
                }
            )
    return pd.DataFrame(cells)


def heatmap(frame: pd.DataFrame) -> PackChart:
    return heatmap_chart(frame, title="段階率の変化", description="前月比（pt）", legend="pt")


def layers_of(spec: dict) -> tuple[dict, dict, dict]:
    missing, cells, text = spec["layer"]
    assert [mark_type(layer) for layer in spec["layer"]] == ["rect", "rect", "text"]
    return missing, cells, text


def test_heatmap_keeps_row_and_column_order():
    spec = heatmap(heat_frame()).spec
    for layer in layers_of(spec):
        assert layer["encoding"]["y"]["sort"] == [
            "Size: 1-49", "Channel: paid_search", "Channel: event",
        ]  # fmt: skip
        assert layer["encoding"]["x"]["sort"] == ["SQL→Opp", "MQL→SQL", "Lead→MQL"]
    assert spec["height"] == 3 * ROW_HEIGHT


def test_heatmap_colour_domain_is_symmetric_and_centred_on_zero():
    _, cells, _ = layers_of(heatmap(heat_frame()).spec)
    colour = cells["encoding"]["color"]
    assert colour["field"] == "points"
    assert colour["scale"]["domain"] == pytest.approx([-27.4, 27.4])
    assert colour["scale"]["domainMid"] == 0
    assert colour["scale"]["scheme"] in {"redblue", "blueorange"}
    assert colour["title"] == "pt"


def test_heatmap_nan_cells_are_kept_and_grey():
    spec = heatmap(heat_frame()).spec
    missing, cells, text = layers_of(spec)
    rows = rows_of(spec, missing)
    assert len(rows) == 9
    empty = [r for r in rows if r["points"] is None]
    assert [(r["row"], r["column"], r["shown"]) for r in empty] == [
        ("Size: 1-49", "Lead→MQL", "—"),
        ("Channel: event", "SQL→Opp", "—"),
    ]
    # Every cell is painted grey first; only valid cells get the diverging colour over it.
    assert "transform" not in missing
    assert missing["mark"]["color"] == MISSING_FILL
    assert "isValid(datum.points)" in cells["transform"][0]["filter"]
    assert "transform" not in text
    html = assert_offline(heatmap(heat_frame()), "段階率の変化", "−27.4", "+20.0", "—", "pt")
    assert MISSING_FILL in html


def test_heatmap_text_is_white_on_strong_cells_only():
    spec = heatmap(heat_frame()).spec
    _, _, text = layers_of(spec)
    colour = text["encoding"]["color"]
    assert colour["condition"][0]["value"] == "#ffffff"
    assert colour["value"] == INK
    strong = {(r["row"], r["column"]): r["strong"] for r in rows_of(spec, text)}
    assert strong[("Size: 1-49", "SQL→Opp")] is True  # −27.4, the largest
    assert strong[("Channel: event", "Lead→MQL")] is True  # +20.0
    assert strong[("Channel: paid_search", "MQL→SQL")] is False  # −0.5
    assert strong[("Size: 1-49", "Lead→MQL")] is False  # no data


def test_heatmap_without_any_data_still_renders():
    frame = heat_frame().assign(points=NAN, shown="—")
    spec = heatmap(frame).spec
    _, cells, _ = layers_of(spec)
    assert cells["encoding"]["color"]["scale"]["domain"] == [-1.0, 1.0]
    assert_offline(heatmap(frame), "段階率の変化", "—")
