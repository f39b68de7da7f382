"""Texts of the monthly pack's action-effect table (merged into ``TEXTS``)."""

EFFECTS_TEXTS: dict[str, dict[str, str]] = {
    "effects.title": {"ja": "施策の効果", "en": "Did the actions work?"},
    "effects.col.action": {"ja": "施策", "en": "Action"},
    "effects.col.kpi": {"ja": "KPI・対象", "en": "KPI and segment"},
    "effects.col.before_after": {"ja": "対象の前 → 後", "en": "Before → after (segment)"},
    "effects.col.change": {"ja": "対象外と比べた変化", "en": "Change vs the rest"},
    "effects.col.verdict": {"ja": "判定", "en": "Verdict"},
    "effects.verdict.improved": {"ja": "✓ 改善", "en": "✓ Improved"},
    "effects.verdict.no_clear_change": {"ja": "― 明確な変化なし", "en": "― No clear change"},
    "effects.verdict.worse": {"ja": "✕ 悪化", "en": "✕ Worse"},
    "effects.verdict.too_early": {"ja": "… 判断には早い", "en": "… Too early to tell"},
    "effects.verdict.unsupported": {"ja": "— 測定できない指標", "en": "— Cannot be measured"},
    "effects.reason.too_little_time": {
        "ja": "結果が確定した日がまだ{days}日分です（{min_days}日以上必要）",
        "en": "outcomes are known for {days} days so far ({min_days} needed)",
    },
    "effects.reason.too_little_data": {
        "ja": "人数が足りません（{people}。各{min_people}人以上必要）",
        "en": "too few people ({people}; {min_people} needed in each)",
    },
    "effects.people.seg": {
        "ja": "対象: 前{before}人・後{after}人",
        "en": "segment: {before} before, {after} after",
    },
    "effects.people.rest": {
        "ja": "対象外: 前{before}人・後{after}人",
        "en": "rest: {before} before, {after} after",
    },
    "effects.people.join": {"ja": "、", "en": "; "},
    "effects.reason.unsupported_metric": {
        "ja": "{metric}は人単位の割合や人数ではないため、この前後比較では測れません",
        "en": "{metric} is not a per-person share or count, so this before/after comparison "
        "cannot measure it",
    },
    "effects.lower_better": {"ja": "（低いほど良い）", "en": " (lower is better)"},
    "effects.no_comparison": {
        "ja": "（比較対象なし: 単純な前後差）",
        "en": " (no comparison group: plain before/after change)",
    },
    "effects.interval": {
        "ja": "{change}（{level}区間 {low}〜{high}）",
        "en": "{change} ({level} interval {low} to {high})",
    },
    "effects.counts": {
        "ja": "{before}人 → {after}人（各{days}日間）",
        "en": "{before} → {after} people ({days} days each)",
    },
    "effects.rates": {"ja": "{before} → {after}", "en": "{before} → {after}"},
    "effects.none": {
        "ja": "開始日を過ぎた施策はまだありません。",
        "en": "No action has passed its start date yet.",
    },
    "effects.note": {
        "ja": "施策の対象者のKPIを、開始日以降（結果が確定した日まで、最長{max_days}日）と開始直前"
        "の同じ日数とで比べ、対象外の人たちの同じ期間の変化を差し引いています（差の差）。"
        "転換率とSLA達成率はその日に前の段階に入った人の割合（ポイント差）、段階の人数は1日あたり"
        "人数の変化率です。「判断には早い」施策の変化は表示しません。",
        "en": "The KPI among the action's target people after its start (up to the last day whose "
        "outcome is known, at most {max_days} days) is compared with the same number of days "
        "just before it, minus the same change among everyone else (difference in "
        "differences). Conversion and SLA rates are shares of the people entering the earlier "
        "stage on those days (change in points); stage counts are people per day (relative "
        "change). No change is shown for actions that are too early to tell.",
    },
    "effects.windows": {
        "ja": "{action}: 開始前 {before_first}〜{before_last}、開始後 {after_first}〜{after_last}"
        "（各{days}日間）",
        "en": "{action}: before {before_first} – {before_last}, after {after_first} – "
        "{after_last} ({days} days each)",
    },
    "effects.windows_none": {
        "ja": "{action}: 開始後に結果が確定した日はまだありません（開始日 {start}）",
        "en": "{action}: no day since the start ({start}) has a known outcome yet",
    },
    "effects.rule": {
        "ja": "施策の効果の判定: 施策の対象者のKPIを、開始日以降と開始直前の同じ日数とで比べ、"
        "対象外の人たちの同じ期間の変化を差し引きます（差の差）。季節要因など全体に共通する変化を"
        "施策の効果と取り違えないためです。結果が確定した日（転換の期限や初回対応の期限が過ぎた日）"
        "だけを数えます。この差の{level}区間がすべて良い側にあれば「改善」、すべて悪い側にあれば"
        "「悪化」、どちらでもなければ「明確な変化なし」です。開始後に結果が確定した日が{min_days}"
        "日未満のとき、またはどちらかの期間で対象者（または対象外）が{min_people}人未満のときは"
        "「判断には早い」とします。転換率はポイント差、段階の人数は1日あたり人数の変化率で比べます。",
        "en": "How an action is judged: the KPI among the people it targets is compared after "
        "its start with the same number of days just before it, and the same change among "
        "everyone else is subtracted (difference in differences), so a change that hit "
        "everyone, such as a season, is not credited to the action. Only days whose outcome is "
        "known count (the conversion window or the follow-up deadline has passed). 'Improved' "
        "when the whole {level} interval of that difference is on the better side of zero, "
        "'worse' when it is wholly on the worse side, otherwise 'no clear change'. 'Too early "
        "to tell' when fewer than {min_days} days since the start have known outcomes, or "
        "fewer than {min_people} people are in the segment (or the rest) in either window. "
        "Rates are compared in percentage points, stage counts as a relative change in people "
        "per day.",
    },
    "effects.rest_moved": {
        "ja": "{action}: 同じ期間に比較対象（それ以外の全員）も {change} 動いています。"
        "比較対象に固有の出来事があった場合、この差は効果を過大・過小に見せます。",
        "en": "{action}: everyone else moved {change} over the same days too. If that was a "
        "shock of their own rather than a shared trend, the difference over- or understates "
        "the action's effect.",
    },
}
