"""Where each synced object stands: cursors, the sync log and the ids each object holds.

The tables (``sync_state``, ``syncs``, ``sync_records``; see ``docs/data-model.md``) are written
inside the engine's transaction for the object, so a cursor never moves past records that did
not commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

__all__ = ["ObjectReport", "SyncState", "read_state", "record_ids", "source_status", "write_state"]


@dataclass(frozen=True)
class SyncState:
    """The last committed sync of one object."""

    cursor: dt.datetime | None
    last_success: dt.datetime


@dataclass
class ObjectReport:
    """What the sync of one object did (or, in a dry run, would do)."""

    source: str
    object: str
    mode: str = "incremental"  # or "full"
    reason: str | None = None  # why full: "first sync", "--full" or "deleted window"
    gap_days: int | None = None  # "deleted window": days since the last sync
    lookback_days: int | None = None  # and how far back the API lists deleted records
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    merged: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # quarantine reasons
    cursor: dt.datetime | None = None
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    dry_run: bool = False


def read_state(con: duckdb.DuckDBPyConnection, source: str, obj: str) -> SyncState | None:
    """The object's last committed sync, or ``None`` if it was never synced."""
    row = con.execute(
        "SELECT epoch_us(cursor), epoch_us(last_success) FROM sync_state "
        "WHERE source = ? AND object = ?",
        [source, obj],
    ).fetchone()
    if row is None:
        return None
    return SyncState(_instant(row[0]), _instant(row[1]) or _EPOCH)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _instant(microseconds: int | None) -> dt.datetime | None:
    """An aware UTC datetime from DuckDB's ``epoch_us`` (no pytz needed)."""
    return None if microseconds is None else _EPOCH + dt.timedelta(microseconds=microseconds)


def write_state(
    con: duckdb.DuckDBPyConnection, report: ObjectReport, *, sync_id: str, finished: dt.datetime
) -> None:
    """Record the object's new cursor and counts, and log the sync (caller's transaction)."""
    r = report
    counts = [r.rows_read, r.added, r.updated, r.deleted, r.merged, r.quarantined]
    con.execute(
        "INSERT OR REPLACE INTO sync_state VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [r.source, r.object, r.cursor, finished, r.mode, *counts],
    )
    con.execute(
        "INSERT INTO syncs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [sync_id, r.source, r.object, r.mode, r.reason, r.started, finished, r.rows_read,
         r.added, r.updated, r.unchanged, r.deleted, r.merged, r.quarantined, r.cursor],
    )  # fmt: skip


def record_ids(con: duckdb.DuckDBPyConnection, source: str, obj: str, ids: list[str]) -> None:
    """Remember that the object holds ``ids`` (a full resync removes those it stops returning)."""
    if not ids:
        return
    frame = pd.DataFrame({"source": source, "object": obj, "record_id": ids})
    con.register("_rk_sync_ids", frame)
    try:
        con.execute("INSERT OR IGNORE INTO sync_records SELECT * FROM _rk_sync_ids")
    finally:
        con.unregister("_rk_sync_ids")


def source_status(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every synced object: source, object, cursor, last success, mode and last counts."""
    return con.execute(
        "SELECT source, object, cursor, last_success, mode, rows_read, added, updated, deleted, "
        "merged, quarantined FROM sync_state ORDER BY source, object"
    ).df()
