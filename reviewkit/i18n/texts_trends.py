"""Texts of the quarterly review's trends section (merged into ``TEXTS``).

Keys ``trends.*``: the quarterly trends table and the stage-rate chart
(:mod:`reviewkit.analysis.trends`); keys ``benchmarks.*``: the published reference ranges
(:mod:`reviewkit.analysis.benchmarks`).
"""

TRENDS_TEXTS: dict[str, dict[str, str]] = {
    # -- the trends table ---------------------------------------------------------------------
    "trends.title": {"ja": "四半期の KPI 推移", "en": "KPI trends by quarter"},
    "trends.col.metric": {"ja": "指標", "en": "Metric"},
    "trends.col.actual": {"ja": "今四半期", "en": "This quarter"},
    "trends.col.previous": {"ja": "前四半期", "en": "Previous quarter"},
    "trends.col.qoq": {"ja": "前四半期比", "en": "QoQ"},
    "trends.col.last_year": {"ja": "前年同四半期", "en": "Same quarter last year"},
    "trends.col.yoy": {"ja": "前年同期比", "en": "YoY"},
    "trends.caption": {
        "ja": "{period}の実績を、{previous}（前四半期）および{last_year}（前年同四半期）と比較。",
        "en": "{period} compared with {previous} (previous quarter) and {last_year} "
        "(same quarter last year).",
    },
    "trends.basis.counts": {
        "ja": "件数は四半期中に各段階へ初めて入った人数（期間基準）。",
        "en": "Counts: people entering each stage for the first time in the quarter (period "
        "basis).",
    },
    "trends.basis.amounts": {
        "ja": "{metrics}は、受注日が四半期内の受注商談の金額で計算。",
        "en": "{metrics}: deals won with a close date in the quarter.",
    },
    "trends.basis.join": {"ja": "／", "en": "; "},
    "trends.basis.rates": {
        "ja": "転換率は合意した基準で計算: {items}。",
        "en": "Rates on their agreed basis: {items}.",
    },
    "trends.basis.changes": {
        "ja": "前四半期比・前年同期比は、件数と金額は増減率、転換率はポイント差。"
        "▲ は増加、▼ は減少、→ は変化なし。",
        "en": "QoQ and YoY: relative change for counts and amounts, difference in percentage "
        "points for rates. ▲ up, ▼ down, → unchanged.",
    },
    "trends.maturing_note": {
        "ja": "◔ {metric}: 集計途中。四半期の最後に入った人は、期限（{window}）のうち{share}しか"
        "経過していません。今後上がりうるため、未達とは判断しません。",
        "en": "◔ {metric}: still maturing. Only {share} of the window ({window}) has elapsed "
        "for the quarter's last entrants, so the values may still rise: not a miss.",
    },
    "trends.compare_maturing_note": {
        "ja": "◔ {metric}: 比較する{quarter}のコホートも期限が経過しておらず、"
        "確定値ではありません。",
        "en": "◔ {metric}: the {quarter} cohort has not had its whole window either; its value "
        "is not final.",
    },
    "trends.quarter.previous": {"ja": "前四半期", "en": "previous quarter's"},
    "trends.quarter.last_year": {"ja": "前年同四半期", "en": "same quarter last year's"},
    # -- the rates chart ----------------------------------------------------------------------
    "trends.chart.title": {
        "ja": "段階別転換率の四半期推移",
        "en": "Stage rates by quarter",
    },
    "trends.chart.final": {"ja": "確定（期限が経過）", "en": "Final (window elapsed)"},
    "trends.chart.maturing": {
        "ja": "白抜き: 集計途中（期限が未経過）",
        "en": "Hollow: maturing (window not yet elapsed)",
    },
    "trends.chart.quarter": {"ja": "四半期", "en": "Quarter"},
    "trends.chart.rate": {"ja": "転換率", "en": "Rate"},
    "trends.chart.value": {"ja": "値", "en": "Value"},
    "trends.chart.status": {"ja": "状態", "en": "Status"},
    "trends.chart.description": {
        "ja": "KPI ツリーの段階別転換率（合意した基準）の直近{n}四半期（{first}〜{last}）の推移。"
        "1本の線が1つの転換率。白抜きの点は期限がまだ経過していないコホートで、"
        "今後上がりうる（未達ではない）。",
        "en": "The KPI tree's stage rates on their agreed basis over the last {n} quarters "
        "({first} to {last}), one line per rate. Hollow points are cohorts whose window has "
        "not elapsed yet: they may still rise, so they are not misses.",
    },
    # -- benchmarks ---------------------------------------------------------------------------
    "benchmarks.title": {
        "ja": "外部ベンチマーク（参考値であり目標ではない）",
        "en": "Benchmarks (context, never targets)",
    },
    "benchmarks.lead": {
        "ja": "まず自社の過去の四半期と比べてください。公表されているベンチマークは参考情報で"
        "あり、目標にはしません。段階の定義が調査ごとに異なるため、公表値どうしも一致しません"
        "（Forrester: 誰にでも当てはまる「最良のファネル」は存在しない）。",
        "en": "The company's own past quarters come first. Published benchmarks are context, "
        "never targets: published ranges disagree because each source defines its stages "
        "differently (Forrester: there is no universal best-in-class funnel).",
    },
    "benchmarks.none": {
        "ja": "ベンチマークは設定されていません。参考にする公表値は {path} に追加してください"
        "（出典・年・対象・注意点を添えて）。",
        "en": "No benchmarks are configured. Add published reference ranges to {path} (each "
        "with its source, year, sample and caveat).",
    },
    "benchmarks.note": {
        "ja": "自社の値は{period}のもので、各指標の合意した基準で計算（括弧内は分子／分母）。"
        "◔ は期限がまだ経過していないコホートで、今後上がりうる。",
        "en": "The company's values are for {period}, on each metric's agreed basis "
        "(numerator / denominator in brackets). ◔ marks a cohort whose window has not elapsed "
        "yet: it may still rise.",
    },
    "benchmarks.this_quarter": {"ja": "対象四半期", "en": "the quarter"},
    "benchmarks.col.benchmark": {"ja": "ベンチマーク", "en": "Benchmark"},
    "benchmarks.col.company": {"ja": "自社", "en": "The company"},
    "benchmarks.col.range": {"ja": "公表レンジ", "en": "Published range"},
    "benchmarks.col.position": {"ja": "位置", "en": "Position"},
    "benchmarks.col.source": {"ja": "出典", "en": "Source"},
    "benchmarks.source_detail": {
        "ja": "{source}（調査年: {year}、対象: {sample}）",
        "en": "{source} (year: {year}; sample: {sample})",
    },
    "benchmarks.col.caveat": {"ja": "注意点", "en": "Caveat"},
    "benchmarks.position.below": {"ja": "▼ レンジより下", "en": "▼ Below the range"},
    "benchmarks.position.within": {"ja": "● レンジ内", "en": "● Within the range"},
    "benchmarks.position.above": {"ja": "▲ レンジより上", "en": "▲ Above the range"},
    "benchmarks.position.no_data": {"ja": "— データなし", "en": "— No data"},
    "benchmarks.not_stated": {"ja": "記載なし", "en": "not stated"},
}
