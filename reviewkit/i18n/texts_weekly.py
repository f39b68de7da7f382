"""Texts of the weekly pack for companies of any shape (merged into ``TEXTS``).

A period without targets, a follow-up pulse without an agreed SLA or without sales teams, and
the unknown value of a segment column in an alert.
"""

WEEKLY_TEXTS: dict[str, dict[str, str]] = {
    # the pace table of a period without targets
    "pace.what": {
        "ja": "目標に対するペース・着地見込みの達成見通し・必要な週あたりのペース",
        "en": "the pace against target, the projection against target and the run rate needed",
    },
    "pace.and": {"ja": "・", "en": " and "},
    "pace.col.week_actual": {"ja": "今週 実績", "en": "This week"},
    "pace.col.actual_to_date": {"ja": "{period} 累計", "en": "{period} to date"},
    "pace.col.projection_only": {
        "ja": "{period} 着地見込み（80%範囲）",
        "en": "{period} projection (80% range)",
    },
    "pace.note_no_target": {
        "ja": "{through}時点。着地見込みはこれまでのペースを残りの日の重み（自社の過去1年の"
        "曜日・{days_off}・月末）で延長したもの。範囲は過去の同じ時点の見込み誤差の10〜90%"
        "（履歴が足りない件数は偶然変動から算出）。経過が{min_share}未満、または範囲が見込みの"
        "{max_width}より広いときは「見込み未確定」。",
        "en": "As of {through}. The projection continues the pace so far over the remaining "
        "days' weights (the company's own past year: weekday, {days_off}, month end); its "
        "range is the 10th–90th percentile of past projection errors at the same point "
        "(counting noise when history is short). Below {min_share} elapsed, or with a range "
        "wider than {max_width} of the projection, the pack says it is too early.",
    },
    # the summary's attention items when nothing needs attention
    "weekly.only_rises": {
        "ja": "今週は通常の範囲を下回った動きはありません（上振れ {n} 件は「異常と乖離」に記載）。",
        "en": "Nothing fell outside its normal range this week ({n} rises are listed under "
        "the anomalies).",
    },
    "weekly.nothing_tested": {
        "ja": "今週は人数が少なく、通常の範囲と比べられる系列がありませんでした。",
        "en": "Too few people this week to compare any series with its normal range.",
    },
    "weekly.closed_no_target": {
        "ja": "{period}の着地: {kgi} {actual}（目標なし）。",
        "en": "{period} closed at {actual} of {kgi} (no target).",
    },
    "chart.funnel.what": {
        "ja": "段階ごとの目標達成率のグラフ",
        "en": "the chart of each stage against its target",
    },
    # alerts
    "alert.rate_sla": {
        "ja": "{where}の{measure}が {value}（通常 {normal}、{points}）。{window}に期限を迎えた"
        "{from_stage} {n}件のうち、期限内に接触できた人が通常より約{impact}人{direction}。{since}",
        "en": "{measure} in {where} {moved} to {value} (normal {normal}, {points}) over {window}: "
        "of {n} people who became {from_stage} and were due, about {impact} {direction} were "
        "touched in time. {since}",
    },
    "alert.unknown_segment": {"ja": "（不明）", "en": "(unknown)"},
    # the follow-up pulse
    "followup.what": {
        "ja": "初回接触の状況（SLA 超過・未接触の件数と最も長く待っている人）",
        "en": "the follow-up pulse (who is past the first-touch SLA and still waiting)",
    },
    "followup.summary_no_team": {
        "ja": "SLA（{within}以内の初回接触）を過ぎても未接触の{stage}は {count} 件"
        "（過去{days}日）。",
        "en": "{count} people who became {stage} in the last {days} days are past the SLA "
        "(first touch within {within}) and still untouched.",
    },
    "followup.no_teams_note": {
        "ja": "営業チームの記録がないため、チーム別の表はありません。",
        "en": "No sales teams are recorded, so there is no table by team.",
    },
    # the first touch without an agreed SLA
    "followup.first_touch.summary": {
        "ja": "{period}に{stage}になった {entered} 人のうち、基準日までに人が接触したのは "
        "{touched} 人（{share}）、初回接触までの時間の中央値は {median}。",
        "en": "Of the {entered} people who became {stage} in {period}, {touched} ({share}) "
        "were touched by a person by the review date; median time to the first touch "
        "{median}.",
    },
    "followup.first_touch.none": {
        "ja": "{period}に{stage}になった人はいません。",
        "en": "Nobody became {stage} in {period}.",
    },
    "followup.first_touch.no_sla": {
        "ja": "指標定義に初回接触の SLA がないため、期限超過の判定はしていません。"
        "params/definitions.yml の metrics: に type: sla の項目"
        "（例: key: sla, type: sla, from: {stage_key}, within: 24h）を追加すると、"
        "期限を過ぎて待っている人の一覧が表示されます。",
        "en": "The definitions agree no first-touch SLA, so nobody is counted late. Add an "
        "entry of type sla under metrics: in params/definitions.yml (e.g. key: sla, type: "
        "sla, from: {stage_key}, within: 24h) to list who is waiting past it.",
    },
    "followup.first_touch.col.entered": {"ja": "今週の{stage}", "en": "{stage} this week"},
    "followup.first_touch.col.touched": {"ja": "接触済み", "en": "Touched"},
    "followup.first_touch.col.untouched": {"ja": "未接触", "en": "Not touched yet"},
    "followup.first_touch.col.share": {"ja": "接触済みの割合", "en": "Share touched"},
}
