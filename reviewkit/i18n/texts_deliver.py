"""Texts of deliver: every entry holds ``ja`` and ``en``."""

from __future__ import annotations

DELIVER_TEXTS: dict[str, dict[str, str]] = {}
