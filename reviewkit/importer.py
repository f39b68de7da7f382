"""Import export files into the store: map, validate, quarantine, upsert, in one transaction.

Each row becomes a record of the profile's kind (a lead with its stage dates, an opportunity, a
campaign or an activity), or, when a value cannot be used, a row of the ``quarantine`` table
with the file, row number, column, value and reason (:mod:`reviewkit.import_records`). Records
are upserted: importing the same file twice changes nothing, and a newer export updates the
records whose stage advanced. Identity matching is rebuilt in the same transaction, and the
import is logged in ``imports``. A file-level problem (missing columns, an empty, binary or
undecodable file, a profile that would move records to another source system) raises before
anything is written. After the rows are in, stage dates that contradict each other across files
or systems are looked up (:mod:`reviewkit.consistency`) for the command to warn about.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from reviewkit.consistency import CONSISTENCY_COLUMNS, consistency_problems
from reviewkit.definitions import Definitions
from reviewkit.errors import ConfigError, DataError
from reviewkit.identity import rebuild_identity_table
from reviewkit.import_profiles import Profile
from reviewkit.import_records import MappedRows, map_rows, mapped_columns
from reviewkit.import_rows import RowReader
from reviewkit.import_touches import known_leads
from reviewkit.readers import RawTable, file_hash, read_table
from reviewkit.redaction import redact_text

TEXT_COLUMNS = (
    "email", "email_hash", "company_name", "company_domain", "channel", "campaign_id",
    "content_asset", "industry", "company_size", "region", "persona", "sales_team", "stage",
    "currency", "name", "activity_type", "team", "activity_id",
)  # fmt: skip
_TIME_COLUMNS = ("created_at", "closed_at", "entered_at", "occurred_at")
_KEYS = {
    "leads": ("lead_id",),
    "opportunities": ("opportunity_id",),
    "campaigns": ("campaign_id", "start_date"),
    "activities": ("activity_id",),
}


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    file: Path
    profile: str
    rows_read: int = 0
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    dropped_footer: list[str] = field(default_factory=list)
    dry_run: bool = False
    # stage dates contradicting each other in the store after the import (see consistency)
    consistency: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=CONSISTENCY_COLUMNS)
    )

    def line(self) -> str:
        """One line for the terminal."""
        reasons = ", ".join(f"{reason} {n}" for reason, n in self.reasons.most_common())
        rejected = f"rejected {self.rejected}" + (f" ({reasons})" if reasons else "")
        verb = "would load" if self.dry_run else "loaded"
        return (
            f"{self.file.name} [{self.profile}]: read {self.rows_read}, {verb} {self.loaded}, "
            f"updated {self.updated}, unchanged {self.unchanged}, {rejected}"
        )


def _check_profile(profile: Profile, definitions: Definitions) -> None:
    named = list(profile.stages)
    if profile.record == "opportunities":
        named += [
            s for s in (profile.opportunity_stage, profile.won_stage, profile.lead_stage) if s
        ]
    unknown = [s for s in named if s not in definitions.stage_keys]
    if unknown:
        raise ConfigError(
            f"profile {profile.name!r}: stages {unknown} are not in params/definitions.yml; "
            f"use {definitions.stage_keys} or remove them from the profile"
        )


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if column in _TIME_COLUMNS:
            frame[column] = pd.to_datetime(frame[column], utc=True)
        elif column in ("start_date", "end_date"):
            frame[column] = pd.to_datetime(frame[column]).dt.date.astype(object)
        elif column in TEXT_COLUMNS or column in ("lead_id", "opportunity_id", "source_system"):
            frame[column] = frame[column].astype("object")
    return frame


def _upsert(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, *, key: tuple[str, ...]
) -> tuple[set[Any], set[Any], set[Any]]:
    """Insert new rows, update changed ones; return the (new, changed, all) keys."""
    if frame.empty:
        return set(), set(), set()
    frame = frame.drop_duplicates(subset=list(key), keep="last")
    con.register("_incoming", frame)
    try:
        columns = [c for c in frame.columns if c not in key]
        differs = " OR ".join(f"t.{c} IS DISTINCT FROM i.{c}" for c in columns) or "FALSE"
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
        found = _other_systems(con, table, _KEYS[table][0], frame)
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


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    profile: Profile,
    *,
    definitions: Definitions,
    timezone: str,
    currency: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    move_source: bool = False,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import one file in one transaction.

    Parameters
    ----------
    con
        A writable store connection.
    path
        The export file.
    profile
        How to read it.
    definitions
        The agreed funnel (stage keys the profile's stages map onto).
    timezone
        For dates without a time zone (unless the profile sets one); stage dates are compared
        by calendar day in it.
    currency
        The workspace's currency: rows whose amount is in another are quarantined. ``None``:
        amounts are not checked (and default to the profile's currency, else JPY).
    encoding
        Force an encoding (default: the profile's, else detected).
    dry_run
        Do everything, report, and roll back.
    move_source
        Let the import move records the store holds under another source system to the
        profile's (refused by default).
    now
        The present (future dates are rejected); default: the current time.

    Returns
    -------
    ImportReport
        Counts, quarantine reasons, and the stage-date contradictions in the store after the
        import (``consistency``, see :func:`reviewkit.consistency.consistency_problems`).

    Raises
    ------
    DataError, ConfigError
        For a file-level problem, or records that would move to another source system;
        nothing is written.
    """
    started = dt.datetime.now(dt.UTC)
    _check_profile(profile, definitions)
    table = read_table(
        path, encoding=encoding or profile.encoding, required=[], header_hint=profile.header_hint
    )
    _require_columns(table, profile)
    table = _apply_lookups(table, profile, encoding=encoding or profile.encoding)
    reader = RowReader(profile, timezone=timezone, now=now or started, currency=currency)
    rows = map_rows(table, reader, definitions=definitions)
    report = ImportReport(
        file=path, profile=profile.name, rows_read=len(table.frame), dry_run=dry_run,
        dropped_footer=list(table.dropped_footer),
    )  # fmt: skip
    import_id = uuid.uuid4().hex[:12]
    con.execute("BEGIN TRANSACTION")
    try:
        if profile.record == "activities":
            _drop_unknown_leads(con, rows, profile)
        _write(con, rows, profile, report, move_source=move_source)
        if profile.record in ("leads", "opportunities"):  # campaigns and touches add no lead
            rebuild_identity_table(con)
        report.rejected = len(rows.quarantine)
        report.reasons = Counter(q["reason"].split(" (")[0] for q in rows.quarantine)
        _log(con, rows, report, profile, import_id=import_id, started=started)
        if profile.record in ("leads", "opportunities"):
            report.consistency = consistency_problems(
                con, definitions=definitions, timezone=timezone
            )
        con.execute("ROLLBACK" if dry_run else "COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return report


def _write(
    con: duckdb.DuckDBPyConnection,
    rows: MappedRows,
    profile: Profile,
    report: ImportReport,
    *,
    move_source: bool,
) -> None:
    """Upsert the records, the leads opportunities bring and the stage events; count them."""
    table, key = profile.record, _KEYS[profile.record]
    columns = list(dict.fromkeys([*key, *_RECORD_BASE[table], *mapped_columns(profile)]))
    if table == "leads" and "email" in columns:
        columns.append("email_hash")
    if table == "opportunities":
        columns = list(dict.fromkeys([*columns, "currency", "stage", "lead_id"]))
    if table in ("campaigns", "activities"):
        columns = list(_TOUCH_COLUMNS[table])
    records = _frame(rows.records, columns)
    leads = _frame(rows.leads, ["lead_id", "source_system", "created_at", *profile.lead_columns])
    if not move_source:
        checked = {"leads": leads} if rows.leads else {}
        if table in ("leads", "opportunities"):
            checked = {table: records, **checked}
        _refuse_moves(con, profile, checked)
    new, changed, seen = _upsert(con, table, records, key=key)
    if rows.leads:
        _upsert(con, "leads", leads, key=("lead_id",))
    advanced = _add_events(
        con, _frame(rows.events, ["lead_id", "stage", "entered_at", "source_system"])
    )
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


def _drop_unknown_leads(con: duckdb.DuckDBPyConnection, rows: MappedRows, profile: Profile) -> None:
    """Move touches of leads the store does not have (in that source system) to quarantine."""
    system = profile.lead_source_system or profile.source_system
    why = known_leads(con, [r["lead_id"] for r in rows.records], source_system=system)
    column = profile.candidates("lead_id")[0]
    kept = []
    for record in rows.records:
        reason = why.get(record["lead_id"])
        if reason is None:
            kept.append(record)
        else:
            rows.quarantine.append(
                {"row_number": record["_row_number"], "column_name": column,
                 "value": record["lead_id"], "reason": reason}
            )  # fmt: skip
    rows.records[:] = kept
    rows.quarantine.sort(key=lambda q: q["row_number"])


def _log(
    con: duckdb.DuckDBPyConnection,
    rows: MappedRows,
    report: ImportReport,
    profile: Profile,
    *,
    import_id: str,
    started: dt.datetime,
) -> None:
    """Write the quarantined rows and the import's line of the ``imports`` log."""
    if rows.quarantine:
        q = pd.DataFrame(rows.quarantine)
        q.insert(0, "file_name", report.file.name)
        q.insert(0, "import_id", import_id)
        con.register("_quarantine", q)
        try:
            con.execute(
                "INSERT INTO quarantine (import_id, file_name, row_number, column_name, value, "
                "reason) SELECT import_id, file_name, row_number, column_name, value, reason "
                "FROM _quarantine"
            )
        finally:
            con.unregister("_quarantine")
    con.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [import_id, report.file.name, file_hash(report.file), profile.name,
         profile.source_system, report.rows_read, report.loaded, report.updated,
         report.unchanged, report.rejected, started, dt.datetime.now(dt.UTC)],
    )  # fmt: skip


