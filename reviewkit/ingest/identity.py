"""Identity matching: one person or company may appear as a lead in MA and again in SFA.

Lead records are grouped into persons by three rules, in order of priority:

1. **map**: an explicit mapping (the ``identity_map`` table: source system, lead id ->
   ``person_key``). Records mapped to the same key are one person; records mapped to
   different keys are different persons, whatever their e-mails say.
2. **email**: the same e-mail key, ``coalesce(email_hash, sha256(normalised e-mail))``,
   where the normalisation is :func:`reviewkit.ingest.contacts.normalise_email` (NFKC, trimmed of
   spaces, tabs, line breaks and U+3000, lower case, ``mailto:`` and ``Name <addr>`` taken
   off, the first of several addresses). A record without a mapping joins the mapped person
   whose records carry its e-mail key when there is exactly one such person; when several
   mapped persons share the key it stays with the other unmapped records of that key and is
   reported as ambiguous.
3. **company**: a record with neither a mapping nor an e-mail key (an account-level record, a
   lead an SFA made from an opportunity) joins by company: the normalised company domain
   (:func:`~reviewkit.ingest.contacts.normalise_domain`) and name
   (:func:`~reviewkit.ingest.contacts.normalise_company`), both present and equal. Only when the
   company is unambiguous: its records with a key belong to at most one person, and no source
   system holds more than one record without a key of that company. Then all those records
   are one person (with the keyed person, if there is one; so a company that appears once in
   MA and once in SFA becomes one record). Otherwise each stays its own person and is
   reported as ambiguous. Many people of one company never merge by company.

Merges are transitive (a record linked by e-mail to a record that is mapped joins the mapped
person). The earliest created record of a person (then the smallest ``lead_id``) is its
canonical record: ``person_id`` is its ``lead_id`` and its segment attributes are used.
``lead_identity.rule`` says how a record joined its person: ``self`` (the canonical record),
``map``, ``email`` or ``company`` (the highest-priority rule that links it to another record
of the person).

E-mail addresses are used only to match: they never leave this module and
:mod:`reviewkit.ingest.identity_keys`, and reports name records by ``lead_id``.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from reviewkit.ingest.identity_keys import company_keys, lead_keys

__all__ = [
    "RULES",
    "SEGMENT_ATTRIBUTES",
    "identity_report",
    "identity_summary",
    "rebuild_identity_table",
    "resolve_identities",
]

RULES = ("self", "map", "email", "company")
SEGMENT_ATTRIBUTES = ("sales_team", "industry", "company_size", "region")


def _resolve(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group the store's leads into persons.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(identity, ambiguous)``: ``lead_id, person_id, rule`` for every lead, and the
        records that stayed apart because their match was ambiguous (``lead_id,
        source_system, reason, candidates``).
    """
    frame = lead_keys(con)
    lead_id = frame["lead_id"].astype(object)
    mapped = frame["map_key"].notna()
    group = pd.Series(None, index=frame.index, dtype=object)
    group[mapped] = "m:" + frame.loc[mapped, "map_key"].astype(object)
    reason = pd.Series(None, index=frame.index, dtype=object)
    candidates_by = pd.Series(None, index=frame.index, dtype=object)
    _join_by_email(frame, group=group, reason=reason, candidates_by=candidates_by)
    company = _join_by_company(frame, group=group, reason=reason, candidates_by=candidates_by)
    rest = group.isna()
    group[rest] = "s:" + lead_id[rest]

    # canonical record and rule (frame is in created order)
    person_id = lead_id.groupby(group, sort=False).transform("first")
    rule = _rules(frame, group=group, canonical=lead_id == person_id)
    identity = pd.DataFrame({"lead_id": lead_id, "person_id": person_id, "rule": rule})
    ambiguous = _ambiguous(
        frame, person_id=person_id, reason=reason, candidates_by=candidates_by, company=company
    )
    return identity.reset_index(drop=True), ambiguous.reset_index(drop=True)


def _join_by_email(
    frame: pd.DataFrame, *, group: pd.Series, reason: pd.Series, candidates_by: pd.Series
) -> None:
    """An unmapped record joins the only mapped person carrying its key (fills in place)."""
    mapped = frame["map_key"].notna()
    has_email = frame["email_key"].notna()
    per_email = (
        frame[mapped & has_email]
        .groupby("email_key", sort=False)["map_key"]
        .agg(["nunique", "first"])
    )
    loose = ~mapped & has_email
    key = frame.loc[loose, "email_key"]
    n_mapped = key.map(per_email["nunique"]).fillna(0).astype(int)
    single = n_mapped == 1
    group[single[single].index] = "m:" + key[single].map(per_email["first"]).astype(object)
    group[single[~single].index] = "e:" + key[~single].astype(object)
    shared = n_mapped[n_mapped > 1].index
    reason[shared] = "e-mail shared by several mapped persons"
    candidates_by[shared] = "email"


