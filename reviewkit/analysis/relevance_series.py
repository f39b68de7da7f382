"""The monthly series the KPI relevance compares, and the KPIs that lead the KGI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from reviewkit.core.periods import FiscalCalendar, Period, months_ending
from reviewkit.errors import ParameterError
from reviewkit.model.definitions import (
    AverageDealSizeMetric,
    ConversionMetric,
    Definitions,
    Metric,
)
from reviewkit.model.units import metric_unit, unit_of
from reviewkit.semantic.funnel import Funnel

FILL_SHARE = 0.5  # the funnel has filled once every stage reaches this share of its median


WINDOW = 3  # months compared with the same months a year earlier


def month_number(day: dt.date) -> int:
    """A month's number, year x 12 + month - 1 (consecutive months differ by one)."""
    return day.year * 12 + day.month - 1


def month_label(number: int) -> str:
    """``2026-09`` of a month number (year x 12 + month - 1)."""
    return f"{number // 12}-{number % 12 + 1:02d}"


def window_start(end: str) -> str:
    """The first of the :data:`WINDOW` months ending with ``end`` (``2026-09`` -> ``2026-07``).

    Those months are what :func:`kpi_relevance` compares with the same months a year earlier.
    """
    return month_label(int(end[:4]) * 12 + int(end[5:7]) - 1 - (WINDOW - 1))


def monthly_series(
    funnel: Funnel, period: Period, *, calendar: FiscalCalendar, months: int = 36
) -> pd.DataFrame:
    """The funnel month by month, up to the last month of ``period``.

    Parameters
    ----------
    funnel
        The definitions bound to the store.
    period
        The period under review; the series ends with its last calendar month.
    calendar
        The company's fiscal calendar.
    months
        How many months to ask for (at most): months before the data starts are dropped,
        not shown as zeros.

    Returns
    -------
    pandas.DataFrame
        One row per month, oldest first: ``month`` (label, ``2026-09``), ``start`` (its first
        day), ``filling`` (true for the first months after the data starts, before every stage
        count and the KGI first reach :data:`FILL_SHARE` of their median: deals that close then
        started before the data, so those months are left out of correlations), then one
        column per metric: the stage counts, the KPI tree's conversion rates on the period
        basis (entries into the later stage in the month / entries into the earlier one: no
        cohort is immature), the tree's average deal size and the KGI.

    Raises
    ------
    ParameterError
        If ``months`` is less than 1.
    """
    if months < 1:
        raise ParameterError(f"months: {months!r} is too few; ask for 1 or more (e.g. 36)")
    periods = months_ending(period, months, calendar=calendar)
    definitions = funnel.definitions
    stages = definitions.stage_keys
    kgi = funnel.kgi_key()
    metrics: list[str | Metric] = list(stages)
    for key in definitions.tree:
        metric = definitions.metric(key)
        if isinstance(metric, ConversionMetric):
            metrics.append(metric.model_copy(update={"basis": "period"}))
        elif isinstance(metric, AverageDealSizeMetric):
            metrics.append(metric)
    if kgi not in stages:
        metrics.append(kgi)
    keys = [m if isinstance(m, str) else m.key for m in metrics]
    frame = funnel.metric_frame(metrics, periods)
    wide = frame.pivot(index="period", columns="metric", values="value")
    wide = wide.reindex(index=[p.label for p in periods], columns=keys).astype("float64")
    out = pd.DataFrame({"month": [p.label for p in periods], "start": [p.start for p in periods]})
    out = pd.concat([out, wide.reset_index(drop=True)], axis=1)
    volumes = list(dict.fromkeys([*stages, kgi]))
    volume = out[volumes].fillna(0).gt(0).any(axis=1).to_numpy()
    first = int(np.argmax(volume)) if volume.any() else len(out)
    out = out.iloc[first:].reset_index(drop=True)
    out.insert(2, "filling", filling_months(out, columns=volumes))
    return out


def filling_months(series: pd.DataFrame, *, columns: Sequence[str]) -> pd.Series:
    """Whether each month is still in the funnel's fill-up after the data starts.

    Deals that close in the first months of the data started before it, so the later stages
    and the KGI start low and climb while the funnel fills. A month is *filling* until the first
    month in which every one of ``columns`` is at least :data:`FILL_SHARE` of its median over
    the series; that month and every later one are not (a later dip is data, not fill-up).

    Returns
    -------
    pandas.Series
        Booleans aligned with ``series``.
    """
    values = series[list(columns)].astype("float64")
    floor = FILL_SHARE * values.median()
    full = values.ge(floor, axis=1).all(axis=1).to_numpy()
    first = int(np.argmax(full)) if full.any() else len(series)
    return pd.Series(np.arange(len(series)) < first, index=series.index, name="filling")


def leading_kpis(definitions: Definitions) -> dict[str, str]:
    """The leading KPIs examined and their kinds: stage counts, then tree rates.

    The last stage's count and rate and the deal size are parts of the KGI (revenue = won
    deals x deal size), not leading KPIs, so they are left out.

    Returns
    -------
    dict
        Metric key -> ``count`` or ``rate``, counts in funnel order, then rates in tree order.
    """
    last = definitions.stages[-1].key
    out: dict[str, str] = {
        key: unit_of(definitions, key) for key in definitions.stage_keys if key != last
    }
    for key in definitions.tree:
        metric = definitions.metric(key)
        if isinstance(metric, ConversionMetric) and metric.to != last:
            out[key] = metric_unit(metric)
    return out
