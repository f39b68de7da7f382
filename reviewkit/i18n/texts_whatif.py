"""Texts of the quarterly review's whatif section (merged into ``TEXTS``)."""

WHATIF_TEXTS: dict[str, dict[str, str]] = {
    "whatif.title": {
        "ja": "{stage}の定義を変えていたら",
        "en": "What if the {stage} definition were different",
    },
    "whatif.lead": {
        "ja": "現行の基準値 {value} では、{period}に{stage}になったのは{entered}人、そのうち"
        "{window}以内に{next}になったのは{rate}、集計日までの受注金額は{revenue}でした。",
        "en": "At {value} (current), {entered} people became {stage} in {period}; {rate} of "
        "them became {next} within {window}, and their won revenue by the cut-off is {revenue}.",
    },
    "whatif.lead_count": {
        "ja": "現行の基準値 {value} では、{period}に{stage}になったのは{entered}人、そのうち"
        "{window}以内に{next}になったのは{rate}、集計日までに{last}になったのは{won}人でした。",
        "en": "At {value} (current), {entered} people became {stage} in {period}; {rate} of "
        "them became {next} within {window}, and {won} of them reached {last} by the cut-off.",
    },
    "whatif.move.up_count": {
        "ja": "基準値を{value}に引き上げると、{stage}は{entered}人（{entered_change}）、{next}"
        "への転換率は{rate}（{points}）となり、現行の{next}の{kept}と{last} {won}人"
        "（{won_change}）が残る計算です。",
        "en": "Raising it to {value} would have made {entered} people {stage} "
        "({entered_change}), {rate} of them {next} ({points}); that keeps {kept} of the current "
        "{next} entrants and {won} reaching {last} ({won_change}).",
    },
    "whatif.move.down_count": {
        "ja": "基準値を{value}に引き下げると、{stage}は{entered}人（{entered_change}）、{next}"
        "への転換率は{rate}（{points}）、{next}は現行の{kept}、{last}は{won}人"
        "（{won_change}）となる計算です。",
        "en": "Lowering it to {value} would have made {entered} people {stage} "
        "({entered_change}), {rate} of them {next} ({points}), with {kept} of the current "
        "{next} entrants and {won} reaching {last} ({won_change}).",
    },
    "whatif.move.up": {
        "ja": "基準値を{value}に引き上げると、{stage}は{entered}人（{entered_change}）、{next}"
        "への転換率は{rate}（{points}）となり、現行の{next}の{kept}と受注金額{revenue}"
        "（{revenue_change}）が残る計算です。",
        "en": "Raising it to {value} would have made {entered} people {stage} "
        "({entered_change}), {rate} of them {next} ({points}); that keeps {kept} of the current "
        "{next} entrants and {revenue} of won revenue ({revenue_change}).",
    },
    "whatif.move.down": {
        "ja": "基準値を{value}に引き下げると、{stage}は{entered}人（{entered_change}）、{next}"
        "への転換率は{rate}（{points}）、{next}は現行の{kept}、受注金額は{revenue}"
        "（{revenue_change}）となる計算です。",
        "en": "Lowering it to {value} would have made {entered} people {stage} "
        "({entered_change}), {rate} of them {next} ({points}), with {kept} of the current "
        "{next} entrants and {revenue} of won revenue ({revenue_change}).",
    },
    "whatif.suggest": {
        "ja": "検討候補は{value}です（現行の{next}の{keep}以上を保つ最も厳しい基準値で、転換率は"
        "{rate}、{points}）。",
        "en": "Worth discussing: {value}, the strictest threshold that keeps {keep} or more of "
        "the current {next} entrants, converting at {rate} ({points}).",
    },
    "whatif.suggest_none": {
        "ja": "現行より厳しい基準値で、現行の{next}の{keep}以上を保ちつつ転換率が上がるものは"
        "なく、基準値の変更は提案しません。",
        "en": "No stricter threshold keeps {keep} or more of the current {next} entrants while "
        "converting better, so the sweep suggests no change.",
    },
    "whatif.current_mark": {"ja": "（現行）", "en": " (current)"},
    "whatif.col.threshold": {"ja": "基準値", "en": "Threshold"},
    "whatif.col.entered": {"ja": "{stage}数", "en": "{stage} entered"},
    "whatif.col.entered_change": {"ja": "現行比の増減", "en": "Change vs current"},
    "whatif.col.reached": {"ja": "{window}以内の{next}", "en": "{next} within {window}"},
    "whatif.col.rate": {"ja": "{metric}", "en": "{metric}"},
    "whatif.col.rate_change": {"ja": "転換率の差", "en": "Rate change"},
    "whatif.col.kept": {"ja": "現行{next}に対する割合", "en": "Share of current {next}"},
    "whatif.col.won": {"ja": "{last}（集計日まで）", "en": "{last} by the cut-off"},
    "whatif.col.revenue": {"ja": "{kgi}（集計日まで）", "en": "{kgi} by the cut-off"},
    "whatif.col.revenue_share": {"ja": "{kgi}の現行比", "en": "{kgi} vs current"},
    "whatif.col.variant": {"ja": "定義", "en": "Definition"},
    "whatif.col.rule": {"ja": "ルール", "en": "Rule"},
    "whatif.variant.current": {"ja": "現行", "en": "Current"},
    "whatif.variant.proposed": {"ja": "提案", "en": "Proposed"},
    "whatif.variant.change": {"ja": "差（提案−現行）", "en": "Change (proposed − current)"},
    "whatif.sweep_note.other": {
        "ja": "各行は{stage}のルールをその基準値に置き換えて各リードのスコアに当てはめ直し、"
        "{stage}に入る日（定義の at: のとおり）が{period}にある人を数えています。{next}は{stage}に"
        "なってから{window}以内（{metric}と同じ数え方）、{last}は集計日までに成約した商談で"
        "数えています。",
        "en": "Each row applies the {stage} rule with that threshold to each lead's score and "
        "counts people whose entry (as the definition's at: says) falls in {period}. {next} is "
        "counted within {window} of becoming {stage}, as {metric} counts it; {last} counts "
        "deals closed by the cut-off.",
    },
    "whatif.sweep_note.first_held": {
        "ja": "各行は{stage}のルールをその基準値に置き換えてスコア履歴に当てはめ直し、初めて基準を"
        "満たした日が{period}に入る人を数えています（期間前に現行の基準に達し、期間中により高い"
        "基準に達した人は、高い基準値の行にだけ入ります）。{next}は{stage}になってから{window}"
        "以内（{metric}と同じ数え方）、{last}は集計日までに成約した商談で数えています。",
        "en": "Each row applies the {stage} rule with that threshold to the score history and "
        "counts people who first met it in {period} (someone who passed the current threshold "
        "before the period and a higher one within it counts only for the higher one). {next} "
        "is counted within {window} of becoming {stage}, as {metric} counts it; {last} counts "
        "deals closed by the cut-off.",
    },
    "whatif.immature": {
        "ja": "期間の一部はまだ{window}の期限が過ぎていないため、{next}の数は今後増える可能性が"
        "あります。",
        "en": "The {window} window has not yet passed for the whole period, so {next} counts "
        "may still rise.",
    },
    "whatif.won_note": {
        "ja": "直近の期間の{last}はまだ途中経過です。成約には時間がかかりますが、"
        "集計日は期末から{days}日後です。",
        "en": "{last} of a recent period is still maturing: deals take time to close, and the "
        "cut-off allowed only {days} days after the period's end.",
    },
    "whatif.title_any": {
        "ja": "定義を変えていたら（定義の試算）",
        "en": "What if a stage were defined differently",
    },
    "whatif.what": {"ja": "基準値の試算", "en": "the threshold what-if"},
    "whatif.events_only": {
        "ja": "このファネルの段階はすべてデータ元が記録したイベント（{stages}）で、変えられる基準値"
        "がないため、定義の試算はありません。リードスコアのルールで定義した段階（params/"
        'definitions.yml の rule: "score >= 60" など）とスコアの履歴があれば試算します。',
        "en": "Every stage of this funnel is an event recorded by the source systems ({stages}), "
        "so there is no threshold to try. A stage defined by a rule over the lead score (e.g. "
        'rule: "score >= 60" in params/definitions.yml), with the score history in the store, '
        "would enable it.",
    },
    "whatif.skipped.not_numeric": {
        "ja": "{stage}：ルール（{rule}）の基準値が数値の列（score）ではなく文字の列にあるため、"
        "基準値の比較は行いません。提案ルール全体との比較を使ってください。",
        "en": "{stage}: no threshold sweep, since the threshold in its rule ({rule}) is on a "
        "text column, not on the score; compare a whole proposed rule instead.",
    },
    "whatif.revenue_note": {
        "ja": "直近の期間の受注金額はまだ途中経過です。商談の成約には数か月かかりますが、"
        "集計日は期末から{days}日後です。",
        "en": "Won revenue of a recent period is still maturing: deals take months to close, "
        "and the cut-off allowed only {days} days after the period's end.",
    },
    "whatif.compare_title": {
        "ja": "現行の{stage}定義と提案の比較",
        "en": "Current {stage} definition vs the proposal",
    },
    "whatif.compare_note": {
        "ja": "両方のルールを{period}の{stage}に同じ方法で当てはめています。差の行は提案から現行を"
        "引いた値（転換率はポイント差）です。",
        "en": "Both rules are applied the same way to {stage} entries in {period}; the change "
        "row is proposed minus current (the rate in points).",
    },
    "whatif.skipped.no_threshold": {
        "ja": "{stage}：ルール（{rule}）に数値の基準値がちょうど1つ（例：score >= 60）"
        "含まれていないため、基準値の比較は行いません。提案ルール全体との比較を使ってください。",
        "en": "{stage}: no threshold sweep, since its rule ({rule}) does not have exactly one "
        "numeric threshold (such as score >= 60); compare a whole proposed rule instead.",
    },
    "whatif.skipped.last_stage": {
        "ja": "{stage}：最後の段階で、その後の段階から質を測れないため、基準値の比較は行いません。",
        "en": "{stage}: no threshold sweep, since it is the last stage and no later stage "
        "shows the quality of its entrants.",
    },
    "whatif.chart.title": {
        "ja": "{stage}の基準値ごとの人数と転換率",
        "en": "{stage} volume and conversion by threshold",
    },
    "whatif.chart.description": {
        "ja": "太い棒は基準値ごとの{stage}数（現行の{current}を色分け）、細い棒はそのうち期限内に"
        "{next}になった人数、線はその割合（右の軸）。",
        "en": "Wide bars: people becoming {stage} at each threshold (the current {current} in "
        "its own colour); narrow bars: those of them who became {next} within the window; line: "
        "their share (right axis).",
    },
    "whatif.chart.threshold_axis": {"ja": "基準値", "en": "Threshold"},
    "whatif.chart.volume_axis": {"ja": "{stage}数", "en": "{stage} entered"},
    "whatif.chart.rate_axis": {"ja": "{next}転換率", "en": "Became {next}"},
    "whatif.chart.reached": {"ja": "うち{next}になった人数", "en": "Of them, became {next}"},
    "whatif.chart.won": {"ja": "{last}の人数", "en": "{last} (people)"},
    "whatif.chart.won_default": {"ja": "受注", "en": "Won"},
    "whatif.chart.current": {"ja": "現行の基準値", "en": "Current threshold"},
    "whatif.chart.other": {"ja": "他の基準値", "en": "Other thresholds"},
}
