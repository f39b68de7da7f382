"""Each lead's matching keys: its mapping key, its e-mail key and its company key.

The e-mail key is ``coalesce(email_hash, sha256(normalised e-mail))``; the normalisation runs in
DuckDB (:func:`normalised_email_sql`) for the values it reproduces exactly and in Python
(:func:`reviewkit.ingest.contacts.normalise_email`) for the rest. E-mail addresses never leave
this module and :mod:`reviewkit.ingest.identity`.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from reviewkit.ingest.contacts import normalise_company, normalise_domain, normalise_email

__all__ = ["company_keys", "email_key_sql", "lead_keys", "normalised_email_sql"]

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


def lead_keys(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
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


def company_keys(frame: pd.DataFrame) -> pd.Series:
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
