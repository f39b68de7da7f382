"""Texts of segment packs and the batch runner (reviewkit batch)."""

BATCH_TEXTS: dict[str, dict[str, str]] = {
    "pace.no_targets": {
        "ja": "進行中の期間に目標がないため、ペースは示せません（params/targets.yml に"
        "目標を設定すると表示されます）。",
        "en": "No period in progress has a target, so there is no pace to show (set targets "
        "in params/targets.yml).",
    },
}
