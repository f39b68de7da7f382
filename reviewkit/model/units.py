"""What unit a metric's values are in: the one place formatting decisions ask.

An ``amount`` is money in the workspace's currency (revenue, deal size, costs, pipeline); a
``count`` is people or deals; a ``rate`` is a share (0..1); ``days`` and ``hours`` are
durations; ``times`` is a multiple (pipeline coverage). The KGI is an amount only when it is
revenue: a won-count KGI (``kgi.key: won_count``) is the last stage's count.
"""

from __future__ import annotations

from typing import Literal

from reviewkit.model.definitions import (
    AverageDealSizeMetric,
    ConversionMetric,
    CostPerMetric,
    CountMetric,
    Definitions,
    Metric,
    PipelineCoverageMetric,
    RevenueMetric,
    SalesCycleMetric,
    SlaMetric,
    SpeedToLeadMetric,
    WinRateMetric,
)

Unit = Literal["amount", "count", "rate", "days", "hours", "times"]
UNITS: tuple[Unit, ...] = ("amount", "count", "rate", "days", "hours", "times")


def metric_unit(metric: Metric) -> Unit:
    """The unit of ``metric``'s values.

    ``count`` (a stage count), ``rate`` (conversion, win rate, SLA), ``amount`` (revenue,
    average deal size, cost per), ``days`` (sales cycle), ``hours`` (speed to lead) or
    ``times`` (pipeline coverage).
    """
    if isinstance(metric, CountMetric):
        return "count"
    if isinstance(metric, ConversionMetric | WinRateMetric | SlaMetric):
        return "rate"
    if isinstance(metric, RevenueMetric | AverageDealSizeMetric | CostPerMetric):
        return "amount"
    if isinstance(metric, SalesCycleMetric):
        return "days"
    if isinstance(metric, SpeedToLeadMetric):
        return "hours"
    if isinstance(metric, PipelineCoverageMetric):
        return "times"
    raise TypeError(f"no unit for metric type {type(metric).__name__}")  # a new metric type


def unit_of(definitions: Definitions, key: str) -> Unit:
    """The unit of the metric called ``key`` in ``definitions``."""
    return metric_unit(definitions.metric(key))


def kgi_unit(definitions: Definitions) -> Literal["amount", "count"]:
    """The KGI's unit: ``amount`` for revenue, ``count`` for a won-count KGI."""
    unit = unit_of(definitions, definitions.kgi_metric)
    assert unit in ("amount", "count"), unit
    return unit
