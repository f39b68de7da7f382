"""Texts of analyst-made templates (``reviewkit new-template``) and their packs."""

TEMPLATE_TEXTS: dict[str, dict[str, str]] = {
    # the cadence as an adjective, in notes and in the index page's headings
    "template.cadence.weekly": {"ja": "週次", "en": "weekly"},
    "template.cadence.monthly": {"ja": "月次", "en": "monthly"},
    "template.cadence.quarterly": {"ja": "四半期", "en": "quarterly"},
    "template.period.weekly": {"ja": "週", "en": "week"},
    "template.period.monthly": {"ja": "月", "en": "month"},
    "template.period.quarterly": {"ja": "四半期", "en": "quarter"},
    # the analyst-only note at the top of a scaffolded template
    "template.note.what": {
        "ja": "分析担当者が作成したレビューのテンプレートです（`reviewkit new-template` で作成）。"
        "直近の完了した{period}を振り返ります。パラメータ・ヘッダー・アジェンダ・指標定義は"
        "標準のレビューと共通です。",
        "en": "A review template of your own (made with `reviewkit new-template`). It looks "
        "back on the last complete {period}; its parameters, header, agenda and "
        "definitions are those of the standard reviews.",
    },
    "template.note.run": {
        "ja": "資料の作成: `reviewkit run {name} --as-of YYYY-MM-DD`（セグメント別は "
        "`--segment 'sales_team=Team B'`、英語版は `--lang en`）。`params/schedule.yml` の "
        "`cadences` に `{name}` を加えると `reviewkit batch` でも作成されます。JupyterLab では"
        "パラメータのセルを編集して「すべて実行」してください。",
        "en": "To build its pack: `reviewkit run {name} --as-of YYYY-MM-DD` (a segment's: "
        "`--segment 'sales_team=Team B'`; in English: `--lang en`). Add `{name}` to "
        "`cadences` in `params/schedule.yml` and `reviewkit batch` builds it too. In "
        "JupyterLab, edit the parameters cell and Run All.",
    },
    "template.note.sections": {
        "ja": "各セクションには見出しと仮のセル（starter cell）が入っています。会議で見たい内容に"
        "置き換えてください。独自のセクションは "
        '`review.heading("key", title={"ja": "…", "en": "…"})` で追加できます。'
        "パラメータのセルと `open_review` のセルはそのまま残してください。",
        "en": "Each section below has its heading and a starter cell or two: replace them "
        "with what your meeting needs. Add sections of your own with "
        '`review.heading("key", title={"ja": "…", "en": "…"})`. Keep the parameters cell '
        "and the `open_review` cell as they are.",
    },
    "template.note.analyst": {
        "ja": "このメモは分析担当者向けで、資料には表示されません。",
        "en": "This note is for analysts and never appears in a pack.",
    },
    # the analyst-only hint before each section: the question it answers
    "template.hint.summary": {
        "ja": "要約: この期間の結論は何か。KGI はどこにあり、何が最も大きく動いたか。",
        "en": "Summary: what is the period's conclusion? Where does the KGI stand, and what "
        "moved most?",
    },
    "template.hint.kpi_status": {
        "ja": "KPI の状況: 各 KPI は目標に対してどこにあり、前の期間からどう動いたか。",
        "en": "KPI status: where does each KPI stand against its target, and how did it move "
        "since the previous period?",
    },
    "template.hint.deviations": {
        "ja": "乖離: どこで（どのチャネル・チーム・セグメントで）目標や前の期間から外れたか。"
        '切り口の "channel" は definitions.yml のどのセグメント列にも変えられます。',
        "en": "Deviations: where (which channel, team or segment) did the figures leave their "
        'target or the previous period? Change "channel" to any segment column of '
        "definitions.yml.",
    },
    "template.hint.decisions": {
        "ja": "意思決定: この会議で何を決めるか。決めたことを記録する欄です。",
        "en": "Decisions: what does this meeting decide? The space to record it.",
    },
    "template.hint.actions": {
        "ja": "アクション: 誰が、いつまでに、何をするか（params/actions.yml の登録簿）。",
        "en": "Actions: who does what, by when (the register in params/actions.yml)?",
    },
    "template.hint.glossary": {
        "ja": "付録: 資料で使った指標の定義と、データの品質。",
        "en": "Appendix: the definitions of the metrics the pack uses, and the data quality.",
    },
    "template.hint.explore": {
        "ja": "探索（分析担当者のみ）: 指標・切り口・期間・絞り込みを変えて深掘りします。"
        "資料には表示されません。",
        "en": "Explore (analysts only): drill down by metric, split, period and filters. "
        "Never in a pack.",
    },
    # the index page: a section per template, after the shipped cadences
    "template.index.heading": {"ja": "{title}（{cadence}）", "en": "{title} ({cadence})"},
}
