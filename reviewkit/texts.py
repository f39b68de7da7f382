"""Every user-facing word of a pack, in Japanese and English."""

from __future__ import annotations

from reviewkit.errors import ParameterError

LANGS = ("ja", "en")

TEXTS: dict[str, dict[str, str]] = {
    # review titles
    "title.weekly": {"ja": "週次レビュー", "en": "Weekly review"},
    "title.monthly": {"ja": "月次レビュー", "en": "Monthly review"},
    "title.quarterly": {"ja": "四半期レビュー", "en": "Quarterly review"},
    "purpose.weekly": {
        "ja": "目標に対する進捗とペースを確認し、異常を早期に見つける（15分）",
        "en": "Progress and pace against target; catch anomalies early (15 min)",
    },
    "purpose.monthly": {
        "ja": "未達の原因を特定し、改善策を決める（60分）",
        "en": "Find why KPIs were missed and decide improvements (60 min)",
    },
    "purpose.quarterly": {
        "ja": "KPIそのものを見直し、目標を再設定する（90分）",
        "en": "Re-evaluate the KPIs themselves and re-set targets (90 min)",
    },
    # header
    "header.period": {"ja": "対象期間", "en": "Period"},
    "header.as_of": {"ja": "基準日", "en": "As of"},
    "header.freshness": {"ja": "データ更新", "en": "Data as of"},
    "header.definitions": {"ja": "指標定義", "en": "Definitions"},
    "header.no_data": {"ja": "データなし", "en": "no data"},
    "header.stale": {
        "ja": "注意: データが対象期間の終わりまで揃っていません",
        "en": "Note: the data does not reach the end of the period",
    },
    # sections
    "section.kpi_status": {"ja": "KPI の状況", "en": "KPI status"},
    "section.definitions": {"ja": "指標の定義", "en": "Metric definitions"},
    # scorecard
    "col.metric": {"ja": "指標", "en": "Metric"},
    "col.actual": {"ja": "実績", "en": "Actual"},
    "col.target": {"ja": "目標", "en": "Target"},
    "col.achievement": {"ja": "達成率", "en": "Achieved"},
    "col.status": {"ja": "状況", "en": "Status"},
    "col.previous": {"ja": "前期間", "en": "Previous"},
    "col.change": {"ja": "前期間比", "en": "Change"},
    "col.owner": {"ja": "担当", "en": "Owner"},
    "col.definition": {"ja": "定義", "en": "Definition"},
    "status.met": {"ja": "✓ 達成", "en": "✓ Met"},
    "status.near": {"ja": "△ やや未達", "en": "△ Slightly short"},
    "status.missed": {"ja": "✕ 未達", "en": "✕ Missed"},
    "status.no_target": {"ja": "― 目標なし", "en": "― No target"},
    "scorecard.note": {
        "ja": "件数は期間内にその段階に入った人数（MAとSFAの重複は名寄せ済み）。"
        "達成率 ≥ 100% で達成、90% 以上でやや未達。前期間は {previous}。",
        "en": "Counts are people entering each stage in the period (MA/SFA duplicates merged). "
        "Met at ≥ 100% of target, slightly short at ≥ 90%. Previous period: {previous}.",
    },
    "owner.marketing": {"ja": "マーケティング", "en": "Marketing"},
    "owner.inside_sales": {"ja": "インサイドセールス", "en": "Inside sales"},
    "owner.sales": {"ja": "営業", "en": "Sales"},
    "definitions.agreement": {
        "ja": "定義 v{version}（{agreed_on} 合意: {agreed_by}）",
        "en": "Definitions v{version} (agreed on {agreed_on} by {agreed_by})",
    },
    # index page
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
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a pack language, else raise :class:`ParameterError`."""
    if lang not in LANGS:
        raise ParameterError(f"lang: {lang!r} is not a pack language; use ja or en")
    return lang


def t(key: str, lang: str, **values: object) -> str:
    """Return the text ``key`` in ``lang``, with ``{name}`` fields filled from ``values``."""
    text = TEXTS[key][check_lang(lang)]
    return text.format(**values) if values else text
