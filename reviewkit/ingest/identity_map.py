"""Explicit identity mappings: a reviewed list of which records are one person.

:func:`load_identity_map` writes rows of ``identity_map`` (source system, lead id ->
``person_key``) and rebuilds ``lead_identity`` with them (:mod:`reviewkit.ingest.identity`).
"""

from __future__ import annotations

import datetime as dt
import uuid

import duckdb
import pandas as pd

from reviewkit.errors import DataError
from reviewkit.ingest.identity import identity_summary, rebuild_identity_table

__all__ = ["load_identity_map"]

_MAP_COLUMNS = ("source_system", "lead_id", "person_key")


def load_identity_map(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    *,
    replace: bool = False,
    source: str = "identity map",
) -> dict[str, int]:
    """Add explicit identity mappings and rebuild ``lead_identity``, in one transaction.

    Parameters
    ----------
    con
        A writable store connection, not inside a transaction.
    frame
        Columns ``source_system``, ``lead_id`` and ``person_key`` (any text that names the
        person, e.g. a CRM contact id); surrounding spaces are removed. Leads mapped to the
        same ``person_key`` are one person. A row for a lead not in the store yet is kept and
        applies once the lead arrives.
    replace
        Replace the whole mapping; by default rows are added, and a row for a record that is
        already mapped replaces its key.
    source
        What the mapping came from, recorded in ``loads``.

    Returns
    -------
    dict
        ``{"mapped": rows written, "unknown_leads": rows naming no lead in the store,
        "leads": n, "persons": m, "merged": n - m}``.

    Raises
    ------
    DataError
        A column is missing, a value is blank, or a record is mapped twice; nothing is written.
    """
    rows = _checked_rows(frame)
    con.execute("BEGIN TRANSACTION")
    try:
        if replace:
            con.execute("DELETE FROM identity_map")
        con.register("_rk_identity_map", rows)
        try:
            con.execute(
                "INSERT OR REPLACE INTO identity_map (source_system, lead_id, person_key) "
                "SELECT source_system, lead_id, person_key FROM _rk_identity_map"
            )
            unknown = con.execute(
                "SELECT count(*) FROM _rk_identity_map r WHERE NOT EXISTS (SELECT 1 FROM leads l "
                "WHERE l.lead_id = r.lead_id AND l.source_system = r.source_system)"
            ).fetchall()[0][0]
        finally:
            con.unregister("_rk_identity_map")
        con.execute(
            "INSERT INTO loads VALUES (?, ?, ?, ?, ?)",
            [uuid.uuid4().hex[:12], dt.datetime.now(dt.UTC), source, "identity_map", len(rows)],
        )
        rebuild_identity_table(con)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return {
        "mapped": len(rows),
        "unknown_leads": int(unknown),
        **identity_summary(con),
    }


def _checked_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The mapping's three columns as stripped text; refuses blanks and records mapped twice."""
    missing = [c for c in _MAP_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"identity map: missing column(s) {missing}; it needs {list(_MAP_COLUMNS)}")
    rows = pd.DataFrame(
        {c: frame[c].astype(object).map(lambda v: str(v).strip() if pd.notna(v) else "")
         for c in _MAP_COLUMNS}
    )  # fmt: skip
    blank = rows[(rows == "").any(axis=1)]
    if len(blank):
        raise DataError(
            f"identity map: {len(blank)} row(s) with a blank value (first: row {blank.index[0]}); "
            "every row needs source_system, lead_id and person_key"
        )
    twice = rows[rows.duplicated(["source_system", "lead_id"], keep=False)]
    if len(twice):
        first = twice.iloc[0]
        raise DataError(
            f"identity map: record {first['source_system']}/{first['lead_id']} is mapped more "
            "than once; give each record one person_key"
        )
    return rows
