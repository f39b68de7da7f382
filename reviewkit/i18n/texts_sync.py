"""Texts of CRM syncs: the line per synced object, ``reviewkit sources``, stale-source watches."""

SYNC_TEXTS: dict[str, dict[str, str]] = {
    "sync.line": {
        "ja": "{head}: 読み込み {read}件、追加 {added}、更新 {updated}、変更なし {unchanged}、"
        "削除 {deleted}、統合 {merged}、除外 {quarantined}",
        "en": "{head}: read {read}, added {added}, updated {updated}, unchanged {unchanged}, "
        "deleted {deleted}, merged {merged}, quarantined {quarantined}",
    },
    "sync.incremental": {"ja": "差分（{since} から）", "en": "changes since {since}"},
    "sync.full": {"ja": "全件（{reason}）", "en": "full ({reason})"},
    "sync.reason.first": {"ja": "初回の同期", "en": "first sync"},
    "sync.reason.full": {"ja": "--full の指定", "en": "--full"},
    "sync.reason.window": {
        "ja": "前回の同期から {days} 日: {api} は削除済みレコードを {lookback} 日分しか"
        "返さないため",
        "en": "last sync {days} days ago; {api} lists deleted records for {lookback} days only",
    },
    "sync.dry_run": {"ja": "（試行: 何も書き込んでいません）", "en": " (dry run: nothing written)"},
    "sync.reasons": {"ja": "除外の理由: {reasons}", "en": "quarantine reasons: {reasons}"},
    "sync.no_sources": {
        "ja": "同期元が設定されていません。params/sources/sync/ に hubspot.yml または "
        "salesforce.yml を置いてください（docs/sync.md）",
        "en": "no sync source is configured; put hubspot.yml or salesforce.yml in "
        "params/sources/sync/ (see docs/sync.md)",
    },
    "sources.none": {
        "ja": "まだ同期していません（reviewkit sync SOURCE で同期します）",
        "en": "nothing synced yet (run reviewkit sync SOURCE)",
    },
    "sources.mode.full": {"ja": "全件", "en": "full"},
    "sources.mode.incremental": {"ja": "差分", "en": "incremental"},
    "sources.line": {
        "ja": "{head}: 最終成功 {last}（{mode}）、読み込み {read}件、追加 {added}、更新 {updated}、"
        "削除 {deleted}、統合 {merged}、除外 {quarantined}; カーソル {cursor}",
        "en": "{head}: last success {last} ({mode}), read {read}, added {added}, updated "
        "{updated}, deleted {deleted}, merged {merged}, quarantined {quarantined}; cursor {cursor}",
    },
    "sources.stale": {
        "ja": "要注意: {source} は {hours} 時間以上同期されていません（最終 {last}）",
        "en": "watch: {source} has not been synced for more than {hours} hours (last {last})",
    },
    "sources.never": {
        "ja": "要注意: {source} は設定されていますが、まだ同期されていません",
        "en": "watch: {source} is configured but has never been synced",
    },
    "sources.files": {
        "ja": "ファイル取り込み: {source_system} 最終 {last}（{profile}）",
        "en": "file imports: {source_system} last {last} ({profile})",
    },
    # the data-quality section and checklist point 9 (tools)
    "quality.sync": {
        "ja": "{source} の API 同期: 最終 {last}（{objects}）",
        "en": "{source} API sync: last {last} ({objects})",
    },
    "quality.sync_stale": {
        "ja": "{source} の API 同期が {hours} 時間以上止まっています（最終 {last}）。定期実行を"
        "確認してください",
        "en": "{source} has not synced from its API for more than {hours} hours (last {last}): "
        "check the scheduled sync",
    },
    "quality.sync_never": {
        "ja": "{source} は同期元として設定されていますが、まだ同期されていません",
        "en": "{source} is configured as a sync source but has never been synced",
    },
    "check.tools.hint_sync": {
        "ja": "API 同期が止まっている同期元があります（{sources}）。定期実行を確認してください。",
        "en": "A CRM sync has stopped ({sources}): check the scheduled sync.",
    },
}
