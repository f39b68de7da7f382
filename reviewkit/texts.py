"""Every user-facing word of a pack, in Japanese and English."""

from __future__ import annotations

from reviewkit.errors import ParameterError

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
    "section.kpi_status": {"ja": "KPI の状況", "en": "KPI status"},
    "section.glossary": {"ja": "指標の定義", "en": "Metric definitions"},
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
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a pack language, else raise :class:`ParameterError`."""
    if lang not in LANGS:
        raise ParameterError(f"lang: {lang!r} is not a pack language; use ja or en")
    return lang


def t(key: str, lang: str, **values: object) -> str:
    """Return the text ``key`` in ``lang``, with ``{name}`` fields filled from ``values``."""
    text = TEXTS[key][check_lang(lang)]
    return text.format(**values) if values else text
