"""How far a figure is from its target, in one word: met, near, missed or no target."""

from __future__ import annotations

import math

NEAR = 0.9  # achievement at or above this (and below 100 %) is "slightly short"


def status_of(achievement: float) -> str:
    """Classify an achievement ratio: ``met``, ``near``, ``missed`` or ``no_target``."""
    if math.isnan(achievement):
        return "no_target"
    if achievement >= 1.0:
        return "met"
    return "near" if achievement >= NEAR else "missed"
