"""Texts of the monthly cause analysis for any company (merged into ``TEXTS`` via monthly's).

Bases of the segment splits, what a company's data lacks, the checklist's "no data" status,
and proposals for a KGI that is a count.
"""

CAUSE_TEXTS: dict[str, dict[str, str]] = {
    "where.basis": {
        "ja": "{driver}: {period}と{baseline}に{source}になった人のうち{target}になった割合を、"
        "同じ経過日数で比較（入ってから{window}日以内。それより日の浅い人はレビュー日までで、"
        "{period}の月末に入った人は{days}日。{baseline}の人は月の同じ日に入った{period}の人と"
        "同じ日数で数えます）。",
        "en": "{driver}: of the people who became {source} in {period} and in {baseline}, the "
        "share that became {target}, each at the same age: within {window} days of entering, "
        "or by the review date for those who have had less ({period}'s last day's entrants: "
        "{days} days); each of {baseline}'s entrants is read at the age of {period}'s entrant "
        "of the same day of the month.",
    },
    "where.basis_closed": {
        "ja": "{driver}: {period}に完了した商談の受注率（受注 ÷ 受注と失注）を{baseline}と比較。",
        "en": "{driver}: the win rate of the deals closed in {period} (won ÷ won and lost), "
        "against those closed in {baseline}.",
    },
    "where.left_out": {
        "ja": "分割・内訳・所見から外した列: {columns}。",
        "en": "Left out of every split, drill-down and finding: {columns}.",
    },
    "where.left_out.empty": {"ja": "{column}（値がない）", "en": "{column} (no lead has a value)"},
    "where.left_out.single": {
        "ja": "{column}（全員が同じ値）",
        "en": "{column} (every lead has the same value)",
    },
    "where.no_columns": {
        "ja": "リードに 2 つ以上の値を持つセグメントの列がないため、どの層から来たかは"
        "分析できません。取込プロファイルでチャネル・業種・企業規模などの列を対応付けてください"
        "（docs/import.md）。",
        "en": "No segment column has two or more values among the leads, so where the change "
        "came from cannot be analysed. Map the channel, industry, company size or other "
        "columns in the import profile (docs/import.md).",
    },
    "cause.none": {
        "ja": "この原因に当たる所見はありません（KGI の基準の {pct} 以上を失い、偶然では説明"
        "できない層なし）。",
        "en": "No finding in this family: no segment lost {pct} or more of the KGI's reference "
        "beyond chance.",
    },
    "cause.note": {
        "ja": "損失は、その層が全体より余分に失った人数（転換率はその基準で比較）。KGI の基準"
        "（目標、なければ前月）の {pct} 以上に当たり、偶然では説明できない層だけを所見とし、"
        "先に挙げた所見の人を除いても残るものに限ります。重なる層は「同じ原因で説明される」に"
        "挙げています。前期にいなかった層は損失ではなく新規です（コンテンツとキャンペーンを除く）。",
        "en": "Lost: the people the segment lost beyond its share of the whole change (each rate "
        "on its basis above). A segment is a finding only if its loss is worth {pct} or more of "
        "the KGI's reference (its target, else the previous month), is beyond chance, and "
        "remains once the people of earlier findings are left out; overlapping segments are "
        "listed under 'also explains'. A segment with nobody before is new, not a loss (but a "
        "content asset or campaign, judged by its quality).",
    },
    "missing.content": {
        "ja": "コンテンツ（資料・LP）もキャンペーンもリードに記録されていないため、{what}は"
        "分析できません。MA のコンテンツとキャンペーンの列を取込プロファイルで content_asset・"
        "campaign_id に対応付けると表示されます（docs/import.md）。",
        "en": "No lead has a content asset or a campaign, so {what} cannot be analysed. Map the "
        "MA's content and campaign columns to content_asset and campaign_id in the import "
        "profile to see it (docs/import.md).",
    },
    "col.kgi_cost": {"ja": "{kgi}への影響", "en": "Cost to {kgi}"},
    "content.what": {
        "ja": "コンテンツとキャンペーンの質と量",
        "en": "the quality and volume of content and campaigns",
    },
    "content.what_spend": {
        "ja": "コンテンツとキャンペーンの費用と到達 1 件あたり費用",
        "en": "the spend and cost per one reached of content and campaigns",
    },
    "content.note": {
        "ja": "{period}の{source}のうち{target}に到達した割合（{basis}）。「平均比の不足」は"
        "全体の率なら得られた件数との差。",
        "en": "Share of {period}'s {source} entrants that reached {target} ({basis}). 'Short of "
        "average': how many fewer than at everyone's rate.",
    },
    "content.basis_cohort": {
        "ja": "入ってから{window}日以内、日の浅い人はレビュー日まで。比較期間は同じ経過日数",
        "en": "within {window} days of entering, or by the review date for those who have had "
        "less; the baseline at the same age",
    },
    "content.basis_period": {
        "ja": "期間ベース: 期間内の到達 ÷ 期間内の流入",
        "en": "period basis: the period's entries into each stage",
    },
    "followup.what.family": {
        "ja": "フォローの原因（営業チームごとの転換）",
        "en": "the follow-up family (each sales team's conversion)",
    },
    "missing.one_team": {
        "ja": "全員が同じ営業チームのため、{what}はチーム間で比べられません。",
        "en": "Every lead has the same sales team, so {what} cannot be compared across teams.",
    },
    "followup.what.teams": {"ja": "チーム別の初回接触", "en": "first touch by team"},
    "followup.what.stalled": {"ja": "停滞している商談", "en": "stalled opportunities"},
    "followup.what.amounts": {"ja": "停滞商談の金額", "en": "the stalled deals' amounts"},
    "followup.month.stalled.summary_count": {
        "ja": "作成から{days}日以上たっても完了していない商談が {count} 件あります。",
        "en": "{count} open opportunities are {days} days old or more.",
    },
    # the checklist: a point without evidence has no data
    "check.status.nodata": {"ja": "データなし", "en": "No data"},
    "check.legend": {
        "ja": "判定: ✕ 問題 = データが原因を示しており対応の検討が必要／△ 要注意 = 変化はあるが"
        "問題の基準未満／○ 問題なし = 問題を示すはずのデータがあり、何も示していない／"
        "— データなし = 判定に使えるデータがストアにない（取り込むデータを根拠欄に記載）／"
        "？ 会議で議論 = データでは答えられないため会議で確認。セグメントの損失は、KGI の基準"
        "（目標、なければ前月）の {pct} 以上に当たるものを問題としています。",
        "en": "Assessment: ✕ Problem = the data points at a cause that needs a decision; "
        "△ Watch = something moved, below the threshold of a problem; ○ OK = the data that "
        "would show a problem exists and shows none; — No data = the store has no data to "
        "judge it by (the evidence names what to import); ? Discuss = data cannot answer it, "
        "settle it in the meeting. A segment's loss is a problem when it is worth {pct} or more "
        "of the KGI's reference (its target, else the previous month).",
    },
    "check.findings.watch": {
        "ja": "{scope}のセグメントに減少がありますが、問題とする基準（KGI の基準の {pct}）"
        "未満です: {finding}{more}。",
        "en": "A {scope} segment lost, but less than the {pct} of the KGI's reference of a "
        "problem: {finding}{more}.",
    },
    "check.findings.watch_people": {
        "ja": "{scope}のセグメントに減少がありますが、問題とする基準（{min} 人）未満です: "
        "{finding}{more}。",
        "en": "A {scope} segment lost, but less than the {min} people of a problem: "
        "{finding}{more}.",
    },
    "check.nodata.target": {
        "ja": "業種・企業規模・ペルソナ・地域のどの列にも（2 つ以上の）値がないため、"
        "ターゲットを層別に確かめられません。取込プロファイルでこれらの列を対応付けてください"
        "（docs/import.md）。",
        "en": "None of industry, company size, persona or region has values (two or more) on "
        "the leads, so the target cannot be checked by segment. Map these columns in the "
        "import profile (docs/import.md).",
    },
    "check.nodata.channel": {
        "ja": "チャネルの列に（2 つ以上の）値がないため、施策を層別に確かめられません。"
        "取込プロファイルで流入元の列を channel に対応付けてください（docs/import.md）。",
        "en": "The leads have no channel (or only one), so the measures cannot be checked by "
        "segment. Map the source column to channel in the import profile (docs/import.md).",
    },
    "check.nodata.content": {
        "ja": "コンテンツもキャンペーンもリードに記録されていないため、確かめられません。"
        "取込プロファイルで content_asset・campaign_id を対応付けてください（docs/import.md）。",
        "en": "No lead has a content asset or a campaign, so this cannot be checked. Map "
        "content_asset and campaign_id in the import profile (docs/import.md).",
    },
    "check.nodata.touches": {
        "ja": "接触の記録（電話・メール・商談）がストアにないため、フォローの速さは測れません。"
        "活動のエクスポートを取り込んでください（record: activities、docs/import.md）。",
        "en": "No touches (calls, e-mails, meetings) in the store, so follow-up speed cannot "
        "be measured. Import an activity export (record: activities; docs/import.md).",
    },
    "check.nodata.collab": {
        "ja": "接触の記録がないため、引き渡しを測るデータはありません。マーケティングから"
        "インサイドセールス・営業への引き渡しで滞った事例を持ち寄ってください（活動の"
        "エクスポートを取り込むと測れます。docs/import.md）。",
        "en": "No touches in the store, so no data measures the hand-offs: bring examples of "
        "hand-offs from marketing to inside sales and sales that stalled (importing an "
        "activity export measures them; docs/import.md).",
    },
    "check.sla.company": {
        "ja": "会社全体の SLA 達成率は {sla}（比較期間 {sla_before}）、初回接触までの中央値は "
        "{hours}（比較期間 {hours_before}）です（営業チームの記録はありません）。",
        "en": "Company-wide: {sla} within SLA (before: {sla_before}), median {hours} to first "
        "touch (before: {hours_before}); the leads have no sales team.",
    },
    "check.people.no_touches": {
        "ja": "接触の記録がないため人員は測れません（活動のエクスポートを取り込むと測れます）",
        "en": "no touches in the store, so people cannot be measured (import an activity export)",
    },
    "check.people.no_teams": {
        "ja": "営業チームの記録がないため、チーム別の人員は測れません",
        "en": "the leads have no sales team, so people by team cannot be measured",
    },
    "check.people.ok": {
        "ja": "{stage}が減っていないのに接触した人が {fall} 以上減ったチームはありません",
        "en": "no team touched {fall} fewer people or more while its {stage} entrants held",
    },
    "check.people.problem": {
        "ja": "{team}は{stage}が {mqls_before} → {mqls} 人と減っていないのに、接触済みは "
        "{touched_before} → {touched} 人（{change}）で、少ない手でより多くの{stage}を"
        "抱えています{more}",
        "en": "{team} touched {touched_before} → {touched} people ({change}) while its {stage} "
        "entrants went {mqls_before} → {mqls}: fewer hands for more {stage} entrants{more}",
    },
    "check.collab.untouched": {
        "ja": "今期の{stage} {mqls} 人のうち {share}（{never} 人）は一度も接触されていません。"
        "引き渡しの流れを議論する出発点にしてください。",
        "en": "{share} of the period's {mqls} {stage} entrants ({never}) were never touched: a "
        "starting point for discussing the hand-offs.",
    },
    "check.spend.none": {
        "ja": "キャンペーン費用がストアにないため予算は測れません（費用のファイルを取り込むと"
        "測れます）",
        "en": "no campaign costs in the store, so the budget cannot be measured (import a "
        "campaign-cost file)",
    },
    "check.spend.zero": {
        "ja": "今期と直前 3 か月にキャンペーン費用の記録がありません",
        "en": "no campaign spend is recorded for the period or the 3 months before",
    },
    # proposals for a KGI that is a count
    "proposal.effect_count": {
        "ja": "{driver}: +{people}{unit}/月",
        "en": "{driver}: +{people} {unit}/month",
    },
    "proposal.effect_kgi": {
        "ja": "{driver}: +{people}{unit}/月（{kgi} 約 +{value}）",
        "en": "{driver}: +{people} {unit}/month (≈ +{value} {kgi})",
    },
    "proposal.note_count": {
        "ja": "期待効果は、その層が{baseline}の率に戻った場合に{period}で得られた追加人数と、"
        "今月の下流の率で換算した{kgi}の目安です。下の決定シートに記入済みで、採用するものは"
        "そこに記録のコマンドがあります。",
        "en": "Expected effect: the extra people {period} would have had at the segment's "
        "{baseline} rate, and the {kgi} that is worth at this month's downstream rates. The "
        "decision sheet below lists them with the command that records each one adopted.",
    },
    "proposal.content": {
        "ja": "{segment}から来る人の{stage}判定（スコア）と導線を見直し、購買検討層に届くよう"
        "内容・CTA を改める",
        "en": "Re-check how the people of {segment} qualify as {stage} (scoring) and rework its "
        "call to action so that it reaches buyers",
    },
}
