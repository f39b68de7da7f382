"""Deletes and merges from a CRM, applied to the store (inside the engine's transaction).

A deleted (archived) record leaves the store with everything that hangs on it: a lead's stage
events, score changes and touches, an opportunity, a touch, a campaign. From the next pack on
it is in no count. A merge re-points what hung on the merged-away record (touches, deals) to the
record it was merged into, removes the merged-away lead, and records both ids under one
``person_key`` in ``identity_map``, so rows that still name the old id (e.g. in an imported
file) are the same person. Identities are rebuilt by the engine afterwards.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from reviewkit.ingest.profile import Profile

__all__ = ["apply_deletes", "apply_merges", "unseen_ids"]


_GONE = "(SELECT record_id FROM _rk_gone)"
# per record kind: the table, its id column, whether rows carry source_system, and the rows that
# hang on a removed record (deleted first)
_KINDS: dict[str, tuple[str, str, bool, tuple[str, ...]]] = {
    "leads": ("leads", "lead_id", True, (
        "DELETE FROM stage_events WHERE source_system = $system AND lead_id IN $gone",
        "DELETE FROM score_changes WHERE lead_id IN $gone",
        "DELETE FROM activities WHERE lead_id IN $gone",
    )),
    "opportunities": ("opportunities", "opportunity_id", True, ()),
    "activities": ("activities", "activity_id", False, ()),
    "campaigns": ("campaigns", "campaign_id", False, ()),
}  # fmt: skip


def apply_deletes(
    con: duckdb.DuckDBPyConnection, ids: list[str], profile: Profile, *, source: str, obj: str
) -> int:
    """Remove the records ``ids`` of the profile's kind and system; how many were in the store."""
    ids = sorted({i for i in ids if i})
    if not ids:
        return 0
    table, key, by_system, hanging = _KINDS[profile.record]
    where = f"{key} IN {_GONE}" + (" AND source_system = $system" if by_system else "")
    params = {"system": profile.source_system}
    con.register("_rk_gone", pd.DataFrame({"record_id": ids}))
    try:
        found = con.execute(
            f"SELECT count(DISTINCT {key}) FROM {table} WHERE {where}",
            params if by_system else {},
        ).fetchone()
        for sql in hanging:
            con.execute(sql.replace("$gone", _GONE), params if "$system" in sql else {})
        con.execute(f"DELETE FROM {table} WHERE {where}", params if by_system else {})
        con.execute(
            f"DELETE FROM sync_records WHERE source = ? AND object = ? AND record_id IN {_GONE}",
            [source, obj],
        )
        con.execute(
            f"DELETE FROM quarantine WHERE file_name = ? AND record_id IN {_GONE}",
            [f"{source}/{obj}"],
        )
    finally:
        con.unregister("_rk_gone")
    return int(found[0]) if found else 0


def apply_merges(
    con: duckdb.DuckDBPyConnection,
    merged: dict[str, str],
    profile: Profile,
    *,
    source: str,
    obj: str,
) -> int:
    """Fold each merged-away record into the one it was merged into; how many were folded."""
    pairs = {loser: winner for loser, winner in merged.items() if loser and winner != loser}
    if not pairs:
        return 0
    system = profile.source_system
    if profile.record != "leads":  # a merged deal: the merged-away one is gone
        return apply_deletes(con, list(pairs), profile, source=source, obj=obj)
    frame = pd.DataFrame({"loser": list(pairs), "winner": list(pairs.values())})
    con.register("_rk_merges", frame)
    try:
        for table in ("activities", "opportunities", "score_changes"):
            con.execute(
                f"UPDATE {table} SET lead_id = m.winner FROM _rk_merges m "
                f"WHERE {table}.lead_id = m.loser"
            )
        keys = con.execute(
            "SELECT m.loser, m.winner, coalesce(i.person_key, 'merged:' || ? || ':' || m.winner) "
            "FROM _rk_merges m LEFT JOIN identity_map i ON i.source_system = ? "
            "AND i.lead_id = m.winner",
            [system, system],
        ).fetchall()
    finally:
        con.unregister("_rk_merges")
    rows = [(system, loser, key) for loser, _, key in keys]
    rows += [(system, winner, key) for _, winner, key in keys]
    con.executemany("INSERT OR REPLACE INTO identity_map VALUES (?, ?, ?)", rows)
    apply_deletes(con, list(pairs), profile, source=source, obj=obj)
    return len(pairs)


def unseen_ids(con: duckdb.DuckDBPyConnection, *, source: str, obj: str) -> list[str]:
    """The ids the object held before a full resync that the resync did not return.

    The resync's ids are in the temporary table ``_rk_seen`` (``record_id``).
    """
    rows = con.execute(
        "SELECT record_id FROM sync_records WHERE source = ? AND object = ? "
        "AND record_id NOT IN (SELECT record_id FROM _rk_seen)",
        [source, obj],
    ).fetchall()
    return [str(r[0]) for r in rows]
