"""The data quality report packs show: is the data fit for the review.

Freshness per source system (a pack warns when a source ends before the period it reviews),
merged duplicates, the share of people without a channel, quarantined rows by reason, and stage
dates that contradict each other across files or systems.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from reviewkit.ingest.consistency import CONSISTENCY_COLUMNS, consistency_problems
from reviewkit.ingest.sync.status import SourceStatus, sync_status
from reviewkit.semantic.funnel_gaps import FunnelGaps, funnel_gaps

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reviewkit.core.workspace import Workspace
    from reviewkit.model.definitions import Definitions

_FRESHNESS = """
WITH stamps AS (
    SELECT source_system, created_at AS at FROM leads
    UNION ALL SELECT source_system, entered_at FROM stage_events
    UNION ALL SELECT source_system, created_at FROM opportunities
    UNION ALL SELECT source_system, closed_at FROM opportunities WHERE closed_at IS NOT NULL
)
SELECT s.source_system, epoch_us(max(s.at)) AS last_record_us, count(*) AS records,
       (SELECT epoch_us(max(i.finished_at)) FROM imports i
        WHERE i.source_system = s.source_system) AS last_import_us
FROM stamps s GROUP BY 1 ORDER BY 1
"""

_EMPTIED = """
SELECT source_system, epoch_us(max(finished_at)), min(profile) FROM imports
WHERE loaded > 0 AND list_contains(?, profile) AND source_system NOT IN (
    SELECT source_system FROM leads UNION SELECT source_system FROM opportunities
    UNION SELECT source_system FROM stage_events)
