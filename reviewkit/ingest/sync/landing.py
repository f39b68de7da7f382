"""Landing one page of synced records: the same mapping, quarantine and upsert as a file.

A page becomes a :class:`~reviewkit.ingest.readers_table.RawTable` whose columns are the API's
property names, then goes through :func:`~reviewkit.ingest.records.map_rows` and
:func:`~reviewkit.ingest.upsert.write_records` exactly like the rows of an export file. A
record that cannot be used is kept in ``quarantine`` with its CRM id (``record_id``); syncing
the record again replaces its quarantined rows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from reviewkit.ingest.importer import hold_back_unknown_leads
from reviewkit.ingest.readers_table import RawTable
from reviewkit.ingest.records import map_rows
from reviewkit.ingest.report import ImportReport
from reviewkit.ingest.rows import RowReader, pick
from reviewkit.ingest.sync.pages import ObjectSpec, Page
from reviewkit.ingest.sync.state import ObjectReport, record_ids
from reviewkit.ingest.upsert import write_records
from reviewkit.model.definitions import Definitions

__all__ = ["land_page", "origin"]


def origin(source: str, spec: ObjectSpec) -> str:
    """The ``file_name`` a synced object's quarantined rows and log lines carry."""
    return f"{source}/{spec.name}"


def _table(page: Page, spec: ObjectSpec, *, source: str, first_row: int) -> RawTable:
    columns = list(dict.fromkeys([*spec.properties, *(k for r in page.rows for k in r)]))
    frame = pd.DataFrame.from_records(page.rows, columns=columns).astype(object)
    frame = frame.where(frame.notna(), None)
    numbers = list(range(first_row, first_row + len(frame)))
    return RawTable(Path(origin(source, spec)), frame, numbers, encoding=None, header_row=0)


def land_page(
    con: duckdb.DuckDBPyConnection,
    page: Page,
    spec: ObjectSpec,
    *,
    source: str,
    sync_id: str,
    reader: RowReader,
    definitions: Definitions,
    report: ObjectReport,
) -> list[str]:
    """Map and upsert the page's rows (inside the caller's transaction); count them.

    Returns
    -------
    list of str
        The ids of the page's records (landed or quarantined).
    """
    if not page.rows:
        return []
    profile = spec.profile
    table = _table(page, spec, source=source, first_row=report.rows_read + 1)
    ids = [pick(row, profile.id) or "" for row in page.rows]
    by_number = dict(zip(table.row_numbers, ids, strict=True))
    rows = map_rows(table, reader, definitions=definitions)
    if profile.record == "activities":
        hold_back_unknown_leads(con, rows, profile)
    counted = ImportReport.of(table, profile=profile.name, dry_run=report.dry_run)
    quarantined = list(rows.quarantine)
    write_records(con, rows, profile, counted, move_source=False)
    _replace_quarantine(con, quarantined, by_number, ids=ids, name=origin(source, spec),
                        sync_id=sync_id)  # fmt: skip
    kept = [i for i in ids if i]
    record_ids(con, source, spec.name, kept)
    report.rows_read += len(table.frame)
    report.added += counted.loaded
    report.updated += counted.updated
    report.unchanged += counted.unchanged
    report.quarantined += len(quarantined)
    for q in quarantined:
        reason = str(q["reason"]).split(" (")[0]
        report.reasons[reason] = report.reasons.get(reason, 0) + 1
    return kept


def _replace_quarantine(
    con: duckdb.DuckDBPyConnection,
    quarantined: list[dict[str, object]],
    by_number: dict[int, str],
    *,
    ids: list[str],
    name: str,
    sync_id: str,
) -> None:
    """Drop the page's records' earlier quarantined rows; keep this sync's."""
    con.register("_rk_page_ids", pd.DataFrame({"record_id": [i for i in ids if i]}))
    try:
        con.execute(
            "DELETE FROM quarantine WHERE file_name = ? AND record_id IN "
            "(SELECT record_id FROM _rk_page_ids)",
            [name],
        )
    finally:
        con.unregister("_rk_page_ids")
    if not quarantined:
        return
    frame = pd.DataFrame(quarantined)
    frame["record_id"] = [by_number.get(int(n)) for n in frame["row_number"]]
    frame.insert(0, "file_name", name)
    frame.insert(0, "import_id", sync_id)
    con.register("_rk_quarantine", frame)
    try:
        con.execute(
            "INSERT INTO quarantine (import_id, file_name, row_number, column_name, value, "
            "reason, record_id) SELECT import_id, file_name, row_number, column_name, value, "
            "reason, record_id FROM _rk_quarantine"
        )
    finally:
        con.unregister("_rk_quarantine")
