"""The semantic layer: the agreed definitions compiled to DuckDB SQL.

Templates and analyses ask for metrics by name; nothing else in reviewkit knows a stage name or
a rate formula. :class:`Funnel` binds the definitions to a store connection and materialises
two temporary tables (:mod:`reviewkit.semantic.tables`):

- *entries*: each person's first entry into each stage (event stages from ``stage_events``;
  rule stages from the lead attributes and the score history, evaluated on each of the
  person's lead records: the person enters when any record meets the rule), with the local
  date;
- *persons*: each person's segment attributes, from their canonical lead record.

:meth:`Funnel.metric_frame` returns a tidy frame for any periods, segment filter and grouping:
one row per period x group x metric with ``value``, ``numerator``, ``denominator``, ``basis``
and ``mature`` (whether a cohort's window has elapsed by the cut-off). Each metric type is
evaluated by its own evaluator (:mod:`reviewkit.semantic.evaluators`) from the family queries
of :mod:`reviewkit.semantic.families`; person-level records come from
:mod:`reviewkit.semantic.records`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

import pandas as pd

from reviewkit.core.periods import Period
from reviewkit.model.definitions import Metric
from reviewkit.semantic.evaluators import Evaluation, evaluate
from reviewkit.semantic.families import CAMPAIGN_COLUMNS
from reviewkit.semantic.records import FunnelRecords
from reviewkit.semantic.tables import SEGMENT_COLUMNS, matures_at

__all__ = [
    "CAMPAIGN_COLUMNS", "FRAME_COLUMNS", "SEGMENT_COLUMNS", "Funnel", "cutoff_of", "matures_at",
]  # fmt: skip

FRAME_COLUMNS = ["metric", "value", "numerator", "denominator", "basis", "mature"]


class Funnel(FunnelRecords):
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
        # the same frame asked for again (the timing check, the rate card, ...): a copy
        key = (
            tuple(
                item if isinstance(item, str) else (type(item).__name__, item.model_dump_json())
                for item in metrics
            ),
            tuple((p.label, p.start, p.end) for p in periods),
            repr(segment),
            tuple(group),
        )
        made = self._frames.get(key)
        if made is None:
            made = self._metric_frame(metrics, periods, segment, group)
            self._frames[key] = made
        return made.copy()

    def _metric_frame(
        self,
        metrics: Sequence[str | Metric],
        periods: Sequence[Period],
        segment: Mapping[str, object] | None,
        group: list[str],
    ) -> pd.DataFrame:
        """:meth:`metric_frame`, computed (its ``by`` checked)."""
        table = self._periods_table(periods)
        keys = ["period", *group]
        index = self._groups(table, segment, group)
        frames = []
        on = Evaluation(self, table, segment, group, index)  # shared: its stage counts too
        for item in metrics:
            metric = self.definitions.metric(item) if isinstance(item, str) else item
            frame = evaluate(metric, on)
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
        periods = self._period_rows(table)[["period"]]
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

    def kgi_key(self) -> str:
        """The metric that is the KGI: ``revenue``, or the last stage's count."""
        return self.definitions.kgi_metric


def cutoff_of(as_of: dt.date, *, timezone: str) -> dt.datetime:
    """The data cut-off of a review held on ``as_of``: local midnight of that day."""
    return dt.datetime.combine(as_of, dt.time(), tzinfo=ZoneInfo(timezone))
