"""Texts of delivery: what messages about a pack call its parts; every entry holds ja and en."""

from __future__ import annotations

DELIVER_TEXTS: dict[str, dict[str, str]] = {
    "deliver.kpis.period": {"ja": "{period}の KPI 状況", "en": "KPI status for {period}"},
    "deliver.kpis.pace": {
        "ja": "今月の進捗（ペース比）",
        "en": "Month to date against the pace",
    },
    "index.delivery.title": {"ja": "配信", "en": "Delivery"},
    "index.delivery.sent": {"ja": "送信", "en": "Sent"},
    "index.delivery.already": {"ja": "送信済み（再送なし）", "en": "Already delivered"},
    "index.delivery.failed": {"ja": "失敗", "en": "Failed"},
    "index.delivery.alert": {
        "ja": "{n} 件の配信に失敗しました。資料は公開済みです。次回の実行で再送します"
        "（今すぐなら reviewkit deliver）。",
        "en": "{n} deliveries failed. The packs are published; the next run tries again "
        "(or run reviewkit deliver now).",
    },
}
