"""Where the company stands against each published benchmark of ``params/benchmarks.yml``.

:func:`benchmark_positions` computes the company's value of each benchmark's metric for the
same segment and says whether it is below, within or above the published range; the ranges
come from :func:`reviewkit.analysis.benchmarks.load_benchmarks`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from reviewkit.analysis.benchmarks import Benchmarks, needed_data
from reviewkit.analysis.trends import window_elapsed
from reviewkit.core.periods import Period
from reviewkit.semantic.funnel import Funnel

if TYPE_CHECKING:
    from reviewkit.store.availability import Availability

POSITIONS = ("below", "within", "above", "no_data")
BENCHMARK_COLUMNS = [
    "key", "metric", "segment", "period", "value", "numerator", "denominator", "basis",
    "mature", "maturity", "low", "high", "position", "missing",
]  # fmt: skip


def position_of(value: float, low: float, high: float) -> str:
    """``below``, ``within`` (the edges included), ``above``, or ``no_data`` for NaN."""
    if value is None or math.isnan(value):
        return "no_data"
    if value < low:
        return "below"
    return "above" if value > high else "within"


def benchmark_positions(
    benchmarks: Benchmarks,
    funnel: Funnel,
    period: Period,
    *,
    available: Availability | None = None,
) -> pd.DataFrame:
    """The company's value of each benchmark's metric and segment in ``period``, and its place.

    Parameters
    ----------
    benchmarks, funnel, period
        The ranges, the store's funnel and the period the company's values are for.
    available
        What optional data the store holds; a metric computed from data it lacks
        (:func:`needed_data`) gets no value (position ``no_data``, ``missing`` naming the
        kind) instead of a 0. ``None``: assume everything is there.

    Returns
    -------
    pandas.DataFrame
        One row per benchmark, in file order, with columns :data:`BENCHMARK_COLUMNS`:
        ``key``, ``metric``, ``segment`` (the filter, or ``None``), ``period`` (its label),
        ``value``, ``numerator``, ``denominator``, ``basis`` (as the semantic layer gives
        it: ``cohort``/``period`` for rates, ``count``/``amount`` for a win rate),
        ``mature`` and ``maturity`` (share of a cohort window elapsed, 0..1), ``low``,
        ``high``, ``position`` (one of :data:`POSITIONS`) and ``missing`` (the kind of data
        lacking, or ``""``). ``frame.attrs["period"]`` is ``period``.
    """
    rows = []
    for entry in benchmarks:
        metric = funnel.definitions.metric(entry.metric)
        lacking = [k for k in needed_data(metric) if available is not None and not available.has(k)]
        if lacking:
            rows.append(
                {"key": entry.key, "metric": entry.metric,
                 "segment": dict(entry.segment) if entry.segment else None,
                 "period": period.label, "value": math.nan, "numerator": math.nan,
                 "denominator": math.nan, "basis": "period", "mature": True, "maturity": 1.0,
                 "low": entry.low, "high": entry.high, "position": "no_data",
                 "missing": lacking[0]}
            )  # fmt: skip
            continue
        frame = funnel.metric_frame([entry.metric], [period], segment=entry.segment)
        r = frame.iloc[0]
        value = float(r["value"])
        rows.append(
            {
                "key": entry.key,
                "metric": entry.metric,
                "segment": dict(entry.segment) if entry.segment else None,
                "period": period.label,
                "value": value,
                "numerator": float(r["numerator"]),
                "denominator": float(r["denominator"]),
                "basis": r["basis"] if r["basis"] is not None else "period",
                "mature": bool(r["mature"]),
                "maturity": window_elapsed(funnel, entry.metric, period),
                "low": entry.low,
                "high": entry.high,
                "position": position_of(value, entry.low, entry.high),
                "missing": "",
            }
        )
    out = pd.DataFrame(rows, columns=BENCHMARK_COLUMNS)
    out.attrs["period"] = period
    return out
