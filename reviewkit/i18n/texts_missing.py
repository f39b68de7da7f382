"""One line per kind of data a company's store may lack (merged into ``TEXTS``).

Keys ``missing.<kind>`` (see :data:`reviewkit.store.availability.Missing`): what is missing,
what the section would show with it, and which import brings it. ``{what}`` is the section's
own words (e.g. "spend and cost per lead"). Rendered by :func:`reviewkit.present.html.missing_html`.
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

#: What the agreed funnel needs and the store lacks entirely
#: (:mod:`reviewkit.semantic.funnel_gaps`).
GAP_TEXTS: dict[str, dict[str, str]] = {
    "missing.stage_events": {
        "ja": "{stages}の段階イベントがストアに1件もないため、その件数は成果ではなく記録が"
        "ないことによる 0 です。取込プロファイルの stages: に日付の列を対応付けて取り込むと"
        "数えられます（docs/import.md）。",
        "en": "No stage event for {stages} in the store, so its count is 0 for lack of records, "
        "not of results. Map a date column to it under stages: in the import profile and "
        "import it (docs/import.md).",
    },
    "missing.kgi_amounts": {
        "ja": "受注した商談の金額がストアにないため、{kgi}は成果ではなく金額がないことによる "
        "0 です。金額の列を含む商談のファイルを取り込んでください（columns: amount、"
        "docs/import.md）。",
        "en": "No won deal in the store has an amount, so {kgi} is 0 for lack of amounts, not of "
        "sales. Import opportunities with an amount column (columns: amount; docs/import.md).",
    },
    "missing.close_dates": {
        "ja": "受注した商談に完了日が1件もないため、{kgi}はどの期間にも入らず 0 です。商談の"
        "プロファイルで完了日の列を closed_at に対応付けて取り込み直してください"
        "（docs/import.md）。",
        "en": "No won deal in the store has a close date, so {kgi} falls in no period and shows "
        "0. Map the close date column to closed_at in the opportunity profile and import it "
        "again (docs/import.md).",
    },
    "missing.tree": {
        "ja": "KPIツリーの{drivers}はストアにないデータに基づくため、{what}は表示できません"
        "（KPIの状況の注記を参照）。",
        "en": "The KPI tree's {drivers} rest on data the store does not hold, so {what} cannot "
        "be shown (see the note under KPI status).",
    },
    "missing.plan_driver": {
        "ja": "直近の月に{driver}の値がないため（{months}）、来四半期の目標を KGI 目標から"
        "逆算できません。{stages}のデータを取り込むか、目標を params/targets.yml に直接"
        "設定してください。",
        "en": "{driver} has no value in the months used ({months}), so next quarter's targets "
        "cannot be back-solved from the KGI target. Import the data of {stages}, or set the "
        "targets in params/targets.yml directly.",
    },
    "missing.plan_months_none": {"ja": "どの月も 0", "en": "0 in every month"},
    "missing.plan_months": {"ja": "データのない月: {months}", "en": "no data in {months}"},
    "missing.emptied_source": {
        "ja": "{source} は取り込み済み（最終 {last}）ですが、そのリード・商談・段階イベントは"
        "ストアに 1 件もありません。そのデータが必要なら、エクスポートを取り込み直して"
        "ください（reviewkit import）。",
        "en": "{source} was imported (last on {last}) but the store holds no lead, deal or "
        "stage event of it now. If it should, import its export again (reviewkit import).",
    },
    "check.data.gaps": {
        "ja": "ストアに記録が 1 件もないデータがあります（{what}）。その数値は成果ではなく"
        "データがないことによる 0 です（データ品質の注記を参照）。",
        "en": "The store holds no record at all of: {what}. Those figures are 0 for lack of "
        "data, not of results (see the data quality notes).",
    },
    "missing.plan_months_range": {
        "ja": "{first}〜{last} の {n} か月にデータなし",
        "en": "no data in {n} months, {first} to {last}",
    },
    "missing.before_data": {
        "ja": "ストアのデータは {first} からで、基準日（{as_of}）より前のデータがないため、"
        "{period}の数値はありません。",
        "en": "The store's data starts on {first}, after the review date ({as_of}), so there "
        "are no figures for {period}.",
    },
    "missing.no_records": {
        "ja": "ストアにリード・商談・段階イベントがまだないため、{period}の数値はありません。"
        "エクスポートを取り込んでください（reviewkit import、docs/own-data.md）。",
        "en": "The store holds no lead, deal or stage event yet, so there are no figures for "
        "{period}. Import your exports (reviewkit import; docs/own-data.md).",
    },
    "missing.what.gap": {
        "ja": "KGI の差の要因分解",
        "en": "the split of the KGI's gap across its drivers",
    },
}
MISSING_TEXTS.update(GAP_TEXTS)