GROUP BY 1 ORDER BY 1
"""


def record_profiles(con: duckdb.DuckDBPyConnection, ws: Workspace) -> tuple[str, ...]:
    """The imported profiles that load leads or opportunities (not campaign costs or touches).

    A profile renamed or removed since its import is left out (its kind is unknown).
    """
    from reviewkit.errors import ReviewkitError
    from reviewkit.ingest.profile import load_profile

    names = con.execute("SELECT DISTINCT profile FROM imports WHERE loaded > 0 ORDER BY 1")
    found = []
    for (name,) in names.fetchall():
        try:
            record = load_profile(str(name), workspace=ws).record
        except ReviewkitError:
            continue
        if record in ("leads", "opportunities"):
            found.append(str(name))
    return tuple(found)


def emptied_sources(
    con: duckdb.DuckDBPyConnection, *, profiles: Sequence[str], timezone: str
) -> list[tuple[str, dt.datetime | None, str]]:
    """Source systems whose lead or deal imports (``profiles``) left no record in the store.

    Returns ``(source system, last import in the workspace zone, a profile)`` per source.
    """
    if not profiles:
        return []
    tz = ZoneInfo(timezone)
    rows = con.execute(_EMPTIED, [list(profiles)]).fetchall()
    return [(str(source), _instant(last, tz), str(profile)) for source, last, profile in rows]


def _instant(microseconds: float | None, tz: ZoneInfo) -> dt.datetime | None:
    if microseconds is None or pd.isna(microseconds):
        return None
    base = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (base + dt.timedelta(microseconds=int(microseconds))).astimezone(tz)


@dataclass(frozen=True)
class DataQuality:
    """The facts of the report."""

    freshness: pd.DataFrame  # source_system, last_record, last_import (workspace zone), records
    lead_records: int
    persons: int
    merged: int
    without_channel: int
    quarantine: pd.DataFrame  # reason, rows
    # stage dates contradicting each other (reviewkit.ingest.consistency): problem, stage, earlier,
    # count, examples; empty when they agree or no definitions were given
    consistency: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=CONSISTENCY_COLUMNS)
    )
    # source systems imported (rows loaded) of which the store holds no lead, deal or stage
    # event now, with their last import (workspace zone): e.g. rows deleted after the import
    emptied: tuple[tuple[str, dt.datetime | None], ...] = ()
    # the funnel's stages and KGI data the store holds none of (with definitions only)
    gaps: FunnelGaps = field(default_factory=FunnelGaps)
    # the CRM sync sources (configured or synced) and whether each is stale
    sync: tuple[SourceStatus, ...] = ()

    @property
    def stale_syncs(self) -> list[SourceStatus]:
        """The sync sources not synced for longer than their ``stale_after_hours``."""
        return [s for s in self.sync if s.stale]

    @property
    def without_channel_share(self) -> float:
        """Share of people whose canonical record has no channel."""
        return self.without_channel / self.persons if self.persons else float("nan")

    def stale_sources(self, day: dt.date) -> list[tuple[str, dt.date | None]]:
        """Sources whose last record is before ``day`` (e.g. a period's last day)."""
        out = []
        for row in self.freshness.itertuples():
            last = None if pd.isna(row.last_record) else row.last_record.date()
            if last is None or last < day:
                out.append((row.source_system, last))
        return out


def data_quality(
    con: duckdb.DuckDBPyConnection,
    *,
    timezone: str,
    definitions: Definitions | None = None,
    profiles: Sequence[str] = (),
    workspace: Workspace | None = None,
    now: dt.datetime | None = None,
) -> DataQuality:
    """Compute the data quality report of the store.

    Parameters
    ----------
    con
        A store connection.
    timezone
        The workspace time zone (freshness is shown in it; stage dates are compared by day in
        it).
    definitions
        The agreed funnel: with it, stage dates that contradict each other across files or
        systems are looked up (:func:`reviewkit.ingest.consistency.consistency_problems`), and the
        stages and KGI data the store has no record of (:mod:`reviewkit.semantic.funnel_gaps`).
    profiles
        The imported lead and deal profiles (:func:`record_profiles`): a source system whose
        imports of them left no record in the store is named (rows deleted since).
    workspace
        Its ``params/sources/sync/`` names the CRM sync sources whose freshness is checked
        (:func:`reviewkit.ingest.sync.status.sync_status`); ``None``: only those synced.
    now
        The present for that check (default: the current time).
    """
    tz = ZoneInfo(timezone)
    fresh = con.execute(_FRESHNESS).df()
    freshness = pd.DataFrame(
        {
            "source_system": fresh["source_system"].astype(object),
            # object columns: a source never imported keeps None (NaT would fail to format)
            "last_record": pd.Series(
                [_instant(v, tz) for v in fresh["last_record_us"]], dtype=object
            ),
            "last_import": pd.Series(
                [_instant(v, tz) for v in fresh["last_import_us"]], dtype=object
            ),
            "records": fresh["records"].astype("int64"),
        }
    )
    lead_records, persons, merged = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE coalesce(i.person_id, l.lead_id) = l.lead_id), "
        "count(*) FILTER (WHERE coalesce(i.person_id, l.lead_id) <> l.lead_id) "
        "FROM leads l LEFT JOIN lead_identity i USING (lead_id)"
    ).fetchone() or (0, 0, 0)
    (without_channel,) = con.execute(
        "SELECT count(*) FROM leads l LEFT JOIN lead_identity i USING (lead_id) "
        "WHERE coalesce(i.person_id, l.lead_id) = l.lead_id AND l.channel IS NULL"
    ).fetchone() or (0,)
    quarantine = con.execute(
        "SELECT reason, count(*) AS rows FROM quarantine GROUP BY 1 ORDER BY 2 DESC, 1"
    ).df()
    consistency = (
        consistency_problems(con, definitions=definitions, timezone=timezone)
        if definitions is not None
        else pd.DataFrame(columns=CONSISTENCY_COLUMNS)
    )
    emptied = tuple(
        (source, last)
        for source, last, _ in emptied_sources(con, profiles=profiles, timezone=timezone)
    )
    gaps = funnel_gaps(con, definitions) if definitions is not None else FunnelGaps()
    sync = tuple(  # shown in the workspace zone, as freshness is
        replace(s, last_success=s.last_success.astimezone(tz)) if s.last_success else s
        for s in sync_status(con, workspace=workspace, now=now or dt.datetime.now(dt.UTC))
    )
    return DataQuality(
        sync=sync,
        gaps=gaps,
        emptied=emptied,
        consistency=consistency,
        freshness=freshness,
        lead_records=int(lead_records),
        persons=int(persons),
        merged=int(merged),
        without_channel=int(without_channel),
        quarantine=quarantine,
    )
