"""Is each sync source fresh: for ``reviewkit sources``, data quality and checklist point 9.

A source is as fresh as its least recently synced object. It is *stale* (a "watch") when that
is longer ago than its ``stale_after_hours``, or when it is configured in
``params/sources/sync/`` but has never been synced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

import duckdb

from reviewkit.core.workspace import Workspace
from reviewkit.errors import ReviewkitError
from reviewkit.ingest.sync.spec import configured_sources, load_sync_source

__all__ = ["SourceStatus", "sync_status"]

_DEFAULT_HOURS = 36.0


@dataclass(frozen=True)
class SourceStatus:
    """One sync source: when it last synced (all objects), and whether that is too long ago."""

    source: str
    objects: tuple[str, ...]
    last_success: dt.datetime | None  # the least recent object's last success (UTC)
    stale_after_hours: float
    stale: bool

    @property
    def never(self) -> bool:
        """Configured but never synced."""
        return self.last_success is None


def _synced(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[tuple[str, ...], int]]:
    """Per source: its synced objects and the least recent last success (epoch us)."""
    try:
        rows = con.execute(
            "SELECT source, list(object ORDER BY object), min(epoch_us(last_success)) "
            "FROM sync_state GROUP BY 1 ORDER BY 1"
        ).fetchall()
    except duckdb.CatalogException:  # a store of an earlier schema, opened read-only
        return {}
    return {str(s): (tuple(objects), int(us)) for s, objects, us in rows}


def sync_status(
    con: duckdb.DuckDBPyConnection, *, workspace: Workspace | None, now: dt.datetime
) -> tuple[SourceStatus, ...]:
    """Every configured or synced source, with its freshness at ``now``.

    Parameters
    ----------
    con
        A store connection (read-only is enough).
    workspace
        Its ``params/sources/sync/`` names the configured sources and their
        ``stale_after_hours`` (a source synced but no longer configured keeps 36 h).
    now
        The present (aware).
    """
    synced = _synced(con)
    names = sorted(set(synced) | set(configured_sources(workspace) if workspace else []))
    out = []
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    for name in names:
        hours = _DEFAULT_HOURS
        if workspace is not None and name in configured_sources(workspace):
            # an invalid file is reported by reviewkit sync itself
            with contextlib.suppress(ReviewkitError):
                hours = load_sync_source(name, workspace=workspace).stale_after_hours
        objects, us = synced.get(name, ((), -1))
        last = None if us < 0 else epoch + dt.timedelta(microseconds=us)
        stale = last is None or now - last > dt.timedelta(hours=hours)
        out.append(SourceStatus(name, objects, last, hours, stale))
    return tuple(out)
