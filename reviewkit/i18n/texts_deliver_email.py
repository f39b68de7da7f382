"""Texts of deliver email: every entry holds ``ja`` and ``en``."""

from __future__ import annotations

DELIVER_EMAIL_TEXTS: dict[str, dict[str, str]] = {}
