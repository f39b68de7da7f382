"""The quarterly review's trends: every KPI of the tree this quarter, last quarter, last year.

Analysis (:func:`quarter_trends`, :func:`quarter_series`) asks the semantic layer for the stage
counts, the tree's stage rates, the average deal size and the KGI; presentation
(:func:`reviewkit.present.sections.trends.trends_table`,
:func:`reviewkit.present.charts.trends.rates_chart`) words and draws them. A cohort rate whose
window has not elapsed by the cut-off is *maturing*: it is marked, with the share of its window
that has elapsed, and never read as a miss.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from reviewkit.core.periods import (
    FiscalCalendar,
    Period,
    periods_ending,
    previous_period,
    same_period_last_year,
)
from reviewkit.errors import ParameterError
from reviewkit.model.definitions import (
    AverageDealSizeMetric,
    ConversionMetric,
    Definitions,
    parse_duration,
)
from reviewkit.model.units import kgi_unit, metric_unit, unit_of
from reviewkit.semantic.funnel import Funnel

TREND_COLUMNS = [
    "metric", "kind", "actual", "previous", "qoq", "last_year", "yoy", "basis", "mature",
    "maturity", "previous_mature", "last_year_mature", "equal_days", "equal_actual",
    "equal_previous", "equal_last_year",
]  # fmt: skip
SERIES_COLUMNS = ["period", "label", "start", "metric", "value", "mature"]
MATURING = "◔"


def trend_metrics(definitions: Definitions) -> list[tuple[str, str]]:
    """The metrics a quarterly trend covers, in order, each with its kind.

    Returns
    -------
    list of tuple
        ``(metric key, kind)``: every stage count (``count``), the tree's stage rates
        (``rate``), the tree's average deal size (``amount``), then the KGI when it is
        revenue (``amount``; a won-count KGI is the last stage count, already listed).
    """
    out = {key: unit_of(definitions, key) for key in definitions.stage_keys}
    for key in definitions.tree:
        metric = definitions.metric(key)
        if isinstance(metric, ConversionMetric):
            out.setdefault(key, metric_unit(metric))
    for key in definitions.tree:
        if isinstance(definitions.metric(key), AverageDealSizeMetric):
            out.setdefault(key, unit_of(definitions, key))
    out.setdefault(definitions.kgi_metric, kgi_unit(definitions))
    return list(out.items())


def window_elapsed(funnel: Funnel, metric: str, period: Period) -> float:
    """Share (0..1) of a cohort rate's window elapsed by the cut-off for a period's last entrants.

    The last entrants of ``period`` entered just before its end; their window ends one window
    after it. The share is 1 exactly when :meth:`Funnel.metric_frame` calls the cohort
    ``mature``. Counts, amounts and period-basis rates are always 1.

    Parameters
    ----------
    funnel
        The semantic layer (its definitions, time zone and cut-off).
    metric
        A metric key of the definitions.
    period
        The period whose cohort is asked about.

    Returns
    -------
    float
        Between 0 (the period has just ended) and 1 (the window has elapsed).
    """
    definition = funnel.definitions.metric(metric)
    if not isinstance(definition, ConversionMetric) or definition.basis != "cohort":
        return 1.0
    window = parse_duration(definition.window)
    end = dt.datetime.combine(period.end, dt.time(), tzinfo=funnel.tz)
    return min(1.0, max(0.0, (funnel.cutoff - end) / window))


def _change(now: float, before: float, kind: str) -> float:
    """Points for rates; relative change for counts and amounts (NaN from a zero)."""
    if kind == "rate":
        return (now - before) * 100
    if math.isnan(before) or before == 0 or math.isnan(now):
        return math.nan
    return now / before - 1


def quarter_trends(funnel: Funnel, period: Period, *, calendar: FiscalCalendar) -> pd.DataFrame:
    """Every KPI of the tree in the quarter, the previous quarter and a year earlier.

    Parameters
    ----------
    funnel
        The semantic layer bound to the store (its cut-off decides maturity).
    period
        The quarter under review.
    calendar
        The fiscal calendar (previous quarter, same quarter last year).

    Returns
    -------
    pandas.DataFrame
        One row per metric of :func:`trend_metrics`, in that order, with columns
        :data:`TREND_COLUMNS`: ``metric``, ``kind`` (``count``, ``amount`` or ``rate``),
        ``actual``, ``previous``, ``qoq``, ``last_year``, ``yoy`` (changes: relative, e.g.
        0.05 for +5 %, for counts and amounts; the difference in percentage points, e.g. 2.1,
        for rates), ``basis`` (``cohort`` or ``period``), ``mature`` (the reviewed quarter's
        cohort window has fully elapsed before the cut-off; always true for counts and
        amounts), ``maturity`` (share of the window elapsed for the quarter's last entrants,
        0..1; 1 when mature), ``previous_mature`` and ``last_year_mature`` (the same flag for
        the two comparison quarters). For a cohort rate with a maturing quarter among the
        three, ``equal_days``, ``equal_actual``, ``equal_previous`` and ``equal_last_year``
        give the three cohorts at equal age (:mod:`reviewkit.analysis.timing`; NaN otherwise).
        ``frame.attrs["periods"]`` holds the three :class:`Period` objects (``actual``,
        ``previous``, ``last_year``).
    """
    from reviewkit.analysis.timing import equal_age_rates

    previous = previous_period(period, calendar=calendar)
    last_year = same_period_last_year(period, calendar=calendar)
    metrics = trend_metrics(funnel.definitions)
    frame = funnel.metric_frame([k for k, _ in metrics], [period, previous, last_year])
    cells = frame.set_index(["period", "metric"])
    rows = []
    for key, kind in metrics:
        now, before, year = (cells.loc[(p.label, key)] for p in (period, previous, last_year))
        actual, prev, ago = (float(r["value"]) for r in (now, before, year))
        flags = [bool(r["mature"]) for r in (now, before, year)]
        equal = {"equal_days": math.nan, "equal_actual": math.nan, "equal_previous": math.nan,
                 "equal_last_year": math.nan}  # fmt: skip
        if kind == "rate" and not all(flags):
            for name, other in (("previous", previous), ("last_year", last_year)):
                found = equal_age_rates(funnel, key, period, other)
                if found is not None:
                    equal.update({"equal_days": float(found.days), "equal_actual": found.value,
                                  f"equal_{name}": found.reference_value})  # fmt: skip
        rows.append(
            {
                "metric": key,
                "kind": kind,
                "actual": actual,
                "previous": prev,
                "qoq": _change(actual, prev, kind),
                "last_year": ago,
                "yoy": _change(actual, ago, kind),
                "basis": now["basis"] if now["basis"] in ("cohort", "period") else "period",
                "mature": bool(now["mature"]),
                "maturity": window_elapsed(funnel, key, period),
                "previous_mature": bool(before["mature"]),
                "last_year_mature": bool(year["mature"]),
                **equal,
            }
        )
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    out.attrs["periods"] = {"actual": period, "previous": previous, "last_year": last_year}
    return out


def quarter_series(
    funnel: Funnel, period: Period, *, calendar: FiscalCalendar, quarters: int = 8
) -> pd.DataFrame:
    """The tree's stage rates over the last ``quarters`` quarters, ending with ``period``.

    Parameters
    ----------
    funnel
        The semantic layer bound to the store (its cut-off decides maturity).
    period
        The last quarter of the series (the one under review).
    calendar
        The fiscal calendar.
    quarters
        How many quarters, ``period`` included (1 or more).

    Returns
    -------
    pandas.DataFrame
        Long, oldest quarter first and rates in tree order; columns :data:`SERIES_COLUMNS`:
        ``period`` (the :class:`Period`), ``label`` (its label, ``FY2026-Q2``), ``start``
        (its first day), ``metric``, ``value`` (NaN without a denominator) and ``mature``.
    """
    if quarters < 1:
        raise ParameterError(f"quarters: {quarters!r} is not a number of quarters; use 1 or more")
    periods = periods_ending(period, quarters, calendar=calendar)
    rates = [k for k, kind in trend_metrics(funnel.definitions) if kind == "rate"]
    if not rates:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    frame = funnel.metric_frame(rates, periods)
    by_label = {p.label: p for p in periods}
    frame["_order"] = frame["metric"].map({k: i for i, k in enumerate(rates)})
    frame = frame.sort_values(["_order"], kind="stable")
    frame["_when"] = frame["period"].map({p.label: i for i, p in enumerate(periods)})
    frame = frame.sort_values(["_when", "_order"], kind="stable").reset_index(drop=True)
    return pd.DataFrame(
        {
            "period": frame["period"].map(by_label),
            "label": frame["period"],
            "start": frame["period"].map(lambda label: by_label[label].start),
            "metric": frame["metric"],
            "value": frame["value"].astype(float),
            "mature": frame["mature"].astype(bool),
        },
        columns=SERIES_COLUMNS,
    )
