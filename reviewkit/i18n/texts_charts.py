"""Texts of the trend and funnel charts, and the joiner of summary sentences."""

CHARTS_TEXTS: dict[str, dict[str, str]] = {
    # summary sentences
    "summary.join": {"ja": "、", "en": "; "},
    # charts
    "chart.trend.title": {"ja": "実績と目標の推移", "en": "Actual against target"},
    "chart.trend.choose": {"ja": "指標:", "en": "Metric:"},
    "chart.trend.description": {
        "ja": "直近{n}期間の各指標の実績（実線）と目標（破線）。指標はプルダウンで切り替え。",
        "en": "Each metric's actual (solid) and target (dashed) over the last {n} periods; "
        "choose the metric in the dropdown.",
    },
    "chart.funnel.title": {"ja": "ファネル（実績と目標）", "en": "The funnel against target"},
    "chart.funnel.description": {
        "ja": "{period}の各段階の目標達成率（棒。縦線が100%）と人数。状況は記号と文字で表示。",
        "en": "Each stage's share of its target in {period} (bars; the line is 100%) and "
        "its count, with status in symbols and words.",
    },
    "series.actual": {"ja": "実績", "en": "Actual"},
    "series.target": {"ja": "目標", "en": "Target"},
}
