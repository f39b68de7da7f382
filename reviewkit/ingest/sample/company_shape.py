"""The sample company's shape: its channels, segments, conversion rates, content and events.

The tables :func:`reviewkit.ingest.sample.company.generate` draws from; the planted problems
and volumes are in ``sample_company.yml``.
"""

from __future__ import annotations

CHANNELS = ("paid_search", "display", "content_seo", "referral", "webinar", "exhibition")
INDUSTRIES = {
    "manufacturing": 0.28, "it_software": 0.22, "retail": 0.12, "finance": 0.10,
    "healthcare": 0.08, "logistics": 0.08, "construction": 0.07, "other": 0.05,
}  # fmt: skip
SIZES = {"micro": 0.10, "small": 0.30, "mid": 0.35, "large": 0.25}
REGIONS = {"kanto": 0.45, "kansai": 0.20, "chubu": 0.15, "kyushu": 0.10, "tohoku_hokkaido": 0.10}
PERSONAS = {"executive": 0.15, "it_manager": 0.30, "business_manager": 0.35, "staff": 0.20}
TEAMS = ("Team A", "Team B", "Team C")

# Daily share of the "always on" channels; webinars and exhibitions come in bursts.
BASE_SHARE = {"paid_search": 0.36, "display": 0.18, "content_seo": 0.34, "referral": 0.12}
SCORE_SHIFT = {
    "paid_search": 0.0, "display": -0.55, "content_seo": -0.25, "referral": 0.45,
    "webinar": 0.15, "exhibition": -0.1, None: -0.2,
}  # fmt: skip
SQL_RATE = {
    "paid_search": 0.42, "display": 0.26, "content_seo": 0.32, "referral": 0.55,
    "webinar": 0.36, "exhibition": 0.30, None: 0.30,
}  # fmt: skip
SIZE_SQL = {"micro": 0.6, "small": 0.9, "mid": 1.05, "large": 1.15}
PERSONA_SQL = {"executive": 1.2, "it_manager": 1.1, "business_manager": 1.0, "staff": 0.7}
SIZE_OPP = {"micro": 0.45, "small": 0.52, "mid": 0.58, "large": 0.62}
SIZE_WIN = {"micro": 0.36, "small": 0.34, "mid": 0.31, "large": 0.27}
SIZE_AMOUNT = {"micro": 600_000, "small": 1_500_000, "mid": 4_000_000, "large": 11_000_000}
SIZE_CYCLE_DAYS = {"micro": 25, "small": 35, "mid": 55, "large": 90}

CONTENT_ASSETS = [
    # id, title, published, production cost (JPY)
    ("wp-dx-basics", "DX推進の基本ガイド", "2023-10-01", 800_000),
    ("wp-cost-report", "業務コスト削減レポート2024", "2024-04-15", 1_200_000),
    ("cs-manufacturing", "導入事例: 製造業A社", "2024-07-01", 500_000),
    ("wp-security", "クラウドセキュリティ白書", "2024-10-01", 1_000_000),
    ("eb-roi", "ROI試算ハンドブック", "2025-01-15", 700_000),
    ("cs-retail", "導入事例: 小売業B社", "2025-04-01", 500_000),
    ("wp-dx-2025", "DX実態調査2025", "2025-07-01", 1_500_000),
    ("eb-checklist", "システム選定チェックリスト", "2025-10-01", 600_000),
    ("cs-finance", "導入事例: 金融C社", "2026-01-15", 500_000),
    ("wp-data-2026", "データ活用実態調査2026", "2026-04-01", 1_400_000),
    ("eb-migration", "移行プロジェクト実践ガイド", "2026-07-01", 900_000),
    ("wp-genai-guide", "生成AI活用ガイド", "2026-10-01", 1_800_000),
]
EXHIBITIONS = [
    # id, name, first day, days, expected leads per day, cost
    ("EXH-2024-05-ITW", "Japan IT Week 春 2024", "2024-05-22", 3, 230, 6_500_000),
    ("EXH-2024-10-ITW", "Japan IT Week 秋 2024", "2024-10-23", 3, 210, 6_500_000),
    ("EXH-2025-01-DX", "DX総合EXPO 2025", "2025-01-29", 3, 170, 5_000_000),
    ("EXH-2025-05-ITW", "Japan IT Week 春 2025", "2025-05-21", 3, 250, 7_000_000),
    ("EXH-2025-10-ITW", "Japan IT Week 秋 2025", "2025-10-22", 3, 230, 7_000_000),
    ("EXH-2026-01-DX", "DX総合EXPO 2026", "2026-01-28", 3, 180, 5_500_000),
    ("EXH-2026-05-ITW", "Japan IT Week 春 2026", "2026-05-20", 3, 260, 7_500_000),
    ("EXH-2026-10-ITW", "Japan IT Week 秋 2026", "2026-10-21", 3, 240, 7_500_000),
]
COMPANY_PARTS = (
    ["東和", "大和", "日進", "北斗", "光洋", "三栄", "中央", "共栄", "旭", "昭和", "平成", "丸山",
     "富士", "新星", "明和", "協和", "太陽", "青葉", "白鷺", "桜井"],
    ["精機", "商事", "工業", "システム", "物流", "建設", "電子", "製作所", "ホールディングス",
     "ソリューションズ", "テック", "メディカル", "フーズ", "化学", "産業"],
)  # fmt: skip
