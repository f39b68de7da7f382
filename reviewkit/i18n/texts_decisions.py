"""Texts of the decisions table and the empty actions register."""

DECISIONS_TEXTS: dict[str, dict[str, str]] = {
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
}
