"""Every user-facing word of a pack, in Japanese and English."""

from __future__ import annotations

from reviewkit.errors import ParameterError
from reviewkit.i18n.texts_actions import ACTIONS_TEXTS
from reviewkit.i18n.texts_batch import BATCH_TEXTS
from reviewkit.i18n.texts_calendar import CALENDAR_TEXTS
from reviewkit.i18n.texts_cycle import CYCLE_TEXTS
from reviewkit.i18n.texts_effects import EFFECTS_TEXTS
from reviewkit.i18n.texts_explore import EXPLORE_TEXTS
from reviewkit.i18n.texts_import import IMPORT_TEXTS
from reviewkit.i18n.texts_index import INDEX_TEXTS
from reviewkit.i18n.texts_missing import MISSING_TEXTS
from reviewkit.i18n.texts_monthly import MONTHLY_TEXTS
from reviewkit.i18n.texts_plan import PLAN_TEXTS
from reviewkit.i18n.texts_quarterly import QUARTERLY_TEXTS
from reviewkit.i18n.texts_relevance import RELEVANCE_TEXTS
from reviewkit.i18n.texts_templates import TEMPLATE_TEXTS
from reviewkit.i18n.texts_timing import TIMING_TEXTS
from reviewkit.i18n.texts_trends import TRENDS_TEXTS
from reviewkit.i18n.texts_weekly import WEEKLY_TEXTS
from reviewkit.i18n.texts_whatif import WHATIF_TEXTS

LANGS = ("ja", "en")

