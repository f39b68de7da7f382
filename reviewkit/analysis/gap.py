"""How far the KGI missed, and which KPI-tree drivers the gap came from.

The KGI of the period is compared with its target, the previous period and the same period a
year earlier; each gap is split across the tree's drivers (lead volume, each stage rate, deal
size) with Shapley values, so the parts add up to the gap exactly whatever the order.
"""

from __future__ import annotations

import math

import pandas as pd

from reviewkit.analysis.attribution import TREE_COLUMNS, tree_attribution
from reviewkit.analysis.scorecard import TargetSource, target_for
from reviewkit.core.periods import FiscalCalendar, Period, previous_period, same_period_last_year
from reviewkit.semantic.funnel import Funnel

COMPARISONS = ("target", "previous", "last_year")
GAP_COLUMNS = ["comparison", "reference", "actual", "gap", *TREE_COLUMNS]


def kgi_figures(
    funnel: Funnel,
    period: Period,
    *,
    calendar: FiscalCalendar,
    targets: TargetSource | None,
) -> dict[str, dict[str, float]]:
    """Stage counts and the KGI of the period and of what it is compared with.

    Returns
    -------
    dict
        ``actual``, ``previous``, ``last_year`` and ``target`` -> {stage or KGI key: value}.
        ``target`` is left out when any stage or the KGI has no target (its tree would not
        multiply out).
    """
    definitions = funnel.definitions
    keys = [*definitions.stage_keys, funnel.kgi_key()]
    keys = list(dict.fromkeys(keys))
    periods = {
        "actual": period,
        "previous": previous_period(period, calendar=calendar),
        "last_year": same_period_last_year(period, calendar=calendar),
    }
    frame = funnel.metric_frame(keys, list(periods.values()))
    values = frame.set_index(["period", "metric"])["value"]
    out = {name: {k: float(values[(p.label, k)]) for k in keys} for name, p in periods.items()}
    planned = {
        k: target_for(funnel, targets, k, period, segment=None, calendar=calendar) for k in keys
    }
    if all(v is not None for v in planned.values()):
        out["target"] = {k: float(v) for k, v in planned.items() if v is not None}
    return out


def gap_attribution(figures: dict[str, dict[str, float]], *, funnel: Funnel) -> pd.DataFrame:
    """Split the KGI's gap to each comparison across the KPI tree's drivers.

    Parameters
    ----------
    figures
        :func:`kgi_figures`.
    funnel
        For the definitions (the tree) and the KGI key.

    Returns
    -------
    pandas.DataFrame
        :data:`GAP_COLUMNS`: per comparison (``target``, ``previous``, ``last_year``; those
        without figures are left out) and driver, the reference and actual KGI, the gap and the
        driver's ``contribution`` to it (parts and the ``residual`` add up to the gap).
    """
    kgi = funnel.kgi_key()
    actual = figures["actual"]
    parts = []
    for name in COMPARISONS:
        if name not in figures:
            continue
        base = figures[name]
        if kgi != funnel.definitions.kgi.key:  # KGI is the last stage: no deal size driver
            base = {**base, funnel.definitions.kgi.key: base[kgi]}
            now = {**actual, funnel.definitions.kgi.key: actual[kgi]}
        else:
            now = actual
        frame = tree_attribution(base, now, definitions=funnel.definitions)
        frame.insert(0, "gap", now[kgi] - base[kgi])
        frame.insert(0, "actual", now[kgi])
        frame.insert(0, "reference", base[kgi])
        frame.insert(0, "comparison", name)
        parts.append(frame)
    if not parts:
        return pd.DataFrame(columns=GAP_COLUMNS)
    return pd.concat(parts, ignore_index=True)[GAP_COLUMNS]


def main_comparison(attribution: pd.DataFrame) -> str:
    """The comparison a review reads first: the target when there is one, else the previous."""
    return "target" if "target" in set(attribution["comparison"]) else "previous"


def cost_and_offsets(
    attribution: pd.DataFrame, comparison: str, *, offsets: int = 2
) -> tuple[pd.Series | None, pd.DataFrame]:
    """The driver that cost the most against a comparison, and the largest that made up for it.

    Returns
    -------
    tuple
        The costliest driver's row (``None`` when no driver cost anything) and up to
        ``offsets`` rows of drivers that added to the KGI, largest first.
    """
    rows = attribution[
        (attribution["comparison"] == comparison) & (attribution["driver"] != "residual")
    ]
    costs = rows[rows["contribution"] < 0].sort_values("contribution")
    gains = rows[rows["contribution"] > 0].sort_values("contribution", ascending=False)
    worst = None if costs.empty else costs.iloc[0]
    return worst, gains.head(offsets)


def reference_of(attribution: pd.DataFrame, comparison: str) -> float:
    """The reference KGI of a comparison (NaN if absent)."""
    rows = attribution[attribution["comparison"] == comparison]
    return float(rows["reference"].iloc[0]) if len(rows) else math.nan
