"""Texts of the data quality section."""

QUALITY_TEXTS: dict[str, dict[str, str]] = {
    # data quality
    "quality.title": {"ja": "データ品質", "en": "Data quality"},
    "quality.source": {"ja": "データソース", "en": "Source"},
    "quality.last_record": {"ja": "最新のデータ", "en": "Latest record"},
    "quality.last_import": {"ja": "最終取込", "en": "Last import"},
    "quality.records": {"ja": "件数", "en": "Records"},
    "quality.facts": {
        "ja": "リードレコード {records}件、人数 {persons}人"
        "（MA と SFA の重複 {merged}件を名寄せ）。流入元が不明な人 {no_channel}（{share}）。",
        "en": "{records} lead records, {persons} people ({merged} MA/SFA duplicates merged). "
        "People without a channel: {no_channel} ({share}).",
    },
    "quality.facts_one_source": {
        "ja": "リードレコード {records}件、人数 {persons}人。データ元は {source} の 1 つだけの"
        "ため、システム間の重複の名寄せはありません。流入元が不明な人 {no_channel}（{share}）。",
        "en": "{records} lead records, {persons} people. One source system only ({source}), so "
        "there are no duplicates across systems to merge. People without a channel: "
        "{no_channel} ({share}).",
    },
    "quality.quarantine": {
        "ja": "取込で保留した行（理由別）: {items}",
        "en": "Rows held back at import, by reason: {items}",
    },
    "quality.no_quarantine": {
        "ja": "取込で保留した行はありません。",
        "en": "No rows were held back at import.",
    },
    "quality.never": {"ja": "—", "en": "—"},
    "header.newer_data": {
        "ja": "参考: ストアには {date} までのデータがありますが、この資料はレビュー日より前の"
        "データだけを使っています",
        "en": "For reference: the store holds data up to {date}; this pack uses only the data "
        "before the review date",
    },
    "header.stale_source": {
        "ja": "注意: {source} のデータは {day} までで、対象期間の終わりに届いていません",
        "en": "Note: {source} data ends on {day}, before the end of the period",
    },
    "header.foreign_currency": {
        "ja": "注意: ストアに {currency} 以外の通貨の金額があります（{counts}）。金額はすべて "
        "{currency} として表示しています。会社の通貨が違うなら params/workspace.yml の currency: "
        "を、取込の誤りなら取込プロファイルの currency: を直して取り込み直してください",
        "en": "Note: the store holds amounts in another currency than {currency} ({counts}); "
        "every amount is shown as {currency}. If the company works in another currency, set "
        "currency: in params/workspace.yml; if the import was wrong, re-import with the right "
        "currency: in the source profile",
    },
    "header.foreign_currency.opportunities": {
        "ja": "商談 {n}件が {currency}",
        "en": "{n} opportunities in {currency}",
    },
    "header.foreign_currency.campaigns": {
        "ja": "キャンペーン {n}件が {currency}",
        "en": "{n} campaigns in {currency}",
    },
}
