"""Person-level records of the funnel: who entered, was touched, has a deal open or closed.

:class:`FunnelRecords` adds to the compiled tables the queries that return one row per person,
entry or deal (for the follow-up lists, the explorer, the what-if of a rule stage and the
pacing's daily values), plus the few store facts analyses need as they are recorded (deal
ages, the observed range of a lead column). Like every query on stage tables, they live in the
semantic layer.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from reviewkit.errors import ParameterError
from reviewkit.model.definitions import RULE_COLUMNS, CountMetric, RevenueMetric, RuleStage
from reviewkit.model.rules import compile_rule
from reviewkit.semantic.sql import rule_source
from reviewkit.semantic.tables import FunnelTables


class FunnelRecords(FunnelTables):
    """The record queries of :class:`reviewkit.semantic.funnel.Funnel`."""

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
        frame = self._query(
            self._rule_entries_sql(stage, rules, reached),
            [
                self.cutoff,
                *itertools.chain.from_iterable((key, self.cutoff) for key in reached),
                self.cutoff,
                start,
                end,
            ],
        )
        names = list(rules)
        variant = pd.Series(names, dtype=object).take(frame.pop("rk_variant").to_numpy())
        frame.insert(0, "variant", variant.to_numpy())
        for column in ["entered_at", *(f"{key}_at" for key in reached)]:
            frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(self.timezone)
        return frame.reset_index(drop=True)

    def _rule_entries_sql(
        self, stage: RuleStage, rules: Mapping[str, str], reached: Sequence[str]
    ) -> str:
        """The query of :meth:`rule_entries`: first entries under each rule, deals, ``reached``."""
        # the rows the rules are evaluated on, built once for every variant
        source, entered = rule_source(stage, entries=self._entries)
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
        return (
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
            "ORDER BY f.rk_variant, f.entered_at, f.person_id"
        )

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

    def closed_deal_days(self, *, since: dt.datetime) -> pd.Series:
        """Days from creation to close of each deal closed (won or lost) since ``since``.

        Deals closed at or after ``since`` and before the cut-off, read from the store's
        opportunities as recorded (every deal, whatever the scope); ``days`` may be NaN.
        """
        return self._query(
            "SELECT epoch(closed_at - created_at) / 86400.0 AS days FROM opportunities "
            "WHERE closed_at IS NOT NULL AND closed_at < ? AND closed_at >= ?",
            [self.cutoff, since],
        )["days"]

    def lead_column_range(self, column: str) -> tuple[Any, Any]:
        """Smallest and largest value of a rule column (with the score history for ``score``).

        Raises
        ------
        ParameterError
            When ``column`` is not a column a rule may use.
        """
        if column not in RULE_COLUMNS:
            raise ParameterError(
                f"column: {column!r} is not a rule column; use one of {RULE_COLUMNS}"
            )
        history = " UNION ALL SELECT score FROM score_changes" if column == "score" else ""
        row = self.con.execute(
            f'SELECT min(v), max(v) FROM (SELECT "{column}" AS v FROM leads{history})'
        ).fetchone()
        assert row is not None  # an aggregate always returns one row
        return row[0], row[1]
