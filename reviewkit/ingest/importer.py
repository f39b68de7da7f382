"""Import export files into the store: map, validate, quarantine, upsert, in one transaction.

Each row becomes a record of the profile's kind (a lead with its stage dates, an opportunity, a
campaign or an activity), or, when a value cannot be used, a row of the ``quarantine`` table
with the file, row number, column, value and reason (:mod:`reviewkit.ingest.records`). Records
are upserted: importing the same file twice changes nothing, and a newer export updates the
records whose stage advanced. Identity matching is rebuilt in the same transaction, and the
import is logged in ``imports``. A file-level problem (missing columns, an empty, binary or
undecodable file, a profile that would move records to another source system) raises before
anything is written. After the rows are in, stage dates that contradict each other across files
or systems are looked up (:mod:`reviewkit.ingest.consistency`) for the command to warn about.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from reviewkit.core.escapes import escape_controls, quoted
from reviewkit.core.hashing import file_hash
from reviewkit.core.redaction import redact_text
from reviewkit.errors import ConfigError, DataError
from reviewkit.ingest.consistency import consistency_problems
from reviewkit.ingest.identity import rebuild_identity_table
from reviewkit.ingest.profile import Profile
from reviewkit.ingest.readers import read_table
from reviewkit.ingest.readers_table import RawTable
from reviewkit.ingest.records import MappedRows, map_rows
from reviewkit.ingest.report import ImportReport
from reviewkit.ingest.rows import RowReader
from reviewkit.ingest.touches import known_leads
from reviewkit.ingest.upsert import write_records
from reviewkit.model.definitions import Definitions

__all__ = [
    "ImportReport", "check_profile_stages", "hold_back_unknown_leads", "import_file",
    "quarantine_summary",
]  # fmt: skip
from reviewkit.core.value_bounds import DateBounds

if TYPE_CHECKING:
    from reviewkit.model.exchange_rates import Rates


def check_profile_stages(profile: Profile, definitions: Definitions) -> None:
    """Refuse a profile naming stage keys the definitions do not have (ConfigError)."""
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


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    profile: Profile,
    *,
    definitions: Definitions,
    timezone: str,
    currency: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    dry_run: bool = False,
    move_source: bool = False,
    now: dt.datetime | None = None,
    bounds: DateBounds | None = None,
    rates: Rates | None = None,
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
        The workspace's currency: an amount in another is converted with ``rates`` or its row
        quarantined. ``None``: amounts are not checked (and default to the profile's currency,
        else JPY).
    encoding
        Force an encoding (default: the profile's, else detected).
    sheet
        The ``.xlsx`` sheet to read, by name or 0-based position (default: the profile's
        ``sheet:``, else the first).
    dry_run
        Do everything, report, and roll back.
    move_source
        Let the import move records the store holds under another source system to the
        profile's (refused by default).
    now
        The present (future dates are rejected); default: the current time.
    bounds
        The plausible dates (``dates:`` of ``params/workspace.yml``); default: from 1990-01-01
        to ``now`` plus a day (planned dates: plus 3,660 days).
    rates
        The company's exchange rates to ``currency`` (``params/rates.yml``): amounts in another
        currency are converted with them, or quarantined when none is in force.

    Returns
    -------
    ImportReport
        Counts, quarantine reasons, the lines the reader skipped, and the stage-date
        contradictions in the store after the import (``consistency``, see
        :func:`reviewkit.ingest.consistency.consistency_problems`). The quarantined rows are keyed
        by the file's content (hash) and profile: importing the same file again replaces its
        quarantined rows instead of adding them again, and reports the file "unchanged".

    Raises
    ------
    DataError, ConfigError
        For a file-level problem, or records that would move to another source system;
        nothing is written.
    """
    started = dt.datetime.now(dt.UTC)
    check_profile_stages(profile, definitions)
    table = read_table(
        path, encoding=encoding or profile.encoding, sheet=sheet if sheet is not None
        else profile.sheet, required=[], header_hint=profile.header_hint,
    )  # fmt: skip
    digest = file_hash(path)
    _require_columns(table, profile)
    table = _apply_lookups(table, profile, encoding=encoding or profile.encoding)
    reader = RowReader(
        profile, timezone=timezone, now=now or started, currency=currency,
        bounds=bounds or DateBounds(), rates=rates,
    )  # fmt: skip
    report = ImportReport.of(table, profile=profile.name, dry_run=dry_run)
    rows = _map_in_chunks(table, reader, definitions=definitions)
    del table  # the mapped rows hold what is needed: a big file's text is let go
    con.execute("BEGIN TRANSACTION")
    try:
        _store_rows(
            con, rows, report, profile, definitions=definitions, timezone=timezone,
            move_source=move_source, started=started, digest=digest,
        )  # fmt: skip
        con.execute("ROLLBACK" if dry_run else "COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return report


def _store_rows(
    con: duckdb.DuckDBPyConnection,
    rows: MappedRows,
    report: ImportReport,
    profile: Profile,
    *,
    definitions: Definitions,
    timezone: str,
    move_source: bool,
    started: dt.datetime,
    digest: str,
) -> None:
    """Write the mapped rows, rebuild identities, log the import, look up contradictions.

    Runs inside the caller's transaction and fills ``report`` as it goes.
    """
    import_id = uuid.uuid4().hex[:12]
    if profile.record == "activities":
        hold_back_unknown_leads(con, rows, profile)
    write_records(con, rows, profile, report, move_source=move_source)
    if profile.record in ("leads", "opportunities"):  # campaigns and touches add no lead
        rebuild_identity_table(con)
    report.rejected = len(rows.quarantine)
    report.converted = rows.converted
    report.reasons = Counter(q["reason"].split(" (")[0] for q in rows.quarantine)
    _log(con, rows, report, profile, import_id=import_id, started=started, digest=digest)
    if profile.record in ("leads", "opportunities"):
        report.consistency = consistency_problems(con, definitions=definitions, timezone=timezone)


_CHUNK_ROWS = 50_000  # rows mapped at a time: a big file is never all dicts at once


def _map_in_chunks(table: RawTable, reader: RowReader, *, definitions: Definitions) -> MappedRows:
    """:func:`map_rows` over slices of the file (each row is mapped on its own)."""
    out = MappedRows()
    for start in range(0, len(table.frame), _CHUNK_ROWS):
        end = start + _CHUNK_ROWS
        part = replace(table, frame=table.frame.iloc[start:end],
                       row_numbers=table.row_numbers[start:end])  # fmt: skip
        mapped = map_rows(part, reader, definitions=definitions)
        out.records += mapped.records
        out.leads += mapped.leads
        out.events += mapped.events
        out.quarantine += mapped.quarantine
        out.converted += mapped.converted
    return out


def hold_back_unknown_leads(
    con: duckdb.DuckDBPyConnection, rows: MappedRows, profile: Profile
) -> None:
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
    digest: str,
) -> None:
    """Write the quarantined rows and the import's line of the ``imports`` log.

    The quarantine is keyed by the file's content and profile: the rows an earlier import of
    the same content quarantined are replaced by this import's, never added again.
    """
    _replace_quarantine(con, rows, report, profile, digest=digest)
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
        [import_id, report.file.name, digest, profile.name,
         profile.source_system, report.rows_read, report.loaded, report.updated,
         report.unchanged, report.rejected, started, dt.datetime.now(dt.UTC)],
    )  # fmt: skip


