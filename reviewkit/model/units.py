"""What unit a metric's values are in: the one place formatting decisions ask.

Each metric type declares its unit (:attr:`reviewkit.model.metrics.ConversionMetric.kind`
and so on): an ``amount`` is money in the workspace's currency (revenue, deal size, costs,
pipeline); a ``count`` is people or deals; a ``rate`` is a share (0..1); ``days`` and ``hours``
are durations; ``times`` is a multiple (pipeline coverage). The KGI is an amount only when it
is revenue: a won-count KGI (``kgi.key: won_count``) is the last stage's count.
"""

from __future__ import annotations

from typing import Literal

from reviewkit.model.definitions import Definitions, Metric
from reviewkit.model.metrics import UNITS, Unit

__all__ = ["UNITS", "Unit", "kgi_unit", "metric_unit", "unit_of"]


def metric_unit(metric: Metric) -> Unit:
    """The unit of ``metric``'s values (its type's :attr:`kind`).

    ``count`` (a stage count), ``rate`` (conversion, win rate, SLA), ``amount`` (revenue,
    average deal size, cost per), ``days`` (sales cycle), ``hours`` (speed to lead) or
    ``times`` (pipeline coverage).
    """
    return metric.kind


def unit_of(definitions: Definitions, key: str) -> Unit:
    """The unit of the metric called ``key`` in ``definitions``."""
    return definitions.metric(key).kind


def kgi_unit(definitions: Definitions) -> Literal["amount", "count"]:
    """The KGI's unit: ``amount`` for revenue, ``count`` for a won-count KGI."""
    return definitions.kgi_kind
