"""Targets for a period, from the store's monthly ``targets`` table.

Targets are set per month. A quarter's target is the sum of its months; a week's target is
each overlapping month's target prorated by calendar days (a week of 7 days in a 31-day month
gets 7/31 of it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb


def _months_overlapping(start: dt.date, end: dt.date) -> list[tuple[dt.date, float]]:
    """Return (first day of month, share of that month inside [start, end))."""
    out: list[tuple[dt.date, float]] = []
    month = start.replace(day=1)
    while month < end:
        nxt = (month + dt.timedelta(days=32)).replace(day=1)
        inside = (min(end, nxt) - max(start, month)).days
        out.append((month, inside / (nxt - month).days))
        month = nxt
    return out


def period_targets(
    con: duckdb.DuckDBPyConnection,
    *,
    start: dt.date,
    end: dt.date,
    metrics: Sequence[str],
    segment: tuple[str, str] | None = None,
) -> dict[str, float | None]:
    """Return the target of each metric for the period ``[start, end)``.

    Parameters
    ----------
    con
        A store connection.
    start, end
        The period, half-open.
    metrics
        Metric keys (stage keys and ``revenue``).
    segment
        ``(key, value)`` for a segment's targets, e.g. ``("sales_team", "Team B")``;
        ``None`` for the whole company.

    Returns
    -------
    dict
        Target per metric; ``None`` when any month of the period has no target for it.
    """
    key, value = segment if segment else ("", "")
    parts = _months_overlapping(start, end)
    rows = con.execute(
        """
        SELECT month, metric, value FROM targets
        WHERE segment_key = ? AND segment_value = ? AND month >= ? AND month < ?
        """,
        [key, value, parts[0][0], end],
    ).fetchall()
    monthly = {(m, metric): v for m, metric, v in rows}
    out: dict[str, float | None] = {}
    for metric in metrics:
        values = [monthly.get((m, metric)) for m, _ in parts]
        out[metric] = (
            None
            if any(v is None for v in values)
            else sum(float(v) * share for v, (_, share) in zip(values, parts, strict=True))  # type: ignore[arg-type]
        )
    return out
