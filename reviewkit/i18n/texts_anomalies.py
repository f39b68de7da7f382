"""Texts of the weekly anomalies: alerts, their segments and the method note."""

ANOMALIES_TEXTS: dict[str, dict[str, str]] = {
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
}
