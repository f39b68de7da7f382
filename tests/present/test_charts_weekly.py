"""The weekly review's charts: the target band, pace bullets and alert sparklines."""

import json
import math

import pandas as pd
import pytest
from builders import assert_offline_svg, mark_type, rows_of

from reviewkit.present.charts.alerts import alert_chart
from reviewkit.present.charts.house import PackChart
from reviewkit.present.charts.pace import pace_chart
from reviewkit.present.charts.trend import trend_chart

NAN = math.nan
LABELS = {"mql": "MQL", "sql": "SQL"}


# --- trend chart: the target band -------------------------------------------------------------


def history(*, band: bool = True) -> pd.DataFrame:
    rows = []
    for metric, extra in [("mql", 0.0), ("sql", 5.0)]:
        for i, start in enumerate(pd.date_range("2026-08-03", periods=6, freq="W-MON")):
            target = NAN if i == 2 else 100.0 + 10 * i  # a week without a target
            row = {
                "period": f"2026-W{32 + i}",
                "start": start.date(),
                "metric": metric,
                "actual": 90.0 + 12 * i + extra,
                "target": target,
                "shown_actual": f"{90 + 12 * i}",
                "shown_target": "—" if math.isnan(target) else f"{target:.0f}",
            }
            if band:
                row |= {"band_low": 0.9 * target, "band_high": target}
            rows.append(row)
    return pd.DataFrame(rows)


def trend(frame: pd.DataFrame, **options: object) -> PackChart:
    return trend_chart(
        frame,
        metric_labels=LABELS,
        title="推移",
        choose="指標",
        actual="実績",
        target="目標",
        description="実績と目標の推移",
        date_format="%m/%d",
        **options,
    )


def test_trend_band_is_a_light_area_behind_the_lines_filtered_by_the_dropdown():
    chart = trend(history(), band="目標の90–100%")
    spec = chart.spec
    band, lines = spec["layer"]
    assert [mark_type(band), mark_type(lines)] == ["area", "line"]
    assert band["encoding"]["y"]["field"] == "band_low"
    assert band["encoding"]["y2"]["field"] == "band_high"
    assert band["encoding"]["y"]["axis"] == lines["encoding"]["y"]["axis"] == {"format": "~s"}
    fill = band["encoding"]["fill"]
    assert fill["scale"]["domain"] == ["目標の90–100%"]
    # Both layers follow the one dropdown, declared once at the top.
    assert [p["name"] for p in spec["params"]] == ["metric"]
    assert band["transform"] == lines["transform"] == [{"filter": "(datum.label === metric)"}]
    rows = rows_of(spec, band)
    assert len(rows) == 12
    first = next(r for r in rows if r["label"] == "MQL")
    assert (first["band_low"], first["band_high"]) == pytest.approx((90.0, 100.0))
    assert sum(r["band_low"] is None for r in rows) == 2  # NaN becomes null: a gap
    assert_offline_svg(chart, "推移", "目標の90–100%", "実績")


@pytest.mark.parametrize(
    ("frame", "band"),
    [(history(band=False), "目標の90–100%"), (history(), None), (history(band=False), None)],
    ids=["no-columns", "no-word", "neither"],
)
def test_trend_without_band_is_unchanged(frame, band):
    chart = trend(frame, band=band)
    spec = chart.spec
    assert "layer" not in spec
    assert mark_type(spec) == "line"
    assert "area" not in json.dumps(spec)
    assert [p["name"] for p in spec["params"]] == ["metric"]
    assert_offline_svg(chart, "推移")


def test_trend_keeps_its_old_call():
    old = trend_chart(
        history(band=False),
        metric_labels=LABELS,
        title="推移",
        choose="指標",
        actual="実績",
        target="目標",
        description="実績と目標の推移",
    )
    assert old.spec["encoding"]["x"]["axis"]["format"] == "%Y-%m"
    assert "layer" not in old.spec


