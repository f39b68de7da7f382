"""Texts of the weekly summary sentences."""

SUMMARY_TEXTS: dict[str, dict[str, str]] = {
    # weekly: summary
    "weekly.month_pace": {
        "ja": "{period}の{kgi}は{through}時点で {actual}。期"
        "待値 {expected} に対して {pace}（{status}）。{projection}",
        "en": "{kgi} for {period} is {actual} as of {through}: {pace} of the {expected} expected "
        "by now ({status}). {projection}",
    },
    "weekly.month_pace_no_target": {
        "ja": "{period}の{kgi}は{through}時点で {actual}（目標なし）。{projection}",
        "en": "{kgi} for {period} is {actual} as of {through} (no target). {projection}",
    },
    "weekly.projection": {
        "ja": "着地見込みは {point}（{low}〜{high}）、目標 {target}。",
        "en": "Projected {point} ({low}–{high}) against a target of {target}.",
    },
    "weekly.projection_early": {
        "ja": "着地はまだ見通せません（範囲 {low}〜{high}）。",
        "en": "Too early to project the month (range {low}–{high}).",
    },
    "weekly.projection_unknown": {
        "ja": "着地はまだ見通せません。",
        "en": "Too early to project the month.",
    },
    "weekly.behind": {
        "ja": "期待値に届いていない段階: {items}。",
        "en": "Behind the expected pace: {items}.",
    },
    "weekly.behind_item": {
        "ja": "{metric} {pace}（目標まで週 {per_week}）",
        "en": "{metric} at {pace} (needs {per_week} a week)",
    },
    "weekly.all_on_pace": {
        "ja": "すべての段階が期待値のペース以上です。",
        "en": "Every stage is at or above the expected pace.",
    },
    "weekly.closed": {
        "ja": "{period}の着地: {kgi} {actual}（目標 {target} の {pct}、{status}）。",
        "en": "{period} closed at {actual} of {kgi} ({pct} of the {target} target, {status}).",
    },
    "weekly.quarter_early": {
        "ja": "{period}の{kgi}は期待値の {pace}（{status}）、"
        "着地はまだ見通せません（目標 {target}）。",
        "en": "{period}: {kgi} at {pace} of the expected pace ({status}); too early to project "
        "(target {target}).",
    },
    "weekly.quarter": {
        "ja": "{period}の{kgi}は期待値の {pace}（{status}）、見込み {point}／目標 {target}。",
        "en": "{period}: {kgi} at {pace} of the expected pace ({status}); projected {point} "
        "against {target}.",
    },
    "weekly.attention": {"ja": "要注意: {text}", "en": "Needs attention: {text}"},
    "weekly.no_alerts": {
        "ja": "今週は通常の範囲を外れた動きはありません。",
        "en": "Nothing moved outside its normal range this week.",
    },
    "weekly.team_backlog": {
        "ja": "未接触のまま SLA を過ぎた{stage}が {n} 件あります。",
        "en": " {n} people of the team who became {stage} are still untouched beyond the SLA.",
    },
    "weekly.followup_attention": {
        "ja": "{team} の SLA 超過・未接触の{stage}が {n} 件",
        "en": "{team}: {n} people who became {stage} are untouched beyond the SLA",
    },
    "weekly.followup_attention_no_team": {
        "ja": "SLA 超過・未接触の{stage}が {n} 件",
        "en": "{n} people who became {stage} are untouched beyond the SLA",
    },
}
