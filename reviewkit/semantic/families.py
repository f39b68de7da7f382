"""The queries of each metric family, per period and group, on the funnel's compiled tables.

Stage counts (:func:`counts`), cohort conversions (:func:`cohort`), closed deals
(:func:`opportunity_stats`), first touches (:func:`touch_stats`) and campaign spend
(:func:`cost`); the evaluators of :mod:`reviewkit.semantic.evaluators` turn them into metric
values.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import pandas as pd

from reviewkit.model.definitions import ConversionMetric
from reviewkit.model.metrics import parse_duration
from reviewkit.semantic.tables import FunnelTables

CAMPAIGN_COLUMNS = ("channel", "campaign_id", "content_asset")


def safe_div(numerator: float, denominator: float) -> float:
    """``numerator / denominator``; NaN when either is missing or the denominator is zero."""
    if denominator is None or numerator is None:
        return math.nan
    if isinstance(denominator, float) and math.isnan(denominator):
        return math.nan
    return math.nan if denominator == 0 else float(numerator) / float(denominator)


def counts(
    funnel: FunnelTables,
    stage: str,
    periods: str,
    segment: Mapping[str, object] | None,
    by: list[str],
) -> pd.DataFrame:
    """Entries into ``stage`` per period and group: ``period``, the ``by`` columns, ``n``."""
    where, params = funnel._where(segment, "s")
    group = "".join(f", s.{c}" for c in by)
    return funnel._query(
        f"SELECT p.period{group}, count(*)::DOUBLE AS n FROM {periods} p "
        f"JOIN {funnel._entries} e ON e.stage = ? AND e.day >= p.p_start AND e.day < p.p_end "
        "AND e.entered_at < ? "
        f"LEFT JOIN {funnel._persons} s USING (person_id) WHERE {where} GROUP BY ALL",
        [stage, funnel.cutoff, *params],
    )


def stage_counts(
    funnel: FunnelTables,
    periods: str,
    segment: Mapping[str, object] | None,
    by: list[str],
) -> pd.DataFrame:
    """Entries into every stage per period and group: ``period``, ``by`` columns, ``stage``, ``n``.

    :func:`counts` of each stage at once (one query instead of one per stage).
    """
    where, params = funnel._where(segment, "s")
    group = "".join(f", s.{c}" for c in by)
    return funnel._query(
        f"SELECT p.period{group}, e.stage, count(*)::DOUBLE AS n FROM {periods} p "
        f"JOIN {funnel._entries} e ON e.day >= p.p_start AND e.day < p.p_end "
        "AND e.entered_at < ? "
        f"LEFT JOIN {funnel._persons} s USING (person_id) WHERE {where} GROUP BY ALL",
        [funnel.cutoff, *params],
    )


def cohort(
    funnel: FunnelTables,
    metric: ConversionMetric,
    periods: str,
    segment: Mapping[str, object] | None,
    by: list[str],
) -> pd.DataFrame:
    """A conversion's cohort per period and group: ``denominator`` and ``numerator``.

    The denominator entered ``metric.from_`` in the period; the numerator of them entered
    ``metric.to`` within the window of entering ``metric.from_``, before the
    cut-off.
    """
    where, params = funnel._where(segment, "s")
    group = "".join(f", s.{c}" for c in by)
    window = parse_duration(metric.window)
    return funnel._query(
        f"SELECT p.period{group}, count(*)::DOUBLE AS denominator, "
        "(count(*) FILTER (WHERE b.entered_at IS NOT NULL "
        "AND b.entered_at < a.entered_at + to_microseconds(?) "
        "AND b.entered_at < ?))::DOUBLE AS numerator "
        f"FROM {periods} p JOIN {funnel._entries} a ON a.stage = ? "
        "AND a.day >= p.p_start AND a.day < p.p_end AND a.entered_at < ? "
        f"LEFT JOIN {funnel._entries} b ON b.person_id = a.person_id AND b.stage = ? "
        f"LEFT JOIN {funnel._persons} s ON s.person_id = a.person_id WHERE {where} GROUP BY ALL",
        [
            int(window.total_seconds() * 1_000_000),
            funnel.cutoff,
            metric.from_,
            funnel.cutoff,
            metric.to,
            *params,
        ],
    )


def opportunity_stats(
    funnel: FunnelTables, periods: str, segment: Mapping[str, object] | None, by: list[str]
) -> pd.DataFrame:
    """Deals closed per period and group.

    ``revenue``, ``won``, ``closed``, ``closed_amount`` and the median ``cycle_days`` of the
    won ones.
    """
    where, params = funnel._where(segment, "s")
    group = "".join(f", s.{c}" for c in by)
    return funnel._query(
        f"SELECT p.period{group}, "
        "coalesce(sum(o.amount) FILTER (WHERE o.is_won), 0) AS revenue, "
        "(count(*) FILTER (WHERE o.is_won))::DOUBLE AS won, "
        "(count(*) FILTER (WHERE o.is_won IS NOT NULL))::DOUBLE AS closed, "
        "coalesce(sum(o.amount) FILTER (WHERE o.is_won IS NOT NULL), 0) AS closed_amount, "
        "median(epoch(o.closed_at - o.created_at) / 86400.0) FILTER (WHERE o.is_won) "
        "AS cycle_days "
        f"FROM {periods} p JOIN {funnel._opps} o ON o.close_day >= p.p_start "
        "AND o.close_day < p.p_end AND o.closed_at < ? "
        f"LEFT JOIN {funnel._persons} s ON s.person_id = o.person_id WHERE {where} GROUP BY ALL",
        [funnel.cutoff, *params],
    )


def touch_stats(
    funnel: FunnelTables,
    stage: str,
    within: dt.timedelta | None,
    periods: str,
    segment: Mapping[str, object] | None,
    by: list[str],
) -> pd.DataFrame:
    """First human touches of the people entering ``stage`` per period and group.

    ``entered``, ``touched``, ``median_hours`` to the first touch, ``due`` (entered at least
    ``within`` before the cut-off) and ``in_sla`` (due and touched within ``within``).
    """
    where, params = funnel._where(segment, "s")
    group_a = "".join(f", s.{c}" for c in by)
    within_us = int(within.total_seconds() * 1_000_000) if within else 0
    return funnel._query(
        f"WITH first_touch AS (SELECT p.period{group_a}, a.person_id, a.entered_at, "
        "min(t.occurred_at) AS touched_at "
        f"FROM {periods} p JOIN {funnel._entries} a ON a.stage = ? "
        "AND a.day >= p.p_start AND a.day < p.p_end AND a.entered_at < ? "
        f"LEFT JOIN {funnel._touches} t ON t.person_id = a.person_id "
        "AND t.occurred_at >= a.entered_at AND t.occurred_at < ? "
        f"LEFT JOIN {funnel._persons} s ON s.person_id = a.person_id WHERE {where} "
        "GROUP BY ALL) "
        f"SELECT period{''.join(f', {c}' for c in by)}, count(*)::DOUBLE AS entered, "
        "(count(touched_at))::DOUBLE AS touched, "
        "median(epoch(touched_at - entered_at) / 3600.0) AS median_hours, "
        "(count(*) FILTER (WHERE entered_at + to_microseconds(?) <= ?))::DOUBLE AS due, "
        "(count(*) FILTER (WHERE entered_at + to_microseconds(?) <= ? "
        "AND touched_at < entered_at + to_microseconds(?)))::DOUBLE AS in_sla "
        "FROM first_touch GROUP BY ALL",
        [
            stage,
            funnel.cutoff,
            funnel.cutoff,
            *params,
            within_us,
            funnel.cutoff,
            within_us,
            funnel.cutoff,
            within_us,
        ],
    )


def cost(
    funnel: FunnelTables, periods: str, segment: Mapping[str, object] | None, by: list[str]
) -> pd.DataFrame | None:
    """Campaign spend per period and group, prorated by day; ``None`` when not attributable.

    Spend is attributable to campaign columns only (channel, campaign, content), not to a
    missing campaign value.
    """
    segment = {**funnel.scope, **(segment or {})}
    keys = set(segment) | set(by)
    if not keys <= set(CAMPAIGN_COLUMNS):
        return None  # cost is not attributable to sales teams, industries, ...
    if segment and any(v is None for v in segment.values()):
        return None  # leads without a channel/campaign: their cost is unknown
    where, params = funnel._where(segment, "c", CAMPAIGN_COLUMNS)
    group = "".join(f", c.{c}" for c in by)
    return funnel._query(
        f"SELECT p.period{group}, sum(CAST(c.cost AS DOUBLE) * greatest(0, date_diff('day', "
        "greatest(c.start_date, p.p_start), least(c.end_date + 1, p.p_end))) "
        "/ (date_diff('day', c.start_date, c.end_date) + 1)) AS cost "
        f"FROM {periods} p JOIN campaigns c ON c.start_date < p.p_end "
        f"AND c.end_date >= p.p_start WHERE {where} GROUP BY ALL",
        params,
    )


def coverage(
    funnel: FunnelTables,
    table: str,
    segment: Mapping[str, object] | None,
    by: list[str],
    index: pd.DataFrame,
) -> tuple[list[float], list[float], list[float]]:
    """Open pipeline at the cut-off / (revenue target of the period - booked before it)."""
    if by or funnel.targets is None or len(segment or {}) > 1:
        nan = [math.nan] * len(index)
        return nan, nan, nan
    where, params = funnel._where(segment, "s")
    open_amount = funnel._query(
        f"SELECT coalesce(sum(o.amount), 0) FROM {funnel._opps} o "
        f"LEFT JOIN {funnel._persons} s ON s.person_id = o.person_id "
        f"WHERE o.created_at < ? AND (o.closed_at IS NULL OR o.closed_at >= ?) AND {where}",
        [funnel.cutoff, funnel.cutoff, *params],
    ).iloc[0, 0]
    stats = opportunity_stats(funnel, table, segment, [])
    booked = dict(zip(stats["period"], stats["revenue"], strict=True))
    ends = funnel._period_rows(table)
    # a group of values: the sum of its values' targets, when each has one
    column, value = next(iter(segment.items())) if segment else ("", None)
    values = list(value) if isinstance(value, list | tuple | set) else [value]
    segments = [(column, v) for v in values] if segment else [None]
    nums, dens, vals = [], [], []
    for row in ends.itertuples():
        start = pd.Timestamp(row.p_start).date()
        end = pd.Timestamp(row.p_end).date()
        parts = [
            funnel.targets.for_period(funnel.definitions.kgi.key, start, end, segment=seg)  # type: ignore[attr-defined]
            for seg in segments
        ]
        target = None if any(p is None for p in parts) else sum(parts)
        remaining = (
            math.nan if target is None else float(target) - float(booked.get(row.period, 0.0))
        )
        nums.append(float(open_amount))
        dens.append(remaining)
        vals.append(
            math.nan if not remaining or remaining <= 0 else safe_div(open_amount, remaining)
        )
    return nums, dens, vals
