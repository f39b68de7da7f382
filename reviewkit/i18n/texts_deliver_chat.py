"""Texts of deliver chat: every entry holds ``ja`` and ``en``."""

from __future__ import annotations

DELIVER_CHAT_TEXTS: dict[str, dict[str, str]] = {}
