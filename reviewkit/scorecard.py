"""The KPI scorecard of a period: each funnel stage and the KGI against target and last period."""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from reviewkit.definitions import Definitions
from reviewkit.metrics import revenue_won, stage_counts
from reviewkit.periods import Period
from reviewkit.targets import period_targets

COLUMNS = ["metric", "kind", "actual", "target", "achievement", "previous", "change"]


def _actuals(
    con: duckdb.DuckDBPyConnection, period: Period, *, definitions: Definitions, timezone: str
) -> pd.Series:
    counts = stage_counts(
        con, start=period.start, end=period.end, timezone=timezone, stages=definitions.stage_keys
    ).astype("float64")
    revenue = revenue_won(con, start=period.start, end=period.end, timezone=timezone)
    return pd.concat([counts, pd.Series({definitions.kgi.key: revenue})])


def _ratio(numerator: float, denominator: float | None) -> float:
    if denominator is None or denominator == 0 or math.isnan(denominator):
        return math.nan
    return numerator / denominator


def scorecard(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    *,
    previous: Period,
    definitions: Definitions,
    timezone: str,
) -> pd.DataFrame:
    """Build the scorecard of ``period``.

    Parameters
    ----------
    con
        A store connection.
    period
        The period under review.
    previous
        The period to compare with (usually the one just before).
    definitions
        The agreed funnel (stages in order, and the KGI).
    timezone
        The workspace time zone.

    Returns
    -------
    pandas.DataFrame
        One row per stage in funnel order, then the KGI, with columns ``metric``, ``kind``
        (``count`` or ``amount``), ``actual``, ``target`` (NaN if none), ``achievement``
        (actual / target), ``previous`` and ``change`` (actual / previous - 1; NaN when the
        previous period is zero).
    """
    now = _actuals(con, period, definitions=definitions, timezone=timezone)
    before = _actuals(con, previous, definitions=definitions, timezone=timezone)
    targets = period_targets(con, start=period.start, end=period.end, metrics=list(now.index))
    rows = []
    for metric, actual in now.items():
        target = targets.get(str(metric))
        prev = float(before[metric])
        rows.append(
            {
                "metric": metric,
                "kind": "amount" if metric == definitions.kgi.key else "count",
                "actual": float(actual),
                "target": math.nan if target is None else target,
                "achievement": _ratio(float(actual), target),
                "previous": prev,
                "change": _ratio(float(actual), prev) - 1,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)