def _join_by_company(
    frame: pd.DataFrame, *, group: pd.Series, reason: pd.Series, candidates_by: pd.Series
) -> pd.Series:
    """A record with neither key joins when the company is unambiguous (fills in place).

    Returns the company key of every record (NA where there is none or none was needed).
    """
    keyless = group.isna()
    company = pd.Series(pd.NA, index=frame.index, dtype=object)
    if not (keyless & frame["company_domain"].notna() & frame["company_name"].notna()).any():
        return company
    company = company_keys(frame)
    with_company = company.notna()
    keyed = frame.assign(company=company, group=group)[~keyless & with_company]
    persons = keyed.groupby("company")["group"].agg(["nunique", "first"])
    bare = frame.assign(company=company)[keyless & with_company]
    per_system = bare.groupby(["company", "source_system"]).size().groupby("company").max()
    n_persons = bare["company"].map(persons["nunique"]).fillna(0).astype(int)
    crowded = bare["company"].map(per_system) > 1
    joins = (n_persons == 1) & ~crowded
    alone = (n_persons == 0) & ~crowded
    group[joins[joins].index] = bare.loc[joins, "company"].map(persons["first"])
    group[alone[alone].index] = "c:" + bare.loc[alone, "company"].astype(object)
    several = (n_persons > 1).reindex(frame.index, fill_value=False)
    crowded = crowded.reindex(frame.index, fill_value=False)
    reason[several] = "company has several persons"
    reason[crowded & ~several] = "company has several records without a key in one system"
    candidates_by[several | crowded] = "company"
    return company


def _rules(frame: pd.DataFrame, *, group: pd.Series, canonical: pd.Series) -> np.ndarray:
    """How each record joined its person: self, map, email or company."""

    def shares(column: str) -> pd.Series:
        sizes = frame.groupby([group, frame[column]], sort=False, dropna=True)[column].transform(
            "size"
        )
        return frame[column].notna() & (sizes.reindex(frame.index).fillna(0) > 1)

    return np.select(
        [canonical, shares("map_key"), shares("email_key")], ["self", "map", "email"], "company"
    )


def _ambiguous(
    frame: pd.DataFrame,
    *,
    person_id: pd.Series,
    reason: pd.Series,
    candidates_by: pd.Series,
    company: pd.Series,
) -> pd.DataFrame:
    """The records left apart, with the persons they could belong to."""
    lead_id = frame["lead_id"].astype(object)
    mapped = frame["map_key"].notna()
    flagged = reason.notna()
    ambiguous = pd.DataFrame(
        {
            "lead_id": lead_id[flagged],
            "source_system": frame.loc[flagged, "source_system"].astype(object),
            "reason": reason[flagged],
        }
    )
    persons_of: dict[tuple[str, object], list[str]] = {}
    for by, keys, rows in (
        ("email", frame["email_key"], mapped),
        ("company", company, company.notna()),
    ):
        if (candidates_by == by).any():
            for value, ids in person_id[rows].groupby(keys[rows], sort=False):
                persons_of[(by, value)] = sorted(set(ids))
    candidates = [
        [p for p in persons_of.get((by, value), []) if p != own]
        for by, value, own in zip(
            candidates_by[flagged],
            frame["email_key"].astype(object).where(candidates_by == "email", company)[flagged],
            person_id[flagged],
            strict=True,
        )
    ]
    ambiguous["candidates"] = pd.Series(candidates, index=ambiguous.index, dtype=object)
    return ambiguous


