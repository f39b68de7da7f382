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

E-mail addresses are used only to match: they never leave this module, and reports name
records by ``lead_id``.
"""

from __future__ import annotations

import datetime as dt
import uuid

import duckdb
import numpy as np
import pandas as pd

from reviewkit.errors import DataError
from reviewkit.ingest.contacts import normalise_company, normalise_domain, normalise_email

__all__ = [
    "RULES",
    "SEGMENT_ATTRIBUTES",
    "email_key_sql",
    "identity_report",
    "identity_summary",
    "load_identity_map",
    "normalised_email_sql",
    "rebuild_identity_table",
    "resolve_identities",
]

RULES = ("self", "map", "email", "company")
SEGMENT_ATTRIBUTES = ("sales_team", "industry", "company_size", "region")

# NFKC maps the full-width forms U+FF01..U+FF5E onto ASCII U+0021..U+007E and the ideographic
# space U+3000 onto a space. On text made only of ASCII and those characters, that mapping is
# all NFKC does, so the SQL below reproduces normalise_email exactly; any other non-ASCII
# character sends the value to the Python function (see _EXOTIC).
_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
_HALF = "".join(chr(c) for c in range(0x21, 0x7F)) + " "
# Python's str.strip() and re's \s on ASCII: \t \n \v \f \r, \x1c-\x1f (separators), space.
_WS = r"\x09-\x0d\x1c-\x20"
_EXOTIC = r"[^\x00-\x7f\x{3000}\x{ff01}-\x{ff5e}]"
_ANGLE = r"<([^<>]+@[^<>]+)>"
_PLAIN = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9._\-]+"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def normalised_email_sql(column: str) -> str:
    """A DuckDB expression equal to ``normalise_email(column)`` for ASCII-like values.

    Exact for values made of ASCII, full-width ASCII forms (U+FF01-U+FF5E) and the ideographic
    space U+3000 (everything a Japanese export puts into an address); other values need the
    Python function (:func:`email_key_sql` arranges that).

    Parameters
    ----------
    column
        A SQL expression of type VARCHAR, e.g. ``l.email``.

    Returns
    -------
    str
        The SQL expression; NULL when there is no ``user@domain``.
    """
    trim = f"'^[{_WS}]+|[{_WS}]+$'"
    folded = (
        f"lower(regexp_replace(translate({column}, {_literal(_FULL)}, {_literal(_HALF)}), "
        f"{trim}, '', 'g'))"
    )
    # Each step binds its input once: list_transform([x], lambda v: ...)[1].
    unwrapped = (
        f"CASE WHEN regexp_matches(v, '{_ANGLE}') "
        f"THEN regexp_replace(regexp_extract(v, '{_ANGLE}', 1), {trim}, '', 'g') ELSE v END"
    )
    first = (
        "list_filter(string_split_regex("
        f"CASE WHEN starts_with(u, 'mailto:') THEN substr(u, 8) ELSE u END, '[;,{_WS}]+'), "
        "lambda p: regexp_matches(p, '^(?s:.+)@[^@]+$'))[1]"
    )
    full = (
        f"list_transform([list_transform([{folded}], lambda v: {unwrapped})[1]], "
        f"lambda u: {first})[1]"
    )
    # fast path: a plain address (one @, nothing to trim, split or unwrap) is only lower-cased
    return f"CASE WHEN regexp_full_match({column}, '{_PLAIN}') THEN lower({column}) ELSE {full} END"


def email_key_sql(email: str, email_hash: str, python_alias: str | None = None) -> str:
    """A DuckDB expression for a record's e-mail key: the hash, else the normalised e-mail's.

    Parameters
    ----------
    email
        SQL expression of the e-mail as exported.
    email_hash
        SQL expression of the stored hash (``NULL`` if the store has none).
    python_alias
        Alias of a relation ``(email, email_norm)`` the caller joins on ``email``, holding
        :func:`normalise_email` of the values the SQL normalisation cannot fold (those with
        other non-ASCII characters). ``None``: there are none, and such values are folded by
        the SQL alone (ASCII and full-width forms only).

    Returns
    -------
    str
        ``coalesce(lower(trim(email_hash)), sha256(normalised e-mail))``.
    """
    norm = normalised_email_sql(email)
    if python_alias is not None:
        norm = (
            f"CASE WHEN regexp_matches({email}, '{_EXOTIC}') THEN {python_alias}.email_norm "
            f"ELSE {norm} END"
        )
    return f"coalesce(nullif(lower(trim({email_hash})), ''), sha256({norm}))"


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = current_schema() AND table_name = ? AND column_name = ?",
        [table, column],
    ).fetchall()
    return bool(rows[0][0])


def _python_emails(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """:func:`normalise_email` of the distinct e-mails the SQL normalisation cannot fold."""
    values = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT email FROM leads WHERE regexp_matches(email, '{_EXOTIC}')"
        ).fetchall()
    ]
    return pd.DataFrame(
        {
            "email": pd.Series(values, dtype=object),
            "email_norm": pd.Series([normalise_email(v) for v in values], dtype=object),
        }
    )


def _keys(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each lead with its order, source, mapping key, e-mail key and company columns."""
    hash_column = "l.email_hash" if _has_column(con, "leads", "email_hash") else "NULL::VARCHAR"
    if _has_column(con, "identity_map", "person_key"):
        mapping = (
            "LEFT JOIN identity_map m ON m.source_system = l.source_system "
            "AND m.lead_id = l.lead_id"
        )
        map_key = "nullif(trim(m.person_key), '')"
    else:  # a store made before identity_map existed
        mapping, map_key = "", "NULL::VARCHAR"
    exotic = _python_emails(con)
    join, relation = "", None
    if len(exotic):
        con.register("_rk_identity_emails", exotic)
        join, relation = "LEFT JOIN _rk_identity_emails py ON py.email = l.email", "py"
    try:
        return con.execute(
            f"""
            SELECT l.lead_id, l.source_system,
                   row_number() OVER (ORDER BY l.created_at, l.lead_id) AS ord,
                   {map_key} AS map_key,
                   {email_key_sql("l.email", hash_column, relation)} AS email_key,
                   l.company_domain, l.company_name
            FROM leads l {mapping} {join}
            ORDER BY ord
            """
        ).df()
    finally:
        if relation is not None:
            con.unregister("_rk_identity_emails")


