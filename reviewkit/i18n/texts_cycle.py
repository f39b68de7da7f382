"""Texts of the improvement cycle in the packs: open actions, last review's decisions, outcomes."""

CYCLE_TEXTS: dict[str, dict[str, str]] = {
    "cycle.open": {"ja": "進行中のアクション", "en": "Open actions"},
    "cycle.open_note": {
        "ja": "進行中 {n} 件、うち期限超過 {late} 件（「期限超過」と表示）。",
        "en": "{n} open, {late} of them overdue (marked 'overdue').",
    },
    "cycle.none_open": {"ja": "進行中のアクションはありません。", "en": "No action is open."},
    "cycle.previous": {
        "ja": "前回のレビュー（{period}）で決めたアクション",
        "en": "Decided in the previous review ({period})",
    },
    "cycle.previous_none": {
        "ja": "前回のレビュー（{period}）で決めたアクションは記録されていません。",
        "en": "No action is recorded as decided in the previous review ({period}).",
    },
    "cycle.overdue": {
        "ja": "{due}（期限超過 {days}日）",
        "en": "{due} (overdue by {days} days)",
    },
    "cycle.col.start": {"ja": "開始", "en": "Start"},
    "cycle.col.family": {"ja": "原因の分類", "en": "Cause family"},
    "cycle.col.count": {"ja": "件数", "en": "Actions"},
    "decisions.note_prefilled": {
        "ja": "会議の決定シート。分析からの改善提案を記入済みです。採用するものは担当と期限を決め、"
        "右端のコマンドでアクション台帳（params/actions.yml）に記録します。空欄はその他の決定用。",
        "en": "The meeting's decision sheet, pre-filled with the analysis' proposals. For each "
        "one adopted, agree the owner and due date and record it with the command on the right "
        "(into params/actions.yml); the blank rows are for other decisions.",
    },
    "cycle.counts": {
        "ja": "{n} 件（改善 {improved}、明確な変化なし {no_clear_change}、悪化 {worse}、"
        "判断には早い {too_early}）",
        "en": "{n} action(s): {improved} improved, {no_clear_change} no clear change, "
        "{worse} worse, {too_early} too early to tell",
    },
    "summary.monthly.actions": {
        "ja": "改善アクションの効果: {text}",
        "en": "Did the actions work? {text}",
    },
    "effects.rule_title": {
        "ja": "アクションの効果の判定方法",
        "en": "How an action's verdict is reached",
    },
    "family.other": {"ja": "その他", "en": "other"},
}
