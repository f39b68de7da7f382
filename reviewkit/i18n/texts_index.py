"""Texts of the index page: segment packs, the last batch run and its failures."""

INDEX_PAGE_TEXTS: dict[str, dict[str, str]] = {
    "index.title": {"ja": "レビュー資料一覧", "en": "Review packs"},
    "index.cadence": {"ja": "種類", "en": "Review"},
    "index.period": {"ja": "期間", "en": "Period"},
    "index.lang": {"ja": "言語", "en": "Language"},
    "index.built": {"ja": "作成日時", "en": "Built"},
    "index.empty": {
        "ja": "まだ資料がありません。`reviewkit run monthly` で作成できます。",
        "en": "No packs yet. Build one with `reviewkit run monthly`.",
    },
    "index.failed": {"ja": "失敗した実行", "en": "Failed runs"},
    "index.pack": {"ja": "資料", "en": "Pack"},
    "index.status": {"ja": "状況", "en": "Status"},
    "index.freshness": {"ja": "データ更新", "en": "Data as of"},
    "index.previous": {"ja": "前回の資料", "en": "Previous pack"},
    "index.notebook": {"ja": "実行済みノートブック", "en": "Executed notebook"},
    "index.status.ok": {"ja": "✓ 正常", "en": "✓ OK"},
    "index.status.failed": {"ja": "✕ 失敗", "en": "✕ Failed"},
    "index.status.stale": {"ja": "△ データ未確定", "en": "△ Stale data"},
    "index.earlier": {"ja": "以前の実行", "en": "earlier run"},
    "index.published_earlier": {
        "ja": "公開中の資料は以前の実行のもの",
        "en": "the published pack is from an earlier run",
    },
    "index.more_failed": {
        "ja": "ほかに失敗した実行 {n} 件（_failed/ に保存）",
        "en": "{n} more failed runs (kept in _failed/)",
    },
    "lang.ja": {"ja": "日本語", "en": "Japanese"},
    "lang.en": {"ja": "英語", "en": "English"},
}

INDEX_TEXTS: dict[str, dict[str, str]] = {
    "index.scope": {"ja": "対象", "en": "Scope"},
    "index.scope.company": {"ja": "全社", "en": "Whole company"},
    "index.legend_scopes": {
        "ja": "新しい期間から順に、期間ごとに全社、各セグメントの順で表示。状況: ✓ 正常 = "
        "公開中の資料／✕ 失敗 = 実行に失敗（原因と実行済みノートブックへのリンク）／"
        "△ データ未確定 = データ更新日が期間の最終日より前（期間のデータが揃う前に作成）。"
        "同じ期間・対象・言語で最も新しい実行が現在の状態で、それより前の実行は"
        "「以前の実行」と表示。",
        "en": "Newest period first; within a period, the whole company, then each segment. "
        "Status: ✓ OK = the published pack; ✕ Failed = the run failed (its error, and a link "
        "to the executed notebook); △ Stale data = the data ends before the period's last "
        "day (built before the period's data was complete). The newest run of a period, "
        "scope and language is its current state; older ones are marked 'earlier run'.",
    },
    "index.batch.title": {"ja": "前回の一括作成", "en": "Last batch run"},
    "index.batch.finished": {
        "ja": "{start} 開始、{end} 終了（所要時間 {duration}）",
        "en": "Started {start}, finished {end} (took {duration})",
    },
    "index.batch.running": {
        "ja": "{start} から実行中（まだ終了していません）",
        "en": "Running since {start} (not finished yet)",
    },
    "index.batch.stopped": {
        "ja": "{start} 開始、{end} に {signal} で中断（所要時間 {duration}）。"
        "作成途中の資料は公開されていません",
        "en": "Started {start}, interrupted by {signal} at {end} (after {duration}); "
        "no half-built pack was published",
    },
    "index.batch.killed": {
        "ja": "{start} 開始、終了を記録する前に停止（強制終了）。"
        "作成途中の資料は公開されていません",
        "en": "Started {start}, stopped before it could record its end (killed); no half-built "
        "pack was published",
    },
    "index.batch.as_of": {"ja": "基準日 {day}", "en": "As of {day}"},
    "index.batch.built": {"ja": "作成", "en": "Built"},
    "index.batch.skipped": {"ja": "スキップ", "en": "Skipped"},
    "index.batch.failed": {"ja": "失敗", "en": "Failed"},
    "index.batch.interrupted": {"ja": "中断", "en": "Interrupted"},
    "index.batch.log": {"ja": "実行ログ", "en": "Run log"},
    "index.batch.alert": {
        "ja": "{n} 件の資料の作成に失敗しました。それ以外の資料は通常どおり公開されています。",
        "en": "{n} packs failed. The other packs were still published.",
    },
    "index.batch.alert_one": {
        "ja": "1 件の資料の作成に失敗しました。それ以外の資料は通常どおり公開されています。",
        "en": "1 pack failed. The other packs were still published.",
    },
    "index.duration.seconds": {"ja": "{s}秒", "en": "{s} s"},
    "index.duration.minutes": {"ja": "{m}分{s}秒", "en": "{m} min {s} s"},
    "index.duration.hours": {"ja": "{h}時間{m}分", "en": "{h} h {m} min"},
}