def _apply_lookups(table: RawTable, profile: Profile, *, encoding: str | None) -> RawTable:
    """Join each lookup file's columns to the rows (left join: unmatched rows keep None)."""
    from reviewkit.config_paths import lookup_path  # kept in the imported file's folder

    frame = table.frame
    for lookup in profile.lookups:
        ((main_column, key),) = lookup.match.items()
        other = read_table(
            lookup_path(table.file, lookup.file, profile=profile.name),
            encoding=encoding,
            required=[key, *lookup.columns.values()],
        ).frame
        other = other[[key, *lookup.columns.values()]].drop_duplicates(subset=[key])
        other = other.rename(columns={v: k for k, v in lookup.columns.items()})
        frame = frame.merge(other, how="left", left_on=main_column, right_on=key)
        if key != main_column and key in frame.columns:
            frame = frame.drop(columns=key)
        frame = frame.astype(object).where(frame.notna(), None)
    return RawTable(
        file=table.file, frame=frame, row_numbers=table.row_numbers, encoding=table.encoding,
        header_row=table.header_row, dropped_footer=table.dropped_footer,
    )  # fmt: skip


_REQUIRED = {
    "leads": (),
    "opportunities": ("created_at",),
    "campaigns": ("start_date", "cost"),
    "activities": ("lead_id", "occurred_at"),
}


def _require_columns(table: RawTable, profile: Profile) -> None:
    found = list(table.frame.columns)
    missing = []
    if profile.id and not any(c in found for c in profile.id):
        missing.append(" or ".join(profile.id))
    for column in _REQUIRED[profile.record]:
        names = profile.candidates(column)
        if column in profile.defaults:
            continue
        if names and not any(n in found for n in names):
            missing.append(" or ".join(names))
    if missing:
        # redacted: in a file without a header line, the "header" is a row of data
        shown = redact_text(", ".join(found[:12])) + (" ..." if len(found) > 12 else "")
        raise DataError(
            f"{table.file}: missing column(s) {missing} for profile {profile.name!r}; the file "
            f"has {shown}; choose another --profile or map the columns in params/sources/"
        )


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Quarantined rows by file and reason."""
    return con.execute(
        "SELECT file_name, reason, count(*) AS rows FROM quarantine GROUP BY ALL ORDER BY 3 DESC"
    ).df()
