"""Texts of the monthly cause checklist: its questions and the assessed checks."""

CHECKLIST_TEXTS: dict[str, dict[str, str]] = {
    "checklist.title": {"ja": "原因チェックリスト", "en": "Cause checklist"},
    "col.question": {"ja": "確認すること", "en": "Question"},
    "col.evidence": {"ja": "この資料の根拠", "en": "Evidence in this pack"},
    "checklist.1": {
        "ja": "ターゲット（業種・規模・ペルソナ）の定義は正しいか",
        "en": "Is the target definition right (persona, industry, company size)?",
    },
    "checklist.2": {
        "ja": "施策はターゲットの課題に合っているか",
        "en": "Do the measures match the target's problems?",
    },
    "checklist.3": {
        "ja": "コンテンツの質と量は十分か",
        "en": "Is content quality and volume sufficient?",
    },
    "checklist.4": {"ja": "リードへのフォローは迅速か", "en": "Is follow-up of leads timely?"},
    "checklist.5": {
        "ja": "MQL・SQL の定義は営業と合意しているか",
        "en": "Are the MQL and SQL definitions agreed with sales?",
    },
    "checklist.6": {
        "ja": "データの計測・集計は正しいか",
        "en": "Is the measurement and aggregation of data sound?",
    },
    "checklist.7": {
        "ja": "外部環境（競合・市場）は変化していないか",
        "en": "Has the external environment (competitors, market) changed?",
    },
    "checklist.8": {
        "ja": "リソース（人・予算）は計画どおりか",
        "en": "Are resources (people, budget) as planned?",
    },
    "checklist.9": {
        "ja": "ツール（MA/SFA）の設定は正しいか",
        "en": "Are the tools (MA/SFA) configured correctly?",
    },
    "checklist.10": {
        "ja": "マーケ・営業・インサイドセールスの連携は機能しているか",
        "en": "Does collaboration between marketing, sales and inside sales work?",
    },
    # monthly: the assessed cause checklist (reviewkit.analysis.checklist)
    "check.col.status": {"ja": "判定", "en": "Assessment"},
    "check.col.evidence": {"ja": "根拠", "en": "Evidence"},
    "check.status.problem": {"ja": "問題", "en": "Problem"},
    "check.status.watch": {"ja": "要注意", "en": "Watch"},
    "check.status.ok": {"ja": "問題なし", "en": "OK"},
    "check.status.discuss": {"ja": "会議で議論", "en": "Discuss"},
    "check.link": {"ja": "→ 該当箇所", "en": "→ see the evidence"},
    "check.join": {"ja": "、", "en": ", "},
    "check.and": {"ja": "と", "en": " and "},
    "check.more": {"ja": "（ほか {n} 件）", "en": " ({n} more)"},
    "check.points": {"ja": "{value}ポイント", "en": "{value} points"},
    "check.finding.rate": {
        "ja": "「{label}」の{driver}が {before} → {now}（規模相応を超える減少 {people} 人）",
        "en": "{label}: {driver} {before} → {now} ({people} people lost beyond its share)",
    },
    "check.finding.volume": {
        "ja": "「{label}」の{driver}が規模相応を超えて {people} 人減少",
        "en": "{label}: {driver} lost {people} people beyond its share",
    },
    "check.scope.target": {
        "ja": "業種・企業規模・ペルソナ・地域",
        "en": "target (industry, company size, persona or region)",
    },
    "check.scope.channel": {"ja": "チャネル", "en": "channel"},
    "check.scope.content": {"ja": "コンテンツ・キャンペーン", "en": "content or campaign"},
    "check.findings.problem": {
        "ja": "{scope}のセグメントに大きな減少があります: {finding}{more}。",
        "en": "A {scope} segment lost materially: {finding}{more}.",
    },
    "check.findings.ok": {
        "ja": "{scope}のセグメントに目立った減少はありません。",
        "en": "No {scope} segment lost notably.",
    },
    "check.sla.no_metric": {
        "ja": "指標定義に SLA 指標がないため判定できません（params/definitions.yml の metrics: に "
        "type: sla の項目を追加してください）。",
        "en": "The definitions have no SLA metric, so this cannot be assessed (add a type: sla "
        "metric under metrics: in params/definitions.yml).",
    },
    "check.sla.none_due": {
        "ja": "期限を迎えたリードがまだないため、SLA 達成率は出ていません。",
        "en": "No lead is due yet, so there is no SLA rate to assess.",
    },
    "check.sla.lowest": {
        "ja": "SLA 達成率が最も低いのは{team}で {sla}（比較期間 {sla_before}）、"
        "初回接触までの中央値は {hours}（比較期間 {hours_before}）です。",
        "en": "Lowest SLA: {team}, {sla} within SLA (before: {sla_before}), median {hours} to "
        "first touch (before: {hours_before}).",
    },
    "check.sla.fell": {
        "ja": "{team}の SLA 達成率が {sla_before} から {sla} へ {points}低下し、"
        "初回接触までの中央値は {hours_before} → {hours} です。",
        "en": "{team}'s SLA fell {points}, from {sla_before} to {sla}; median to first touch "
        "{hours_before} → {hours}.",
    },
    "check.dept.marketing": {"ja": "マーケティング", "en": "marketing"},
    "check.dept.sales": {"ja": "営業", "en": "sales"},
    "check.dept.inside_sales": {"ja": "インサイドセールス", "en": "inside sales"},
    "check.dept.sales_side": {"ja": "営業またはインサイドセールス", "en": "sales or inside sales"},
    "check.agreed.ok": {
        "ja": "{who}が {date} に合意した定義です（版 {version}）。",
        "en": "Agreed by {who} on {date} (version {version}).",
    },
    "check.agreed.old": {
        "ja": "{who}の合意は {date}（版 {version}）で、1 年以上見直されていません。",
        "en": "Agreed by {who} on {date} (version {version}), more than a year ago: due for "
        "review.",
    },
    "check.agreed.missing": {
        "ja": "合意者は{who}のみで、{missing}が合意していません（{date}、版 {version}）。",
        "en": "Agreed by {who} only; {missing} has not agreed ({date}, version {version}).",
    },
    "check.data.no_sources": {
        "ja": "どのデータソースにもレコードがありません。",
        "en": "No data source has any records.",
    },
    "check.data.stale": {
        "ja": "期間の最終日（{day}）より前でデータが止まっているソースがあります: {sources}。",
        "en": "Some sources end before the period's last day ({day}): {sources}.",
    },
    "check.data.source_last": {
        "ja": "{source}（最終 {date}）",
        "en": "{source} (last record {date})",
    },
    "check.data.source_none": {"ja": "{source}（レコードなし）", "en": "{source} (no records)"},
    "check.data.quarantine_some": {
        "ja": "取り込みで隔離した行は {rows} 件（{reasons}）",
        "en": "{rows} rows quarantined at import ({reasons})",
    },
    "check.data.quarantine_none": {
        "ja": "取り込みで隔離した行はなし",
        "en": "no rows quarantined at import",
    },
    "check.data.fresh": {
        "ja": "全 {n} ソースに期間の最終日（{day}）までのデータがあり、{quarantine}、"
        "チャネル不明の人は {share}（{no_channel} 人）です。",
        "en": "All {n} sources reach the period's last day ({day}); {quarantine}; {share} of "
        "people ({no_channel}) have no channel.",
    },
    "check.tools.facts": {
        "ja": "チャネル不明の人は {share}（{no_channel} 人）、名寄せで統合した重複レコードは "
        "{dup_share}（リード {records} 件中 {merged} 件）",
        "en": "{share} of people ({no_channel}) have no channel, and {dup_share} of lead "
        "records ({merged} of {records}) were merged duplicates",
    },
    "check.tools.ok": {"ja": "{facts}です。", "en": "{facts}."},
    "check.tools.watch": {"ja": "{facts}です。{hints}", "en": "{facts}. {hints}"},
    "check.hint.join": {"ja": "", "en": " "},
    "check.tools.hint_channel": {
        "ja": "流入元のないリードがあるため、フォームや広告の計測パラメータ（UTM など）を"
        "確認してください。",
        "en": "Leads arrive without a source: check the tracking parameters (UTM etc.) of "
        "forms and ads.",
    },
    "check.tools.hint_duplicates": {
        "ja": "MA→SFA 連携が重複レコードを作っている可能性があるため、同期設定を確認してください。",
        "en": "The MA→SFA sync may be creating duplicate records: check its settings.",
    },
    "check.people.none": {
        "ja": "チーム別のフォローのデータはありません",
        "en": "no follow-up data by team",
    },
    "check.spend.figures": {
        "ja": "キャンペーン費用は {now} で、直前 3 か月の平均 {before} に対し {change} です",
        "en": "campaign spend {now}, {change} against the 3-month average of {before}",
    },
    "check.resources": {
        "ja": "人員: {people}。予算: {spend}。",
        "en": "People: {people}. Budget: {spend}.",
    },
    "check.external": {
        "ja": "外部環境のデータはストアにないため、競合の動き（新製品・価格・キャンペーン）と"
        "市場・業界のニュースを会議に持ち寄ってください。",
        "en": "The store has no data on this: bring competitors' moves (launches, pricing, "
        "campaigns) and market or industry news to the meeting.",
    },
    "check.collab.none": {
        "ja": "連携を測るデータはありません。マーケティングからインサイドセールス・営業への"
        "引き渡しで滞った事例を持ち寄ってください。",
        "en": "No data measures this: bring examples of hand-offs from marketing to inside "
        "sales and sales that stalled.",
    },
    "hours": {"ja": "{value}時間", "en": "{value} h"},
}
