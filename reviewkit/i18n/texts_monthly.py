"""Texts of the monthly review's gap, cause and proposal sections (merged into ``TEXTS``)."""

from reviewkit.i18n.texts_causes import CAUSE_TEXTS

MONTHLY_TEXTS: dict[str, dict[str, str]] = {
    "dimension.persona": {"ja": "役職", "en": "persona"},
    "dimension.region": {"ja": "地域", "en": "region"},
    "gap.title": {"ja": "{kgi}の差はどこから来たか", "en": "Where the gap came from"},
    "gap.comparison.target": {"ja": "目標比", "en": "vs target"},
    "gap.comparison.previous": {"ja": "前月比", "en": "vs previous month"},
    "gap.comparison.last_year": {"ja": "前年同月比", "en": "vs same month last year"},
    "gap.reference.target": {"ja": "目標", "en": "Target"},
    "gap.reference.previous": {"ja": "前月", "en": "Previous month"},
    "gap.reference.last_year": {"ja": "前年同月", "en": "Same month last year"},
    "gap.actual": {"ja": "実績", "en": "Actual"},
    "gap.residual": {"ja": "残差（ツリーで表せない部分）", "en": "Residual (outside the tree)"},
    "gap.driver": {"ja": "要因", "en": "Driver"},
    "gap.gap": {"ja": "差", "en": "Gap"},
    "gap.volume": {"ja": "{stage}数", "en": "{stage} volume"},
    "gap.size": {"ja": "受注単価", "en": "Deal size"},
    "gap.sentence": {
        "ja": "{kgi}は{actual}で、{reference_name}{reference}に対し{gap}"
        "（{pct}）。最も響いたのは{driver}（{cost}）です。",
        "en": "{kgi} was {actual}, {gap} against the {reference_name_lower} of {reference} "
        "({pct}). {driver} cost the most ({cost}).",
    },
    "gap.sentence_offset": {
        "ja": "{drivers}が{offset}押し上げました。",
        "en": "{drivers} added {offset}.",
    },
    "gap.note": {
        "ja": "KPI ツリー（{tree}）を期間ベースの値で分解し、"
        "シャプレー値で各要因に配分しています。順序に依存せず、合計は差に一致します。"
        "期間ベースの転換率は同じ人の転換ではなく、その月に各段階へ入った人数の比です。",
        "en": "The KPI tree ({tree}) on period-basis values, split "
        "across drivers with Shapley values: independent of order, the parts add up to the "
        "gap. A period-basis rate is the ratio of the month's entries into two stages, not "
        "the conversion of the same people.",
    },
    "chart.waterfall.title": {"ja": "{kgi}の差の内訳", "en": "The gap, driver by driver"},
    "chart.waterfall.description": {
        "ja": "{kgi}の{reference}から実績までを、KPI ツリーの要因ごとの寄与で示す滝グラフ。",
        "en": "Waterfall from the {reference} to the actual {kgi}, one bar per KPI-tree driver.",
    },
    "chart.waterfall.choose": {"ja": "比較対象", "en": "Compare with"},
    "where.title": {"ja": "どのセグメントから来たか", "en": "Which segments it came from"},
    "where.none": {
        "ja": "重大な未達の要因はありません（目標に対し KGI の {pct} 以上を失った要因なし）。",
        "en": "No driver cost a material part of the KGI (at least {pct} against target).",
    },
    "where.basis_period": {
        "ja": "{driver}: 期間ベース（{period}の{target}数 ÷ {source}数）で{baseline}と比較。",
        "en": "{driver}: period basis ({target} ÷ {source} entries of {period}), against "
        "{baseline}.",
    },
    "where.drill": {"ja": "{dimension}別の内訳", "en": "By {dimension}"},
    "where.drill_note": {
        "ja": "構成効果（その層の比率の変化）と率効果（その層の転換率の変化）の合計は、"
        "全体の転換率の変化に一致します。構成効果は平均との差で測ります。",
        "en": "Mix (the segment's share changed) and rate (its rate changed) effects add up to "
        "the change of the whole rate. Mix is measured against the average rate.",
    },
    "chart.heatmap.title": {
        "ja": "セグメント × 段階の転換率の変化（ポイント）",
        "en": "Change of each stage rate by segment (points)",
    },
    "chart.heatmap.description": {
        "ja": "{period}と{baseline}の転換率の差（ポイント）。赤は低下、青は上昇。",
        "en": "Rate change from {baseline} to {period}, in points; red fell, blue rose.",
    },
    "chart.heatmap.legend": {"ja": "変化（pt）", "en": "Change (pt)"},
    "chart.heatmap.tooltip": {
        "ja": "{segment}: {stage} {before} → {now}（{people}人）",
        "en": "{segment}: {stage} {before} → {now} ({people} people)",
    },
    "col.total": {"ja": "合計", "en": "Total"},
    "col.mix": {"ja": "構成効果", "en": "Mix effect"},
    "col.rate_effect": {"ja": "率効果", "en": "Rate effect"},
    "col.weight_before": {"ja": "構成比（前）", "en": "Share (before)"},
    "col.weight": {"ja": "構成比", "en": "Share"},
    "col.before_people": {"ja": "人数（前）", "en": "People (before)"},
    "col.rank": {"ja": "順位", "en": "Rank"},
    "col.finding": {"ja": "所見", "en": "Finding"},
    "col.driver": {"ja": "指標", "en": "KPI"},
    "col.rate_change": {"ja": "転換率（前 → 今）", "en": "Rate (before → now)"},
    "col.loss": {"ja": "損失（人）", "en": "Lost (people)"},
    "col.share_of_change": {"ja": "変化への寄与", "en": "Part of the change"},
    "col.also": {"ja": "同じ原因で説明される", "en": "Also explains"},
    "col.leads": {"ja": "リード", "en": "Leads"},
    "col.reached": {"ja": "到達", "en": "Reached"},
    "col.spend": {"ja": "費用", "en": "Spend"},
    "col.cost_per": {"ja": "到達 1 件あたり費用", "en": "Cost per one reached"},
    "col.shortfall": {"ja": "平均比の不足", "en": "Short of average"},
    "col.action": {"ja": "提案アクション", "en": "Proposed action"},
    "col.expected": {"ja": "期待効果", "en": "Expected effect"},
    "col.owner_role": {"ja": "担当部門", "en": "Owner"},
    "col.adopt": {"ja": "採否", "en": "Adopt?"},
    "cause.target": {"ja": "原因 1: ターゲット", "en": "Cause 1: target"},
    "cause.content": {"ja": "原因 2: コンテンツ・施策", "en": "Cause 2: content"},
    "cause.follow_up": {"ja": "原因 3: フォロー", "en": "Cause 3: follow-up"},
    "cause.concentrated": {
        "ja": "{parent}の損失の{pct}がここに集中",
        "en": "{pct} of {parent}'s loss sits here",
    },
    "cause.within": {"ja": "最大の内訳: {child}（{pct}）", "en": "largest part: {child} ({pct})"},
    "cause.new_segment": {"ja": "新規", "en": "new"},
    "content.title": {
        "ja": "コンテンツ・キャンペーン別: {target}への到達（量と費用に対して）",
        "en": "Content and campaigns: reaching {target}, against volume and cost",
    },
    "followup.section.teams": {"ja": "チーム別の初回接触", "en": "First touch by team"},
    "followup.section.stalled": {"ja": "停滞している商談", "en": "Stalled opportunities"},
    "summary.monthly.gap": {
        "ja": "{period}の{kgi}は{actual}、目標{target}の{pct}（{gap}）。"
        "前月比 {previous}、前年同月比 {last_year}。",
        "en": "{period}: {kgi} {actual}, {pct} of the {target} target ({gap}); {previous} on "
        "the previous month, {last_year} on the same month last year.",
    },
    "summary.monthly.gap_no_target": {
        "ja": "{period}の{kgi}は{actual}（目標なし）。前月比 {previous}、前年同月比 {last_year}。",
        "en": "{period}: {kgi} {actual} (no target); {previous} on the previous month, "
        "{last_year} on the same month last year.",
    },
    "summary.monthly.driver": {
        "ja": "KPI ツリーでは{driver}が最も響き（{cost}）、{offsets}が一部を補いました。",
        "en": "By the KPI tree, {driver} cost the most ({cost}); {offsets} made up part of it.",
    },
    "summary.monthly.driver_alone": {
        "ja": "KPI ツリーでは{driver}が最も響きました（{cost}）。",
        "en": "By the KPI tree, {driver} cost the most ({cost}).",
    },
    "summary.monthly.causes": {
        "ja": "主な原因: {items}",
        "en": "Main causes: {items}",
    },
    "summary.monthly.cause_item": {
        "ja": "［{family}］{segment}の{driver} {before}→{now}",
        "en": "[{family}] {segment}: {driver} {before} → {now}",
    },
    "summary.monthly.no_finding": {
        "ja": "［{family}］重大な所見なし",
        "en": "[{family}] no material finding",
    },
    "summary.monthly.no_data": {
        "ja": "データがないため分析していない原因: {items}。",
        "en": "Not analysed, for lack of data: {items}.",
    },
    "summary.monthly.no_data_item": {
        "ja": "{family}（{columns}の値がない）",
        "en": "{family} (no {columns} values)",
    },
    "summary.monthly.no_data_family": {
        "ja": "{family}（分けられる列がない）",
        "en": "{family} (no column to split by)",
    },
    "summary.monthly.checklist": {
        "ja": "チェックリスト: 問題 {problem}、要注意 {watch}、会議で議論 {discuss}。",
        "en": "Checklist: {problem} problem(s), {watch} to watch, {discuss} to discuss.",
    },
    "summary.monthly.checklist_nodata": {
        "ja": "チェックリスト: 問題 {problem}、要注意 {watch}、会議で議論 {discuss}、"
        "データなし {nodata}。",
        "en": "Checklist: {problem} problem(s), {watch} to watch, {discuss} to discuss, "
        "{nodata} without data.",
    },
    "summary.monthly.proposals": {
        "ja": "改善提案 {n} 件を「改善の意思決定」に用意しています。",
        "en": "{n} improvement proposal(s) are ready under 'Improvement decisions'.",
    },
    "family.target": {"ja": "ターゲット", "en": "target"},
    "family.content": {"ja": "コンテンツ", "en": "content"},
    "family.follow_up": {"ja": "フォロー", "en": "follow-up"},
    "proposal.title": {"ja": "改善提案", "en": "Improvement proposals"},
    "proposal.none": {
        "ja": "重大な所見がないため、提案はありません。",
        "en": "No material finding, so no proposal.",
    },
    "proposal.note": {
        "ja": "期待効果は、その層が{baseline}の率に戻った場合に{period}で得られた追加人数と、"
        "今月の下流の率と単価での受注金額の目安です。下の決定シートに記入済みで、採用するものはそこに記録のコマンドがあります。",
        "en": "Expected effect: the extra people {period} would have had at the segment's "
        "{baseline} rate, and the revenue that is worth at this month's downstream rates and "
        "deal size. The decision sheet below lists them with the command that records each one "
        "adopted.",
    },
    "proposal.target": {
        "ja": "{segment}の集客条件（キーワード・配信先・対象）を見直し、"
        "{driver}の低い層への配信を絞る",
        "en": "Review the targeting of {segment} (keywords, audiences) and cut spend on the "
        "part whose {driver} is low",
    },
    "proposal.follow_up": {
        "ja": "{segment}の初回接触を SLA 内に戻す（未接触 MQL の再配分・体制の補強）",
        "en": "Bring {segment}'s first touch back within the SLA (reassign untouched MQLs, "
        "add capacity)",
    },
    "proposal.effect": {
        "ja": "{driver}: +{people}{unit}/月（受注金額 約{amount}）",
        "en": "{driver}: +{people} {unit}/month (≈{amount} revenue)",
    },
    "proposal.adopt": {"ja": "□ 採用　□ 見送り", "en": "□ adopt  □ not now"},
}
MONTHLY_TEXTS.update(CAUSE_TEXTS)
