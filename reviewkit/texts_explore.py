"""Texts of the interactive drill-down (``reviewkit.explore``) and the split chart."""

EXPLORE_TEXTS: dict[str, dict[str, str]] = {}
