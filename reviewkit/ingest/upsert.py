"""Write mapped rows into the store: upsert records, leads and stage events, refuse moves.

Records are upserted by their key (:data:`KEYS`): a new key is inserted, a known one updated
when a value differs as the store keeps it. A profile that would move records the store holds
under another source system is refused before anything is written (unless asked to move them).
Stage events keep the earliest time each lead entered each stage.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import duckdb
import pandas as pd

from reviewkit.errors import ConfigError
from reviewkit.ingest.profile import Profile
from reviewkit.ingest.records import MappedRows, mapped_columns
from reviewkit.ingest.report import ImportReport

__all__ = ["KEYS", "TEXT_COLUMNS", "upsert", "write_records"]


TEXT_COLUMNS = (
    "email", "email_hash", "company_name", "company_domain", "channel", "campaign_id",
    "content_asset", "industry", "company_size", "region", "persona", "sales_team", "stage",
    "currency", "name", "activity_type", "team", "activity_id",
)  # fmt: skip
_TIME_COLUMNS = ("created_at", "closed_at", "entered_at", "occurred_at")
KEYS = {
    "leads": ("lead_id",),
    "opportunities": ("opportunity_id",),
    "campaigns": ("campaign_id", "start_date"),
    "activities": ("activity_id",),
}


def _records_frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if column in _TIME_COLUMNS:
            frame[column] = pd.to_datetime(frame[column], utc=True)
        elif column in ("start_date", "end_date"):
            frame[column] = pd.to_datetime(frame[column]).dt.date.astype(object)
        elif column in TEXT_COLUMNS or column in ("lead_id", "opportunity_id", "source_system"):
            frame[column] = frame[column].astype("object")
    return frame


def upsert(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, *, key: tuple[str, ...]
) -> tuple[set[Any], set[Any], set[Any]]:
    """Insert new rows, update changed ones; return the (new, changed, all) keys."""
    if frame.empty:
        return set(), set(), set()
    frame = frame.drop_duplicates(subset=list(key), keep="last")
    con.register("_incoming", frame)
    try:
        columns = [c for c in frame.columns if c not in key]
        types = dict(con.execute(f"SELECT column_name, data_type FROM duckdb_columns() "
                                 f"WHERE table_name = '{table}' AND schema_name = 'main' "
                                 f"AND database_name = current_database()").fetchall())  # fmt: skip
        # compared as stored: an amount of 1.005 is kept as 1.01 and must not count as changed
        # at every import of the same file
        differs = " OR ".join(
            f"t.{c} IS DISTINCT FROM TRY_CAST(i.{c} AS {types[c]})" if c in types
            else f"t.{c} IS DISTINCT FROM i.{c}"
            for c in columns
        ) or "FALSE"  # fmt: skip
        on = " AND ".join(f"t.{k} = i.{k}" for k in key)
        keys = ", ".join(f"i.{k}" for k in key)
        status = con.execute(
            f"SELECT ({keys}) AS key, t.{key[0]} IS NULL AS new, ({differs}) AS changed "
            f"FROM _incoming i LEFT JOIN {table} t ON {on}"
        ).fetchall()
        new = {_key(k) for k, is_new, _ in status if is_new}
        changed = {_key(k) for k, is_new, differ in status if not is_new and differ}
        names = ", ".join(frame.columns)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        con.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM _incoming "
            f"ON CONFLICT ({', '.join(key)}) {action}"
        )
    finally:
        con.unregister("_incoming")
    return new, changed, {_key(k) for k, _, _ in status}


def _key(value: Any) -> Any:
    """A one-column key as its value; a composite one as a tuple."""
    if isinstance(value, dict):
        values = tuple(value.values())
        return values[0] if len(values) == 1 else values
    if isinstance(value, tuple | list) and len(value) == 1:
        return value[0]
    return tuple(value) if isinstance(value, list) else value


def _other_systems(
    con: duckdb.DuckDBPyConnection, table: str, key: str, frame: pd.DataFrame
) -> dict[str, int]:
    """Records of ``frame`` that the store holds under another source system, by system."""
    if frame.empty:
        return {}
    con.register("_rk_incoming_ids", frame[[key, "source_system"]])
    try:
        rows = con.execute(
            f"SELECT t.source_system, count(DISTINCT t.{key}) FROM _rk_incoming_ids i "
            f"JOIN {table} t ON t.{key} = i.{key} WHERE t.source_system <> i.source_system "
            "GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
    finally:
        con.unregister("_rk_incoming_ids")
    return {str(system): int(n) for system, n in rows}


def _refuse_moves(
    con: duckdb.DuckDBPyConnection, profile: Profile, frames: dict[str, pd.DataFrame]
) -> None:
    """Refuse an import that would move records of the store to another source system."""
    moved: Counter[str] = Counter()
    tables = []
    for table, frame in frames.items():
        found = _other_systems(con, table, KEYS[table][0], frame)
        if found:
            moved.update(found)
            tables.append(table)
    if not moved:
        return
    counts = ", ".join(f"{system}: {n:,}" for system, n in moved.most_common())
    usual = moved.most_common(1)[0][0]
    raise ConfigError(
        f"profile {profile.name!r} (source_system: {profile.source_system}): {moved.total():,} "
        f"of its {' and '.join(tables)} already belong to another source system in the store "
        f"({counts}); nothing was written; give the profile source_system: {usual} if the file "
        f"comes from that system, or pass --move-source to move them to "
        f"{profile.source_system!r} on purpose"
    )


def _add_events(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> set[str]:
    """Add stage events not yet known (an earlier time replaces a later one).

    Returns the lead ids that gained or moved a stage.
    """
    if frame.empty:
        return set()
    con.register("_events", frame)
    changed = con.execute(
        "SELECT DISTINCT i.lead_id FROM _events i LEFT JOIN stage_events e "
        "ON e.lead_id = i.lead_id AND e.stage = i.stage "
        "WHERE e.lead_id IS NULL OR i.entered_at < e.entered_at"
    ).fetchall()
    con.execute(
        "DELETE FROM stage_events e USING _events i WHERE e.lead_id = i.lead_id "
        "AND e.stage = i.stage AND i.entered_at < e.entered_at"
    )
    con.execute(
        "INSERT INTO stage_events SELECT i.lead_id, i.stage, min(i.entered_at), "
        "any_value(i.source_system) FROM _events i LEFT JOIN stage_events e "
        "ON e.lead_id = i.lead_id AND e.stage = i.stage WHERE e.lead_id IS NULL GROUP BY ALL"
    )
    con.unregister("_events")
    return {r[0] for r in changed}


def write_records(
    con: duckdb.DuckDBPyConnection,
    rows: MappedRows,
    profile: Profile,
    report: ImportReport,
    *,
    move_source: bool,
) -> None:
    """Upsert the records, the leads opportunities bring and the stage events; count them."""
    table, key = profile.record, KEYS[profile.record]
    columns = list(dict.fromkeys([*key, *_RECORD_BASE[table], *mapped_columns(profile)]))
    if table == "leads" and "email" in columns:
        columns.append("email_hash")
    if table == "opportunities":
        columns = list(dict.fromkeys([*columns, "currency", "stage", "lead_id"]))
    if table in ("campaigns", "activities"):
        columns = list(_TOUCH_COLUMNS[table])
    records = _records_frame(rows.records, columns)
    leads = _records_frame(
        rows.leads, ["lead_id", "source_system", "created_at", *profile.lead_columns]
    )
    events = _records_frame(rows.events, ["lead_id", "stage", "entered_at", "source_system"])
    has_leads = bool(rows.leads)
    # the frames hold the rows now: let the row dicts go (a big file's largest structure)
    for done in (rows.records, rows.leads, rows.events):
        done.clear()
    if not move_source:
        checked = {"leads": leads} if has_leads else {}
        if table in ("leads", "opportunities"):
            checked = {table: records, **checked}
        _refuse_moves(con, profile, checked)
    new, changed, seen = upsert(con, table, records, key=key)
    if has_leads:
        upsert(con, "leads", leads, key=("lead_id",))
    advanced = _add_events(con, events)
    if table == "leads":  # a known lead whose stage advanced was updated
        changed |= (advanced & seen) - new
    report.loaded, report.updated = len(new), len(changed)
    report.unchanged = len(seen) - len(new) - len(changed)


_RECORD_BASE = {
    "leads": ("source_system",),
    "opportunities": ("source_system", "is_won"),
    "campaigns": (),
    "activities": (),
}
_TOUCH_COLUMNS = {
    "campaigns": (
        "campaign_id", "start_date", "name", "channel", "content_asset", "end_date", "cost",
        "currency",
    ),
    "activities": ("activity_id", "lead_id", "activity_type", "occurred_at", "team", "is_human"),
}  # fmt: skip
