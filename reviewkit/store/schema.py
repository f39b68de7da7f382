"""The funnel store: one embedded DuckDB file.

The schema is documented in ``docs/data-model.md``. Timestamps are stored as ``TIMESTAMPTZ``
(instants); periods are cut in the workspace time zone by the queries that read them. Every
write is one transaction: either all of it lands or none of it does.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import duckdb
import pandas as pd

from reviewkit.errors import DataError, StoreMissingError
from reviewkit.store.opening import (
    busy_error,
    check_schema_version,
    corrupt_error,
    first_line,
    open_file,
)

SCHEMA_VERSION = "7"

TABLES: dict[str, str] = {
    "leads": """
        lead_id        VARCHAR PRIMARY KEY,
        source_system  VARCHAR NOT NULL,
        created_at     TIMESTAMPTZ NOT NULL,
        email          VARCHAR,
        company_name   VARCHAR,
        company_domain VARCHAR,
        channel        VARCHAR,
        campaign_id    VARCHAR,
        content_asset  VARCHAR,
        industry       VARCHAR,
        company_size   VARCHAR,
        region         VARCHAR,
        persona        VARCHAR,
        sales_team     VARCHAR,
        score          INTEGER,
        email_hash     VARCHAR
    """,
    "lead_identity": """
        lead_id    VARCHAR PRIMARY KEY,
        person_id  VARCHAR NOT NULL,
        rule       VARCHAR NOT NULL
    """,
    "identity_map": """
        source_system  VARCHAR NOT NULL,
        lead_id        VARCHAR NOT NULL,
        person_key     VARCHAR NOT NULL,
        PRIMARY KEY (source_system, lead_id)
    """,
    "score_changes": """
        lead_id     VARCHAR NOT NULL,
        changed_at  TIMESTAMPTZ NOT NULL,
        score       INTEGER NOT NULL
    """,
    "stage_events": """
        lead_id        VARCHAR NOT NULL,
        stage          VARCHAR NOT NULL,
        entered_at     TIMESTAMPTZ NOT NULL,
        source_system  VARCHAR NOT NULL
    """,
    "opportunities": """
        opportunity_id VARCHAR PRIMARY KEY,
        lead_id        VARCHAR,
        amount         DECIMAL(18, 2),
        currency       VARCHAR NOT NULL,
        created_at     TIMESTAMPTZ NOT NULL,
        closed_at      TIMESTAMPTZ,
        is_won         BOOLEAN,
        stage          VARCHAR NOT NULL,
        sales_team     VARCHAR,
        source_system  VARCHAR NOT NULL
    """,
    "activities": """
        activity_id    VARCHAR PRIMARY KEY,
        lead_id        VARCHAR NOT NULL,
        activity_type  VARCHAR NOT NULL,
        occurred_at    TIMESTAMPTZ NOT NULL,
        team           VARCHAR,
        is_human       BOOLEAN NOT NULL
    """,
    "campaigns": """
        campaign_id    VARCHAR NOT NULL,
        name           VARCHAR NOT NULL,
        channel        VARCHAR NOT NULL,
        content_asset  VARCHAR,
        start_date     DATE NOT NULL,
        end_date       DATE NOT NULL,
        cost           DECIMAL(18, 2) NOT NULL,
        currency       VARCHAR NOT NULL,
        PRIMARY KEY (campaign_id, start_date)
    """,
    "targets": """
        month          DATE NOT NULL,
        metric         VARCHAR NOT NULL,
        segment_key    VARCHAR NOT NULL DEFAULT '',
        segment_value  VARCHAR NOT NULL DEFAULT '',
        value          DOUBLE NOT NULL,
        PRIMARY KEY (month, metric, segment_key, segment_value)
    """,
    "loads": """
        load_id    VARCHAR NOT NULL,
        loaded_at  TIMESTAMPTZ NOT NULL,
        source     VARCHAR NOT NULL,
        table_name VARCHAR NOT NULL,
        row_count  BIGINT NOT NULL
    """,
    "imports": """
        import_id    VARCHAR PRIMARY KEY,
        file_name    VARCHAR NOT NULL,
        file_hash    VARCHAR NOT NULL,
        profile      VARCHAR NOT NULL,
        source_system VARCHAR NOT NULL,
        rows_read    BIGINT NOT NULL,
        loaded       BIGINT NOT NULL,
        updated      BIGINT NOT NULL,
        unchanged    BIGINT NOT NULL,
        rejected     BIGINT NOT NULL,
        started_at   TIMESTAMPTZ NOT NULL,
        finished_at  TIMESTAMPTZ NOT NULL
    """,
    "quarantine": """
        import_id    VARCHAR NOT NULL,
        file_name    VARCHAR NOT NULL,
        row_number   BIGINT NOT NULL,
        column_name  VARCHAR,
        value        VARCHAR,
        reason       VARCHAR NOT NULL,
        record_id    VARCHAR
    """,
    "sync_state": """
        source       VARCHAR NOT NULL,
        object       VARCHAR NOT NULL,
        cursor       TIMESTAMPTZ,
        last_success TIMESTAMPTZ NOT NULL,
        mode         VARCHAR NOT NULL,
        rows_read    BIGINT NOT NULL,
        added        BIGINT NOT NULL,
        updated      BIGINT NOT NULL,
        deleted      BIGINT NOT NULL,
        merged       BIGINT NOT NULL,
        quarantined  BIGINT NOT NULL,
        PRIMARY KEY (source, object)
    """,
    "syncs": """
        sync_id      VARCHAR PRIMARY KEY,
        source       VARCHAR NOT NULL,
        object       VARCHAR NOT NULL,
        mode         VARCHAR NOT NULL,
        reason       VARCHAR,
        started_at   TIMESTAMPTZ NOT NULL,
        finished_at  TIMESTAMPTZ NOT NULL,
        rows_read    BIGINT NOT NULL,
        added        BIGINT NOT NULL,
        updated      BIGINT NOT NULL,
        unchanged    BIGINT NOT NULL,
        deleted      BIGINT NOT NULL,
        merged       BIGINT NOT NULL,
        quarantined  BIGINT NOT NULL,
        cursor       TIMESTAMPTZ
    """,
    "sync_records": """
        source     VARCHAR NOT NULL,
        object     VARCHAR NOT NULL,
        record_id  VARCHAR NOT NULL,
        PRIMARY KEY (source, object, record_id)
    """,
    "deliveries": """
        fingerprint  VARCHAR NOT NULL,
        job          VARCHAR NOT NULL,
        period       VARCHAR NOT NULL,
        audience     VARCHAR NOT NULL,
        channel      VARCHAR NOT NULL,
        recipient    VARCHAR NOT NULL,
        status       VARCHAR NOT NULL,
        attempts     INTEGER NOT NULL,
        error        VARCHAR,
        sent_at      TIMESTAMPTZ NOT NULL
    """,
    "store_meta": """
        key    VARCHAR PRIMARY KEY,
        value  VARCHAR NOT NULL
    """,
}


LOG_TABLES = (
    "loads", "imports", "quarantine", "sync_state", "syncs", "sync_records", "deliveries",
    "store_meta",
)  # fmt: skip


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table that does not exist yet, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        for name, columns in TABLES.items():
            con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
        # columns added after a table first shipped (stores of earlier versions lack them)
        con.execute("ALTER TABLE leads ADD COLUMN IF NOT EXISTS email_hash VARCHAR")
        con.execute("ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS record_id VARCHAR")
        _rekey_campaigns(con)
        con.execute(
            "INSERT OR REPLACE INTO store_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _rekey_campaigns(con: duckdb.DuckDBPyConnection) -> None:
    """Key ``campaigns`` by campaign and start date (schema 5), as a cost line per month needs.

    Stores of schema 4 and earlier keyed it by ``campaign_id`` alone; the table is rebuilt with
    the same rows (inside the caller's transaction).
    """
    keys = con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() WHERE database_name = "
        "current_database() AND table_name = 'campaigns' AND constraint_type = 'PRIMARY KEY'"
    ).fetchall()
    if not keys or list(keys[0][0]) != ["campaign_id"]:
        return
    con.execute(f"CREATE TABLE _rk_campaigns_rekeyed ({TABLES['campaigns']})")
    con.execute("INSERT INTO _rk_campaigns_rekeyed BY NAME SELECT * FROM campaigns")
    con.execute("DROP TABLE campaigns")
    con.execute("ALTER TABLE _rk_campaigns_rekeyed RENAME TO campaigns")


# DuckDB's memory for a read-only store (a pack's kernel): its default, 80% of the machine,
# let a weekly pack of 10M leads keep 5.5 GB of cached pages; queries spill to disk past this.
READ_MEMORY_LIMIT = "1GB"


def connect(
    path: str | os.PathLike[str], *, read_only: bool = False, timezone: str = "UTC"
) -> duckdb.DuckDBPyConnection:
    """Open the store.

    A read-only store file uses at most :data:`READ_MEMORY_LIMIT` of DuckDB memory (big
    queries spill to a temporary folder); the same rows, the same results.

    Parameters
    ----------
    path
        The DuckDB file, or ``":memory:"`` for a throw-away store (tests).
    read_only
        Open for reading only; the file must exist.
    timezone
        Session time zone: ``TIMESTAMPTZ`` values come back to pandas in this zone.

    Returns
    -------
    duckdb.DuckDBPyConnection

    Raises
    ------
    StoreMissingError
        If ``read_only`` and the file does not exist, with how to create it.
    StoreBusyError
        If another process holds the file's lock (e.g. an import writing to it).
    StoreCorruptError
        If the file is a folder, not a DuckDB file, damaged, or written by a newer reviewkit.
    """
    where = str(path)
    if where != ":memory:":
        file = Path(where)
        if file.is_dir():
            raise corrupt_error(
                where, "it is a folder, not a store file (check store: in workspace.yml)"
            )
        if read_only and not file.is_file():
            raise StoreMissingError(
                f"store {where!r} does not exist; create it with `reviewkit sample` "
                "(the sample company) or import your data with `reviewkit import`"
            )
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataError(
                f"store {where!r}: its folder cannot be created ({exc.strerror or exc}); set "
                "store: in params/workspace.yml to a path inside the workspace"
            ) from None
        if file.is_file() and file.stat().st_size == 0:
            raise corrupt_error(where, "the file is empty (0 bytes)")
    con = open_file(where, read_only=read_only)
    if where != ":memory:":
        check_schema_version(con, where, supported=SCHEMA_VERSION, tables=TABLES)
    con.execute(f"SET TimeZone = '{timezone}'")
    if read_only and where != ":memory:":
        con.execute(f"SET memory_limit = '{READ_MEMORY_LIMIT}'")
    if not read_only:
        create_schema(con)
    return con


def snapshot(path: str | os.PathLike[str], *, timezone: str = "UTC") -> duckdb.DuckDBPyConnection:
    """An in-memory copy of the store, so the file is not held while it is read.

    A notebook left open in JupyterLab would otherwise keep the store's file lock for as long
    as its kernel lives, and the nightly import could not write. The copy is taken in one
    read transaction and the file is let go at once; every query then runs on the copy (the
    same rows: the same figures as a pack built at that moment).

    Raises
    ------
    StoreMissingError, StoreBusyError
        As :func:`connect` with ``read_only=True``.
    """
    source = connect(path, read_only=True, timezone=timezone)
    source.close()  # the same checks and messages as a read-only open
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH ? AS store_file (READ_ONLY)", [str(path)])
    except duckdb.IOException as exc:
        con.close()
        if "lock" not in str(exc).lower():
            raise corrupt_error(str(path), first_line(exc)) from None
        raise busy_error(str(path), exc, writing=False) from None
    try:
        con.execute("BEGIN TRANSACTION")
        for name in TABLES:
            con.execute(f"CREATE TABLE main.{name} AS SELECT * FROM store_file.main.{name}")
        con.execute("COMMIT")
    finally:
        con.execute("DETACH store_file")
    con.execute(f"SET TimeZone = '{timezone}'")
    return con


def upgrade_schema(path: str | os.PathLike[str]) -> bool:
    """Add the tables a newer reviewkit needs to an existing store; return whether it did.

    The schema only grows (``CREATE TABLE IF NOT EXISTS``), so this is safe on any store; the
    file is opened for writing only when its schema version is older.
    """
    file = Path(path)
    if not file.is_file():
        return False
    con = connect(file, read_only=True)  # held by an import: StoreBusyError, one line
    try:
        row = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        row = None
    finally:
        con.close()
    if row is not None and int(row[0]) >= int(SCHEMA_VERSION):
        return False
    connect(file).close()  # a writable connection creates what is missing
    return True


def replace_tables(
    con: duckdb.DuckDBPyConnection,
    frames: Mapping[str, pd.DataFrame],
    *,
    source: str,
    then: Callable[[duckdb.DuckDBPyConnection], object] | None = None,
) -> dict[str, int]:
    """Replace the contents of whole tables in one transaction.

    Parameters
    ----------
    con
        A writable connection.
    frames
        Table name -> rows. Columns are matched by name; columns the table does not have are
        an error, columns the frame lacks become NULL (or the column default).
    source
        What the rows came from, recorded in the ``loads`` table.
    then
        Run inside the same transaction after the rows are in (e.g. rebuilding
        ``lead_identity``), so readers never see one without the other.

    Returns
    -------
    dict
        Rows written per table.

    Raises
    ------
    DataError
        If a table or column is unknown or a row breaks a constraint; nothing is written.
    """
    return replace_tables_in_chunks(con, [frames], source=source, then=then)


def replace_tables_in_chunks(
    con: duckdb.DuckDBPyConnection,
    chunks: Iterable[Mapping[str, pd.DataFrame]],
    *,
    source: str,
    then: Callable[[duckdb.DuckDBPyConnection], object] | None = None,
    commit_each: bool = False,
) -> dict[str, int]:
    """Replace the contents of whole tables in one transaction, from rows that come in chunks.

    Like :func:`replace_tables`, but the rows of a table may arrive in several chunks (a
    generator that makes them a chunk at a time), so no more than one chunk is in memory:
    a table is emptied when its first chunk comes and each chunk is appended.

    DuckDB holds a transaction's new rows (and their keys) in memory until it commits: about
    1.7 GB per million leads of the sample company. ``commit_each`` commits after each chunk
    instead, so memory stays that of one chunk; readers then see the tables fill chunk by
    chunk, and an error or interruption leaves the chunks before it written (the
    ``loads`` rows, written last, are missing: run again).

    Parameters
    ----------
    con
        A writable connection.
    chunks
        Table name -> rows, one mapping per chunk (consumed once, in order).
    source
        What the rows came from, recorded in the ``loads`` table (one row per table).
    then
        Run inside the same transaction after every chunk is in (the last one's, with
        ``commit_each``).
    commit_each
        Commit after each chunk (see above).

    Returns
    -------
    dict
        Rows written per table.

    Raises
    ------
    DataError
        If a table or column is unknown or a row breaks a constraint; nothing is written.
    """
    load_id = uuid.uuid4().hex[:12]
    now = dt.datetime.now(dt.UTC)
    counts: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        for frames in chunks:
            for name, frame in frames.items():
                if name not in TABLES or name in LOG_TABLES:
                    raise DataError(
                        f"table {name!r} is not a data table of the store; use one of "
                        f"{[t for t in TABLES if t not in LOG_TABLES]}"
                    )
                known = [row[0] for row in con.execute(f"DESCRIBE {name}").fetchall()]
                unknown = [c for c in frame.columns if c not in known]
                if unknown:
                    raise DataError(
                        f"table {name!r}: unknown columns {unknown}; the table has {known}"
                    )
                if name not in counts:
                    con.execute(f"DELETE FROM {name}")
                    counts[name] = 0
                columns = ", ".join(f'"{c}"' for c in frame.columns)
                con.register("_incoming", frame)
                con.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM _incoming")
                con.unregister("_incoming")
                counts[name] += len(frame)
            if commit_each:
                con.execute("COMMIT")
                con.execute("BEGIN TRANSACTION")
        for name, rows in counts.items():
            con.execute(
                "INSERT INTO loads VALUES (?, ?, ?, ?, ?)", [load_id, now, source, name, rows]
            )
        if then is not None:
            then(con)
        con.execute("COMMIT")
    except duckdb.ConstraintException as exc:
        con.execute("ROLLBACK")
        raise DataError(
            f"{source}: a row breaks a store constraint ({exc}); nothing was written"
        ) from None
    except Exception:
        con.execute("ROLLBACK")
        raise
    return counts


def data_freshness(
    con: duckdb.DuckDBPyConnection, *, before: dt.datetime | None = None
) -> dt.datetime | None:
    """Return the latest instant a stage event or lead was recorded, or ``None`` if none.

    Parameters
    ----------
    con
        A store connection.
    before
        Only records strictly before this instant count (a review's cut-off): a pack reviewing
        June 2018 from a store that already holds November's records is "as of" June, not
        November. ``None``: the store's newest record.
    """
    limit = "" if before is None else " WHERE {column} < ?"
    params: list[object] = [] if before is None else [before, before]
    row = con.execute(
        "SELECT epoch_us(greatest("
        f"(SELECT max(entered_at) FROM stage_events{limit.format(column='entered_at')}),"
        f" (SELECT max(created_at) FROM leads{limit.format(column='created_at')})))",
        params,
    ).fetchall()
    if not row or row[0][0] is None:
        return None
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=row[0][0])
