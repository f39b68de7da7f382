"""Content assets and campaigns ranked by what their leads became, against volume and cost.

For each asset (or campaign): the period's entrants into the first stage, the share of them
that reached the reach stage (SQL, or the last stage of a shorter funnel; a cohort compared at
the matched age with the baseline, see :mod:`reviewkit.analysis.splits`), the campaign spend, the
cost per one reached, and the *shortfall*: how many its entrants would have reached at everyone's
rate, minus how many they did. Assets that bring many people who rarely qualify come first.
Spend is NaN when the store has no campaign costs (the section then says so; never 0).
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from reviewkit.analysis.splits import PeriodPeople, key_values, rate_split
from reviewkit.model.definitions import Definitions, parse_duration
from reviewkit.semantic.funnel import Funnel

CONTENT_COLUMNS = [
    "segment", "leads", "reached", "rate", "leads_before", "rate_before", "spend",
    "cost_per_reached", "shortfall",
]  # fmt: skip


def reach_stage(stages: list[str]) -> str:
    """The stage a lead should reach to count as good content: the third (SQL), or the last."""
    return stages[min(2, len(stages) - 1)]


def content_ranking(
    people: PeriodPeople,
    funnel: Funnel,
    *,
    by: str = "content_asset",
    reach: str | None = None,
    top: int = 10,
    costs: bool = True,
) -> tuple[pd.DataFrame, float | None]:
    """Rank content assets (or campaigns) by the SQLs their leads fell short of.

    Parameters
    ----------
    people
        The period's and baseline's entries.
    funnel
        For the definitions and campaign spend.
    by
        ``content_asset`` or ``campaign_id``.
    reach
        The stage the leads should reach (default: the third stage, SQL).
    top
        Rows kept.
    costs
        Whether the store has campaign costs; without, ``spend`` and ``cost_per_reached`` are
        NaN (not 0).

    Returns
    -------
    tuple
        The ranking (:data:`CONTENT_COLUMNS`; ``segment`` is the asset or campaign, ``None``
        rows are left out) and the matched-age window in days (``None``: period basis).
    """
    definitions = funnel.definitions
    stages = definitions.stage_keys
    first = stages[0]
    target = reach or reach_stage(stages)
    window = content_window(people, definitions)
    split = rate_split(people, source=first, target=target, dims=(by,), window=window)
    whole = split["numerator"].sum() / split["denominator"].sum() if len(split) else math.nan
    cost: dict[str | None, float] = {}
    if costs:
        spend = funnel.metric_frame([definitions.cost_metric(first)], [people.period], by=[by])
        cost = {
            (None if pd.isna(k) else str(k)): float(v)
            for k, v in zip(spend[by], spend["numerator"], strict=True)
        }
    rows = []
    for r in split.to_dict("records"):
        value = key_values(str(r["segment"]))[0]
        if value is None or not r["denominator"]:
            continue
        money = cost.get(value, math.nan)
        rows.append(
            {
                "segment": value,
                "leads": r["denominator"],
                "reached": r["numerator"],
                "rate": r["numerator"] / r["denominator"],
                "leads_before": r["before_denominator"],
                "rate_before": (
                    r["before_numerator"] / r["before_denominator"]
                    if r["before_denominator"]
                    else math.nan
                ),
                "spend": money,
                "cost_per_reached": money / r["numerator"] if r["numerator"] else math.nan,
                "shortfall": r["denominator"] * whole - r["numerator"],
            }
        )
    out = pd.DataFrame(rows, columns=CONTENT_COLUMNS)
    out = out.sort_values("shortfall", ascending=False, kind="stable").head(top)
    days = None if window is None else window.days
    return out.reset_index(drop=True), days


def content_window(people: PeriodPeople, definitions: Definitions) -> dt.timedelta | None:
    """The window of the content ranking's matched-age cohort; ``None``: the period basis.

    The definitions' conversion window when rates are read as cohorts and the period is at
    least a day old at the review (as :func:`reviewkit.analysis.rate_basis.rate_basis`).
    """
    if definitions.conversion.basis != "cohort" or people.cutoff is None:
        return None
    if people.age < dt.timedelta(days=1):
        return None
    return parse_duration(definitions.conversion.window)