# --- pace bullets ----------------------------------------------------------------------------


def pace_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": ["11月 · MQL", "11月 · SQL", "11月 · 商談", "11月 · 受注金額"],
            "actual_share": [0.55, 0.30, 1.32, NAN],
            "expected_share": [0.58, 0.45, 0.60, NAN],
            "projected_share": [0.94, 0.66, 1.45, NAN],
            "low_share": [0.85, NAN, 1.30, NAN],
            "high_share": [1.03, NAN, 1.60, NAN],
            "status": ["near", "missed", "met", "no_target"],
            "status_text": ["△ やや遅れ 94%", "✕ 遅れ 66%", "○ 順調 145%", "— 目標なし"],
            "tooltip": ["MQL は想定をやや下回る", "SQL は遅れ", "商談は順調", "目標なし"],
        }
    )


def pace(frame: pd.DataFrame, description: str = "今月のペース") -> PackChart:
    return pace_chart(
        frame,
        title="ペース",
        description=description,
        expected="想定",
        projection="着地見込み",
        target="目標",
    )


def layer_by(spec: dict, mark: str, field: str) -> dict:
    (layer,) = [
        layer
        for layer in spec["layer"]
        if mark_type(layer) == mark and layer["encoding"].get("x", {}).get("field") == field
    ]
    return layer


def test_pace_bullets_have_their_marks():
    spec = pace(pace_frame()).spec
    marks = [mark_type(layer) for layer in spec["layer"]]
    assert marks == ["bar", "bar", "tick", "tick", "rule", "text", "text", "text"]

    ranges = layer_by(spec, "bar", "low_share")
    assert ranges["encoding"]["x2"]["field"] == "high_share"
    assert ranges["mark"]["color"] == "#dfe3e8"

    actual = layer_by(spec, "bar", "actual_share")
    assert "x2" not in actual["encoding"]  # from zero
    assert actual["encoding"]["color"]["field"] == "status"
    assert actual["mark"]["height"] < ranges["mark"]["height"]
    rows = rows_of(spec, actual)
    assert [r["actual_share"] for r in rows[:3]] == [0.55, 0.30, 1.32]
    assert rows[3]["actual_share"] is None

    expected = layer_by(spec, "tick", "expected_share")
    projected = layer_by(spec, "tick", "projected_share")
    assert expected["mark"]["color"] == "#000000"
    dash = projected["encoding"]["strokeDash"]
    assert dash["scale"]["domain"] == ["想定", "着地見込み"]
    assert dash["scale"]["range"] == [[1, 0], [4, 3]]

    goal = layer_by(spec, "rule", "x")
    assert rows_of(spec, goal) == [{"x": 1.0, "label": "目標"}]

    # Shared x in % of target, 0 .. max(1.2, highest share) × 1.3; rows in frame order.
    assert actual["encoding"]["x"]["scale"]["domain"] == pytest.approx([0, 1.60 * 1.3])
    assert actual["encoding"]["x"]["axis"]["format"] == "%"
    assert actual["encoding"]["y"]["sort"] == list(pace_frame()["row"])
    assert spec["height"] == 4 * 28


def test_pace_domain_is_at_least_120_percent_and_height_follows_rows():
    frame = pace_frame().iloc[:2]
    spec = pace(frame).spec
    actual = layer_by(spec, "bar", "actual_share")
    assert actual["encoding"]["x"]["scale"]["domain"] == pytest.approx([0, 1.2 * 1.3])
    assert spec["height"] == 2 * 28