def _company_keys(frame: pd.DataFrame) -> pd.Series:
    """``domain|name`` for rows with both a normalised domain and company name, else NA."""
    present = frame["company_domain"].notna() & frame["company_name"].notna()
    pairs = frame.loc[present, ["company_domain", "company_name"]]
    cache: dict[tuple[str, str], str | None] = {}
    keys: list[str | None] = []
    for pair in zip(pairs["company_domain"], pairs["company_name"], strict=True):
        if pair not in cache:
            domain, name = normalise_domain(pair[0]), normalise_company(pair[1])
            cache[pair] = f"{domain}|{name}" if domain and name else None
        keys.append(cache[pair])
    out = pd.Series(pd.NA, index=frame.index, dtype=object)
    out[present] = pd.Series(keys, index=pairs.index, dtype=object)
    return out


def _resolve(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group the store's leads into persons.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(identity, ambiguous)``: ``lead_id, person_id, rule`` for every lead, and the
        records that stayed apart because their match was ambiguous (``lead_id,
        source_system, reason, candidates``).
    """
    frame = _keys(con)
    lead_id = frame["lead_id"].astype(object)
    mapped = frame["map_key"].notna()
    has_email = frame["email_key"].notna()
    group = pd.Series(None, index=frame.index, dtype=object)
    group[mapped] = "m:" + frame.loc[mapped, "map_key"].astype(object)
    reason = pd.Series(None, index=frame.index, dtype=object)
    candidates_by = pd.Series(None, index=frame.index, dtype=object)

    # e-mail: an unmapped record joins the only mapped person carrying its key
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

    # company: a record with neither key joins when the company is unambiguous
    keyless = group.isna()
    company = pd.Series(pd.NA, index=frame.index, dtype=object)
    if (keyless & frame["company_domain"].notna() & frame["company_name"].notna()).any():
        company = _company_keys(frame)
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
    rest = group.isna()
    group[rest] = "s:" + lead_id[rest]

    # canonical record and rule (frame is in created order)
    person_id = lead_id.groupby(group, sort=False).transform("first")
    canonical = lead_id == person_id

    def shares(column: str) -> pd.Series:
        sizes = frame.groupby([group, frame[column]], sort=False, dropna=True)[column].transform(
            "size"
        )
        return frame[column].notna() & (sizes.reindex(frame.index).fillna(0) > 1)

    rule = np.select(
        [canonical, shares("map_key"), shares("email_key")], ["self", "map", "email"], "company"
    )
    identity = pd.DataFrame({"lead_id": lead_id, "person_id": person_id, "rule": rule})

    # ambiguous records and the persons they could belong to
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
    return identity.reset_index(drop=True), ambiguous.reset_index(drop=True)


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
