"""How each metric type is evaluated: one evaluator per type, found by the metric's class.

An evaluator gets the metric and an :class:`Evaluation` (the funnel's tables, the periods
table, the segment filter, the grouping and the frame's rows) and returns those rows with
``numerator``, ``denominator``, ``value``, ``basis`` and ``mature``. A new metric type adds its
class in :mod:`reviewkit.model.metrics` and its evaluator to :data:`EVALUATORS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reviewkit.errors import ParameterError
from reviewkit.model.metrics import (
    AverageDealSizeMetric,
    ConversionMetric,
    CostPerMetric,
    CountMetric,
    PipelineCoverageMetric,
    RevenueMetric,
    SalesCycleMetric,
    SlaMetric,
    SpeedToLeadMetric,
    WinRateMetric,
    parse_duration,
)
from reviewkit.semantic import families
from reviewkit.semantic.tables import FunnelTables


def _ratios(numerators: Any, denominators: Any) -> list[float]:
    return [families.safe_div(n, d) for n, d in zip(numerators, denominators, strict=True)]


@dataclass(frozen=True)
class Evaluation:
    """What one metric is evaluated over: the funnel, periods table, filter, grouping, rows."""

    funnel: FunnelTables
    table: str
    segment: Mapping[str, object] | None
    by: list[str]
    index: pd.DataFrame
    # the stage counts of every stage, queried once for all the metrics (see counts)
    stage_counts: dict[str, pd.DataFrame] = field(default_factory=dict, compare=False)

    def rows(self) -> pd.DataFrame:
        """The frame's rows (period x group), ``basis`` unset and every row ``mature``."""
        out = self.index.copy()
        out["basis"] = None
        out["mature"] = True
        return out

    def merged(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (a family query's result) aligned on the rows; missing groups are NaN."""
        keys = ["period", *self.by]
        base = self.index
        if self.by:
            frame = frame.astype({c: "object" for c in self.by if c in frame})
            base = self.index.astype({c: "object" for c in self.by})
        return base.merge(frame, on=keys, how="left")

    def counts(self, stage: str) -> pd.Series:
        """Entries into ``stage`` per row (0 where none).

        Every stage is counted by one query, the first time any is asked for; each metric of
        the frame then takes its stages' rows from it.
        """
        every = self.stage_counts.get("frame")
        if every is None:
            every = families.stage_counts(self.funnel, self.table, self.segment, self.by)
            self.stage_counts["frame"] = every
        frame = every[every["stage"] == stage].drop(columns="stage")
        return self.merged(frame)["n"].fillna(0)

    def deals(self) -> pd.DataFrame:
        """The closed-deal statistics per row (:func:`.families.opportunity_stats`)."""
        return self.merged(
            families.opportunity_stats(self.funnel, self.table, self.segment, self.by)
        )


def evaluate_count(metric: CountMetric, on: Evaluation) -> pd.DataFrame:
    """People entering the stage in the period (period basis)."""
    out = on.rows()
    out["numerator"] = on.counts(metric.stage).to_numpy()
    out["denominator"] = math.nan
    out["value"] = out["numerator"]
    out["basis"] = "period"
    return out


def evaluate_conversion(metric: ConversionMetric, on: Evaluation) -> pd.DataFrame:
    """Entries into ``to`` over entries into ``from``, on the period or the cohort basis.

    A cohort whose window has not elapsed by the cut-off is not ``mature``.
    """
    out = on.rows()
    out["basis"] = metric.basis
    if metric.basis == "period":
        a, b = on.counts(metric.from_), on.counts(metric.to)
        out["numerator"], out["denominator"] = b.to_numpy(), a.to_numpy()
    else:
        c = on.merged(families.cohort(on.funnel, metric, on.table, on.segment, on.by))
        out["numerator"] = c["numerator"].fillna(0).to_numpy()
        out["denominator"] = c["denominator"].fillna(0).to_numpy()
        window = parse_duration(metric.window)
        ends = on.funnel._period_rows(on.table)
        mature = {
            period: on.funnel.window_elapsed(end, window)
            for period, end in zip(ends["period"], ends["p_end"], strict=True)
        }
        out["mature"] = out["period"].map(mature).astype(bool)
    out["value"] = _ratios(out["numerator"], out["denominator"])
    return out


def evaluate_revenue(metric: RevenueMetric, on: Evaluation) -> pd.DataFrame:
    """Amounts of the deals won in the period."""
    out = on.rows()
    revenue = on.deals()["revenue"].fillna(0).to_numpy()
    out["numerator"], out["denominator"] = revenue, math.nan
    out["value"] = revenue
    return out


def evaluate_win_rate(metric: WinRateMetric, on: Evaluation) -> pd.DataFrame:
    """Won over closed deals of the period, by count or by amount (the ``basis``)."""
    out = on.rows()
    s = on.deals()
    out["basis"] = metric.by
    if metric.by == "count":
        num, den = s["won"].fillna(0).to_numpy(), s["closed"].fillna(0).to_numpy()
    else:
        num, den = s["revenue"].fillna(0).to_numpy(), s["closed_amount"].fillna(0).to_numpy()
    out["numerator"], out["denominator"] = num, den
    out["value"] = _ratios(num, den)
    return out


def evaluate_deal_size(metric: AverageDealSizeMetric, on: Evaluation) -> pd.DataFrame:
    """Revenue won over deals won in the period."""
    out = on.rows()
    s = on.deals()
    revenue, won = s["revenue"].fillna(0).to_numpy(), s["won"].fillna(0).to_numpy()
    out["numerator"], out["denominator"] = revenue, won
    out["value"] = _ratios(revenue, won)
    return out


def evaluate_sales_cycle(metric: SalesCycleMetric, on: Evaluation) -> pd.DataFrame:
    """Median days from creation to close of the deals won in the period."""
    out = on.rows()
    s = on.deals()
    out["numerator"], out["denominator"] = math.nan, s["won"].fillna(0).to_numpy()
    out["value"] = s["cycle_days"].to_numpy(dtype="float64", na_value=math.nan)
    return out


def evaluate_speed_to_lead(metric: SpeedToLeadMetric, on: Evaluation) -> pd.DataFrame:
    """Median hours from entering ``from`` to the first human touch."""
    out = on.rows()
    t = on.merged(families.touch_stats(on.funnel, metric.from_, None, on.table, on.segment, on.by))
    out["numerator"] = t["touched"].fillna(0).to_numpy()
    out["denominator"] = t["entered"].fillna(0).to_numpy()
    out["value"] = t["median_hours"].to_numpy(dtype="float64", na_value=math.nan)
    return out


def evaluate_sla(metric: SlaMetric, on: Evaluation) -> pd.DataFrame:
    """Share of the people due (entered ``within`` before the cut-off) touched in time.

    A period with people not yet due is not ``mature``.
    """
    out = on.rows()
    within = parse_duration(metric.within)
    t = on.merged(
        families.touch_stats(on.funnel, metric.from_, within, on.table, on.segment, on.by)
    )
    num, den = t["in_sla"].fillna(0).to_numpy(), t["due"].fillna(0).to_numpy()
    out["numerator"], out["denominator"] = num, den
    out["value"] = _ratios(num, den)
    out["mature"] = t["due"].fillna(0).to_numpy() == t["entered"].fillna(0).to_numpy()
    return out


def evaluate_cost_per(metric: CostPerMetric, on: Evaluation) -> pd.DataFrame:
    """Campaign spend over entries into the stage; NaN where spend is not attributable."""
    out = on.rows()
    cost = families.cost(on.funnel, on.table, on.segment, on.by)
    out["denominator"] = on.counts(metric.stage).to_numpy()
    if cost is None:
        out["numerator"] = math.nan
        out["value"] = math.nan
        return out
    spend = on.merged(cost)["cost"].fillna(0).to_numpy()
    if on.by:  # a group without a campaign value (unknown channel) has no known cost
        unknown = out[on.by].isna().any(axis=1).to_numpy()
        spend = [math.nan if u else s for u, s in zip(unknown, spend, strict=True)]
    out["numerator"] = spend
    out["value"] = _ratios(spend, out["denominator"])
    return out


def evaluate_coverage(metric: PipelineCoverageMetric, on: Evaluation) -> pd.DataFrame:
    """Open pipeline at the cut-off / (revenue target of the period - booked before it)."""
    out = on.rows()
    out["numerator"], out["denominator"], out["value"] = families.coverage(
        on.funnel, on.table, on.segment, on.by, on.index
    )
    return out


Evaluator = Callable[[Any, Evaluation], pd.DataFrame]

#: The evaluator of each metric type.
EVALUATORS: dict[type, Evaluator] = {
    CountMetric: evaluate_count,
    ConversionMetric: evaluate_conversion,
    RevenueMetric: evaluate_revenue,
    WinRateMetric: evaluate_win_rate,
    AverageDealSizeMetric: evaluate_deal_size,
    SalesCycleMetric: evaluate_sales_cycle,
    SpeedToLeadMetric: evaluate_speed_to_lead,
    SlaMetric: evaluate_sla,
    CostPerMetric: evaluate_cost_per,
    PipelineCoverageMetric: evaluate_coverage,
}


def evaluate(metric: object, on: Evaluation) -> pd.DataFrame:
    """The rows of ``on`` with ``metric``'s values, by its type's evaluator.

    Raises
    ------
    ParameterError
        For an object that is no metric type of :data:`EVALUATORS`.
    """
    evaluator = EVALUATORS.get(type(metric))
    if evaluator is None:
        raise ParameterError(f"metric type {type(metric).__name__} is not supported")
    return evaluator(metric, on)
