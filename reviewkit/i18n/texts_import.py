"""Texts of imports: the report line of each file and the consistency of stage dates."""

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
    # the line each imported file prints (reviewkit.ingest.report)
    "import.line": {
        "ja": "{head}: 読み込み {read}行、追加 {loaded}、更新 {updated}、変更なし {unchanged}、"
        "除外 {rejected}",
        "en": "{head}: read {read}, loaded {loaded}, updated {updated}, unchanged {unchanged}, "
        "rejected {rejected}",
    },
    "import.line_dry": {
        "ja": "{head}: 読み込み {read}行、追加予定 {loaded}、更新 {updated}、変更なし "
        "{unchanged}、除外 {rejected}",
        "en": "{head}: read {read}, would load {loaded}, updated {updated}, unchanged "
        "{unchanged}, rejected {rejected}",
    },
    "import.unchanged_file": {
        "ja": "{head}: 変更なし（同じ内容のファイルを {when} に取り込み済み）: 読み込み {read}行、"
        "変更なし {unchanged}、除外 {rejected}",
        "en": "{head}: unchanged (the same content was imported on {when}): read {read}, "
        "unchanged {unchanged}, rejected {rejected}",
    },
    "import.already_quarantined": {
        "ja": "（隔離済みの行。再度追加はしません）",
        "en": " (already in the quarantine, not added again)",
    },
    "import.reasons": {"ja": "（{reasons}）", "en": " ({reasons})"},
    "import.converted": {
        "ja": "。他通貨から換算 {n}件（{by_code}）",
        "en": "; converted from other currencies {n} ({by_code})",
    },
    "import.replaced": {
        "ja": "（前回の取り込みで隔離した {n}行を置き換え）",
        "en": " (replacing the {n} rows the earlier import of this file quarantined)",
    },
    "import.list_sep": {"ja": "、", "en": ", "},
    "import.skipped": {
        "ja": "; 読み飛ばした行 {n}: {parts}",
        "en": "; skipped {n} line{s}: {parts}",
    },
    "import.skipped_title": {"ja": "表題 {n}行", "en": "{n} title line{s} above the header"},
    "import.skipped_blank": {"ja": "空行 {n}行", "en": "{n} blank line{s}"},
    "import.skipped_footer": {"ja": "フッター {n}行", "en": "{n} footer line{s}"},
    "import.more": {"ja": " ほか{n}件", "en": " and {n} more"},
    "import.merged": {
        "ja": "{file}: シート {sheet} に結合セル {ranges} があります。値は各範囲の左上のセルに"
        "だけあり、他のセルは空として読み込まれます。Excel で結合を解除して値を入れてから取り込み"
        "直してください",
        "en": "{file}: sheet {sheet} has merged cells {ranges}; only the top-left cell of each "
        "holds its value and the others are read as empty: unmerge them in Excel and fill in "
        "the values, then import again",
    },
}