def test_pace_names_expected_and_projection_in_words():
    chart = pace(pace_frame())
    assert "想定" in chart.description
    assert "着地見込み" in chart.description
    tooltip = layer_by(chart.spec, "bar", "actual_share")["encoding"]["tooltip"]
    assert [t.get("title") for t in tooltip][2:] == ["想定", "着地見込み"]
    rows = rows_of(chart.spec, layer_by(chart.spec, "bar", "actual_share"))
    assert (rows[0]["shown_expected"], rows[0]["shown_projection"]) == ("58%", "94%")
    assert rows[3]["shown_projection"] == "—"
    # A description that names them already is kept as it is.
    named = pace(pace_frame(), description="実績と想定・着地見込み")
    assert named.description == "実績と想定・着地見込み"


def test_pace_renders_with_nan_ranges():
    chart = pace(pace_frame())
    assert_offline_svg(chart, "ペース", "目標", "○ 順調 145%", "— 目標なし", "着地見込み")
    frame = pace_frame().assign(
        projected_share=NAN, low_share=NAN, high_share=NAN, expected_share=NAN
    )
    assert_offline_svg(pace(frame), "ペース", "△ やや遅れ 94%")


# --- alert sparkline -------------------------------------------------------------------------


def alert_series() -> pd.DataFrame:
    weeks = pd.date_range("2026-08-03", periods=10, freq="W-MON")
    return pd.DataFrame(
        {
            "start": weeks.date,
            "week": [f"2026-W{w.isocalendar().week}" for w in weeks],
            "value": [0.12, 0.13, 0.11, 0.125, 0.12, 0.13, 0.09, 0.085, NAN, 0.08],
            "baseline": [NAN, NAN] + [0.122] * 8,
            "low": [NAN, NAN] + [0.105] * 8,
            "high": [NAN, NAN] + [0.138] * 8,
            "shifted": [False] * 6 + [True] * 4,
        }
    )


def alert(series: pd.DataFrame, *, percent: bool = True) -> PackChart:
    return alert_chart(
        series,
        title="商談化率（週次）",
        description="商談化率が通常範囲を下回っている",
        percent=percent,
        normal="通常範囲",
        value="実績",
    )


def test_alert_sparkline_layers():
    spec = alert(alert_series()).spec
    band, baseline, line, points = spec["layer"]
    assert [mark_type(layer) for layer in spec["layer"]] == ["area", "line", "line", "point"]
    assert (band["encoding"]["y"]["field"], band["encoding"]["y2"]["field"]) == ("low", "high")
    assert band["encoding"]["fill"]["scale"]["domain"] == ["通常範囲"]
    assert baseline["encoding"]["y"]["field"] == "baseline"
    assert baseline["mark"]["strokeDash"] == [4, 3]
    assert line["encoding"]["y"]["field"] == "value"
    colour = points["encoding"]["color"]
    assert colour["condition"][0]["value"] == "#D55E00"
    assert colour["value"] == "#0072B2"
    size = points["encoding"]["size"]
    assert size["condition"][0]["value"] > size["value"]
    assert spec["height"] == 90
    assert spec["width"] == "container"
    assert spec["title"]["fontSize"] == 12
    assert band["encoding"]["y"]["axis"]["format"] == "~%"
    rows = rows_of(spec, points)
    assert [r["shifted"] for r in rows] == [False] * 6 + [True] * 4
    assert rows[0]["value"] == 0.12
    assert rows[8]["value"] is None
    titles = [t["title"] for t in points["encoding"]["tooltip"]]
    assert titles == [" ", "実績", "通常範囲"]


def test_alert_counts_use_si_format():
    series = alert_series().assign(
        value=lambda f: f["value"] * 1000, baseline=122.0, low=105.0, high=138.0
    )
    spec = alert(series, percent=False).spec
    assert spec["layer"][0]["encoding"]["y"]["axis"]["format"] == "~s"
    assert "'.3~s'" in json.dumps(spec)


def test_alert_renders_with_nan_and_offline():
    assert_offline_svg(alert(alert_series()), "商談化率（週次）", "通常範囲")
    nothing_normal = alert_series().assign(baseline=NAN, low=NAN, high=NAN)
    assert_offline_svg(alert(nothing_normal), "商談化率（週次）")
