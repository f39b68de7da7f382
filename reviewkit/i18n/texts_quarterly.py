"""Texts of the quarterly pack's frame: summary, subsection titles, actions review."""

QUARTERLY_TEXTS: dict[str, dict[str, str]] = {
    "summary.quarterly.gap": {
        "ja": "{period}の{kgi}は{actual}、目標{target}の{pct}（{gap}）。"
        "前四半期比 {previous}、前年同期比 {last_year}。",
        "en": "{period}: {kgi} {actual}, {pct} of the {target} target ({gap}); {previous} on "
        "the previous quarter, {last_year} on the same quarter last year.",
    },
    "summary.quarterly.gap_no_target": {
        "ja": "{period}の{kgi}は{actual}（目標なし）。"
        "前四半期比 {previous}、前年同期比 {last_year}。",
        "en": "{period}: {kgi} {actual} (no target); {previous} on the previous quarter, "
        "{last_year} on the same quarter last year.",
    },
    "summary.join_sentences": {"ja": "", "en": " "},
    "summary.quarterly.actions": {
        "ja": "改善アクションの振り返り: {text}",
        "en": "Improvement actions: {text}",
    },
    "quarterly.rates.short": {
        "ja": "履歴はまだ{n}四半期分です（{first}から）。このグラフは最大{most}四半期を示し、"
        "前年同期との比較には{year}四半期以上の履歴が必要です。",
        "en": "Only {n} quarters of history so far (from {first}): this chart shows up to "
        "{most}, and comparing with the same quarter a year earlier needs at least {year}.",
    },
    "quarterly.rates.none": {
        "ja": "転換率を計算できる四半期がまだないため、四半期ごとの転換率の推移は表示できません。",
        "en": "No quarter has a rate yet, so the rates by quarter cannot be shown.",
    },
    "benchmarks.no_data_because": {"ja": "{position}（{why}）", "en": "{position} ({why})"},
    "benchmarks.missing.campaign_costs": {
        "ja": "キャンペーン費用が未取込",
        "en": "no campaign costs imported",
    },
    "benchmarks.missing.amounts": {"ja": "商談の金額が未取込", "en": "no deal amounts imported"},
    "benchmarks.missing.closed_deals": {
        "ja": "受注・失注した商談が未取込",
        "en": "no closed deals imported",
    },
    "benchmarks.missing.touches": {"ja": "接触の記録が未取込", "en": "no touches imported"},
    "quarterly.plan.download": {
        "ja": "目標案（{variant}）を YAML でダウンロード",
        "en": "Download the draft targets ({variant}) as YAML",
    },
    "quarterly.plan.written": {
        "ja": "目標案はパックと同じフォルダの {file} にも保存されます。"
        "承認した月だけを params/targets.yml にコピーし、レビューを経てコミットしてください"
        "（reviewkit が params/targets.yml を書き換えることはありません）。",
        "en": "The draft is also saved as {file} next to the pack. Copy the months you approve "
        "into params/targets.yml in a reviewed commit (reviewkit never overwrites "
        "params/targets.yml).",
    },
    "quarterly.plan.not_written": {
        "ja": "`reviewkit run quarterly` でパックを作ると、目標案が {file} としてパックと同じ"
        "フォルダに保存されます（ここではダウンロードのみ）。params/targets.yml は書き換えません。",
        "en": "`reviewkit run quarterly` saves the draft as {file} next to the pack (here it "
        "is only downloadable); params/targets.yml is never overwritten.",
    },
    "quarterly.actions_review.title": {
        "ja": "今四半期の改善アクションの成果",
        "en": "What this quarter's improvement actions achieved",
    },
    "quarterly.actions_review.none": {
        "ja": "この四半期に進めた改善アクションは記録されていません。"
        "会議で決めたアクションを params/actions.yml に記録すると（reviewkit action add）、"
        "ここに原因の分類ごとの成果が載ります。",
        "en": "No improvement action was under way this quarter. Record the actions decided in "
        "the reviews in params/actions.yml (reviewkit action add) and their outcomes appear "
        "here by cause family.",
    },
    "quarterly.actions_review.short": {
        "ja": "記録されたアクションはありません",
        "en": "none recorded",
    },
    "quarterly.plan.group": {
        "ja": "複数の値をまとめたセグメントのため、目標ファイルの下書きは作りません"
        "（params/targets.yml のセグメント目標は値ごとに設定します）。",
        "en": "No draft targets file for a group of values: params/targets.yml sets segment "
        "targets value by value.",
    },
}
