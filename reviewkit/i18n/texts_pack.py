"""Texts of a pack's frame: review titles and purposes, the header, section names and the agenda."""

PACK_TEXTS: dict[str, dict[str, str]] = {
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
}
