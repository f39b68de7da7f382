"""The funnel's compiled tables: the definitions bound to a store connection.

:class:`FunnelTables` materialises the temporary tables every metric and record query reads:

- *entries*: each person's first entry into each stage (event stages from ``stage_events``;
  rule stages from the lead attributes and the score history, evaluated on each of the
  person's lead records: the person enters when any record meets the rule), with the local
  date;
- *persons*: each person's segment attributes, from their canonical lead record;
- *opportunities* and *touches* by person.

It also holds what every query shares: the cut-off, the scope, the segment filter and the
periods table. :class:`reviewkit.semantic.funnel.Funnel` adds the metrics and the records.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from functools import cached_property
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from reviewkit.core.periods import Period
from reviewkit.errors import ParameterError
from reviewkit.model.definitions import LEAD_DIMENSIONS, Definitions, RuleStage
from reviewkit.semantic.sql import stage_sql

SEGMENT_COLUMNS = LEAD_DIMENSIONS
_counter = itertools.count()


class FunnelTables:
    """The definitions compiled to temporary tables of a store connection.

    The parameters are :class:`reviewkit.semantic.funnel.Funnel`'s.
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
        n = next(_counter)
        self._entries = f"rk_entries_{n}"
        self._persons = f"rk_persons_{n}"
        self._opps = f"rk_opps_{n}"
        self._touches = f"rk_touches_{n}"
        # the periods tables made so far (see _periods_table): by their rows, and the reverse
        self._period_tables: dict[tuple[tuple[str, dt.date, dt.date], ...], str] = {}
        self._period_rows_of: dict[str, tuple[tuple[str, dt.date, dt.date], ...]] = {}
        # the metric frames computed so far, by what was asked (Funnel.metric_frame)
        self._frames: dict[tuple[object, ...], pd.DataFrame] = {}
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
                    f"FROM ({stage_sql(stage, entries=self._entries)}) "
                    "WHERE person_id IS NOT NULL GROUP BY ALL"
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
        """A temporary table of ``periods`` (``period``, ``p_start``, ``p_end``); made once.

        The same periods asked for again (the scorecard's, the KGI's, ...) reuse the table;
        :meth:`_period_rows` gives its rows without a query.
        """
        rows = tuple((p.label, p.start, p.end) for p in periods)
        made = self._period_tables.get(rows)
        if made is not None:
            return made
        name = f"rk_periods_{next(_counter)}"
        if rows:  # one statement, no frame to register
            values = ", ".join("(?, CAST(? AS DATE), CAST(? AS DATE))" for _ in rows)
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM (VALUES {values}) "
                "AS v(period, p_start, p_end)",
                [value for row in rows for value in row],
            )
        else:
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} (period VARCHAR, p_start DATE, p_end DATE)"
            )
        self._period_tables[rows] = name
        self._period_rows_of[name] = rows
        return name

    def _period_rows(self, table: str) -> pd.DataFrame:
        """The rows of a :meth:`_periods_table` in order: ``period``, ``p_start``, ``p_end``.

        The dates are :class:`datetime.date`; no query is made.
        """
        rows = self._period_rows_of[table]
        return pd.DataFrame(
            {
                "period": pd.Series([r[0] for r in rows], dtype=object),
                "p_start": pd.Series([r[1] for r in rows], dtype=object),
                "p_end": pd.Series([r[2] for r in rows], dtype=object),
            }
        )

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


def matures_at(period_end: dt.date, window: dt.timedelta, *, tz: ZoneInfo) -> dt.datetime:
    """The instant a period's cohort matures: its end (local midnight) plus the window.

    The window is elapsed time (the end is converted to UTC before adding), so a cohort whose
    window spans a daylight-saving change matures when its last entrant has had the whole
    window, as the cohort numerator counts it.
    """
    end = dt.datetime.combine(period_end, dt.time(), tzinfo=tz)
    return end.astimezone(dt.UTC) + window
