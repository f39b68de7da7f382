"""Opening the store's file: a busy, damaged or newer store answered by one line.

DuckDB says what is wrong with a file in its own words and exception classes (an
``IOException`` for a lock held by another process and for a file that is not a database, a
plain ``Error`` for a failed checksum). :func:`open_file` turns each into a
:class:`~reviewkit.errors.StoreBusyError` (run again later) or a
:class:`~reviewkit.errors.StoreCorruptError` (restore a backup or rebuild the store), naming the
file; :func:`check_schema_version` refuses a store a newer reviewkit wrote.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from reviewkit.errors import StoreBusyError, StoreCorruptError

#: The fix for a store that cannot be read.
REBUILD = (
    "restore it from a backup, or move it aside and rebuild it: re-import your exports "
    "(`reviewkit import`), or `reviewkit sample` for the sample company"
)


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (DuckDB's may run over several)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".!")


def busy_error(where: str, exc: Exception, *, writing: bool) -> StoreBusyError:
    """The one-line error for a store another process holds."""
    who = "a pack build, a batch or a notebook kernel" if writing else "an import"
    return StoreBusyError(
        f"store {where!r} is in use by another process ({who}): "
        f"{(str(exc).splitlines() or [''])[0]}; run this again when it has finished"
    )


def corrupt_error(where: str, why: str) -> StoreCorruptError:
    """The one-line error for a store file that cannot be read as a store."""
    return StoreCorruptError(f"store {where!r} cannot be opened: {why}; {REBUILD}")


def open_file(where: str, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect(where)``, a busy or damaged file turned into one line.

    Raises
    ------
    StoreBusyError
        If another process holds the file's lock.
    StoreCorruptError
        If DuckDB cannot read the file (not a database, truncated, a failed checksum).
    """
    try:
        return duckdb.connect(where, read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise busy_error(where, exc, writing=not read_only) from None
        raise corrupt_error(where, first_line(exc)) from None
    except duckdb.Error as exc:
        raise corrupt_error(where, first_line(exc)) from None


def check_schema_version(
    con: duckdb.DuckDBPyConnection,
    where: str,
    *,
    supported: str,
    tables: Mapping[str, str] | None = None,
) -> None:
    """Refuse a store whose schema is newer than ``supported``, or that is damaged.

    A store of the ``supported`` version must have every table of ``tables`` (name -> column
    definitions, as in :data:`reviewkit.store.schema.TABLES`); an older store is left to
    :func:`reviewkit.store.schema.upgrade_schema`. The connection is closed before raising.

    Raises
    ------
    StoreCorruptError
        Naming the file, what is wrong (the version, a missing table) and the fix.
    """
    try:
        row = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        return  # an empty store, or one from before store_meta: the schema is created
    except duckdb.Error as exc:
        con.close()
        raise corrupt_error(where, first_line(exc)) from None
    if row is None:
        return
    version = str(row[0]).strip()
    if not version.isdigit() or int(version) > int(supported):
        con.close()
        raise StoreCorruptError(
            f"store {where!r}: schema version {version!r} is not one this reviewkit reads (at "
            f"most {supported}); upgrade reviewkit (`pip install -U reviewkit`), or {REBUILD}"
        )
    if tables is not None and int(version) == int(supported):
        missing = _missing(con, tables)
        if missing:
            con.close()
            raise corrupt_error(where, f"{missing} (schema {version} has it)")


def _missing(con: duckdb.DuckDBPyConnection, tables: Mapping[str, str]) -> str | None:
    """The first table of ``tables`` the store lacks, in words; ``None``: none.

    Columns are not checked: stores upgraded from early versions may lack some, and a query
    that needs one names it.
    """
    found = {
        str(row[0])
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_catalog = current_database()"
        ).fetchall()
    }
    absent = [table for table in tables if table not in found]
    return f"table {absent[0]!r} is missing" if absent else None
