"""Funnel metrics computed from the store.

A stage is counted once per person (after identity matching): a person enters a stage at the
earliest stage event of that stage across all of their lead records, and is counted in the
period that contains that instant's date in the workspace time zone. Revenue is the sum of
the amounts of opportunities won (closed and won) in the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import pandas as pd

_FIRST_ENTRIES = """
WITH first_entries AS (
    SELECT coalesce(i.person_id, e.lead_id) AS person_id, e.stage,
           min(e.entered_at) AS entered_at
    FROM stage_events e LEFT JOIN lead_identity i USING (lead_id)
    GROUP BY ALL
)
"""


def stage_counts(
    con: duckdb.DuckDBPyConnection,
    *,
    start: dt.date,
    end: dt.date,
    timezone: str,
    stages: Sequence[str],
) -> pd.Series:
    """Count persons entering each stage in ``[start, end)``.

    Parameters
    ----------
    con
        A store connection.
    start, end
        The period, half-open, as dates in ``timezone``.
    timezone
        The workspace time zone in which dates are cut.
    stages
        Stage keys in funnel order.

    Returns
    -------
    pandas.Series
        Count per stage (0 where nobody entered), indexed by stage key in funnel order.
    """
    rows = con.execute(
        _FIRST_ENTRIES
        + """
        SELECT stage, count(*) AS n FROM first_entries
        WHERE CAST(timezone(?, entered_at) AS DATE) >= ?
          AND CAST(timezone(?, entered_at) AS DATE) < ?
        GROUP BY stage
        """,
        [timezone, start, timezone, end],
    ).fetchall()
    found = dict(rows)
    return pd.Series([int(found.get(s, 0)) for s in stages], index=list(stages), dtype="int64")


def revenue_won(
    con: duckdb.DuckDBPyConnection, *, start: dt.date, end: dt.date, timezone: str
) -> float:
    """Sum the amounts of opportunities won with a close date in ``[start, end)``."""
    row = con.execute(
        """
        SELECT coalesce(sum(amount), 0) FROM opportunities
        WHERE is_won
          AND CAST(timezone(?, closed_at) AS DATE) >= ?
          AND CAST(timezone(?, closed_at) AS DATE) < ?
        """,
        [timezone, start, timezone, end],
    ).fetchone()
    return float(row[0]) if row else 0.0
