"""Texts of the segment columns and the labels of the built-in dimensions."""

SEGMENTS_TEXTS: dict[str, dict[str, str]] = {
    # deviations
    "col.segment": {"ja": "セグメント", "en": "Segment"},
    "col.people": {"ja": "人数", "en": "People"},
    "segment.unknown": {"ja": "（不明）", "en": "(unknown)"},
    "dimension.channel": {"ja": "チャネル", "en": "channel"},
    "dimension.content_asset": {"ja": "コンテンツ", "en": "content asset"},
    "dimension.sales_team": {"ja": "営業チーム", "en": "sales team"},
    "dimension.company_size": {"ja": "企業規模", "en": "company size"},
}
