"""Texts of the actions register: ``params/actions.yml`` and ``reviewkit action``."""

ACTIONS_TEXTS: dict[str, dict[str, str]] = {
    # the comment block at the top of params/actions.yml (one line of the file per line here)
    "actions.header": {
        "ja": "施策台帳: レビューで決めた改善施策と、その担当・期限・結果。\n"
        "他の params/ のファイルと同じく git でレビューします。手で編集するか、\n"
        "reviewkit action add / update / close で更新します（一覧は reviewkit action list）。\n"
        "コマンドで変更すると reviewkit がこのファイルを決まった形で書き直すため、\n"
        "各施策の中のコメントは残りません。経緯は title・expected_effect・outcome に書きます。\n"
        "項目: id（一意。英数字・-・_）、title、family（target | content | follow_up | other）、\n"
        "kpi（definitions.yml の指標キー）、segment（任意。{列: 値}。省略でファネル全体）、\n"
        "owner、decided_in（{review: monthly, period: 2026-06}）、start・due（YYYY-MM-DD）、\n"
        "status（open | done | dropped）、expected_effect・proposal_id（任意）、\n"
        "closed_on・outcome（完了・中止時に reviewkit action close が記入）。",
        "en": "The actions register: what the reviews decided to do, who owns it, by when, and\n"
        "how it ended. Reviewed in git like the other files under params/. Edit it by hand or\n"
        "with reviewkit action add / update / close (reviewkit action list shows them).\n"
        "When a command changes it, reviewkit rewrites this file in a fixed layout, so comments\n"
        "inside the entries are not kept: put the context in title, expected_effect or outcome.\n"
        "Fields: id (unique; letters, digits, - and _), title, family (target | content |\n"
        "follow_up | other), kpi (a metric key of definitions.yml), segment (optional\n"
        "{column: value}; omit for the whole funnel), owner, decided_in ({review: monthly,\n"
        "period: 2026-06}), start and due (YYYY-MM-DD), status (open | done | dropped),\n"
        "expected_effect and proposal_id (optional), closed_on and outcome (set by\n"
        "reviewkit action close when an action is done or dropped).",
    },
    # reviewkit action list
    "actions.table.open": {"ja": "未完了の施策", "en": "Open actions"},
    "actions.table.all": {"ja": "すべての施策", "en": "All actions"},
    "actions.table.status": {"ja": "状態が「{status}」の施策", "en": "Actions {status}"},
    "actions.table.caption": {
        "ja": "{file} より（{today}時点、期限超過 {overdue}件）",
        "en": "From {file} (as of {today}; {overdue} overdue)",
    },
    "actions.list_none": {
        "ja": "該当する施策はありません（{file}）。reviewkit action add で登録します。",
        "en": "No action to show ({file}); add one with reviewkit action add.",
    },
    "actions.col.id": {"ja": "ID", "en": "ID"},
    "actions.col.title": {"ja": "施策", "en": "Action"},
    "actions.col.kpi": {"ja": "KPI", "en": "KPI"},
    "actions.col.segment": {"ja": "対象", "en": "Segment"},
    "actions.col.status": {"ja": "状態", "en": "Status"},
    "actions.status.open": {"ja": "実行中", "en": "open"},
    "actions.status.done": {"ja": "完了", "en": "done"},
    "actions.status.dropped": {"ja": "中止", "en": "dropped"},
    "actions.overdue": {"ja": "期限超過", "en": "overdue"},
    # the expected effect of an action adopted from a monthly proposal
    "actions.effect": {
        "ja": "+{people}{unit}/月（受注金額 約{amount}）",
        "en": "+{people} {unit}/month (≈{amount} revenue)",
    },
    "actions.effect_people": {"ja": "+{people}{unit}/月", "en": "+{people} {unit}/month"},
}
