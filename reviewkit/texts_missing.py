"""One line per kind of data a company's store may lack (merged into ``TEXTS``).

Keys ``missing.<kind>`` (see :data:`reviewkit.availability.Missing`): what is missing, what the
section would show with it, and which import brings it. ``{what}`` is the section's own words
(e.g. "spend and cost per lead"). Rendered by :func:`reviewkit.html.missing_html`.
"""

MISSING_TEXTS: dict[str, dict[str, str]] = {
    "missing.amounts": {
        "ja": "商談の金額がストアにないため、{what}は表示できません。金額の列を含む商談の"
        "ファイルを取り込むと表示されます（取込プロファイルの columns: amount、docs/import.md）。",
        "en": "No deal amounts in the store, so {what} cannot be shown. Import opportunities "
        "with an amount column to see it (columns: amount in the import profile; "
        "docs/import.md).",
    },
    "missing.campaign_costs": {
        "ja": "キャンペーン費用がストアにないため、{what}は表示できません。費用のファイルを"
        "取り込むと表示されます（record: campaigns のプロファイル、docs/import.md）。",
        "en": "No campaign costs in the store, so {what} cannot be shown. Import a campaign-cost "
        "file to see it (a profile with record: campaigns; docs/import.md).",
    },
    "missing.touches": {
        "ja": "接触の記録（電話・メール・商談）がストアにないため、{what}は表示できません。"
        "活動のエクスポートを取り込むと表示されます（record: activities のプロファイル、"
        "docs/import.md）。",
        "en": "No touches (calls, e-mails, meetings) in the store, so {what} cannot be shown. "
        "Import an activity export to see it (a profile with record: activities; "
        "docs/import.md).",
    },
    "missing.teams": {
        "ja": "リードにも商談にも営業チームがないため、{what}は表示できません。取込プロファイル"
        "で担当者かチームの列を sales_team に対応付けると表示されます（docs/import.md）。",
        "en": "No sales team on the leads or deals, so {what} cannot be shown. Map the owner or "
        "team column to sales_team in the import profile to see it (docs/import.md).",
    },
    "missing.opportunities": {
        "ja": "商談の記録がストアにないため、{what}は表示できません。商談（SFA）のファイルを"
        "取り込むと表示されます（record: opportunities のプロファイル、docs/import.md）。",
        "en": "No opportunity records in the store, so {what} cannot be shown. Import the SFA's "
        "opportunities to see it (a profile with record: opportunities; docs/import.md).",
    },
    "missing.closed_deals": {
        "ja": "受注・失注で閉じた商談がストアにないため、{what}は表示できません。商談の"
        "ファイルにステージ（won:・lost:）と完了日を含めて取り込んでください（docs/import.md）。",
        "en": "No deals closed won or lost in the store, so {what} cannot be shown. Import "
        "opportunities with their stage (won:, lost:) and close date (docs/import.md).",
    },
    "missing.lost_deals": {
        "ja": "失注した商談がストアにないため、{what}は表示できません。失注も含む商談の"
        "ファイルを取り込んでください（取込プロファイルの lost:、docs/import.md）。",
        "en": "No lost deals in the store, so {what} cannot be shown. Import opportunities "
        "including the lost ones (lost: in the import profile; docs/import.md).",
    },
    "missing.second_source": {
        "ja": "データ元は {sources} の 1 つだけのため、MA と SFA の重複の名寄せはありません。",
        "en": "One source system only ({sources}), so there are no MA/SFA duplicates to merge.",
    },
    "missing.score_history": {
        "ja": "スコアの履歴がストアにないため、{what}は表示できません。",
        "en": "No score history in the store, so {what} cannot be shown.",
    },
    "missing.score_history_rule": {
        "ja": "{stage}は「{rule}」を初めて満たした時点で入る段階ですが、ストアにスコアの履歴"
        "（score_changes）がなく、各リードがいつ別の基準値を超えたか分からないため、{what}は"
        "表示できません。MA のスコア変更履歴を score_changes に入れると表示されます"
        "（docs/data-model.md）。",
        "en": "{stage} is entered the first time its rule ({rule}) holds, but the store has no "
        "score history (score_changes), so when each lead first crossed another threshold is "
        "unknown and {what} cannot be shown. Load the MA's score changes into score_changes "
        "(docs/data-model.md) to see it.",
    },
    "missing.column": {
        "ja": "{column}はどのリードにも値がないため、分析から外しました。取込プロファイルで"
        "列を対応付けると使えます（columns: {key}、docs/import.md）。",
        "en": "{column}: no lead has a value, so it is left out of the splits. Map it in the "
        "import profile to use it (columns: {key}; docs/import.md).",
    },
    "missing.columns": {
        "ja": "値のない列は分析から外しました: {columns}（取込プロファイルで対応付けると"
        "使えます。docs/import.md）。",
        "en": "Left out of the splits, as no lead has a value: {columns} (map them in the "
        "import profile to use them; docs/import.md).",
    },
    "missing.targets": {
        "ja": "{period}の目標が params/targets.yml にないため、{what}は表示できません。",
        "en": "No target for {period} in params/targets.yml, so {what} cannot be shown.",
    },
}

TABLE_TEXTS: dict[str, dict[str, str]] = {
    "table.show_more": {"ja": "残り {n} 行を表示", "en": "Show {n} more rows"},
    "table.show_less": {"ja": "上位の行だけ表示", "en": "Show the top rows only"},
}
MISSING_TEXTS.update(TABLE_TEXTS)
