"""Texts of deliver chat: every entry holds ``ja`` and ``en``.

The words of a Slack or Microsoft Teams message about a pack (:mod:`reviewkit.deliver.chat`).
Everything else in those messages comes from the pack itself (:class:`PackMessage`).
"""

from __future__ import annotations

DELIVER_CHAT_TEXTS: dict[str, dict[str, str]] = {
    "chat.open_pack": {"ja": "レビュー資料を開く", "en": "Open the review pack"},
    "chat.no_link": {
        "ja": "レビュー資料はメールの添付、または出力フォルダ（outputs/）にあります。",
        "en": "The review pack is attached to the e-mail or in the outputs folder (outputs/).",
    },
}
