"""Texts of the drill-down: the widget (``reviewkit.review.explorer``) and the split chart."""

EXPLORE_TEXTS: dict[str, dict[str, str]] = {
    # controls
    "explore.metric": {"ja": "指標", "en": "Metric"},
    "explore.dimension": {"ja": "切り口", "en": "Split by"},
    "explore.cadence": {"ja": "集計単位", "en": "Periods of"},
    "explore.cadence.monthly": {"ja": "月", "en": "Month"},
    "explore.cadence.quarterly": {"ja": "四半期", "en": "Quarter"},
    "explore.cadence.weekly": {"ja": "週", "en": "Week"},
    "explore.periods": {"ja": "期間数", "en": "How many"},
    "explore.filter": {"ja": "絞り込み", "en": "Filter on"},
    "explore.filter.none": {"ja": "（なし）", "en": "(none)"},
    "explore.filter.values": {"ja": "値", "en": "Values"},
    "explore.clear": {"ja": "絞り込み解除", "en": "Clear filter"},
    "explore.basis": {"ja": "転換率の基準", "en": "Rate basis"},
    "explore.basis.cohort": {"ja": "コホート", "en": "Cohort"},
    "explore.basis.period": {"ja": "期間", "en": "Period"},
    "explore.basis_hint": {
        "ja": "基準の切り替えは転換率の指標のみ",
        "en": "The basis applies to conversion rates only",
    },
    # chart and table
    "explore.other": {"ja": "その他", "en": "Other"},
    "explore.title.split": {"ja": "{dimension}別 {metric}", "en": "{metric} by {dimension}"},
    "explore.title.whole": {"ja": "ファネル全体の{metric}", "en": "{metric}, whole funnel"},
    "explore.axis.days": {"ja": "日数", "en": "days"},
    "explore.axis.hours": {"ja": "時間", "en": "hours"},
    "explore.axis.times": {"ja": "倍", "en": "times"},
    "explore.title.basis": {"ja": "{title}（{basis}）", "en": "{title} ({basis})"},
    "explore.basis_words.cohort": {
        "ja": "コホート・{window}以内",
        "en": "cohort, within {window}",
    },
    "explore.basis_words.period": {"ja": "期間ベース", "en": "period basis"},
    "explore.legend.period": {"ja": "期間", "en": "Period"},
    "explore.chart.maturing.bars": {
        "ja": "淡い棒は集計途中のコホート（判定期間が終わっておらず、率はまだ上がりうる）。",
        "en": "Pale bars are maturing cohorts: their window has not elapsed, the rate may rise.",
    },
    "explore.chart.maturing.points": {
        "ja": "白抜きの点は集計途中のコホート（判定期間が終わっておらず、率はまだ上がりうる）。",
        "en": "Hollow points are maturing cohorts: the window has not elapsed, the rate may rise.",
    },
    "explore.chart.description": {
        "ja": "{title}。{first}〜{last}の{n}期間。",
        "en": "{title}, {first} to {last} ({n} periods).",
    },
    "explore.col.period": {"ja": "期間", "en": "Period"},
    "explore.col.whole": {"ja": "対象", "en": "Scope"},
    "explore.part.entered": {"ja": "{stage}数", "en": "{stage} entered"},
    "explore.part.reached": {"ja": "うち{stage}到達", "en": "of whom reached {stage}"},
    "explore.part.revenue": {"ja": "受注金額", "en": "Revenue won"},
    "explore.part.won": {"ja": "受注件数", "en": "Deals won"},
    "explore.part.closed": {"ja": "決着した商談数", "en": "Deals closed"},
    "explore.part.closed_amount": {"ja": "決着した商談の金額", "en": "Amount closed"},
    "explore.part.touched": {"ja": "うち接触済み", "en": "of whom touched"},
    "explore.part.in_sla": {"ja": "うち期限内に接触", "en": "of whom touched in time"},
    "explore.part.due": {"ja": "期限到来の{stage}数", "en": "{stage} due"},
    "explore.part.cost": {"ja": "費用", "en": "Cost"},
    "explore.part.pipeline": {"ja": "オープン商談の金額", "en": "Open pipeline"},
    "explore.part.remaining": {"ja": "目標の残り", "en": "Target remaining"},
    "explore.unit.days": {"ja": "{value}日", "en": "{value} days"},
    "explore.unit.hours": {"ja": "{value}時間", "en": "{value} h"},
    "explore.unit.times": {"ja": "{value}倍", "en": "{value}×"},
    "explore.note.periods": {
        "ja": "対象期間: {first}〜{last}（{n}期間）。{definition}",
        "en": "Periods: {first} to {last} ({n}). {definition}",
    },
    "explore.note.filter": {"ja": "絞り込み: {filter}", "en": "Filtered to {filter}"},
    "explore.note.other": {
        "ja": "「その他」は件数上位{top}区分以外の{n}区分をまとめて計算した値です。",
        "en": "“Other” is the {n} values outside the top {top} by volume, computed together.",
    },
    "explore.note.unknown": {
        "ja": "「（不明）」はこの切り口の値が記録されていない人です。",
        "en": "“(unknown)” is the people with no value recorded for this column.",
    },
    # messages in the output area
    "explore.error": {"ja": "表示できません: {error}", "en": "Cannot show this: {error}"},
    "explore.no_data": {
        "ja": "この条件に該当するデータがありません。期間や絞り込みを変えてください。",
        "en": "No data matches these choices; widen the periods or the filter.",
    },
    "explore.undefined": {
        "ja": "この条件では{metric}の値を計算できません（例: 切り口に割り当てられない指標）。",
        "en": "{metric} has no value for these choices (e.g. it cannot be split this way).",
    },
}
