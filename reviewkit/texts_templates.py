"""Texts of analyst-made templates (``reviewkit new-template``) and their packs."""

TEMPLATE_TEXTS: dict[str, dict[str, str]] = {}