TEXTS: dict[str, dict[str, str]] = {
    # review titles
    "title.weekly": {"ja": "週次レビュー", "en": "Weekly review"},
    "title.monthly": {"ja": "月次レビュー", "en": "Monthly review"},
    "title.quarterly": {"ja": "四半期レビュー", "en": "Quarterly review"},
    "purpose.weekly": {
        "ja": "目標に対する進捗とペースを確認し、異常を早期に見つける（15分）",
        "en": "Progress and pace against target; catch anomalies early (15 min)",
    },
    "purpose.monthly": {
        "ja": "未達の原因を特定し、改善策を決める（60分）",
        "en": "Find why KPIs were missed and decide improvements (60 min)",
    },
    "purpose.quarterly": {
        "ja": "KPIそのものを見直し、目標を再設定する（90分）",
        "en": "Re-evaluate the KPIs themselves and re-set targets (90 min)",
    },
    # header
    "header.period": {"ja": "対象期間", "en": "Period"},
    "header.as_of": {"ja": "基準日", "en": "As of"},
    "header.freshness": {"ja": "データ更新", "en": "Data as of"},
    "header.definitions": {"ja": "指標定義", "en": "Definitions"},
    "header.no_data": {"ja": "データなし", "en": "no data"},
    "header.stale": {
        "ja": "注意: データが対象期間の終わりまで揃っていません",
        "en": "Note: the data does not reach the end of the period",
    },
    # sections
    "section.summary": {"ja": "要約", "en": "Summary"},
    "section.kpi_status": {"ja": "KPI の状況", "en": "KPI status"},
    "section.weekly.deviations": {"ja": "異常と乖離", "en": "Anomalies and deviations"},
    "section.monthly.deviations": {"ja": "乖離と原因", "en": "Deviations and causes"},
    "section.quarterly.deviations": {"ja": "KPI の見直し", "en": "Re-evaluating the KPIs"},
    "section.weekly.decisions": {"ja": "対応の判断", "en": "Decisions"},
    "section.monthly.decisions": {"ja": "改善の意思決定", "en": "Improvement decisions"},
    "section.quarterly.decisions": {"ja": "目標の再設定", "en": "Re-setting targets"},
    "section.actions": {"ja": "アクションと担当", "en": "Actions and owners"},
    "section.glossary": {"ja": "付録: 指標の定義", "en": "Appendix: metric definitions"},
    "agenda.title": {"ja": "アジェンダ（{minutes}分）", "en": "Agenda ({minutes} min)"},
    "agenda.minutes": {"ja": "{minutes}分", "en": "{minutes} min"},
    "agenda.appendix": {"ja": "付録", "en": "Appendix"},
    # scorecard
    "col.metric": {"ja": "指標", "en": "Metric"},
    "col.actual": {"ja": "実績", "en": "Actual"},
    "col.target": {"ja": "目標", "en": "Target"},
    "col.achievement": {"ja": "達成率", "en": "Achieved"},
    "col.status": {"ja": "状況", "en": "Status"},
    "col.previous": {"ja": "前期間", "en": "Previous"},
    "col.change": {"ja": "前期間比", "en": "Change"},
    "col.owner": {"ja": "担当", "en": "Owner"},
    "col.definition": {"ja": "定義", "en": "Definition"},
    "col.rate": {"ja": "転換率", "en": "Rate"},
    "col.basis": {"ja": "基準", "en": "Basis"},
    "col.other_basis": {"ja": "別基準での値", "en": "On the other basis"},
    "col.change_points": {"ja": "前期間差", "en": "Change"},
    "basis.cohort": {"ja": "コホート（{window}以内）", "en": "Cohort (within {window})"},
    "basis.period": {"ja": "期間", "en": "Period"},
    "rate.maturing": {"ja": "（集計途中）", "en": "(maturing)"},
    "rate.points": {"ja": "{value}pt", "en": "{value} pts"},
    "rates.note": {
        "ja": "コホート基準は期間内に前の段階に入った人のうち、期限内に次の段階に達した割合。"
        "「集計途中」は期限がまだ経過していないコホートで、今後上がりうる（未達と判断しない）。"
        "別基準の値は、コホートと期間の差が {gap} 以上のときに表示。",
        "en": "Cohort basis: of the people entering the earlier stage in the period, the share "
        "reaching the next within the window. 'Maturing' cohorts have not had their whole "
        "window yet and may still rise: not a miss. The other basis is shown when cohort and "
        "period rates differ by {gap} or more.",
    },
    "status.met": {"ja": "✓ 達成", "en": "✓ Met"},
    "status.near": {"ja": "△ やや未達", "en": "△ Slightly short"},
    "status.missed": {"ja": "✕ 未達", "en": "✕ Missed"},
    "status.no_target": {"ja": "― 目標なし", "en": "― No target"},
    "status.no_data": {"ja": "― データなし", "en": "― No data"},
    "scorecard.note": {
        "ja": "件数は期間内にその段階に入った人数（MAとSFAの重複は名寄せ済み）。"
        "達成率 ≥ 100% で達成、90% 以上でやや未達。前期間は {previous}。",
        "en": "Counts are people entering each stage in the period (MA/SFA duplicates merged). "
        "Met at ≥ 100% of target, slightly short at ≥ 90%. Previous period: {previous}.",
    },
    "owner.marketing": {"ja": "マーケティング", "en": "Marketing"},
    "owner.inside_sales": {"ja": "インサイドセールス", "en": "Inside sales"},
    "owner.sales": {"ja": "営業", "en": "Sales"},
    "definitions.agreement": {
        "ja": "定義 v{version}（{agreed_on} 合意: {agreed_by}／ハッシュ {hash}）",
        "en": "Definitions v{version} (agreed on {agreed_on} by {agreed_by}; hash {hash})",
    },
    # glossary: each metric in plain words
    "glossary.segments_title": {
        "ja": "定義で追加したセグメント",
        "en": "Segments the definitions add",
    },
    "glossary.segments_note": {
        "ja": "各リードは、上から順に最初にルールが当てはまった値に分類されます"
        "（リードの現在の属性で判定）。",
        "en": "Each lead takes the value of the first rule that holds for its current attributes.",
    },
    "glossary.segment_dimension": {"ja": "区分", "en": "Dimension"},
    "glossary.segment_value": {"ja": "値", "en": "Value"},
    "glossary.segment_rule": {"ja": "ルール", "en": "Rule"},
    "glossary.segment_otherwise": {
        "ja": "どのルールにも当てはまらないリード",
        "en": "Leads no rule holds for",
    },
    "glossary.conversion_label": {"ja": "{a}→{b} 転換率", "en": "{a} to {b} rate"},
    "glossary.count": {
        "ja": "期間内に「{stage}」に初めて入った人数。",
        "en": "People entering the {stage} stage for the first time in the period.",
    },
    "glossary.stage_event": {
        "ja": "記録されたステージイベント「{event}」で判定。",
        "en": "Entered at the recorded stage event '{event}'.",
    },
    "glossary.stage_rule": {
        "ja": "条件「{rule}」を満たしたとき（{at}）。",
        "en": "Entered when the rule '{rule}' holds ({at}).",
    },
    "glossary.at_first_held": {
        "ja": "スコア履歴で初めて満たした時点",
        "en": "from the first time it held in the score history",
    },
    "glossary.at_created": {"ja": "リード作成日時で計上", "en": "counted at lead creation"},
    "glossary.at_stage": {"ja": "「{stage}」に入った時点", "en": "at the time of entering {stage}"},
    "glossary.cohort": {
        "ja": "コホート基準: 期間内に「{a}」に入った人のうち、{window}以内に「{b}」に達した割合。"
        "分子 = そのうち{b}に達した人数、分母 = 期間内に{a}に入った人数。期間末から{window}"
        "経過前のコホートは「集計途中」と表示。",
        "en": "Cohort basis: of the people entering the {a} stage in the period, the share "
        "reaching {b} within {window}. Numerator: those reaching {b}; denominator: people "
        "entering {a} in the period. Cohorts whose {window} window has not elapsed are "
        "marked as maturing.",
    },
    "glossary.period": {
        "ja": "期間基準: 期間内に「{b}」に入った人数 ÷ 期間内に「{a}」に入った人数"
        "（別の時期のリードが混ざるため100%を超えることがある）。",
        "en": "Period basis: people entering the {b} stage in the period / people entering "
        "the {a} stage in the period (mixes cohorts, so it can exceed 100%).",
    },
    "glossary.win_rate_count": {
        "ja": "期間内に受注した商談数 ÷ 期間内にクローズ（受注＋失注）した商談数。"
        "進行中の商談は含まない。",
        "en": "Deals won in the period / deals closed (won + lost) in the period, by count. "
        "Open deals are excluded.",
    },
    "glossary.win_rate_amount": {
        "ja": "期間内の受注金額 ÷ 期間内にクローズ（受注＋失注）した商談の金額。",
        "en": "Amount won in the period / amount of deals closed (won + lost) in the period.",
    },
    "glossary.average_deal_size": {
        "ja": "期間内の受注金額 ÷ 期間内に受注した商談数。",
        "en": "Revenue won in the period / number of deals won in the period.",
    },
    "glossary.sales_cycle": {
        "ja": "期間内に受注した商談の、商談作成から受注までの日数の中央値。",
        "en": "Median days from opportunity created to won, for deals won in the period.",
    },
    "glossary.pipeline_coverage": {
        "ja": "基準日時点の進行中商談の金額 ÷（期間の受注金額目標 − 期間内の受注済み金額）。",
        "en": "Open pipeline at the review date / (the period's revenue target - revenue "
        "already booked in the period).",
    },
    "glossary.speed_to_lead": {
        "ja": "期間内に「{stage}」に入った人について、初回の人による接触"
        "（電話・メール等。自動配信は除く）までの時間の中央値。",
        "en": "Median time from entering the {stage} stage to the first human touch (call, "
        "e-mail, meeting; automated e-mails excluded), for people entering it in the period.",
    },
    "glossary.sla": {
        "ja": "期間内に「{stage}」に入り{within}が経過した人のうち、"
        "{within}以内に人が接触した割合。",
        "en": "Of the people entering the {stage} stage in the period whose first {within} "
        "have passed, the share touched by a person within {within}.",
    },
    "glossary.cost_per": {
        "ja": "期間内の施策費用（キャンペーン費用を期間の日数で按分）÷ 期間内の「{stage}」の人数。"
        "営業チーム・業種などの切り口では費用を配分できないため表示しない。",
        "en": "Campaign cost in the period (each campaign's cost spread evenly over its days) / "
        "people entering the {stage} stage in the period. Not shown for cuts such as sales team or "
        "industry, to which cost cannot be attributed.",
    },
    "glossary.tree": {
        "ja": "KPIツリー: {kgi} = {tree}",
        "en": "KPI tree: {kgi} = {tree}",
    },
    # summary sentences
    "summary.join": {"ja": "、", "en": "; "},
    # charts
    "chart.trend.title": {"ja": "実績と目標の推移", "en": "Actual against target"},
    "chart.trend.choose": {"ja": "指標:", "en": "Metric:"},
    "chart.trend.description": {
        "ja": "直近{n}期間の各指標の実績（実線）と目標（破線）。指標はプルダウンで切り替え。",
        "en": "Each metric's actual (solid) and target (dashed) over the last {n} periods; "
        "choose the metric in the dropdown.",
    },
    "chart.funnel.title": {"ja": "ファネル（実績と目標）", "en": "The funnel against target"},
    "chart.funnel.description": {
        "ja": "{period}の各段階の目標達成率（棒。縦線が100%）と人数。状況は記号と文字で表示。",
        "en": "Each stage's share of its target in {period} (bars; the line is 100%) and "
        "its count, with status in symbols and words.",
    },
    "series.actual": {"ja": "実績", "en": "Actual"},
    "series.target": {"ja": "目標", "en": "Target"},
    # deviations
    "col.segment": {"ja": "セグメント", "en": "Segment"},
    "col.people": {"ja": "人数", "en": "People"},
    "segment.unknown": {"ja": "（不明）", "en": "(unknown)"},
    "dimension.channel": {"ja": "チャネル", "en": "channel"},
    "dimension.content_asset": {"ja": "コンテンツ", "en": "content asset"},
    "dimension.sales_team": {"ja": "営業チーム", "en": "sales team"},
    "dimension.company_size": {"ja": "企業規模", "en": "company size"},
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
    # decisions and actions
    "decisions.note": {
        "ja": "会議で決めた改善策を記入（印刷して使えます）。"
        "対象の指標・セグメント、担当、期限を明記。",
        "en": "Write down the improvements decided in the meeting (printable): the KPI and "
        "segment each aims to move, the owner and the due date.",
    },
    "col.number": {"ja": "#", "en": "#"},
    "col.decision": {"ja": "決定事項", "en": "Decision"},
    "col.target_kpi": {"ja": "対象の指標・セグメント", "en": "KPI and segment"},
    "col.due": {"ja": "期限", "en": "Due"},
    "actions.none": {
        "ja": "記録されたアクションはまだありません。"
        "会議で決めたアクションは params/actions.yml に記録します。",
        "en": "No actions are recorded yet. Record the actions decided in the meeting in "
        "params/actions.yml.",
    },
    # data quality
    "quality.title": {"ja": "データ品質", "en": "Data quality"},
    "quality.source": {"ja": "データソース", "en": "Source"},
    "quality.last_record": {"ja": "最新のデータ", "en": "Latest record"},
    "quality.last_import": {"ja": "最終取込", "en": "Last import"},
    "quality.records": {"ja": "件数", "en": "Records"},
    "quality.facts": {
        "ja": "リードレコード {records}件、人数 {persons}人"
        "（MA と SFA の重複 {merged}件を名寄せ）。流入元が不明な人 {no_channel}（{share}）。",
        "en": "{records} lead records, {persons} people ({merged} MA/SFA duplicates merged). "
        "People without a channel: {no_channel} ({share}).",
    },
    "quality.facts_one_source": {
        "ja": "リードレコード {records}件、人数 {persons}人。データ元は {source} の 1 つだけの"
        "ため、システム間の重複の名寄せはありません。流入元が不明な人 {no_channel}（{share}）。",
        "en": "{records} lead records, {persons} people. One source system only ({source}), so "
        "there are no duplicates across systems to merge. People without a channel: "
        "{no_channel} ({share}).",
    },
    "quality.quarantine": {
        "ja": "取込で保留した行（理由別）: {items}",
        "en": "Rows held back at import, by reason: {items}",
    },
    "quality.no_quarantine": {
        "ja": "取込で保留した行はありません。",
        "en": "No rows were held back at import.",
    },
    "quality.never": {"ja": "—", "en": "—"},
    "header.newer_data": {
        "ja": "参考: ストアには {date} までのデータがありますが、この資料はレビュー日より前の"
        "データだけを使っています",
        "en": "For reference: the store holds data up to {date}; this pack uses only the data "
        "before the review date",
    },
    "header.stale_source": {
        "ja": "注意: {source} のデータは {day} までで、対象期間の終わりに届いていません",
        "en": "Note: {source} data ends on {day}, before the end of the period",
    },
    "header.foreign_currency": {
        "ja": "注意: ストアに {currency} 以外の通貨の金額があります（{counts}）。金額はすべて "
        "{currency} として表示しています。会社の通貨が違うなら params/workspace.yml の currency: "
        "を、取込の誤りなら取込プロファイルの currency: を直して取り込み直してください",
        "en": "Note: the store holds amounts in another currency than {currency} ({counts}); "
        "every amount is shown as {currency}. If the company works in another currency, set "
        "currency: in params/workspace.yml; if the import was wrong, re-import with the right "
        "currency: in the source profile",
    },
    "header.foreign_currency.opportunities": {
        "ja": "商談 {n}件が {currency}",
        "en": "{n} opportunities in {currency}",
    },
    "header.foreign_currency.campaigns": {
        "ja": "キャンペーン {n}件が {currency}",
        "en": "{n} campaigns in {currency}",
    },
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
    # weekly: pacing
    "pace.col.kpi": {"ja": "指標", "en": "KPI"},
    "pace.col.week": {"ja": "今週 実績／目標", "en": "This week: actual / target"},
    "pace.col.to_date": {
        "ja": "{period} 累計／期待値 · ペース",
        "en": "{period} to date / expected · pace",
    },
    "pace.col.projection": {
        "ja": "{period} 着地見込み（80%範囲）／目標",
        "en": "{period} projection (80% range) / target",
    },
    "pace.col.required": {"ja": "残り必要（週あたり）", "en": "Needed per week"},
    "pace.col.status": {"ja": "状況", "en": "Status"},
    "pace.status.met": {"ja": "✓ 順調", "en": "✓ On pace"},
    "pace.status.near": {"ja": "△ やや遅れ", "en": "△ Slightly behind"},
    "pace.status.missed": {"ja": "✕ 遅れ", "en": "✕ Behind"},
    "pace.status.no_target": {"ja": "― 目標なし", "en": "― No target"},
    "pace.status.early": {"ja": "… 判断は早い", "en": "… Too early to judge"},
    "pace.status.no_data": {"ja": "― データなし", "en": "― No data"},
    "pace.early": {"ja": "見込み未確定（{low}〜{high}）", "en": "Too early ({low}–{high})"},
    "pace.early_no_range": {"ja": "見込み未確定", "en": "Too early to project"},
    "pace.range": {"ja": "{point}（{low}〜{high}）", "en": "{point} ({low}–{high})"},
    "pace.done": {"ja": "達成済み", "en": "Reached"},
    "pace.times": {"ja": "（現ペースの{times}倍）", "en": " ({times}× current pace)"},
    "pace.closed_title": {"ja": "{period} の着地", "en": "How {period} closed"},
    "pace.note": {
        "ja": "{through}時点。期待値は各月の目標 ×（経過した日の重みの割合）。日の重み"
        "は自社の過去1年の実績"
        "（曜日・{days_off}・月末）から算出（暦日按分の期待値はツール"
        "チップ）。着地見込みは"
        "これまでのペースを残りの日の重みで延長したもの。範囲は過去の同じ時点の見込み誤差の10〜90%"
        "（履歴が足りない件数は偶然変動から算出）。経過が{min_share}未満、または"
        "範囲が目標の{max_width}"
        "より広いときは「見込み未確定」。残り必要は（目標−累計）÷残りの暦日×7。",
        "en": "As of {through}. Expected = each month's target × the share of its day weight "
        "elapsed; day weights come from the company's own past year (weekday, {days_off}, "
        "month end); the calendar-day expectation is in the tooltips. The "
        "projection continues the pace so far over the remaining days' weights; its range is the "
        "10th–90th percentile of past projection errors at the same point (counting noise when "
        "history is short). Below {min_share} elapsed, or with a range wider than {max_width} of "
        "the target, the pack says it is too early. Needed per week = (target − to date) ÷ "
        "remaining calendar days × 7.",
    },
    "pace.tooltip": {
        "ja": "{label}: 累計 {actual}／期待値 {expected}（暦日按分 {linear}）、見込み"
        " {projected}、目標 {target}",
        "en": "{label}: {actual} to date vs {expected} expected ({linear} by calendar days); "
        "projection {projected}; target {target}",
    },
    "chart.pace.title": {
        "ja": "目標ペース（目標に対する割合）",
        "en": "Pace to target (share of target)",
    },
    "chart.pace.description": {
        "ja": "指標ごとの横棒: 太い棒が累計、黒い縦線が今日までの期待値、破線が着地見"
        "込み、灰色の帯が見込みの範囲、100%の線が目標。",
        "en": "One bullet per KPI: the thick bar is the total to date, the black tick the "
        "expected to date, the dashed tick the projection, the grey band its range, the 100% "
        "rule the target.",
    },
    "chart.pace.expected": {"ja": "期待値", "en": "expected"},
    "chart.pace.projection": {"ja": "着地見込み", "en": "projection"},
    "chart.pace.target": {"ja": "目標", "en": "target"},
    "chart.trend.band": {"ja": "目標帯（90〜100%）", "en": "Target band (90–100%)"},
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
    # weekly: anomalies
    "dimension.campaign_id": {"ja": "キャンペーン", "en": "campaign"},
    "dimension.industry": {"ja": "業種", "en": "industry"},
    "dimension.whole": {"ja": "ファネル全体", "en": "whole funnel"},
    "alert.segment": {"ja": "{dimension}「{segment}」", "en": "{dimension} “{segment}”"},
    "alert.rate": {
        "ja": "{where}の{measure}が {value}（通常 {normal}"
        "、{points}）。{window}の{from_stage} {n}件で"
        "、{to_stage}が約{impact}人{direction}。{since}",
        "en": "{measure} in {where} {moved} to {value} (normal {normal}, {points}) over {window}: "
        "{n} {from_stage}, about {impact} {direction} {to_stage}. {since}",
    },
    "alert.count": {
        "ja": "{where}の{measure}が {value}件（通常 {normal}件、{change}）。{since}",
        "en": "{measure} in {where} {moved} to {value} (normal {normal}, {change}). {since}",
    },
    "alert.up": {"ja": "多い", "en": "rose"},
    "alert.down": {"ja": "少ない", "en": "fell"},
    "alert.more": {"ja": "多い", "en": "more"},
    "alert.fewer": {"ja": "少ない", "en": "fewer"},
    "alert.week": {"ja": "今週", "en": "this week"},
    "alert.weeks": {"ja": "直近{n}週", "en": "the last {n} weeks"},
    "alert.since": {"ja": "{day}の週から続いています。", "en": "Since the week of {day}."},
    "alert.since_now": {"ja": "今週からの動きです。", "en": "New this week."},
    "alert.new_segment": {
        "ja": "（新しい区分のため全体の通常値と比較）",
        "en": " (new: compared with everyone's normal)",
    },
    "alert.also": {"ja": "同じ動きの現れ: {items}", "en": "The same change also shows in: {items}"},
    "alert.and_more": {"ja": "ほか{n}件", "en": "and {n} more"},
    "alert.sla_measure": {"ja": "SLA内の初回接触率", "en": "first touch within SLA"},
    "alert.more_title": {"ja": "その他のアラート（{n}件）", "en": "Other alerts ({n})"},
    "alert.none": {
        "ja": "今週は通常の範囲を外れた動きはありません（{tested}系列を検定）。",
        "en": "Nothing moved outside its normal range this week ({tested} series tested).",
    },
    "alert.col.alert": {"ja": "アラート", "en": "Alert"},
    "alert.col.explained": {"ja": "説明する主要アラート", "en": "Explained by"},
    "alert.chart.value": {"ja": "実績", "en": "actual"},
    "alert.chart.normal": {"ja": "通常の範囲", "en": "normal range"},
    "alert.method": {
        "ja": "検出方法: 件数は週ごとの件数を週の重み（曜日・{days_off}）で割り、過去{weeks}"
        "週の中央値とMADで通常の範囲を作る"
        "（ばらつきの下限はポアソン）。率は段階間の期間ベース転換率（と SLA 内接"
        "触率）を今週および直近{recent}週で、"
        "それ以前の{weeks}週の合算と比較（2標本の比率検定、少数ならフィッシャー"
        "の正確検定）。新しい区分は全体の通常値と比較。"
        "件数{min_expected}未満・分母が1週あたり{min_n}未満（SLA は期間合計で{min_n}未満）の"
        "系列と、区分の値が不明な人の系列は検定しない。検定した{tested}"
        "系列全体で偽発見率{fdr}に制御"
        "（ベンジャミニ＝ホッホベルグ法）し、影響が件数で{min_count}件かつ{min_rel}"
        "以上、率で{min_impact}人以上のものだけを表示。"
        "ある区分の人を除くと変化が半分以下になるアラート、およびファネル全体の件数の動きに"
        "沿っただけの区分の件数は、そのアラートに「同じ動きの現れ」としてまとめる。",
        "en": "Method: counts are divided by each week's weight (weekday, {days_off}); "
        "the normal range is the median and MAD of the {weeks} weeks before (never narrower than "
        "Poisson noise). Rates (stage-to-stage on the period basis, and first touch within SLA) "
        "are tested for this week and the last {recent} weeks against the {weeks} weeks before, "
        "pooled (two-proportion z-test; Fisher's exact test for small counts); a new segment is "
        "compared with everyone's normal. Series under {min_expected} (counts) or {min_n} entrants "
        "a week (rates; the SLA: {min_n} in the window), and people with no value in a "
        "segment column, are not tested. The false discovery rate across the {tested} series "
        "tested this week is held at {fdr} (Benjamini–Hochberg), and only changes of at "
        "least {min_count} people and {min_rel} (counts) or {min_impact} people (rates) are "
        "shown. An alert whose change halves without one segment's people, or a segment's count "
        "that only follows the whole funnel's, is listed under that alert.",
    },
    # index page
    "index.title": {"ja": "レビュー資料一覧", "en": "Review packs"},
    "index.cadence": {"ja": "種類", "en": "Review"},
    "index.period": {"ja": "期間", "en": "Period"},
    "index.lang": {"ja": "言語", "en": "Language"},
    "index.built": {"ja": "作成日時", "en": "Built"},
    "index.empty": {
        "ja": "まだ資料がありません。`reviewkit run monthly` で作成できます。",
        "en": "No packs yet. Build one with `reviewkit run monthly`.",
    },
    "index.failed": {"ja": "失敗した実行", "en": "Failed runs"},
    "index.pack": {"ja": "資料", "en": "Pack"},
    "index.status": {"ja": "状況", "en": "Status"},
    "index.freshness": {"ja": "データ更新", "en": "Data as of"},
    "index.previous": {"ja": "前回の資料", "en": "Previous pack"},
    "index.notebook": {"ja": "実行済みノートブック", "en": "Executed notebook"},
    "index.status.ok": {"ja": "✓ 正常", "en": "✓ OK"},
    "index.status.failed": {"ja": "✕ 失敗", "en": "✕ Failed"},
    "index.status.stale": {"ja": "△ データ未確定", "en": "△ Stale data"},
    "index.earlier": {"ja": "以前の実行", "en": "earlier run"},
    "index.published_earlier": {
        "ja": "公開中の資料は以前の実行のもの",
        "en": "the published pack is from an earlier run",
    },
    "index.more_failed": {
        "ja": "ほかに失敗した実行 {n} 件（_failed/ に保存）",
        "en": "{n} more failed runs (kept in _failed/)",
    },
    "lang.ja": {"ja": "日本語", "en": "Japanese"},
    "lang.en": {"ja": "英語", "en": "English"},
}
for _texts in (
    MONTHLY_TEXTS, ACTIONS_TEXTS, CYCLE_TEXTS, EFFECTS_TEXTS, QUARTERLY_TEXTS, TRENDS_TEXTS,
    RELEVANCE_TEXTS, WHATIF_TEXTS, PLAN_TEXTS, BATCH_TEXTS, INDEX_TEXTS, EXPLORE_TEXTS,
    TEMPLATE_TEXTS, CALENDAR_TEXTS, IMPORT_TEXTS, MISSING_TEXTS, WEEKLY_TEXTS, TIMING_TEXTS,
):  # fmt: skip
    TEXTS.update(_texts)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a pack language, else raise :class:`ParameterError`."""
    if lang not in LANGS:
        raise ParameterError(f"lang: {lang!r} is not a pack language; use ja or en")
    return lang


# Labels of the segment dimensions a definitions file adds (``segments:``), by column key.
DIMENSION_LABELS: dict[str, dict[str, str]] = {}


def add_dimension_labels(labels: dict[str, dict[str, str]]) -> None:
    """Make ``t("dimension.<key>")`` give these labels (``{key: {"ja": ..., "en": ...}}``).

    Called when a funnel is bound to definitions that add dimensions; a later call for the same
    key replaces its label.
    """
    DIMENSION_LABELS.update(labels)


def t(key: str, lang: str, **values: object) -> str:
    """Return the text ``key`` in ``lang``, with ``{name}`` fields filled from ``values``."""
    entry = TEXTS.get(key)
    if entry is None and key.startswith("dimension."):
        name = key.removeprefix("dimension.")
        entry = DIMENSION_LABELS.get(name, {"ja": name, "en": name})
    if entry is None:
        raise KeyError(key)
    text = entry[check_lang(lang)]
    return text.format(**values) if values else text
