"""What the cause checklist rests on: the data a store holds, and the checklist's value helpers.

Shared by :mod:`reviewkit.analysis.checklist` (the ten questions) and
:mod:`reviewkit.analysis.checklist_teams` (the questions about the sales teams).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from reviewkit.analysis.followup import format_hours
from reviewkit.i18n.formatting import format_count, format_pct

STATUSES = ("problem", "watch", "ok", "nodata", "discuss")
TARGET_DIMS = ("industry", "company_size", "persona", "region")
CONTENT_DIMS = ("content_asset", "campaign_id")
SEGMENT_DIMS = ("channel", *TARGET_DIMS, *CONTENT_DIMS, "sales_team")
EPS = 1e-9  # rates are compared at their thresholds without float noise


@dataclass(frozen=True)
class Evidence:
    """What data the checklist's points can rest on.

    Attributes
    ----------
    columns
        The segment columns with two or more values among the leads
        (:attr:`reviewkit.semantic.funnel.Funnel.split_dimensions`).
    touches
        Whether the store holds touches (human activities).
    teams
        Whether the leads or deals have a sales team.
    campaign_costs
        Whether the store holds campaign costs.
    """

    columns: tuple[str, ...] = SEGMENT_DIMS
    touches: bool = True
    teams: bool = True
    campaign_costs: bool = True


def is_missing(value: object) -> bool:
    """Whether ``value`` is missing (``None``, NaN, NaT, NA); a value pandas cannot test is not."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_float(value: Any) -> float:
    """``value`` as a float; NaN when missing."""
    return math.nan if is_missing(value) else float(value)


def pct_text(value: object, *, lang: str) -> str:
    """A fraction as a percentage in ``lang`` (a dash when missing)."""
    return format_pct(as_float(value), lang=lang)


def count_text(value: object, *, lang: str) -> str:
    """A count in ``lang`` (a dash when missing)."""
    return format_count(as_float(value), lang=lang)


def hours_text(value: object, *, lang: str) -> str:
    """Hours in ``lang`` (a dash when missing)."""
    return format_hours(as_float(value), lang=lang)
