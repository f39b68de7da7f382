"""Texts of the glossary: each metric in plain words, and the KPI tree."""

GLOSSARY_TEXTS: dict[str, dict[str, str]] = {
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
}