def rebuild_identity_table(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild ``lead_identity`` from ``leads`` and ``identity_map`` in the caller's transaction.

    Parameters
    ----------
    con
        A writable store connection, usually inside a transaction that has just written
        ``leads`` (so readers never see one without the other).
    """
    identity, _ = _resolve(con)
    con.execute("DELETE FROM lead_identity")
    con.register("_rk_identity", identity)
    try:
        con.execute(
            "INSERT INTO lead_identity (lead_id, person_id, rule) "
            "SELECT lead_id, person_id, rule FROM _rk_identity"
        )
    finally:
        con.unregister("_rk_identity")


def identity_summary(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Count lead records, persons and merged records in ``lead_identity``.

    Parameters
    ----------
    con
        A store connection.

    Returns
    -------
    dict
        ``{"leads": n, "persons": m, "merged": n - m}``.
    """
    leads, persons = con.execute(
        "SELECT count(*), count(DISTINCT person_id) FROM lead_identity"
    ).fetchone() or (0, 0)
    return {"leads": leads, "persons": persons, "merged": leads - persons}


def resolve_identities(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild ``lead_identity`` from ``leads`` in a transaction of its own.

    Parameters
    ----------
    con
        A writable store connection, not inside a transaction.

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


_MERGES = """
SELECT i.person_id,
       count(*) AS records,
       list(i.lead_id ORDER BY l.created_at, i.lead_id) AS lead_ids,
       list(DISTINCT l.source_system ORDER BY l.source_system) AS sources,
       concat_ws('+', CASE WHEN bool_or(i.rule = 'map') THEN 'map' END,
                      CASE WHEN bool_or(i.rule = 'email') THEN 'email' END,
                      CASE WHEN bool_or(i.rule = 'company') THEN 'company' END) AS rule
FROM lead_identity i JOIN leads l USING (lead_id)
GROUP BY i.person_id
HAVING count(*) > 1
ORDER BY min(l.created_at), i.person_id
"""

_CONFLICTS = """
WITH merged AS (
    SELECT person_id FROM lead_identity GROUP BY person_id HAVING count(*) > 1
),
attrs AS (
    SELECT i.person_id, l.lead_id, l.created_at, {columns}
    FROM lead_identity i JOIN merged USING (person_id) JOIN leads l USING (lead_id)
),
long AS (
    UNPIVOT attrs ON {columns} INTO NAME attribute VALUE value
)
SELECT person_id, attribute,
       list(DISTINCT value ORDER BY value) AS "values",
       max(CASE WHEN lead_id = person_id THEN value END) AS canonical_value,
       list(lead_id ORDER BY created_at, lead_id) AS lead_ids
FROM long
GROUP BY person_id, attribute
HAVING count(DISTINCT value) > 1
ORDER BY person_id, attribute
"""


def _lists(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Turn DuckDB list columns (numpy arrays in pandas) into Python lists."""
    for column in columns:
        frame[column] = pd.Series([list(v) for v in frame[column]], index=frame.index, dtype=object)
    return frame


def identity_report(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """What identity matching did: merged persons, attribute conflicts, ambiguous records.

    ``merges`` and ``conflicts`` describe ``lead_identity`` as stored (what metrics use);
    ``ambiguous`` re-runs the matching (read only). No e-mail address or hash appears.

    Parameters
    ----------
    con
        A store connection (read-only is fine).

    Returns
    -------
    dict of str to pandas.DataFrame
        - ``merges``: one row per person with more than one record: ``person_id``,
          ``records``, ``lead_ids`` (oldest first), ``sources``, ``rule`` (the rules that
          merged it, e.g. ``email`` or ``map+email``).
        - ``conflicts``: one row per merged person and segment attribute (``sales_team``,
          ``industry``, ``company_size``, ``region``) whose records disagree, NULLs ignored:
          ``person_id``, ``attribute``, ``values``, ``canonical_value`` (the one used),
          ``lead_ids``.
        - ``ambiguous``: records left apart because they could belong to several persons:
          ``lead_id``, ``source_system``, ``reason``, ``candidates`` (person ids).
        - ``summary``: ``measure``, ``count``: records, persons, merged records, merged
          records per rule, merged persons, persons with a conflict, ambiguous records.
    """
    merges = _lists(con.execute(_MERGES).df(), "lead_ids", "sources")
    columns = ", ".join(SEGMENT_ATTRIBUTES)
    conflicts = _lists(con.execute(_CONFLICTS.format(columns=columns)).df(), "values", "lead_ids")
    _, ambiguous = _resolve(con)
    totals = identity_summary(con)
    by_rule = dict(con.execute("SELECT rule, count(*) FROM lead_identity GROUP BY rule").fetchall())
    summary = pd.DataFrame(
        [
            ("records", totals["leads"]),
            ("persons", totals["persons"]),
            ("merged_records", totals["merged"]),
            *((f"merged_by_{rule}", int(by_rule.get(rule, 0))) for rule in RULES[1:]),
            ("merged_persons", len(merges)),
            ("persons_with_conflicts", conflicts["person_id"].nunique()),
            ("ambiguous_records", len(ambiguous)),
        ],
        columns=["measure", "count"],
    )
    return {"merges": merges, "conflicts": conflicts, "ambiguous": ambiguous, "summary": summary}
