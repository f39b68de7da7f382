"""Identity matching: one person may appear as a lead in MA and again in SFA.

Leads whose normalised e-mail addresses are equal are one person (normalised: lower case, with
leading and trailing whitespace removed, including tabs, line breaks and the full-width space
U+3000 that Japanese exports carry); the earliest created record is the canonical one (its
segment attributes are used). A lead without an e-mail is its own person. The result is the
``lead_identity`` table.
"""

from __future__ import annotations

import duckdb

_RESOLVE = r"""
WITH keyed AS (
    SELECT lead_id, created_at,
           nullif(lower(regexp_replace(email, '^[\s\x{3000}]+|[\s\x{3000}]+$', '', 'g')), '')
               AS email_key
    FROM leads
),
ranked AS (
    SELECT lead_id, email_key,
           first_value(lead_id) OVER (
               PARTITION BY email_key ORDER BY created_at, lead_id
           ) AS first_id
    FROM keyed
)
SELECT lead_id,
       CASE WHEN email_key IS NULL THEN lead_id ELSE first_id END AS person_id,
       CASE WHEN email_key IS NULL OR first_id = lead_id THEN 'self' ELSE 'email' END AS rule
FROM ranked
"""


def rebuild_identity_table(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild ``lead_identity`` from ``leads`` inside the caller's transaction."""
    con.execute("DELETE FROM lead_identity")
    con.execute(f"INSERT INTO lead_identity {_RESOLVE}")


def identity_summary(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Count lead records, persons and merged records in ``lead_identity``."""
    leads, persons = con.execute(
        "SELECT count(*), count(DISTINCT person_id) FROM lead_identity"
    ).fetchone() or (0, 0)
    return {"leads": leads, "persons": persons, "merged": leads - persons}


def resolve_identities(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild ``lead_identity`` from ``leads`` in a transaction of its own.

    Returns
    -------
    dict
        ``{"leads": n, "persons": m, "merged": n - m}``.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        rebuild_identity_table(con)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return identity_summary(con)
