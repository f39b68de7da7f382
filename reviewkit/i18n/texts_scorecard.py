"""Texts of the scorecard: its columns, statuses and the definitions line."""

SCORECARD_TEXTS: dict[str, dict[str, str]] = {
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
}
