"""Texts of the follow-up pulse (weekly) and the follow-up cause family (monthly)."""

FOLLOWUP_TEXTS: dict[str, dict[str, str]] = {
    # follow-up pulse (weekly): MQLs waiting for a first touch, by sales team
    "followup.summary": {
        "ja": "SLA（{within}以内の初回接触）を過ぎても未接触の{stage}は {count} 件"
        "（過去{days}日）。最も多いのは {team} の {team_count} 件。",
        "en": "{count} people who became {stage} in the last {days} days are past the SLA "
        "(first touch within {within}) and still untouched; most are with {team} "
        "({team_count}).",
    },
    "followup.summary_none": {
        "ja": "SLA（{within}以内の初回接触）を過ぎても未接触の{stage}はありません"
        "（過去{days}日）。",
        "en": "Nobody who became {stage} in the last {days} days is past the SLA (first touch "
        "within {within}) and still untouched.",
    },
    "followup.summary_week": {
        "ja": "{period}の SLA 達成率は {rate}（期限到来 {due} 件中 {in_sla} 件が期限内に接触）。",
        "en": "SLA met in {period}: {rate} ({in_sla} of {due} due touched in time).",
    },
    "followup.join": {"ja": "", "en": " "},
    "followup.hours": {"ja": "{value}時間", "en": "{value} h"},
    "followup.no_team": {"ja": "（チーム未設定）", "en": "(no team)"},
    "followup.status.act": {"ja": "✕ 要対応", "en": "✕ Act now"},
    "followup.status.watch": {"ja": "△ 注意", "en": "△ Watch"},
    "followup.status.ok": {"ja": "✓ 良好", "en": "✓ OK"},
    "followup.col.team": {"ja": "営業チーム", "en": "Sales team"},
    "followup.col.status": {"ja": "状況", "en": "Status"},
    "followup.col.overdue": {
        "ja": "期限超過・未接触（過去{days}日）",
        "en": "Overdue, untouched (last {days} days)",
    },
    "followup.col.oldest_wait": {"ja": "最長の待ち時間", "en": "Longest wait"},
    "followup.col.entered": {"ja": "今週の{stage}", "en": "{stage} this week"},
    "followup.col.due": {"ja": "期限到来", "en": "Due"},
    "followup.col.in_sla": {"ja": "期限内に接触", "en": "Touched in time"},
    "followup.col.sla_rate": {"ja": "SLA 達成率", "en": "Within SLA"},
    "followup.col.median": {"ja": "初回接触まで（中央値）", "en": "Median to first touch"},
    "followup.col.person": {"ja": "ID", "en": "ID"},
    "followup.col.company": {"ja": "会社名", "en": "Company"},
    "followup.col.channel": {"ja": "チャネル", "en": "Channel"},
    "followup.col.entered_at": {"ja": "{stage}になった日時", "en": "Became {stage}"},
    "followup.col.waiting": {"ja": "待ち時間", "en": "Waiting"},
    "followup.oldest_title": {
        "ja": "最も長く待っている未接触の{stage}（上位{n}件、{at}時点）",
        "en": "Longest-waiting untouched {stage} (top {n}, as of {at})",
    },
    "followup.note": {
        "ja": "期限到来 = 今週{stage}になり、基準日までに{within}が経過した人。"
        "期限内 = {within}未満に人が接触（ちょうど{within}は期限超過。自動配信は接触に含まない）。"
        "期限超過・未接触 = 過去{days}日に{stage}になり、{within}を過ぎても基準日時点で"
        "接触がない人。状況: ✕ 要対応 = 期限超過・未接触があり SLA 達成率が {goal} 未満、"
        "△ 注意 = どちらか一方、✓ 良好 = どちらもなし。",
        "en": "Due: became {stage} this week, and {within} had passed by the review date. "
        "In time: touched by a person in under {within} (exactly {within} is late; automated "
        "e-mails are not touches). Overdue, untouched: became {stage} in the last {days} days, "
        "past {within} and not touched by the review date. Status: ✕ Act now = overdue "
        "untouched people and SLA below {goal}; △ Watch = one of the two; ✓ OK = neither.",
    },
    "followup.no_sla": {
        "ja": "指標定義に SLA 指標がないため、初回接触の状況は表示できません。"
        "params/definitions.yml の metrics: に type: sla の項目"
        "（例: key: sla, type: sla, from: mql, within: 24h）を追加してください。",
        "en": "The definitions have no SLA metric, so the follow-up pulse cannot be shown. "
        "Add an entry of type sla under metrics: in params/definitions.yml "
        "(e.g. key: sla, type: sla, from: mql, within: 24h).",
    },
    # monthly: the follow-up cause family (first touch by team, stalled opportunities)
    "followup.month.col.mqls": {"ja": "今期の{stage}", "en": "{stage} this period"},
    "followup.month.col.sla_now": {"ja": "SLA 達成率（今期）", "en": "Within SLA (now)"},
    "followup.month.col.sla_before": {
        "ja": "SLA 達成率（比較期間）",
        "en": "Within SLA (before)",
    },
    "followup.month.col.median_now": {
        "ja": "初回接触まで 中央値（今期）",
        "en": "Median to first touch (now)",
    },
    "followup.month.col.median_before": {
        "ja": "初回接触まで 中央値（比較期間）",
        "en": "Median to first touch (before)",
    },
    "followup.month.col.never": {"ja": "未接触（割合）", "en": "Never touched (share)"},
    "followup.month.col.never_before": {
        "ja": "未接触の割合（比較期間）",
        "en": "Never touched, share (before)",
    },
    "followup.month.col.touched_now": {"ja": "接触済み（今期）", "en": "Touched (now)"},
    "followup.month.col.touched_before": {
        "ja": "接触済み（比較期間）",
        "en": "Touched (before)",
    },
    "followup.month.col.missed": {
        "ja": "いつもより多い期限超過",
        "en": "Late beyond usual",
    },
    "followup.month.count_share": {"ja": "{count}（{share}）", "en": "{count} ({share})"},
    "followup.month.days": {"ja": "{value}日", "en": "{value} d"},
    "followup.month.none": {
        "ja": "今期に{stage}になった人はいません。",
        "en": "Nobody became {stage} in this period.",
    },
    "followup.month.no_sla": {
        "ja": "指標定義に SLA 指標がないため、チーム別の初回接触は表示できません。"
        "params/definitions.yml の metrics: に type: sla の項目"
        "（例: key: sla, type: sla, from: mql, within: 24h）を追加してください。",
        "en": "The definitions have no SLA metric, so first touch by team cannot be shown. "
        "Add an entry of type sla under metrics: in params/definitions.yml "
        "(e.g. key: sla, type: sla, from: mql, within: 24h).",
    },
    "followup.month.note_periods": {
        "ja": "今期 = {period}、比較期間 = {baseline}。",
        "en": "Now = {period}; before = {baseline}.",
    },
    "followup.month.note": {
        "ja": "期限到来 = {stage}になってから基準日までに{within}が経過した人。"
        "SLA 達成率 = 期限到来のうち{within}未満に人が接触した割合"
        "（ちょうど{within}は期限超過。自動配信は接触に含まない）。"
        "未接触 = 基準日までに人の接触が一度もない人。"
        "接触済み = 基準日までに初回接触があった人（対応量の目安）。"
        "いつもより多い期限超過 = (比較期間の SLA 達成率 − 今期の SLA 達成率) × 期限到来"
        "（下がっていなければ 0）。接触はどちらの期間も基準日までを数える。",
        "en": "Due: became {stage} and {within} had passed by the review date. Within SLA: "
        "share of those due touched by a person in under {within} (exactly {within} is late; "
        "automated e-mails are not touches). Never touched: no touch by a person by the "
        "review date. Touched: first touched by the review date (a sign of the team's "
        "capacity). Late beyond usual: (SLA before − SLA now) × due, 0 when it did not "
        "fall. Touches are counted up to the review date for both periods.",
    },
    "followup.month.unknown_stage": {"ja": "（不明）", "en": "(unknown)"},
    "followup.month.stalled.summary": {
        "ja": "作成から{days}日以上たっても完了していない商談は {count} 件、合計 {amount}。",
        "en": "{count} open opportunities are {days} days old or more, worth {amount} in total.",
    },
    "followup.month.stalled.none": {
        "ja": "作成から{days}日以上たっても完了していない商談はありません。",
        "en": "No open opportunity is {days} days old or more.",
    },
    "followup.month.stalled.col.stage": {"ja": "ステージ", "en": "Stage"},
    "followup.month.stalled.col.count": {"ja": "件数", "en": "Deals"},
    "followup.month.stalled.col.amount": {"ja": "金額", "en": "Amount"},
    "followup.month.stalled.col.median_age": {
        "ja": "経過日数（中央値）",
        "en": "Median age",
    },
    "followup.month.stalled.col.opportunity": {"ja": "商談 ID", "en": "Opportunity"},
    "followup.month.stalled.col.age": {"ja": "経過日数", "en": "Age"},
    "followup.month.stalled.col.idle": {
        "ja": "最終接触からの日数",
        "en": "Since last touch",
    },
    "followup.month.stalled.oldest": {
        "ja": "最も古い商談（{total}件中 上位{n}件）",
        "en": "Oldest open opportunities (top {n} of {total})",
    },
    "followup.month.stalled.note_default": {
        "ja": "{days}日 = 直近{history}日に完了（受注・失注）した商談の、作成から完了までの日数の"
        "{quantile}パーセンタイル（切り上げ、最低{floor}日。完了した商談がなければ{fallback}日）。",
        "en": "{days} days: the {quantile}th percentile of days from creation to close of the "
        "deals closed (won or lost) in the last {history} days, rounded up, at least {floor} "
        "days ({fallback} days when none closed).",
    },
    "followup.month.stalled.note": {
        "ja": "経過日数 = 商談の作成から基準日までの日数。最終接触からの日数 = その人への"
        "人による最後の接触から基準日までの日数（— = 接触なし）。ステージ（不明）= "
        "基準日より後に完了した商談（基準日時点のステージは記録がない）。",
        "en": "Age: days from the opportunity's creation to the review date. Since last "
        "touch: days since the person's last touch by a person (— = never touched). Stage "
        "(unknown): closed after the review date (its stage at the review date is not "
        "recorded).",
    },
}
