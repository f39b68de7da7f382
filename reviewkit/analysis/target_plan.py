"""Next quarter's funnel targets, back-solved from its KGI target at recent rates.

The KPI tree multiplies out to the KGI: ``leads x lead_to_mql x ... x opportunity_to_won x
deal size``. On the *period basis* (entered B in a month / entered A in the same month; deal
size = the KGI / the last stage's count) the product telescopes to the KGI exactly, so walking
the tree backwards from a KGI target gives the stage counts that multiply out to it:
``won = revenue / deal size``, ``opportunity = won / opportunity_to_won``, and so on up to the
first stage.

Three variants assume different rates, all taken from the last 12 months up to the reviewed
quarter: *expected* the pooled rates (sum of numerators / sum of denominators over the window),
*conservative* each driver's 25th percentile month, *optimistic* its 75th percentile month (a
driver with fewer than :data:`MIN_MONTHS` months of data uses the pooled rate in all three).

The plan is written as a draft targets file for approval, never over ``params/targets.yml``.
This module reads the tree and the recent rates; :mod:`reviewkit.analysis.kgi_target` finds
the KGI target, :mod:`reviewkit.analysis.plan_solving` back-solves the plan,
:mod:`reviewkit.analysis.draft_targets` writes the draft file, and
:mod:`reviewkit.present.sections.target_plan` tabulates the plan and the rates and says in one
sentence what the funnel needs.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from reviewkit.core.periods import (
    FiscalCalendar,
    Period,
    months_ending,
    period_containing,
)
from reviewkit.errors import ParameterError
from reviewkit.model.definitions import Definitions
from reviewkit.semantic.funnel import Funnel

VARIANTS = ("conservative", "expected", "optimistic")
POOLED = "pooled"  # the ``month`` of the pooled rows of :func:`recent_rates`
TOTAL = "total"  # the ``month`` of the quarter-total rows
MIN_MONTHS = 6  # fewer valid months than this: pooled rates for every variant
QUANTILES = {"conservative": 0.25, "optimistic": 0.75}
RATE_COLUMNS = ["month", "driver", "kind", "numerator", "denominator", "value"]
VARIANT_COLUMNS = ["driver", "kind", *VARIANTS, "valid_months", "pooled_only", "no_data_months"]
PLAN_COLUMNS = ["variant", "month", "metric", "value", "rounded"]
COMPARISON_COLUMNS = ["month", "metric", "target", *VARIANTS, *(f"diff_{v}" for v in VARIANTS)]


# --- the tree --------------------------------------------------------------------------------


def plan_metrics(definitions: Definitions) -> list[str]:
    """The plan's metrics in funnel order: the tree's stages, then the KGI (once)."""
    head, steps = definitions.tree_steps()
    return list(dict.fromkeys([head, *(s.numerator for s in steps)]))


def quarter_months(period: Period, *, calendar: FiscalCalendar) -> list[Period]:
    """The calendar months of a period (a quarter: its three months), oldest first."""
    months, day = [], period.start
    while day < period.end:
        month = period_containing("monthly", day, calendar=calendar)
        months.append(month)
        day = month.end
    return months


# --- recent rates ----------------------------------------------------------------------------


def recent_rates(
    funnel: Funnel, period: Period, *, calendar: FiscalCalendar, months: int = 12
) -> pd.DataFrame:
    """Each tree driver's period-basis value per month, and pooled over the window.

    Parameters
    ----------
    funnel
        The semantic layer bound to the store.
    period
        The reviewed period (a quarter): the window ends with its last month.
    calendar
        The fiscal calendar.
    months
        Length of the window in months.

    Returns
    -------
    pandas.DataFrame
        :data:`RATE_COLUMNS`, one row per month (``YYYY-MM``, oldest first) x rate or size
        driver (tree order; the first stage's volume is not a rate and is left out), then one
        ``month == "pooled"`` row per driver. A rate is the later stage's entries in the month
        over the earlier stage's (``numerator`` / ``denominator``); deal size is the KGI over
        the last stage's count. ``value`` is NaN when the denominator is 0; pooled values are
        the sums of numerators over the sums of denominators.
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ParameterError(f"months: {months!r} is not a number of months; use 1 or more (12)")
    _, steps = funnel.definitions.tree_steps()
    window = months_ending(period, months, calendar=calendar)
    labels = [p.label for p in window]
    keys = list(dict.fromkeys(k for s in steps for k in (s.numerator, s.denominator)))
    frame = funnel.metric_frame(keys, window)
    counts = frame.pivot(index="period", columns="metric", values="value").reindex(labels)
    parts = []
    for step in steps:
        num = counts[step.numerator].fillna(0.0).to_numpy(dtype="float64")
        den = counts[step.denominator].fillna(0.0).to_numpy(dtype="float64")
        total_num, total_den = float(num.sum()), float(den.sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        parts.append(
            pd.DataFrame(
                {
                    "month": [*labels, POOLED],
                    "driver": step.driver,
                    "kind": step.kind,
                    "numerator": [*num, total_num],
                    "denominator": [*den, total_den],
                    "value": [*value, total_num / total_den if total_den else math.nan],
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["_pooled"] = out["month"] == POOLED
    out = out.sort_values("_pooled", kind="stable").drop(columns="_pooled")
    return out[RATE_COLUMNS].reset_index(drop=True)


def plan_variants(rates: pd.DataFrame, *, min_months: int = MIN_MONTHS) -> pd.DataFrame:
    """The value each variant assumes for each driver.

    ``expected`` is the pooled value; ``conservative`` the 25th and ``optimistic`` the 75th
    percentile of the monthly values (linear interpolation between months; a lower rate or
    deal size needs more people, hence "conservative"). A driver with fewer than
    ``min_months`` months with a value uses the pooled value for all three
    (``pooled_only``).

    Parameters
    ----------
    rates
        :func:`recent_rates`.
    min_months
        The fewest months with a value for percentiles to be used.

    Returns
    -------
    pandas.DataFrame
        :data:`VARIANT_COLUMNS`, one row per driver in tree order: the three values,
        ``valid_months`` (months with a value), ``pooled_only`` and ``no_data_months`` (the
        ``YYYY-MM`` months without a value, as a tuple).
    """
    monthly = rates[rates["month"] != POOLED]
    pooled = rates[rates["month"] == POOLED].set_index("driver")
    rows = []
    for driver, group in monthly.groupby("driver", sort=False):
        values = group["value"].dropna()
        expected = float(pooled.loc[driver, "value"])
        few = len(values) < min_months
        row = {
            "driver": driver,
            "kind": str(group["kind"].iloc[0]),
            "expected": expected,
            "valid_months": len(values),
            "pooled_only": few,
            "no_data_months": tuple(group.loc[group["value"].isna(), "month"]),
        }
        for name, q in QUANTILES.items():
            row[name] = expected if few else float(values.quantile(q))
        rows.append(row)
    return pd.DataFrame(rows, columns=VARIANT_COLUMNS)
