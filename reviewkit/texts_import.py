"""Texts of imports: the consistency of stage dates across files and systems."""

IMPORT_TEXTS: dict[str, dict[str, str]] = {
    "consistency.title": {
        "ja": "ファイルやシステムの間で矛盾する段階の日付（行は取り込み済みです。元のデータを"
        "確認してください）:",
        "en": "Stage dates that contradict each other across files or systems (the rows are "
        "loaded; check them in their sources):",
    },
    "consistency.last_stage_before_first_contact": {
        "ja": "初回接触（最初のレコードの作成または前の段階）より前に{stage}: {count}{people}",
        "en": "{stage} before the person's first contact (their first record or an earlier "
        "stage): {count} {people}",
    },
    "consistency.opportunity_before_lead": {
        "ja": "リードの作成より前に作成された商談: {count}件",
        "en": "Opportunities created before their lead: {count}",
    },
    "consistency.stage_out_of_order": {
        "ja": "{earlier}より前に{stage}: {count}{people}",
        "en": "{stage} entered before {earlier}: {count} {people}",
    },
    "consistency.person": {"ja": "人", "en": "person"},
    "consistency.people": {"ja": "人", "en": "people"},
    "consistency.examples": {"ja": "（例: {ids}）", "en": " (e.g. {ids})"},
    "consistency.or": {"ja": "・", "en": " or "},
}