def _replace_quarantine(
    con: duckdb.DuckDBPyConnection,
    rows: MappedRows,
    report: ImportReport,
    profile: Profile,
    *,
    digest: str,
) -> None:
    """Drop the quarantined rows of earlier imports of the same content; note what they were."""
    earlier = "SELECT import_id FROM imports WHERE file_hash = ? AND profile = ?"
    last = con.execute(
        "SELECT strftime(timezone('UTC', max(finished_at)), '%Y-%m-%d %H:%M UTC') FROM imports "
        f"WHERE import_id IN ({earlier})",
        [digest, profile.name],
    ).fetchall()
    if not last or last[0][0] is None:
        return
    report.previous = str(last[0][0])
    old = con.execute(
        f"SELECT row_number, column_name, reason FROM quarantine WHERE import_id IN ({earlier})",
        [digest, profile.name],
    ).fetchall()
    new = [(q["row_number"], q["column_name"], q["reason"]) for q in rows.quarantine]
    report.replaced_quarantine = len(old)
    report.same_quarantine = set(old) == set(new)
    con.execute(f"DELETE FROM quarantine WHERE import_id IN ({earlier})", [digest, profile.name])


def _apply_lookups(table: RawTable, profile: Profile, *, encoding: str | None) -> RawTable:
    """Join each lookup file's columns to the rows (left join: unmatched rows keep None)."""
    from reviewkit.core.config_paths import lookup_path  # kept in the imported file's folder

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
    return replace(table, frame=frame)


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
        shown = redact_text(", ".join(escape_controls(f) for f in found[:12])) + (
            " ..." if len(found) > 12 else ""
        )
        sheets = ""
        if table.sheet is not None and len(table.sheets) > 1:
            others = [quoted(s) for s in table.sheets if s != table.sheet]
            sheets = (
                f" (sheet {quoted(table.sheet)}; the workbook also has "
                f"{', '.join(others)}: choose one with --sheet NAME or sheet: in the profile)"
            )
        raise DataError(
            f"{escape_controls(table.file)}: missing column(s) {missing} for profile "
            f"{profile.name!r}; the file has {shown}{sheets}; choose another --profile or map "
            f"the columns in params/sources/"
        )


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Quarantined rows by file and reason."""
    return con.execute(
        "SELECT file_name, reason, count(*) AS rows FROM quarantine GROUP BY ALL ORDER BY 3 DESC"
    ).df()
