"""What the agreed funnel needs that the store lacks entirely, so packs say so instead of a 0.

A store filled from one export (a lead file alone, an opportunity report alone) or a file
whose stage date column is empty has no record at all for some stages or for the KGI. Counted
as they are, those stages are 0 and look like a collapse, the KPI tree blames them for the
whole gap, and next quarter's targets cannot be back-solved through them. :func:`funnel_gaps`
finds them in one query; the packs show :meth:`FunnelGaps.lines` under the KPI status, leave
the tree's split out (:meth:`FunnelGaps.tree_drivers`), and ``reviewkit validate`` warns with
:func:`gap_warnings`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from reviewkit.i18n.texts import t
from reviewkit.model.definitions import (
    AverageDealSizeMetric,
    ConversionMetric,
    CountMetric,
    Definitions,
    EventStage,
)


@dataclass(frozen=True)
class FunnelGaps:
    """The funnel's data the store holds none of.

    Attributes
    ----------
    stages
        Keys of the event stages no stage event of the store records, in funnel order.
    amounts
        The KGI is revenue but no won deal has an amount.
    close_dates
        The KGI is revenue, deals are won, but none has a close date (revenue is counted in
        the period a deal closed).
    """

    stages: tuple[str, ...] = ()
    amounts: bool = False
    close_dates: bool = False

    def __bool__(self) -> bool:
        return bool(self.stages or self.amounts or self.close_dates)

    def tree_drivers(self, definitions: Definitions) -> list[str]:
        """The KPI tree's drivers that rest on missing data (all of them when the KGI does)."""
        tree = definitions.tree
        kgi_missing = self.amounts or self.close_dates or definitions.stages[-1].key in self.stages
        if kgi_missing:
            return list(tree)
        return [key for key in tree if self._rests_on_gap(definitions.metric(key))]

    def metrics(self, definitions: Definitions) -> set[str]:
        """The stage counts and the KGI the store holds no record of (scorecard rows)."""
        out = set(self.stages)
        if self.amounts or self.close_dates:
            out.add(definitions.kgi_metric)
        return out

    def _rests_on_gap(self, metric: object) -> bool:
        if isinstance(metric, CountMetric):
            return metric.stage in self.stages
        if isinstance(metric, ConversionMetric):
            return metric.from_ in self.stages or metric.to in self.stages
        if isinstance(metric, AverageDealSizeMetric):
            return self.amounts or self.close_dates
        return False

    def lines(self, definitions: Definitions, *, lang: str) -> list[str]:
        """One line per kind of missing data, in ``lang`` (nothing when none is missing)."""
        out = []
        if self.stages:
            names = t("summary.join", lang).join(
                definitions.stage(k).label(lang) for k in self.stages
            )
            out.append(t("missing.stage_events", lang, stages=names))
        kgi = definitions.kgi.label(lang)
        if self.amounts:
            out.append(t("missing.kgi_amounts", lang, kgi=kgi))
        elif self.close_dates:
            out.append(t("missing.close_dates", lang, kgi=kgi))
        return out


_GAPS = """
SELECT
    (SELECT list(DISTINCT stage) FROM stage_events) AS events,
    (SELECT count(*) FROM opportunities WHERE is_won) AS won,
    (SELECT count(*) FROM opportunities WHERE is_won AND amount IS NOT NULL AND amount <> 0)
        AS won_amounts,
    (SELECT count(*) FROM opportunities WHERE amount IS NOT NULL AND amount <> 0) AS amounts,
    (SELECT count(*) FROM opportunities WHERE is_won AND closed_at IS NOT NULL) AS won_closed
"""


def funnel_gaps(con: duckdb.DuckDBPyConnection, definitions: Definitions) -> FunnelGaps:
    """The funnel's stages and KGI data the store holds none of (one query).

    Parameters
    ----------
    con
        A store connection (read-only is fine).
    definitions
        The agreed funnel.

    Returns
    -------
    FunnelGaps
        Empty (false) when the store has some data for every stage and the KGI.
    """
    events, won, won_amounts, amounts, won_closed = con.execute(_GAPS).fetchall()[0]
    known = set(events or ())
    stages = tuple(
        s.key for s in definitions.stages if isinstance(s, EventStage) and s.event not in known
    )
    revenue = definitions.kgi_is_revenue
    return FunnelGaps(
        stages=stages,
        # no amount on any deal at all; a store whose won deals alone lack one counts too
        amounts=revenue and (not amounts or (bool(won) and not won_amounts)),
        close_dates=revenue and bool(won) and not won_closed,
    )


def gap_warnings(gaps: FunnelGaps, definitions: Definitions) -> list[str]:
    """``reviewkit validate`` warnings for what :func:`funnel_gaps` found, one line each."""
    lines = []
    for key in gaps.stages:
        stage = definitions.stage(key)
        event = stage.event if isinstance(stage, EventStage) else key
        lines.append(
            f"params/definitions.yml: stage {key!r} (event {event!r}): no stage event of the "
            f"store has it, so every pack counts 0 there and says so; map a date column to "
            f"{key!r} under stages: of the import profile and import it, or fix event:"
        )
    if gaps.amounts:
        lines.append(
            "params/definitions.yml: kgi: revenue, but no deal in the store has an amount, so "
            "every pack shows revenue 0; import deals with an amount column, or make the KGI "
            "the count of the last stage (kgi: key: won_count)"
        )
    elif gaps.close_dates:
        lines.append(
            "opportunities: no won deal has a close date (closed_at is empty), so revenue "
            "falls in no period and every pack shows it as 0; map the close date column to "
            "closed_at in the opportunity profile and import it again"
        )
    return lines


def first_record(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """The store's oldest lead, stage event or deal (UTC); ``None`` for an empty store."""
    (micros,) = con.execute(
        "SELECT epoch_us(least((SELECT min(created_at) FROM leads), (SELECT min(entered_at) "
        "FROM stage_events), (SELECT min(created_at) FROM opportunities)))"
    ).fetchall()[0]
    if micros is None:
        return None
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(micros))
