"""The semantic layer: the agreed definitions compiled to DuckDB SQL.

Templates and analyses ask for metrics by name; nothing else in reviewkit knows a stage name or
a rate formula. :class:`Funnel` binds the definitions to a store connection and materialises
two temporary tables:

- *entries*: each person's first entry into each stage (event stages from ``stage_events``;
  rule stages from the lead attributes and the score history, evaluated on each of the
  person's lead records: the person enters when any record meets the rule), with the local
  date;
- *persons*: each person's segment attributes, from their canonical lead record.

:meth:`Funnel.metric_frame` returns a tidy frame for any periods, segment filter and grouping:
one row per period x group x metric with ``value``, ``numerator``, ``denominator``, ``basis``
and ``mature`` (whether a cohort's window has elapsed by the cut-off).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from functools import cached_property
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from reviewkit.core.periods import Period
from reviewkit.errors import ParameterError
from reviewkit.i18n.texts import add_dimension_labels
from reviewkit.model.definitions import (
    LEAD_DIMENSIONS,
    RULE_COLUMNS,
    AverageDealSizeMetric,
    ConversionMetric,
    CostPerMetric,
    CountMetric,
    Definitions,
    EventStage,
    Metric,
    PipelineCoverageMetric,
    RevenueMetric,
    RuleStage,
    SalesCycleMetric,
    SlaMetric,
    SpeedToLeadMetric,
    WinRateMetric,
    parse_duration,
)
from reviewkit.model.rules import compile_rule

SEGMENT_COLUMNS = LEAD_DIMENSIONS
CAMPAIGN_COLUMNS = ("channel", "campaign_id", "content_asset")
FRAME_COLUMNS = ["metric", "value", "numerator", "denominator", "basis", "mature"]
_counter = itertools.count()


def _safe_div(numerator: float, denominator: float) -> float:
    if denominator is None or numerator is None:
        return math.nan
    if isinstance(denominator, float) and math.isnan(denominator):
        return math.nan
    return math.nan if denominator == 0 else float(numerator) / float(denominator)


class Funnel:
    """The definitions bound to a store.

    Parameters
    ----------
    con
        A store connection (read-only is enough: only temporary tables are created).
    definitions
        The agreed funnel.
    timezone
        The workspace time zone; periods are cut at local midnight.
    cutoff
        The data cut-off (exclusive): every metric ignores events at or after it, so a
        review re-run for an earlier date sees what was known then. Usually the review
        date at local midnight.
    targets
        Targets for pipeline coverage (an object with ``for_period(metric, start, end,
        segment=...)``); ``None`` leaves coverage undefined.
    scope
        A segment the whole funnel is limited to, e.g. ``{"sales_team": "Team B"}`` or
        ``{"channel": ["paid_search", "display"]}``: every metric counts only the people whose
        canonical lead record is in it (a segment pack). Campaign spend follows a scope on
        campaign columns; under any other scope cost metrics are undefined.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        definitions: Definitions,
        *,
        timezone: str,
        cutoff: dt.datetime,
        targets: object | None = None,
        scope: Mapping[str, object] | None = None,
    ) -> None:
        if cutoff.tzinfo is None:
            raise ParameterError("cutoff: must be timezone-aware (e.g. 2026-11-23 00:00+09:00)")
        self.con = con
        self.definitions = definitions
        self.timezone = timezone
        self.tz = ZoneInfo(timezone)
        self.cutoff = cutoff
        self.targets = targets
        self.scope: dict[str, object] = dict(scope or {})
        self._where(self.scope, "s")  # refuse an unknown column before building anything
        if definitions.segments:
            add_dimension_labels(definitions.dimension_labels())
        n = next(_counter)
        self._entries = f"rk_entries_{n}"
        self._persons = f"rk_persons_{n}"
        self._opps = f"rk_opps_{n}"
        self._touches = f"rk_touches_{n}"
        self._build()

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The segment columns this funnel can split and filter by.

        The lead columns (:data:`SEGMENT_COLUMNS`), then the dimensions the definitions add
        (``segments:`` in ``definitions.yml``), in file order.
        """
        return self.definitions.dimensions

    @cached_property
    def value_counts(self) -> dict[str, int]:
        """How many distinct known values each segment column has among the funnel's people."""
        if not self.dimensions:
            return {}
        counts = ", ".join(f'count(DISTINCT "{c}") AS "{c}"' for c in self.dimensions)
        rows = self.con.execute(f"SELECT {counts} FROM {self._persons}").fetchall()
        row = rows[0] if rows else ()
        return {c: int(v or 0) for c, v in zip(self.dimensions, row, strict=True)}

    @property
    def split_dimensions(self) -> tuple[str, ...]:
        """The segment columns worth splitting by: two or more known values among the people.

        A column no one has a value for (all unknown) or with one value only says nothing
        that the whole funnel does not; sections leave it out (and :attr:`empty_dimensions`
        names the empty ones).
        """
        return tuple(c for c in self.dimensions if self.value_counts.get(c, 0) >= 2)

    @property
    def empty_dimensions(self) -> tuple[str, ...]:
        """The segment columns no person in the funnel has a value for."""
        return tuple(c for c in self.dimensions if self.value_counts.get(c, 0) == 0)

    # -- compilation ---------------------------------------------------------------------------

    def _stage_sql(self, stage: EventStage | RuleStage) -> str:
        """SQL selecting (lead_or_person_id, entered_at) for one stage, before first-entry."""
        key = stage.key.replace("'", "''")
        if isinstance(stage, EventStage):
            event = stage.event.replace("'", "''")
            return (
                f"SELECT coalesce(i.person_id, e.lead_id) AS person_id, '{key}' AS stage, "
                f"e.entered_at FROM stage_events e LEFT JOIN lead_identity i USING (lead_id) "
                f"WHERE e.stage = '{event}'"
            )
        condition = compile_rule(stage.rule, columns=RULE_COLUMNS)
        source, entered = self._rule_source(stage)
        distinct = "DISTINCT " if stage.at not in ("first_held", "created_at") else ""
        return (
            f"SELECT {distinct}coalesce(i.person_id, x.lead_id) AS person_id, '{key}' AS stage, "
            f"{entered} AS entered_at FROM {source} WHERE {condition}"
        )

    def _rule_source(self, stage: RuleStage) -> tuple[str, str]:
        """The rows a rule stage's rule is evaluated on, and when each row would enter.

        Lead ``x`` and identity ``i``: every score change (``first_held``), the lead's
        creation (``created_at``) or the person's entry into the stage it follows.
        """
        if stage.at == "first_held":
            history = (
                "SELECT lead_id, changed_at, score FROM score_changes UNION ALL "
                "SELECT lead_id, created_at, score FROM leads "
                "WHERE lead_id NOT IN (SELECT lead_id FROM score_changes)"
            )
            return (
                f"(SELECT l.* REPLACE (h.score AS score), h.changed_at AS rk_at FROM leads l "
                f"JOIN ({history}) h USING (lead_id)) x LEFT JOIN lead_identity i USING (lead_id)",
                "x.rk_at",
            )
        if stage.at == "created_at":
            return "leads x LEFT JOIN lead_identity i USING (lead_id)", "x.created_at"
        other = (stage.after_stage or "").replace("'", "''")
        return (
            f"leads x LEFT JOIN lead_identity i USING (lead_id) JOIN {self._entries} o "
            f"ON o.person_id = coalesce(i.person_id, x.lead_id) AND o.stage = '{other}'",
            "o.entered_at",
        )

    def _build(self) -> None:
        tz = self.timezone.replace("'", "''")
        con = self.con
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {self._entries} "
            "(person_id VARCHAR, stage VARCHAR, entered_at TIMESTAMPTZ, day DATE)"
        )
        ordered = sorted(
            self.definitions.stages,
            key=lambda s: 1 if isinstance(s, RuleStage) and s.after_stage else 0,
        )
        done: set[str] = set()
        pending = list(ordered)
        while pending:
            for stage in list(pending):
                after = stage.after_stage if isinstance(stage, RuleStage) else None
                if after is not None and after not in done:
                    continue
                con.execute(
                    f"INSERT INTO {self._entries} SELECT person_id, stage, min(entered_at), "
                    f"CAST(timezone('{tz}', min(entered_at)) AS DATE) "
                    f"FROM ({self._stage_sql(stage)}) WHERE person_id IS NOT NULL GROUP BY ALL"
                )
                done.add(stage.key)
                pending.remove(stage)
        columns = ", ".join(
            f"{self.definitions.column_sql(c, 'l')} AS {c}" for c in self.dimensions
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {self._persons} AS "
            f"SELECT l.lead_id AS person_id, {columns} FROM leads l "
            "LEFT JOIN lead_identity i USING (lead_id) "
            "WHERE coalesce(i.person_id, l.lead_id) = l.lead_id"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {self._opps} AS "
            "SELECT o.opportunity_id, coalesce(i.person_id, o.lead_id) AS person_id, "
            "CAST(o.amount AS DOUBLE) AS amount, o.created_at, o.closed_at, o.is_won, "
            f"CAST(timezone('{tz}', o.closed_at) AS DATE) AS close_day "
            "FROM opportunities o LEFT JOIN lead_identity i USING (lead_id)"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {self._touches} AS "
            "SELECT coalesce(i.person_id, a.lead_id) AS person_id, a.occurred_at "
            "FROM activities a LEFT JOIN lead_identity i USING (lead_id) WHERE a.is_human"
        )
        if self.scope:
            self._limit_to_scope()

    def _limit_to_scope(self) -> None:
        """Keep only the people in :attr:`scope` (and their entries, deals and touches)."""
        where, params = self._where(self.scope, "s")
        self.con.execute(
            f"DELETE FROM {self._persons} s WHERE NOT coalesce(({where}), false)", params
        )
        for table in (self._entries, self._opps, self._touches):
            self.con.execute(
                f"DELETE FROM {table} WHERE person_id NOT IN (SELECT person_id FROM "
                f"{self._persons})"
            )

    def _in_scope(self, column: str) -> str:
        """SQL limiting ``column`` (a person id) to the scope; ``TRUE`` without one."""
        if not self.scope:
            return "TRUE"
        return f"{column} IN (SELECT person_id FROM {self._persons})"

    # -- helpers -------------------------------------------------------------------------------

    def _periods_table(self, periods: Sequence[Period]) -> str:
        name = f"rk_periods_{next(_counter)}"
        frame = pd.DataFrame(
            {
                "period": [p.label for p in periods],
                "p_start": [p.start for p in periods],
                "p_end": [p.end for p in periods],
            }
        )
        self.con.register(f"{name}_df", frame)
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS "
            f"SELECT period, CAST(p_start AS DATE) AS p_start, CAST(p_end AS DATE) AS p_end "
            f"FROM {name}_df"
        )
        self.con.unregister(f"{name}_df")
        return name

    def _where(
        self,
        segment: Mapping[str, object] | None,
        alias: str,
        columns: Sequence[str] | None = None,
    ) -> tuple[str, list[object]]:
        columns = self.dimensions if columns is None else columns
        if not segment:
            return "TRUE", []
        parts, params = [], []
        for key, value in segment.items():
            if key not in columns:
                raise ParameterError(
                    f"segment: {key!r} is not a segment column; use one of {list(columns)}"
                )
            if value is None:
                parts.append(f"{alias}.{key} IS NULL")
            elif isinstance(value, list | tuple | set):
                values = list(value)
                parts.append(f"{alias}.{key} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
            else:
                parts.append(f"{alias}.{key} = ?")
                params.append(value)
        return " AND ".join(parts), params

    def _check_by(self, by: Sequence[str]) -> list[str]:
        columns = self.dimensions
        for key in by:
            if key not in columns:
                raise ParameterError(
                    f"by: {key!r} is not a segment column; use one of {list(columns)}"
                )
        return list(by)

    def _period_end_instant(self, period_end: dt.date) -> dt.datetime:
        return dt.datetime.combine(period_end, dt.time(), tzinfo=self.tz)

    def window_elapsed(self, period_end: dt.date, window: dt.timedelta) -> bool:
        """Whether a period's cohort is *mature*: its last entrant's window has elapsed.

        A period's last entrant enters just before local midnight of ``period_end`` (the
        day after the period); their window ends ``window`` later, counted in elapsed time
        (as the cohort numerator counts it, across a daylight-saving change too). The
        cohort is mature when that moment is at or before the cut-off, and *maturing*
        otherwise: its rate may still rise.

        Parameters
        ----------
        period_end
            The first local day after the period (``Period.end``).
        window
            The cohort window of the rate.
        """
        return matures_at(period_end, window, tz=self.tz) <= self.cutoff

    def _query(self, sql: str, params: list[object]) -> pd.DataFrame:
        return self.con.execute(sql, params).df()

    # -- metric families -----------------------------------------------------------------------

    def _counts(
        self, stage: str, periods: str, segment: Mapping[str, object] | None, by: list[str]
    ) -> pd.DataFrame:
        where, params = self._where(segment, "s")
        group = "".join(f", s.{c}" for c in by)
        return self._query(
            f"SELECT p.period{group}, count(*)::DOUBLE AS n FROM {periods} p "
            f"JOIN {self._entries} e ON e.stage = ? AND e.day >= p.p_start AND e.day < p.p_end "
            "AND e.entered_at < ? "
            f"LEFT JOIN {self._persons} s USING (person_id) WHERE {where} GROUP BY ALL",
            [stage, self.cutoff, *params],
        )

    def _cohort(
        self,
        metric: ConversionMetric,
        periods: str,
        segment: Mapping[str, object] | None,
        by: list[str],
    ) -> pd.DataFrame:
        where, params = self._where(segment, "s")
        group = "".join(f", s.{c}" for c in by)
        window = parse_duration(metric.window)
        return self._query(
            f"SELECT p.period{group}, count(*)::DOUBLE AS denominator, "
            "(count(*) FILTER (WHERE b.entered_at IS NOT NULL "
            "AND b.entered_at < a.entered_at + to_microseconds(?) "
            "AND b.entered_at < ?))::DOUBLE AS numerator "
            f"FROM {periods} p JOIN {self._entries} a ON a.stage = ? "
            "AND a.day >= p.p_start AND a.day < p.p_end AND a.entered_at < ? "
            f"LEFT JOIN {self._entries} b ON b.person_id = a.person_id AND b.stage = ? "
            f"LEFT JOIN {self._persons} s ON s.person_id = a.person_id WHERE {where} GROUP BY ALL",
            [
                int(window.total_seconds() * 1_000_000),
                self.cutoff,
                metric.from_,
                self.cutoff,
                metric.to,
                *params,
            ],
        )

    def _opportunity_stats(
        self, periods: str, segment: Mapping[str, object] | None, by: list[str]
    ) -> pd.DataFrame:
        where, params = self._where(segment, "s")
        group = "".join(f", s.{c}" for c in by)
        return self._query(
            f"SELECT p.period{group}, "
            "coalesce(sum(o.amount) FILTER (WHERE o.is_won), 0) AS revenue, "
            "(count(*) FILTER (WHERE o.is_won))::DOUBLE AS won, "
            "(count(*) FILTER (WHERE o.is_won IS NOT NULL))::DOUBLE AS closed, "
            "coalesce(sum(o.amount) FILTER (WHERE o.is_won IS NOT NULL), 0) AS closed_amount, "
            "median(epoch(o.closed_at - o.created_at) / 86400.0) FILTER (WHERE o.is_won) "
            "AS cycle_days "
            f"FROM {periods} p JOIN {self._opps} o ON o.close_day >= p.p_start "
            "AND o.close_day < p.p_end AND o.closed_at < ? "
            f"LEFT JOIN {self._persons} s ON s.person_id = o.person_id WHERE {where} GROUP BY ALL",
            [self.cutoff, *params],
        )

    def _touch_stats(
        self,
        stage: str,
        within: dt.timedelta | None,
        periods: str,
        segment: Mapping[str, object] | None,
        by: list[str],
    ) -> pd.DataFrame:
        where, params = self._where(segment, "s")
        group_a = "".join(f", s.{c}" for c in by)
        within_us = int(within.total_seconds() * 1_000_000) if within else 0
        return self._query(
            f"WITH first_touch AS (SELECT p.period{group_a}, a.person_id, a.entered_at, "
            "min(t.occurred_at) AS touched_at "
            f"FROM {periods} p JOIN {self._entries} a ON a.stage = ? "
            "AND a.day >= p.p_start AND a.day < p.p_end AND a.entered_at < ? "
            f"LEFT JOIN {self._touches} t ON t.person_id = a.person_id "
            "AND t.occurred_at >= a.entered_at AND t.occurred_at < ? "
            f"LEFT JOIN {self._persons} s ON s.person_id = a.person_id WHERE {where} "
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
                self.cutoff,
                self.cutoff,
                *params,
                within_us,
                self.cutoff,
                within_us,
                self.cutoff,
                within_us,
            ],
        )

    def _cost(
        self, periods: str, segment: Mapping[str, object] | None, by: list[str]
    ) -> pd.DataFrame | None:
        segment = {**self.scope, **(segment or {})}
        keys = set(segment) | set(by)
        if not keys <= set(CAMPAIGN_COLUMNS):
            return None  # cost is not attributable to sales teams, industries, ...
        if segment and any(v is None for v in segment.values()):
            return None  # leads without a channel/campaign: their cost is unknown
        where, params = self._where(segment, "c", CAMPAIGN_COLUMNS)
        group = "".join(f", c.{c}" for c in by)
        return self._query(
            f"SELECT p.period{group}, sum(CAST(c.cost AS DOUBLE) * greatest(0, date_diff('day', "
            "greatest(c.start_date, p.p_start), least(c.end_date + 1, p.p_end))) "
            "/ (date_diff('day', c.start_date, c.end_date) + 1)) AS cost "
            f"FROM {periods} p JOIN campaigns c ON c.start_date < p.p_end "
            f"AND c.end_date >= p.p_start WHERE {where} GROUP BY ALL",
            params,
        )

    # -- public --------------------------------------------------------------------------------

    def metric_frame(
        self,
        metrics: Sequence[str | Metric],
        periods: Sequence[Period],
        *,
        segment: Mapping[str, object] | None = None,
        by: Sequence[str] = (),
    ) -> pd.DataFrame:
        """Compute metrics by name.

        Parameters
        ----------
        metrics
            Metric keys of the definitions (stage keys, ``mql_to_sql``, ``revenue``, ...), or
            metric objects (e.g. a conversion on the other basis).
        periods
            The periods to compute them for.
        segment
            Filter: ``{column: value}`` or ``{column: [values]}``; ``None`` value = missing.
        by
            Segment columns to group by.

        Returns
        -------
        pandas.DataFrame
            Columns ``period``, the ``by`` columns, ``metric``, ``value`` (NaN where a
            denominator is zero or the metric cannot be attributed), ``numerator``,
            ``denominator``, ``basis`` and ``mature``. Every period x group combination
            that has any data appears; counts are 0, never missing.
        """
        group = self._check_by(by)
        table = self._periods_table(periods)
        keys = ["period", *group]
        index = self._groups(table, segment, group)
        frames = []
        for item in metrics:
            metric = self.definitions.metric(item) if isinstance(item, str) else item
            frame = self._one(metric, table, segment, group, index)
            frame.insert(len(keys), "metric", metric.key)
            frames.append(frame)
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        order = {p.label: i for i, p in enumerate(periods)}
        out["_order"] = out["period"].map(order)
        out = out.sort_values(["_order", *group, "metric"], kind="stable").drop(columns="_order")
        return out[[*keys, *FRAME_COLUMNS]].reset_index(drop=True)

    def value(
        self, metric: str, period: Period, *, segment: Mapping[str, object] | None = None
    ) -> float:
        """One metric's value for one period (NaN when undefined)."""
        frame = self.metric_frame([metric], [period], segment=segment)
        return float(frame["value"].iloc[0]) if len(frame) else math.nan

    def _groups(
        self, table: str, segment: Mapping[str, object] | None, by: list[str]
    ) -> pd.DataFrame:
        """Every period x group that has a stage entry or a closed deal (the frame's rows)."""
        periods = self._query(f"SELECT period FROM {table}", [])
        if not by:
            return periods
        where, params = self._where(segment, "s")
        cols = ", ".join(f"s.{c}" for c in by)
        groups = self._query(
            f"SELECT DISTINCT {cols} FROM {table} p JOIN {self._entries} e "
            "ON e.day >= p.p_start AND e.day < p.p_end AND e.entered_at < ? "
            f"LEFT JOIN {self._persons} s USING (person_id) WHERE {where} "
            f"UNION SELECT DISTINCT {cols} FROM {table} p JOIN {self._opps} o "
            "ON o.close_day >= p.p_start AND o.close_day < p.p_end AND o.closed_at < ? "
            f"LEFT JOIN {self._persons} s ON s.person_id = o.person_id WHERE {where}",
            [self.cutoff, *params, self.cutoff, *params],
        )
        return periods.merge(groups, how="cross")

    def _one(
        self,
        metric: object,
        table: str,
        segment: Mapping[str, object] | None,
        by: list[str],
        index: pd.DataFrame,
    ) -> pd.DataFrame:
        keys = ["period", *by]

        def merged(frame: pd.DataFrame) -> pd.DataFrame:
            if by:
                frame = frame.astype({c: "object" for c in by if c in frame})
                base = index.astype({c: "object" for c in by})
            else:
                base = index
            return base.merge(frame, on=keys, how="left")

        out = index.copy()
        out["basis"] = None
        out["mature"] = True
        if isinstance(metric, CountMetric):
            counts = merged(self._counts(metric.stage, table, segment, by))
            out["numerator"] = counts["n"].fillna(0).to_numpy()
            out["denominator"] = math.nan
            out["value"] = out["numerator"]
            out["basis"] = "period"
        elif isinstance(metric, ConversionMetric):
            out["basis"] = metric.basis
            if metric.basis == "period":
                a = merged(self._counts(metric.from_, table, segment, by))["n"].fillna(0)
                b = merged(self._counts(metric.to, table, segment, by))["n"].fillna(0)
                out["numerator"], out["denominator"] = b.to_numpy(), a.to_numpy()
            else:
                c = merged(self._cohort(metric, table, segment, by))
                out["numerator"] = c["numerator"].fillna(0).to_numpy()
                out["denominator"] = c["denominator"].fillna(0).to_numpy()
                window = parse_duration(metric.window)
                ends = self._query(f"SELECT period, p_end FROM {table}", [])
                mature = {
                    r.period: self.window_elapsed(
                        r.p_end.date() if hasattr(r.p_end, "date") else r.p_end, window
                    )
                    for r in ends.itertuples()
                }
                out["mature"] = out["period"].map(mature).astype(bool)
            out["value"] = [
                _safe_div(n, d) for n, d in zip(out["numerator"], out["denominator"], strict=True)
            ]
        elif isinstance(
            metric, RevenueMetric | WinRateMetric | AverageDealSizeMetric | SalesCycleMetric
        ):
            s = merged(self._opportunity_stats(table, segment, by))
            revenue = s["revenue"].fillna(0).to_numpy()
            won = s["won"].fillna(0).to_numpy()
            if isinstance(metric, RevenueMetric):
                out["numerator"], out["denominator"] = revenue, math.nan
                out["value"] = revenue
            elif isinstance(metric, WinRateMetric):
                out["basis"] = metric.by
                if metric.by == "count":
                    num, den = won, s["closed"].fillna(0).to_numpy()
                else:
                    num, den = revenue, s["closed_amount"].fillna(0).to_numpy()
                out["numerator"], out["denominator"] = num, den
                out["value"] = [_safe_div(n, d) for n, d in zip(num, den, strict=True)]
            elif isinstance(metric, AverageDealSizeMetric):
                out["numerator"], out["denominator"] = revenue, won
                out["value"] = [_safe_div(n, d) for n, d in zip(revenue, won, strict=True)]
            else:
                out["numerator"], out["denominator"] = math.nan, won
                out["value"] = s["cycle_days"].to_numpy(dtype="float64", na_value=math.nan)
        elif isinstance(metric, SpeedToLeadMetric | SlaMetric):
            within = parse_duration(metric.within) if isinstance(metric, SlaMetric) else None
            t = merged(self._touch_stats(metric.from_, within, table, segment, by))
            if isinstance(metric, SpeedToLeadMetric):
                out["numerator"] = t["touched"].fillna(0).to_numpy()
                out["denominator"] = t["entered"].fillna(0).to_numpy()
                out["value"] = t["median_hours"].to_numpy(dtype="float64", na_value=math.nan)
            else:
                num = t["in_sla"].fillna(0).to_numpy()
                den = t["due"].fillna(0).to_numpy()
                out["numerator"], out["denominator"] = num, den
                out["value"] = [_safe_div(n, d) for n, d in zip(num, den, strict=True)]
                out["mature"] = t["due"].fillna(0).to_numpy() == t["entered"].fillna(0).to_numpy()
        elif isinstance(metric, CostPerMetric):
            cost = self._cost(table, segment, by)
            counts = merged(self._counts(metric.stage, table, segment, by))["n"].fillna(0)
            out["denominator"] = counts.to_numpy()
            if cost is None:
                out["numerator"] = math.nan
                out["value"] = math.nan
            else:
                spend = merged(cost)["cost"].fillna(0).to_numpy()
                if by:  # a group without a campaign value (unknown channel) has no known cost
                    unknown = out[by].isna().any(axis=1).to_numpy()
                    spend = [math.nan if u else s for u, s in zip(unknown, spend, strict=True)]
                out["numerator"] = spend
                out["value"] = [
                    _safe_div(n, d) for n, d in zip(spend, out["denominator"], strict=True)
                ]
        elif isinstance(metric, PipelineCoverageMetric):
            out["numerator"], out["denominator"], out["value"] = self._coverage(
                table, segment, by, index
            )
        else:  # pragma: no cover - every metric type is handled above
            raise ParameterError(f"metric type {type(metric).__name__} is not supported")
        return out

    def _coverage(
        self,
        table: str,
        segment: Mapping[str, object] | None,
        by: list[str],
        index: pd.DataFrame,
    ) -> tuple[list[float], list[float], list[float]]:
        """Open pipeline at the cut-off / (revenue target of the period - booked before it)."""
        if by or self.targets is None or len(segment or {}) > 1:
            nan = [math.nan] * len(index)
            return nan, nan, nan
        where, params = self._where(segment, "s")
        open_amount = self._query(
            f"SELECT coalesce(sum(o.amount), 0) FROM {self._opps} o "
            f"LEFT JOIN {self._persons} s ON s.person_id = o.person_id "
            f"WHERE o.created_at < ? AND (o.closed_at IS NULL OR o.closed_at >= ?) AND {where}",
            [self.cutoff, self.cutoff, *params],
        ).iloc[0, 0]
        stats = self._opportunity_stats(table, segment, [])
        booked = dict(zip(stats["period"], stats["revenue"], strict=True))
        ends = self._query(f"SELECT period, p_start, p_end FROM {table}", [])
        # a group of values: the sum of its values' targets, when each has one
        column, value = next(iter(segment.items())) if segment else ("", None)
        values = list(value) if isinstance(value, list | tuple | set) else [value]
        segments = [(column, v) for v in values] if segment else [None]
        nums, dens, vals = [], [], []
        for row in ends.itertuples():
            start = pd.Timestamp(row.p_start).date()
            end = pd.Timestamp(row.p_end).date()
            parts = [
                self.targets.for_period(self.definitions.kgi.key, start, end, segment=seg)  # type: ignore[attr-defined]
                for seg in segments
            ]
            target = None if any(p is None for p in parts) else sum(parts)
            remaining = (
                math.nan if target is None else float(target) - float(booked.get(row.period, 0.0))
            )
            nums.append(float(open_amount))
            dens.append(remaining)
            vals.append(
                math.nan if not remaining or remaining <= 0 else _safe_div(open_amount, remaining)
            )
        return nums, dens, vals

    def rule_entries(
        self,
        stage_key: str,
        rules: Mapping[str, str],
        *,
        start: dt.date,
        end: dt.date,
        reached: Sequence[str] = (),
    ) -> pd.DataFrame:
        """Who would have entered a rule stage on local days ``[start, end)`` under other rules.

        One query for all rules: each is evaluated exactly as the stage's own rule (same
        ``at:``, same score history, one person across their lead records, first entry).

        Parameters
        ----------
        stage_key
            A rule stage of the definitions (e.g. ``mql``).
        rules
            Variant name -> rule (see :func:`reviewkit.model.rules.compile_rule`).
        start, end
            Local days of first entry under the variant; entries at or after the cut-off are
            left out.
        reached
            Stages whose first entry (before the cut-off) is added per person.

        Returns
        -------
        pandas.DataFrame
            One row per variant x person: ``variant``, ``person_id``, ``entered_at``, one
            ``<stage>_at`` per stage of ``reached`` (NaT when not entered before the cut-off)
            and ``won_amount`` (the person's deals won before the cut-off; 0 when none).
            Times are in the workspace zone.

        Raises
        ------
        ParameterError
            When the stage is not a rule stage or ``rules`` is empty.
        ConfigError
            When a rule is not valid (the message shows the offending part).
        """
        stage = self.definitions.stage(stage_key)
        if not isinstance(stage, RuleStage):
            keys = [s.key for s in self.definitions.stages if isinstance(s, RuleStage)]
            raise ParameterError(f"stage: {stage_key!r} is not a rule stage; use one of {keys}")
        if not rules:
            raise ParameterError("rules: give at least one variant name -> rule")
        for key in reached:
            self.definitions.stage(key)
        names = list(rules)
        # the rows the rules are evaluated on, built once for every variant
        source, entered = self._rule_source(stage)
        base = (
            f"SELECT x.*, coalesce(i.person_id, x.lead_id) AS rk_person, {entered} AS rk_entered "
            f"FROM {source}"
        )
        union = " UNION ALL ".join(
            f"SELECT {i} AS rk_variant, rk_person AS person_id, rk_entered AS entered_at "
            f"FROM rk_base x WHERE {compile_rule(rule, columns=RULE_COLUMNS)}"
            for i, rule in enumerate(rules.values())
        )
        tz = self.timezone.replace("'", "''")
        columns = "".join(f", r{i}.entered_at AS {key}_at" for i, key in enumerate(reached))
        joins = "".join(
            f"LEFT JOIN {self._entries} r{i} ON r{i}.person_id = f.person_id AND r{i}.stage = ? "
            f"AND r{i}.entered_at < ? "
            for i in range(len(reached))
        )
        frame = self._query(
            f"WITH rk_base AS MATERIALIZED ({base}), "
            "f AS (SELECT rk_variant, person_id, min(entered_at) AS entered_at "
            f"FROM ({union}) WHERE person_id IS NOT NULL AND {self._in_scope('person_id')} "
            "GROUP BY ALL), "
            "w AS (SELECT person_id, sum(amount) AS won_amount "
            f"FROM {self._opps} WHERE is_won AND closed_at < ? GROUP BY ALL) "
            f"SELECT f.rk_variant, f.person_id, f.entered_at{columns}, "
            "coalesce(w.won_amount, 0)::DOUBLE AS won_amount FROM f "
            f"{joins}LEFT JOIN w ON w.person_id = f.person_id WHERE f.entered_at < ? "
            f"AND CAST(timezone('{tz}', f.entered_at) AS DATE) >= ? "
            f"AND CAST(timezone('{tz}', f.entered_at) AS DATE) < ? "
            "ORDER BY f.rk_variant, f.entered_at, f.person_id",
            [
                self.cutoff,
                *itertools.chain.from_iterable((key, self.cutoff) for key in reached),
                self.cutoff,
                start,
                end,
            ],
        )
        variant = pd.Series(names, dtype=object).take(frame.pop("rk_variant").to_numpy())
        frame.insert(0, "variant", variant.to_numpy())
        for column in ["entered_at", *(f"{key}_at" for key in reached)]:
            frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(self.timezone)
        return frame.reset_index(drop=True)

    def entries(self, stages: Sequence[str], *, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Every entry into ``stages`` on local days ``[start, end)``, one row per person x stage.

        Returns
        -------
        pandas.DataFrame
            ``person_id``, ``stage``, ``day`` (local date), ``entered_at`` and the segment columns
            (:data:`SEGMENT_COLUMNS`); entries at or after the cut-off are left out. Counting
            its rows by period and segment gives :meth:`metric_frame`'s stage counts.
        """
        unknown = [s for s in stages if s not in self.definitions.stage_keys]
        if unknown:
            raise ParameterError(
                f"stages: {unknown[0]!r} is not a stage; use one of {self.definitions.stage_keys}"
            )
        columns = ", ".join(f"s.{c}" for c in self.dimensions)
        marks = ", ".join("?" for _ in stages)
        frame = self._query(
            f"SELECT e.person_id, e.stage, e.day, e.entered_at, {columns} FROM {self._entries} e "
            f"LEFT JOIN {self._persons} s USING (person_id) WHERE e.stage IN ({marks}) "
            "AND e.day >= ? AND e.day < ? AND e.entered_at < ? ORDER BY e.day, e.person_id",
            [*stages, start, end, self.cutoff],
        )
        frame["day"] = pd.to_datetime(frame["day"]).dt.date
        frame["entered_at"] = frame["entered_at"].dt.tz_convert(self.timezone)
        return frame

    def daily(
        self,
        metric: str,
        *,
        start: dt.date,
        end: dt.date,
        segment: Mapping[str, object] | None = None,
    ) -> pd.Series:
        """Daily values of an additive metric (a stage count or revenue) over ``[start, end)``.

        Returns
        -------
        pandas.Series
            Indexed by local date; days without any entry are absent (read as 0).
        """
        m = self.definitions.metric(metric)
        where, params = self._where(segment, "s")
        if isinstance(m, CountMetric):
            sql = (
                f"SELECT e.day, count(*)::DOUBLE AS v FROM {self._entries} e "
                f"LEFT JOIN {self._persons} s USING (person_id) WHERE e.stage = ? "
                f"AND e.day >= ? AND e.day < ? AND {where} GROUP BY ALL ORDER BY 1"
            )
            params = [m.stage, start, end, *params]
        elif isinstance(m, RevenueMetric):
            sql = (
                f"SELECT o.close_day AS day, sum(o.amount) AS v FROM {self._opps} o "
                f"LEFT JOIN {self._persons} s ON s.person_id = o.person_id WHERE o.is_won "
                f"AND o.close_day >= ? AND o.close_day < ? AND {where} GROUP BY ALL ORDER BY 1"
            )
            params = [start, end, *params]
        else:
            raise ParameterError(
                f"metric {metric!r}: daily values exist for stage counts and revenue only"
            )
        frame = self._query(sql, params)
        days = list(pd.to_datetime(frame["day"]).dt.date)
        return pd.Series(frame["v"].to_numpy(dtype="float64"), index=days, name=metric)

    def first_touches(self, stage: str, *, since: dt.date) -> pd.DataFrame:
        """Each person entering ``stage`` since a day, with their first human touch.

        Parameters
        ----------
        stage
            A stage key of the definitions (e.g. ``mql``).
        since
            The first local day of entry to include; entries up to the cut-off follow.

        Returns
        -------
        pandas.DataFrame
            One row per person who entered ``stage`` on a local day ``>= since`` and before
            the cut-off, oldest entry first: ``person_id``, ``entered_at``, ``touched_at``
            (the first human touch at or after entry and before the cut-off; NaT when there
            is none), the segment columns of the person and ``company_name`` (of the
            person's canonical lead record). Times are in the workspace zone.
        """
        self.definitions.stage(stage)  # an unknown stage fails here, naming the known ones
        segments = ", ".join(f"s.{c}" for c in self.dimensions)
        frame = self._query(
            "WITH entered AS (SELECT person_id, entered_at FROM "
            f"{self._entries} WHERE stage = ? AND day >= ? AND entered_at < ?), "
            "touched AS (SELECT a.person_id, min(t.occurred_at) AS touched_at FROM entered a "
            f"JOIN {self._touches} t ON t.person_id = a.person_id "
            "AND t.occurred_at >= a.entered_at AND t.occurred_at < ? GROUP BY a.person_id) "
            f"SELECT a.person_id, a.entered_at, f.touched_at, {segments}, l.company_name "
            "FROM entered a LEFT JOIN touched f USING (person_id) "
            f"LEFT JOIN {self._persons} s ON s.person_id = a.person_id "
            "LEFT JOIN leads l ON l.lead_id = a.person_id "
            "ORDER BY a.entered_at, a.person_id",
            [stage, since, self.cutoff, self.cutoff],
        )
        for column in ("entered_at", "touched_at"):
            frame[column] = frame[column].dt.tz_convert(self.timezone)
        return frame

    def open_opportunities(self) -> pd.DataFrame:
        """Every opportunity open at the cut-off: created before it and not closed before it.

        Returns
        -------
        pandas.DataFrame
            One row per opportunity, oldest first: ``opportunity_id``, ``person_id``,
            ``stage`` (the stage name recorded on the opportunity; ``None`` when the deal
            closed at or after the cut-off, since the store keeps no stage history and its
            stage at the cut-off is unknown), ``sales_team`` (of the person, as everywhere in
            the semantic layer), ``amount``, ``created_at``, ``last_touch_at`` (the person's
            latest human activity before the cut-off; NaT when there is none), the other
            segment columns of the person and ``opportunity_team`` (the team recorded on the
            opportunity itself). Times are in the workspace zone. A deal closed after the
            cut-off is open here, as in pipeline coverage.
        """
        others = ", ".join(f"s.{c}" for c in self.dimensions if c != "sales_team")
        frame = self._query(
            "WITH last_touch AS (SELECT person_id, max(occurred_at) AS last_touch_at "
            f"FROM {self._touches} WHERE occurred_at < ? GROUP BY person_id) "
            "SELECT o.opportunity_id, o.person_id, "
            "CASE WHEN o.closed_at IS NULL THEN r.stage END AS stage, s.sales_team, "
            "o.amount, o.created_at, lt.last_touch_at, "
            f"{others}, r.sales_team AS opportunity_team "
            f"FROM {self._opps} o JOIN opportunities r USING (opportunity_id) "
            "LEFT JOIN last_touch lt ON lt.person_id = o.person_id "
            f"LEFT JOIN {self._persons} s ON s.person_id = o.person_id "
            "WHERE o.created_at < ? AND (o.closed_at IS NULL OR o.closed_at >= ?) "
            "ORDER BY o.created_at, o.opportunity_id",
            [self.cutoff, self.cutoff, self.cutoff],
        )
        for column in ("created_at", "last_touch_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(self.timezone)
        for column in ("person_id", "stage", *self.dimensions, "opportunity_team"):
            values = frame[column].astype(object)
            frame[column] = values.where(values.notna(), None)  # missing text: None, not NaN
        return frame

    def closed_deals(self, *, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Every deal closed won or lost on local days ``[start, end)``, before the cut-off.

        Returns
        -------
        pandas.DataFrame
            One row per opportunity: ``person_id``, ``opportunity_id``, ``day`` (local close
            date), ``is_won`` and the person's segment columns (as :meth:`entries`), oldest
            first. Counting its rows by period and segment gives the win rate of
            :meth:`metric_frame` (won / closed, by count).
        """
        columns = ", ".join(f"s.{c}" for c in self.dimensions)
        frame = self._query(
            f"SELECT o.person_id, o.opportunity_id, o.close_day AS day, o.is_won, {columns} "
            f"FROM {self._opps} o LEFT JOIN {self._persons} s USING (person_id) "
            "WHERE o.is_won IS NOT NULL AND o.close_day >= ? AND o.close_day < ? "
            "AND o.closed_at < ? ORDER BY o.close_day, o.opportunity_id",
            [start, end, self.cutoff],
        )
        frame["day"] = pd.to_datetime(frame["day"]).dt.date
        frame["is_won"] = frame["is_won"].astype(bool)
        return frame

    def kgi_key(self) -> str:
        """The metric that is the KGI: ``revenue``, or the last stage's count."""
        return self.definitions.kgi_metric


def matures_at(period_end: dt.date, window: dt.timedelta, *, tz: ZoneInfo) -> dt.datetime:
    """The instant a period's cohort matures: its end (local midnight) plus the window.

    The window is elapsed time (the end is converted to UTC before adding), so a cohort whose
    window spans a daylight-saving change matures when its last entrant has had the whole
    window, as the cohort numerator counts it.
    """
    end = dt.datetime.combine(period_end, dt.time(), tzinfo=tz)
    return end.astimezone(dt.UTC) + window


def cutoff_of(as_of: dt.date, *, timezone: str) -> dt.datetime:
    """The data cut-off of a review held on ``as_of``: local midnight of that day."""
    return dt.datetime.combine(as_of, dt.time(), tzinfo=ZoneInfo(timezone))
