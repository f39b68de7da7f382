import datetime as dt
import shutil

import duckdb
import pandas as pd
import pytest

from reviewkit.errors import DataError, StoreMissingError
from reviewkit.ingest.identity import resolve_identities
from reviewkit.store.schema import TABLES, connect, data_freshness, replace_tables

TOKYO = "Asia/Tokyo"


def lead(lead_id, email, *, created="2026-10-01 10:00", source="ma", **attrs):
    return {
        "lead_id": lead_id,
        "source_system": source,
        "created_at": pd.Timestamp(created, tz=TOKYO),
        "email": email,
        **attrs,
    }


def test_schema_has_every_documented_table(con):
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert set(TABLES) <= tables


def test_schema_is_documented():
    from builders import REPO

    doc = (REPO / "docs" / "data-model.md").read_text(encoding="utf-8")
    for name, columns in TABLES.items():
        assert f"`{name}`" in doc, name
        for line in columns.strip().splitlines():
            column = line.split()[0]
            if column != "PRIMARY":
                assert f"`{column}`" in doc, f"{name}.{column}"


def test_replace_is_one_transaction(con):
    replace_tables(con, {"leads": pd.DataFrame([lead("A", "a@x.jp")])}, source="first")
    bad = {
        "leads": pd.DataFrame([lead("B", "b@x.jp")]),
        "stage_events": pd.DataFrame({"lead_id": ["B"], "stage": [None]}),  # NOT NULL breaks
    }
    with pytest.raises((DataError, duckdb.Error)):
        replace_tables(con, bad, source="second")
    assert con.execute("SELECT lead_id FROM leads").fetchall() == [("A",)]
    assert con.execute("SELECT count(*) FROM loads WHERE source = 'second'").fetchone() == (0,)


def test_unknown_table_or_column_is_rejected_with_the_allowed_ones(con):
    with pytest.raises(DataError, match="table 'deals' is not a data table"):
        replace_tables(con, {"deals": pd.DataFrame()}, source="x")
    frame = pd.DataFrame([{**lead("A", "a@x.jp"), "colour": "red"}])
    with pytest.raises(DataError, match=r"unknown columns \['colour'\]"):
        replace_tables(con, {"leads": frame}, source="x")


def test_duplicate_key_is_a_data_error(con):
    frame = pd.DataFrame([lead("A", "a@x.jp"), lead("A", "b@x.jp")])
    with pytest.raises(DataError, match="nothing was written"):
        replace_tables(con, {"leads": frame}, source="x")


def test_read_only_store_must_exist(tmp_path):
    with pytest.raises(StoreMissingError, match="reviewkit sample"):
        connect(tmp_path / "none.duckdb", read_only=True)


def test_identity_merges_normalised_emails(con):
    leads = pd.DataFrame(
        [
            lead("MA-1", "ann@corp.co.jp", created="2026-10-01 09:00"),
            lead("SFA-1", "  ANN@Corp.co.jp ", created="2026-10-05 09:00", source="sfa"),
            lead("MA-2", None),
            lead("MA-3", ""),
            lead("MA-4", "bob@corp.co.jp", created="2026-10-02 09:00"),
            lead("SFA-2", "\u3000Bob@corp.co.jp\t\r\n", created="2026-10-03 09:00", source="sfa"),
        ]
    )
    replace_tables(con, {"leads": leads}, source="t")
    summary = resolve_identities(con)
    assert summary == {"leads": 6, "persons": 4, "merged": 2}
    rows = dict(con.execute("SELECT lead_id, person_id FROM lead_identity").fetchall())
    assert rows == {
        "MA-1": "MA-1",
        "SFA-1": "MA-1",
        "MA-2": "MA-2",
        "MA-3": "MA-3",
        "MA-4": "MA-4",
        "SFA-2": "MA-4",
    }


def test_freshness(con):
    assert data_freshness(con) is None
    replace_tables(
        con, {"leads": pd.DataFrame([lead("A", "a@x.jp", created="2026-11-22 23:30")])}, source="t"
    )
    assert data_freshness(con) == dt.datetime(2026, 11, 22, 14, 30, tzinfo=dt.UTC)


def test_work_after_the_rows_shares_their_transaction(con):
    from reviewkit.ingest.identity import rebuild_identity_table

    replace_tables(con, {"leads": pd.DataFrame([lead("A", "a@x.jp")])}, source="first")
    rebuild_identity_table(con)

    def fail(connection):
        rebuild_identity_table(connection)
        raise RuntimeError("identity step failed")

    with pytest.raises(RuntimeError):
        replace_tables(con, {"leads": pd.DataFrame([lead("B", "b@x.jp")])}, source="x", then=fail)
    assert con.execute("SELECT lead_id FROM leads").fetchall() == [("A",)]
    assert con.execute("SELECT lead_id FROM lead_identity").fetchall() == [("A",)]


def test_an_older_store_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE leads (lead_id VARCHAR PRIMARY KEY)")
    con.execute("INSERT INTO leads VALUES ('A')")
    con.close()
    from reviewkit.store.schema import upgrade_schema

    assert upgrade_schema(path) is True
    assert upgrade_schema(path) is False  # already current: not opened for writing
    con = connect(path, read_only=True)
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert set(TABLES) <= tables
    assert con.execute("SELECT lead_id FROM leads").fetchall() == [("A",)]
    columns = [r[0] for r in con.execute("DESCRIBE leads").fetchall()]
    assert "email_hash" in columns  # a column added after the table first shipped
    con.close()


def test_a_snapshot_holds_every_row_and_lets_go_of_the_file(tmp_path):
    from reviewkit.store.schema import snapshot

    path = tmp_path / "store.duckdb"
    writer = connect(path, timezone="Asia/Tokyo")
    writer.execute(
        "INSERT INTO campaigns VALUES ('C1', 'x', 'webinar', NULL, DATE '2026-10-01', "
        "DATE '2026-10-31', 1000, 'JPY')"
    )
    writer.close()
    copy = snapshot(path, timezone="Asia/Tokyo")
    again = connect(path, timezone="Asia/Tokyo")  # a writer opens while the copy is in use
    again.execute("DELETE FROM campaigns")
    again.close()
    assert copy.execute("SELECT campaign_id, cost FROM campaigns").fetchall() == [("C1", 1000)]
    assert {r[0] for r in copy.execute("SHOW TABLES").fetchall()} == set(TABLES)
    assert copy.execute("SELECT current_setting('TimeZone')").fetchone() == ("Asia/Tokyo",)
    with pytest.raises(StoreMissingError):
        snapshot(tmp_path / "none.duckdb")


def test_a_review_opened_in_a_notebook_never_blocks_an_import(
    sample_workspace, monkeypatch, tmp_path
):
    from reviewkit.core.context import CONTEXT_ENV, PackContext
    from reviewkit.review.open import open_review

    root = tmp_path / "ws"  # its own store: other tests of this process hold the sample's
    shutil.copytree(sample_workspace.params_dir, root / "params")
    store = root / "data" / sample_workspace.store_path.name
    store.parent.mkdir()
    shutil.copy(sample_workspace.store_path, store)
    monkeypatch.delenv(CONTEXT_ENV, raising=False)
    review = open_review("weekly", workspace=str(root), as_of="2026-11-23")
    assert review.scorecard()["actual"].notna().any()
    connect(store).close()  # what an import does first: no lock error
    (tmp_path / "pack").mkdir()
    monkeypatch.setenv(CONTEXT_ENV, str(PackContext(tmp_path / "pack").write()))
    in_pack = open_review("weekly", workspace=str(root), as_of="2026-11-23")
    files = "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    assert in_pack.con.execute(files).fetchone() == (str(store),)
    assert review.con.execute(files).fetchone() == (None,)  # the notebook's: in memory
    in_pack.con.close()
